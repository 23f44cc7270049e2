"""Typed, frozen Zalo OA webhook events; parse_event() turns a body into one of them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from zalo_api.errors import EventParseError
from zalo_api.fields import first, mapping, optional, required
from zalo_api.info import SubmittedInfo, parse_info

ATTACHMENT_EVENTS = frozenset(
    f"user_send_{kind}"
    for kind in ("image", "sticker", "gif", "link", "file", "audio", "video", "location")
)
RECEIPT_EVENTS = frozenset({"user_received_message", "user_seen_message"})


@dataclass(frozen=True, slots=True)
class Event:
    """What every event carries."""

    event_name: str
    app_id: str
    timestamp: str
    user_id_by_app: str | None

    @property
    def dedupe_key(self) -> str:
        """Zalo redelivers events: the same key means the same event."""
        return f"{self.event_name}:{self.timestamp}"


@dataclass(frozen=True, slots=True)
class UserEvent(Event):
    """An event from a user (user_id is OA-scoped) to an OA."""

    user_id: str
    oa_id: str
    msg_id: str | None

    @property
    def dedupe_key(self) -> str:
        """message.msg_id when present, else event name + timestamp + user."""
        return self.msg_id or f"{self.event_name}:{self.timestamp}:{self.user_id}"


@dataclass(frozen=True, slots=True)
class UserText(UserEvent):
    """user_send_text (also OA menu and message buttons: text = the button payload)."""

    text: str
    quote_msg_id: str | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    """One attachment of a user_send_<kind> event."""

    type: str
    url: str | None
    payload: Mapping[str, Any]
    latitude: str | None = None
    longitude: str | None = None


@dataclass(frozen=True, slots=True)
class UserAttachment(UserEvent):
    """An image, sticker, gif, link, file, audio, video or location."""

    kind: str
    text: str
    attachments: tuple[Attachment, ...]


@dataclass(frozen=True, slots=True)
class Follow(UserEvent):
    """follow."""

    source: str | None = None


@dataclass(frozen=True, slots=True)
class Unfollow(UserEvent):
    """unfollow."""

    source: str | None = None


@dataclass(frozen=True, slots=True)
class UserSubmitInfo(UserEvent):
    """The answer to a request_user_info form."""

    info: SubmittedInfo = field(default_factory=SubmittedInfo)


@dataclass(frozen=True, slots=True)
class UserClickChatNow(UserEvent):
    """The user opened the chat ('Chat now')."""


@dataclass(frozen=True, slots=True)
class UserWithdraw(UserEvent):
    """The user asks the OA to delete their data."""


@dataclass(frozen=True, slots=True)
class OAEcho(Event):
    """oa_send_*: a message the OA sent (by the bot or an agent): never a user turn."""

    user_id: str
    oa_id: str
    msg_id: str | None


@dataclass(frozen=True, slots=True)
class Receipt(Event):
    """Delivery or seen receipt; for ZNS, `phone` and our `tracking_id` are set."""

    msg_ids: tuple[str, ...]
    tracking_id: str | None
    delivery_time: str | None
    user_id: str | None
    phone: str | None


@dataclass(frozen=True, slots=True)
class Unknown(Event):
    """Any other event_name: kept raw, never guessed at."""

    raw: Mapping[str, Any]


def parse_event(data: Mapping[str, Any]) -> Event:
    """The typed event of a webhook body; EventParseError for anything malformed."""
    if not isinstance(data, Mapping):
        raise EventParseError("event body must be a JSON object")
    name = required(data, "event_name")
    base = (
        name,
        required(data, "app_id"),
        required(data, "timestamp"),
        optional(data, "user_id_by_app"),
    )
    if name.startswith("oa_send_"):
        return OAEcho(
            *base,
            required(data, "recipient.id"),
            required(data, "sender.id"),
            optional(data, "message.msg_id"),
        )
    if name in RECEIPT_EVENTS:
        return parse_receipt(data, base)
    builder = USER_EVENTS.get(name) or (parse_attachment if name in ATTACHMENT_EVENTS else None)
    if builder is None:
        return Unknown(*base, raw=MappingProxyType(dict(data)))
    return builder(data, base)


Base = tuple[str, str, str, str | None]


def sender(
    data: Mapping[str, Any], base: Base
) -> tuple[str, str, str, str | None, str, str, str | None]:
    """The common part of a user message event: base, user, OA, msg_id."""
    return (
        *base,
        required(data, "sender.id"),
        required(data, "recipient.id"),
        optional(data, "message.msg_id"),
    )


def parse_text(data: Mapping[str, Any], base: Base) -> Event:
    """user_send_text."""
    return UserText(
        *sender(data, base), required(data, "message.text"), optional(data, "message.quote_msg_id")
    )


def parse_attachment(data: Mapping[str, Any], base: Base) -> Event:
    """user_send_<kind>."""
    from zalo_api.attachments import parse_attachments

    attachments = parse_attachments(data)
    kind = base[0].removeprefix("user_send_")
    return UserAttachment(
        *sender(data, base), kind, optional(data, "message.text") or "", attachments
    )


def parse_follow(data: Mapping[str, Any], base: Base) -> Event:
    """follow / unfollow: flat oa_id, follower.id."""
    cls = Follow if base[0] == "follow" else Unfollow
    return cls(
        *base,
        required(data, "follower.id"),
        required(data, "oa_id"),
        None,
        optional(data, "source"),
    )


def parse_submit(data: Mapping[str, Any], base: Base) -> Event:
    """user_submit_info, either shape."""
    return UserSubmitInfo(*sender(data, base), parse_info(mapping(data, "info")))


def parse_chatnow(data: Mapping[str, Any], base: Base) -> Event:
    """user_click_chatnow: flat oa_id and user_id."""
    return UserClickChatNow(*base, required(data, "user_id"), required(data, "oa_id"), None)


def parse_withdraw(data: Mapping[str, Any], base: Base) -> Event:
    """user_withdraw: the sender asks for their data to be deleted."""
    user = first(data, "sender.id", "user_id", "follower.id")
    oa = first(data, "recipient.id", "oa_id")
    if user is None or oa is None:
        raise EventParseError("missing field sender.id or recipient.id")
    return UserWithdraw(*base, user, oa, None)


def parse_receipt(data: Mapping[str, Any], base: Base) -> Event:
    """Receipts: seen carries message.msg_ids; ZNS ones a phone and our tracking_id."""
    from zalo_api.attachments import string_list

    ids = string_list(data, "message.msg_ids") or tuple(
        i for i in [optional(data, "message.msg_id")] if i
    )
    recipient = optional(data, "recipient.id")
    tracking = optional(data, "message.tracking_id")
    is_phone = tracking is not None or (recipient is not None and len(recipient) <= 15)
    return Receipt(
        *base,
        ids,
        tracking,
        optional(data, "message.delivery_time"),
        None if is_phone else recipient,
        recipient if is_phone else None,
    )


USER_EVENTS = {
    "user_send_text": parse_text,
    "follow": parse_follow,
    "unfollow": parse_follow,
    "user_submit_info": parse_submit,
    "user_click_chatnow": parse_chatnow,
    "user_withdraw": parse_withdraw,
}
