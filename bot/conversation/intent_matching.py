"""Free text as intents: what people type around a request is set aside before comparing.

`canonical("Mình muốn xác thực sđt ạ 🙏")` is `"xac thuc sdt"`: case, diacritics, emoji and
punctuation go (textnorm), spellings of one thing become one ('số điện thoại' = 'sđt',
'xác minh' = 'xác thực'), and the politeness around a request goes ('mình muốn …', 'cho mình',
'… ạ', '… nhé', 'please …'). What is left is compared whole with an intent's phrasings,
never searched for a word inside it, so a number or a code is never taken for an intent.
Negations ('không', 'chưa', 'đừng', 'not') are never set aside.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from bot.conversation.textnorm import KeptUnlessDigits, normalize, to_ascii_digits

# One spelling for each thing people spell several ways (folded forms, whole words).
SYNONYMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"\b(?:{pattern})\b"), replacement)
    for pattern, replacement in (
        (r"so dien thoai|so dt|sdt|dien thoai|(?:phone |mobile )?numbers?|phone", "sdt"),
        (r"xac minh", "xac thuc"),
        (r"cam on|camon|thank you|thanks|thank|tks|thx", "cam on"),
        (r"my|the|cua minh|cua toi|cua em|cua to", ""),
    )
)
# Set aside before a request ('mình muốn xác thực') and after it ('xác thực nhé').
LEADING = (
    "i would like to", "i d like to", "id like to", "i want to", "i need to", "i want", "i need",
    "can you", "could you", "can i", "let me", "please", "pls", "plz",
    "minh muon", "em muon", "toi muon", "anh muon", "chi muon", "to muon", "muon",
    "minh can", "em can", "toi can", "cho minh", "cho em", "cho toi", "giup minh", "giup em",
    "giup toi", "lam on", "vui long", "xin", "hay", "thoi", "xem", "kiem tra", "check", "show",
    "mo",
    "shop oi", "ad oi", "admin oi", "bot oi", "ban oi", "oi", "minh", "em", "toi", "e",
)  # fmt: skip
TRAILING = (
    "a", "nhe", "nha", "nhen", "voi", "oi", "di", "nao", "giup", "giup minh", "giup em",
    "giup toi", "ho minh", "ho em", "cho minh", "cho em", "cho toi", "please", "pls", "plz",
    "now", "ngay", "nhanh", "ban", "shop", "ad", "admin", "nhieu", "lam", "nhe ban", "a ban",
)  # fmt: skip
# Longest first, so 'giup minh' goes whole before 'giup' is tried.
LEADING_FIRST = sorted(LEADING, key=len, reverse=True)
TRAILING_FIRST = sorted(TRAILING, key=len, reverse=True)
NOT_WORD = re.compile(r"[^\w/ ]+|_")
SPACES = re.compile(r"\s+")
DIGITS_AND_SPACES = re.compile(r"[0-9 ]+")


def core_of(text: str) -> str:
    """The comparable core of a request ('' when nothing is left but politeness or emoji)."""
    folded = normalize(to_ascii_digits(text))
    if folded == "" and "?" in text:
        return "?"  # a lone question mark asks for help
    words = SPACES.sub(" ", NOT_WORD.sub(" ", folded)).strip()
    if DIGITS_AND_SPACES.fullmatch(words):
        return words  # no synonym or politeness is made of digits
    for pattern, replacement in SYNONYMS:
        words = SPACES.sub(" ", pattern.sub(replacement, words)).strip()
    return strip_politeness(words)


# Each route of a dispatch asks for the same text's core (five or so per event).
canonical = KeptUnlessDigits(core_of)


def strip_politeness(words: str) -> str:
    """Drop leading and trailing politeness, one phrase at a time, never the last word."""
    changed = True
    while changed:
        changed = False
        for tail in TRAILING_FIRST:
            if words.endswith(" " + tail):
                words, changed = words[: -len(tail) - 1], True
                break
        for lead in LEADING_FIRST:
            if words.startswith(lead + " "):
                words, changed = words[len(lead) + 1 :], True
                break
    return words


class Intents:
    """Named intents, each with its phrasings; a text means the intent whose phrasing it is."""

    def __init__(self, table: Mapping[str, Sequence[str]]) -> None:
        self.phrases: dict[str, str] = {}
        for name, phrasings in table.items():
            for phrase in phrasings:
                key = canonical(phrase)
                if not key or self.phrases.get(key, name) != name:
                    raise ValueError(f"phrase {phrase!r} of {name} is empty or claimed twice")
                self.phrases[key] = name

    def of(self, text: str) -> str | None:
        """The intent text expresses, or None."""
        return self.phrases.get(canonical(text))
