"""Attachments of user_send_<kind> events, and small list readers."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from zalo_api.errors import EventParseError
from zalo_api.fields import as_text, get_path, mapping


def string_list(data: Mapping[str, Any], path: str) -> tuple[str, ...]:
    """A list of strings (absent: empty)."""
    value = get_path(data, path)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise EventParseError(f"{path} must be a list")
    return tuple(as_text(item, path) for item in value)


def coordinate(payload: Mapping[str, Any], name: str) -> str | None:
    """A location coordinate as text (Zalo sends strings; numbers are accepted)."""
    value = get_path(payload, f"coordinates.{name}")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise EventParseError(f"coordinates.{name} must be a number")
    return str(value)


def parse_attachments(data: Mapping[str, Any]) -> tuple[Any, ...]:
    """message.attachments as Attachment objects."""
    from zalo_api.events import Attachment

    items = get_path(data, "message.attachments")
    if items is None:
        return ()
    if not isinstance(items, list):
        raise EventParseError("message.attachments must be a list")
    found = []
    for item in items:
        if not isinstance(item, Mapping):
            raise EventParseError("message.attachments items must be objects")
        payload = mapping(item, "payload")
        url = payload.get("url")
        found.append(
            Attachment(
                type=as_text(item.get("type", ""), "message.attachments.type"),
                url=url if isinstance(url, str) else None,
                payload=MappingProxyType(dict(payload)),
                latitude=coordinate(payload, "latitude"),
                longitude=coordinate(payload, "longitude"),
            )
        )
    return tuple(found)
