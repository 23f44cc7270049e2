"""A parsed event as plain JSON and back: what a webhook stores, so a worker reads the typed
event again without parsing Zalo's body a second time.

The form is the event's own fields plus "event_type" (its class name); Zalo's field names
are gone by then (`event_name` and `timestamp` keep theirs). Attachments and a submitted form become
objects; a read-only mapping becomes a dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from types import MappingProxyType
from typing import Any

from zalo_api.attachments import Attachment
from zalo_api.info import SubmittedInfo
from zalo_api.models import (
    Follow,
    Unfollow,
    UserAttachment,
    UserClickChatNow,
    UserSubmitInfo,
    UserText,
    UserWithdraw,
)

TYPE = "event_type"
# The events a webhook stores, by the name the stored form carries.
USER_EVENTS: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        UserText,
        UserAttachment,
        Follow,
        Unfollow,
        UserSubmitInfo,
        UserClickChatNow,
        UserWithdraw,
    )
}


def as_json(event: Any) -> dict[str, Any]:
    """The stored form of a dataclass event: {"event_type": its class, field: plain value...}."""
    found: dict[str, Any] = {TYPE: type(event).__name__}
    for field in fields(event):
        found[field.name] = plain(getattr(event, field.name))
    return found


def plain(value: Any) -> Any:
    """A field's value as JSON holds it."""
    if is_dataclass(value) and not isinstance(value, type):
        return {field.name: plain(getattr(value, field.name)) for field in fields(value)}
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    return value


def from_json(data: Mapping[str, Any], types: Mapping[str, type[Any]] = USER_EVENTS) -> Any:
    """The event a stored form holds (KeyError or TypeError when it holds none of types)."""
    cls = types[str(data[TYPE])]
    values = {field.name: data[field.name] for field in fields(cls) if field.name in data}
    if "attachments" in values:
        values["attachments"] = tuple(attachment(item) for item in values["attachments"])
    if "info" in values:
        values["info"] = SubmittedInfo(**values["info"])
    return cls(**values)


def attachment(item: Mapping[str, Any]) -> Attachment:
    """An attachment from its stored form (its payload read-only again)."""
    return Attachment(**{**item, "payload": MappingProxyType(dict(item["payload"]))})
