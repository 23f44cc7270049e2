"""BOT_TEXTS_FILE: an operator's own texts by key and language, read from TOML and checked
against the built-in catalogue before the bot starts (one line naming any problem).

    [menu]
    vi = \"\"\"Quý khách cần hỗ trợ gì ạ? ...\"\"\"

    [btn_verify]
    vi = "Xác thực ngay"
    en = "Verify now"
"""

from __future__ import annotations

import difflib
import string
import tomllib
from collections.abc import Mapping
from typing import Any

from bot.config import ConfigError
from bot.texts import LANGUAGES, catalogue
from zalo_api.text import MAX_TEXT_CHARS, utf16_len

# What Zalo shows: a tap button's title is cut on a phone past about 20 characters; the
# 'share your phone' card takes a 100-character title and a 500-character subtitle. The code's
# SMS should stay one segment (160 GSM characters), or each code costs two or three.
BUTTON_TITLE_CHARS = 20
OTHER_LIMITS = {"share_info_title": 100, "share_info_subtitle": 500, "sms_code_text": 160}


class AnyValue:
    """A stand-in for any placeholder's value, whatever format spec follows it."""

    def __format__(self, spec: str) -> str:
        """Nothing, for any spec."""
        return ""


def limit_of(key: str) -> int:
    """The most UTF-16 units (as Zalo counts) the text of key may have."""
    if key.startswith("btn_"):
        return BUTTON_TITLE_CHARS
    return OTHER_LIMITS.get(key, MAX_TEXT_CHARS)


def placeholders(template: str) -> set[str]:
    """The {names} a template fills in ('' for a positional {})."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def load_texts_file(path: str) -> dict[str, dict[str, str]]:
    """The checked overrides of the file at path ({} when path is empty)."""
    if not path:
        return {}
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"BOT_TEXTS_FILE {path} cannot be read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"BOT_TEXTS_FILE {path} is not valid TOML: {exc}") from None
    try:
        return check_overrides(data)
    except ValueError as exc:
        raise ConfigError(f"BOT_TEXTS_FILE {path}: {exc}") from None


def check_overrides(data: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """The overrides as {key: {lang: text}}; ValueError naming the first problem."""
    checked: dict[str, dict[str, str]] = {}
    for key, entry in data.items():
        if key not in catalogue():
            close = difflib.get_close_matches(key, list(catalogue()), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(f"unknown text key {key!r}{hint}")
        if not isinstance(entry, dict):
            raise ValueError(f'[{key}] must be a table of languages: vi = "...", en = "..."')
        checked[key] = {lang: check_text(key, lang, text) for lang, text in entry.items()}
    return checked


def check_text(key: str, lang: str, text: Any) -> str:
    """text itself, when it may stand for the built-in text of key in lang."""
    where = f"{key}.{lang}"
    if lang not in LANGUAGES:
        raise ValueError(f"{where}: unknown language (use {' or '.join(LANGUAGES)})")
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{where}: must be a text, not empty")
    try:
        used = placeholders(text)
    except ValueError as exc:  # a lone { or }: write {{ or }} for a brace itself
        raise ValueError(f"{where}: {exc} (write {{{{ or }}}} for a brace)") from None
    wanted = placeholders(catalogue()[key]["vi"])
    if wanted - used:
        raise ValueError(f"{where}: placeholder {{{sorted(wanted - used)[0]}}} is missing")
    if used - wanted:
        allowed = ", ".join(f"{{{name}}}" for name in sorted(wanted)) or "none"
        raise ValueError(
            f"{where}: unknown placeholder {{{sorted(used - wanted)[0]}}} (allowed: {allowed})"
        )
    try:  # a nested {name} inside a format spec is not seen by parse(): fill in to be sure
        text.format(**{name: AnyValue() for name in wanted})
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"{where}: cannot be filled in ({type(exc).__name__}: {exc})") from None
    if utf16_len(text) > limit_of(key):
        raise ValueError(
            f"{where}: {utf16_len(text)} characters, over the limit of {limit_of(key)}"
        )
    return text
