"""Reading fields out of event bodies: one clear EventParseError for anything missing or odd."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zalo_api.errors import EventParseError


def get_path(data: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path ('sender.id'), or None when any step is missing."""
    current: Any = data
    for step in path.split("."):
        if not isinstance(current, Mapping):
            return None
        current = current.get(step)
    return current


def as_text(value: Any, path: str) -> str:
    """Ids and timestamps are JSON strings; integers (older payloads) are accepted as text."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise EventParseError(f"{path} must be a string, got {type(value).__name__}")


def required(data: Mapping[str, Any], path: str) -> str:
    """A text field that must be there."""
    value = get_path(data, path)
    if value is None:
        raise EventParseError(f"missing field {path}")
    return as_text(value, path)


def optional(data: Mapping[str, Any], path: str) -> str | None:
    """A text field that may be absent (None) but must be text when present."""
    value = get_path(data, path)
    return None if value is None else as_text(value, path)


def mapping(data: Mapping[str, Any], path: str) -> Mapping[str, Any]:
    """An object field that may be absent (empty) but must be an object when present."""
    value = get_path(data, path)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise EventParseError(f"{path} must be an object")
    return value


def first(data: Mapping[str, Any], *paths: str) -> str | None:
    """The first of several optional text fields that is present."""
    for path in paths:
        value = optional(data, path)
        if value is not None:
            return value
    return None
