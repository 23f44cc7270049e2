"""Values read back from Redis: the client is in bytes mode, its types say bytes | str."""

from __future__ import annotations

from typing import Any

# What a Lua script call accepts as ARGV.
ScriptArgs = list[str | int | float | bytes]


def text(value: Any) -> str:
    """A stored value as text ('' for a missing one)."""
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else str(value)


def text_dict(value: Any) -> dict[str, str]:
    """A hash (or stream entry) as a dict of text."""
    return {text(k): text(v) for k, v in (value or {}).items()}
