"""Checks of webhook input that Zalo's signature cannot vouch for: size, text, timestamps."""

from __future__ import annotations

from typing import Any

from flask import Request

# Zalo's timestamps are milliseconds as a string: 13 digits until the year 2286.
MAX_TIMESTAMP_DIGITS = 16
REPLACEMENT = "\ufffd"


def read_body(request: Request, limit: int) -> bytes | None:
    """The raw body, or None when it is larger than limit bytes.

    Flask's limit is set one byte higher (create_app), so a chunked body without
    Content-Length is read up to limit + 1 bytes and told apart from one of exactly limit.
    """
    raw = request.get_data(cache=False)
    return None if len(raw) > limit else raw


def parse_timestamp(value: Any) -> int | None:
    """Milliseconds of a body's timestamp; None unless it is plain ASCII digits of sane length
    (str.isdigit() accepts '²³', and int() refuses 5,000 digits)."""
    text = str(value)
    if not (text.isascii() and text.isdigit() and len(text) <= MAX_TIMESTAMP_DIGITS):
        return None
    return int(text)


def has_lone_surrogate(text: str) -> bool:
    """Whether text holds a surrogate code point (JSON '\\ud800', or its raw bytes)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def is_surrogate(char: str) -> bool:
    """A code point of the UTF-16 surrogate range (never a character by itself)."""
    return 0xD800 <= ord(char) <= 0xDFFF


def clean_text(value: Any) -> tuple[Any, bool]:
    """value with lone surrogates replaced by U+FFFD everywhere (keys too); and whether any
    was found. Redis, logs and JSON encoders refuse them, so one such character in a message
    would otherwise fail every processing attempt."""
    if isinstance(value, str):
        if value.isascii() or not has_lone_surrogate(value):
            return value, False
        return "".join(REPLACEMENT if is_surrogate(c) else c for c in value), True
    if isinstance(value, list):
        items = [clean_text(item) for item in value]
        return [item for item, _ in items], any(changed for _, changed in items)
    if isinstance(value, dict):
        pairs = [(clean_text(k), clean_text(v)) for k, v in value.items()]
        cleaned = {k: v for (k, _), (v, _) in pairs}
        return cleaned, any(kc or vc for (_, kc), (_, vc) in pairs)
    return value, False
