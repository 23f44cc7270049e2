"""The attachments of user_send_<kind> events (image, sticker, ..., location)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from zalo_api.errors import EventParseError
from zalo_api.fields import json_type, optional_list, optional_object, optional_text


@dataclass(frozen=True, slots=True)
class Attachment:
    """One attachment; `payload` is Zalo's, read-only; location adds latitude/longitude."""

    type: str
    url: str | None
    payload: Mapping[str, Any]
    latitude: str | None = None
    longitude: str | None = None


def coordinate(payload: Mapping[str, Any], name: str) -> str | None:
    """A location coordinate as text (Zalo sends strings; a JSON number is accepted too)."""
    value = optional_object(payload, "coordinates").get(name)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return str(value)
        except ValueError:  # an integer with thousands of digits is no coordinate
            pass
    raise EventParseError(f"field coordinates.{name} is not a number: {json_type(value)}")


def parse_attachment(item: Any) -> Attachment:
    """One element of message.attachments."""
    if not isinstance(item, Mapping):
        raise EventParseError(f"must be an object, got {json_type(item)}")
    payload = optional_object(item, "payload")
    return Attachment(
        type=optional_text(item, "type") or "",
        url=optional_text(payload, "url"),
        payload=MappingProxyType(dict(payload)),
        latitude=coordinate(payload, "latitude"),
        longitude=coordinate(payload, "longitude"),
    )


def parse_attachments(data: Mapping[str, Any]) -> tuple[Attachment, ...]:
    """message.attachments (absent: none)."""
    found = []
    for index, item in enumerate(optional_list(data, "message.attachments")):
        try:
            found.append(parse_attachment(item))
        except EventParseError as exc:  # name the element: "message.attachments[1]: ..."
            raise EventParseError(f"message.attachments[{index}]: {exc}") from None
    return tuple(found)
