"""Text as users type it: case, diacritics, spaces and punctuation made irrelevant."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Vietnamese letters whose base letter is not recovered by dropping combining marks.
EXTRA_FOLDS = str.maketrans({"đ": "d", "Đ": "d", "ð": "d"})
EDGE_PUNCTUATION = "!?.,;:…\"'“”‘’()[]{}<>«»~*-_=+|\\`"
SPACES = re.compile(r"\s+")
# Texts whose normal form is kept: a dispatch's routes ask for the same text's several times.
# A text with a digit (a phone number, a code) is never kept.
CACHED_TEXTS = 2048


def fold(text: str) -> str:
    """Lower-case and drop diacritics: 'Xác Thực' -> 'xac thuc', 'HỦY' -> 'huy'."""
    decomposed = unicodedata.normalize("NFKD", text.translate(EXTRA_FOLDS))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold()


def normalize(text: str) -> str:
    """The comparable form of a typed word or button payload.

    Spaces collapse, punctuation around the words goes, and a leading '#' (button payloads
    such as '#verify') goes too, so '#verify' == 'Verify!' == ' verify '. A leading '/'
    stays: it marks a command.
    """
    return normal_form(text) if has_digit(text) else cached_normal_form(text)


def has_digit(text: str) -> bool:
    """Whether text holds a digit of any script (what a phone number or a code is made of)."""
    return any(c.isdigit() for c in text)


@lru_cache(maxsize=CACHED_TEXTS)
def cached_normal_form(text: str) -> str:
    """normal_form(), kept for the last CACHED_TEXTS texts without a digit."""
    return normal_form(text)


def normal_form(text: str) -> str:
    """normalize(), computed."""
    folded = SPACES.sub(" ", fold(text)).strip().strip(EDGE_PUNCTUATION).strip()
    if folded.startswith("#"):
        folded = folded[1:].strip(EDGE_PUNCTUATION).strip()
    return folded


def to_ascii_digits(text: str) -> str:
    """Full-width and other Unicode digits as ASCII ('１２３' -> '123'); the rest unchanged."""
    return "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in text)


def digits_only(text: str) -> str:
    """The digits of text, spaces and separators dropped ('12 34-56' -> '123456')."""
    return "".join(c for c in to_ascii_digits(text) if c.isascii() and c.isdigit())
