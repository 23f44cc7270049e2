"""Text as users type it: case, diacritics, spaces and punctuation made irrelevant."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

# Vietnamese letters whose base letter is not recovered by dropping combining marks.
EXTRA_FOLDS = str.maketrans({"đ": "d", "Đ": "d", "ð": "d"})
EDGE_PUNCTUATION = "!?.,;:…\"'“”‘’()[]{}<>«»~*-_=+|\\`"
SPACES = re.compile(r"\s+")
# Answers kept per function of a typed text: a dispatch's routes ask for the same text's
# several times, and people type the same few words. A text with a digit is never kept.
CACHED_TEXTS = 2048


class KeptUnlessDigits:
    """A function of a typed text whose answers are kept for the last CACHED_TEXTS texts
    without a digit: a phone number or a code is computed each time, never kept in memory."""

    def __init__(self, compute: Callable[[str], str]) -> None:
        self.compute = compute
        self.kept = lru_cache(maxsize=CACHED_TEXTS)(compute)

    def __call__(self, text: str) -> str:
        return self.compute(text) if has_digit(text) else self.kept(text)


def fold(text: str) -> str:
    """Lower-case and drop diacritics: 'Xác Thực' -> 'xac thuc', 'HỦY' -> 'huy'."""
    decomposed = unicodedata.normalize("NFKD", text.translate(EXTRA_FOLDS))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold()


def has_digit(text: str) -> bool:
    """Whether text holds a digit of any script (what a phone number or a code is made of)."""
    return any(map(str.isdigit, text))


def normal_form(text: str) -> str:
    """The comparable form of a typed word or button payload.

    Spaces collapse, punctuation around the words goes, and a leading '#' (button payloads
    such as '#verify') goes too, so '#verify' == 'Verify!' == ' verify '. A leading '/'
    stays: it marks a command.
    """
    folded = SPACES.sub(" ", fold(text)).strip().strip(EDGE_PUNCTUATION).strip()
    if folded.startswith("#"):
        folded = folded[1:].strip(EDGE_PUNCTUATION).strip()
    return folded


normalize = KeptUnlessDigits(normal_form)


def to_ascii_digits(text: str) -> str:
    """Full-width and other Unicode digits as ASCII ('１２３' -> '123'); the rest unchanged."""
    return "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in text)


def digits_only(text: str) -> str:
    """The digits of text, spaces and separators dropped ('12 34-56' -> '123456')."""
    return "".join(c for c in to_ascii_digits(text) if c.isascii() and c.isdigit())
