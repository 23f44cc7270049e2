"""Splitting long texts for Zalo's 2,000-character limit, at sensible boundaries."""

from __future__ import annotations

import re
import unicodedata

MAX_TEXT_CHARS = 2000
# Preferred cut points, best first: paragraph, line, sentence end, word.
BOUNDARIES = (
    re.compile(r"\n\s*\n"),
    re.compile(r"\n"),
    re.compile(r"(?<=[.!?…])\s+"),
    re.compile(r"\s+"),
)


def split_text(text: str, limit: int = MAX_TEXT_CHARS) -> list[str]:
    """NFC-normalise and cut into chunks of at most limit characters, none empty."""
    remaining = unicodedata.normalize("NFC", text).strip()
    chunks: list[str] = []
    while len(remaining) > limit:
        cut = best_cut(remaining, limit)
        head, remaining = remaining[:cut].rstrip(), remaining[cut:].lstrip()
        if head:
            chunks.append(head)
    if remaining:
        chunks.append(remaining)
    return chunks


def best_cut(text: str, limit: int) -> int:
    """Where to cut text so the head fits: the last good boundary, else a safe hard cut."""
    window = text[: limit + 1]
    for boundary in BOUNDARIES:
        cuts = [m.start() for m in boundary.finditer(window) if 0 < m.start() <= limit]
        if cuts and cuts[-1] > limit // 4:  # never leave a tiny head for a far boundary
            return cuts[-1]
    cut = limit
    while cut > 1 and unicodedata.combining(text[cut]):
        cut -= 1  # do not separate a letter from its accent
    return cut
