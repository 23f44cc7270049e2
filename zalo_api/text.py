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
ZWJ = "\u200d"
COMBINING_CATEGORIES = frozenset({"Mn", "Mc", "Me"})


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: how Zalo's Java servers count (an emoji counts twice)."""
    # Encoded in C: counting astral characters in Python cost ~10 µs a reply.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def split_text(text: str, limit: int = MAX_TEXT_CHARS) -> list[str]:
    """NFC-normalise, then cut into stripped, non-empty chunks of at most limit characters."""
    if limit < 2:
        raise ValueError("limit must leave room for one character of two UTF-16 units")
    remaining = unicodedata.normalize("NFC", text).strip()
    chunks: list[str] = []
    while utf16_len(remaining) > limit:
        cut = best_cut(remaining, fitting_prefix(remaining, limit))
        head, remaining = remaining[:cut].rstrip(), remaining[cut:].lstrip()
        if head:
            chunks.append(head)
    if remaining:
        chunks.append(remaining)
    return chunks


def fitting_prefix(text: str, limit: int) -> int:
    """How many characters of text fit in limit UTF-16 units."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


def best_cut(text: str, fit: int) -> int:
    """Where to cut so the head fits: the last good boundary, else the last grapheme break."""
    window = text[: fit + 1]  # a boundary right after the fitting part still counts
    for boundary in BOUNDARIES:
        cuts = [m.start() for m in boundary.finditer(window) if 0 < m.start() <= fit]
        if cuts and cuts[-1] > fit // 4:  # a far boundary would leave a tiny head
            return cuts[-1]
    for cut in range(fit, 0, -1):
        if grapheme_break(text, cut):
            return cut
    return fit  # one "character" longer than the limit: it has to be cut somewhere


def grapheme_break(text: str, index: int) -> bool:
    """Whether text may be cut before index without splitting a user-perceived character.

    A simplified UAX #29: no cut before a combining mark, variation selector, emoji skin
    tone or tag, around a zero-width joiner, inside CR LF, or inside a flag (a pair of
    regional indicators).
    """
    before, after = text[index - 1], text[index]
    if before == "\r" and after == "\n":
        return False
    if ZWJ in (before, after) or extends(after):
        return False
    if regional_indicator(before) and regional_indicator(after):
        run = 0
        while index - run - 1 >= 0 and regional_indicator(text[index - run - 1]):
            run += 1
        return run % 2 == 0  # an odd run means `before` opens a flag `after` closes
    return True


def extends(char: str) -> bool:
    """A character that belongs to the one before it."""
    code = ord(char)
    return (
        unicodedata.category(char) in COMBINING_CATEGORIES
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0x1F3FB <= code <= 0x1F3FF  # emoji skin tones
        or 0xE0020 <= code <= 0xE007F  # tags (subdivision flags)
    )


def regional_indicator(char: str) -> bool:
    """One half of a flag."""
    return 0x1F1E6 <= ord(char) <= 0x1F1FF
