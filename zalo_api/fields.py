"""Reading fields out of event bodies: one clear EventParseError for anything missing or odd.

Ids and timestamps are JSON strings (ids exceed 2^53). Older payloads carried numeric
timestamps, so an integer id or timestamp is accepted and converted to its decimal text:
nothing is lost, and every consumer still sees a string. Floats and booleans are refused,
since their text would not be the id. Free text (message.text, names) must be a string.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zalo_api.errors import EventParseError

JSON_TYPE_NAMES = {dict: "object", list: "array", int: "number", float: "number", bool: "boolean"}


def json_type(value: Any) -> str:
    """The JSON name of a value's type, for error messages."""
    if value is None:
        return "null"
    return JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def get_path(data: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path ('sender.id'), or None when any step is missing."""
    current: Any = data
    for step in path.split("."):
        if not isinstance(current, Mapping):
            return None
        current = current.get(step)
    return current


def as_ident(value: Any, path: str) -> str:
    """An id or timestamp as text: a string, or an integer turned into its digits."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return str(value)
        except ValueError:  # more digits than Python converts: not an id
            raise EventParseError(f"field {path} is not an id") from None
    raise EventParseError(f"field {path} must be a string, got {json_type(value)}")


def ident(data: Mapping[str, Any], path: str) -> str:
    """A required id or timestamp."""
    value = get_path(data, path)
    if value is None:
        raise EventParseError(f"missing field {path}")
    return as_ident(value, path)


def optional_ident(data: Mapping[str, Any], path: str) -> str | None:
    """An id that may be absent or null."""
    value = get_path(data, path)
    return None if value is None else as_ident(value, path)


def optional_text(data: Mapping[str, Any], path: str) -> str | None:
    """Free text that may be absent or null, but is a string when present."""
    value = get_path(data, path)
    if value is None or isinstance(value, str):
        return value
    raise EventParseError(f"field {path} must be a string, got {json_type(value)}")


def text(data: Mapping[str, Any], path: str) -> str:
    """Required free text (may be empty)."""
    value = optional_text(data, path)
    if value is None:
        raise EventParseError(f"missing field {path}")
    return value


def required_object(data: Mapping[str, Any], path: str) -> Mapping[str, Any]:
    """An object that must be there."""
    if get_path(data, path) is None:
        raise EventParseError(f"missing field {path}")
    return optional_object(data, path)


def optional_object(data: Mapping[str, Any], path: str) -> Mapping[str, Any]:
    """An object that may be absent (then empty), but is an object when present."""
    value = get_path(data, path)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise EventParseError(f"field {path} must be an object, got {json_type(value)}")
    return value


def optional_list(data: Mapping[str, Any], path: str) -> list[Any]:
    """An array that may be absent (then empty), but is an array when present."""
    value = get_path(data, path)
    if value is None:
        return []
    if not isinstance(value, list):
        raise EventParseError(f"field {path} must be an array, got {json_type(value)}")
    return value
