"""parse_event(): a webhook body into one typed, frozen event; the event classes themselves."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from zalo_api.attachments import Attachment, parse_attachments
from zalo_api.errors import EventParseError
from zalo_api.fields import (
    as_ident,
    ident,
    json_type,
    optional_ident,
    optional_list,
    optional_text,
    required_object,
    text,
)
from zalo_api.info import SubmittedInfo, parse_info
from zalo_api.models import (
    Event,
    Follow,
    OAEcho,
    Receipt,
    Unfollow,
    Unknown,
    UserAttachment,
    UserClickChatNow,
    UserEvent,
    UserSubmitInfo,
    UserText,
    UserWithdraw,
)

__all__ = [
    "Attachment",
    "Event",
    "Follow",
    "OAEcho",
    "Receipt",
    "SubmittedInfo",
    "Unfollow",
    "Unknown",
    "UserAttachment",
    "UserClickChatNow",
    "UserEvent",
    "UserSubmitInfo",
    "UserText",
    "UserWithdraw",
    "parse_event",
]

ATTACHMENT_KINDS = frozenset(
    {"image", "sticker", "gif", "link", "file", "audio", "video", "location"}
)
RECEIPT_EVENTS = frozenset({"user_received_message", "user_seen_message"})
OA_ECHO_PREFIX = "oa_send_"
# Named like echoes, and not: oa_send_consent is a flat call-consent request (no sender).
NOT_ECHOES = frozenset({"oa_send_consent"})
MAX_PHONE_DIGITS = 15  # E.164; OA-scoped user ids are longer (about 19 digits)

Fields = dict[str, Any]
Builder = Callable[[Mapping[str, Any], Fields], Event]


def parse_event(data: Mapping[str, Any]) -> Event:
    """The typed event of a webhook body; raises EventParseError (one line) and nothing else."""
    if not isinstance(data, Mapping):
        raise EventParseError(f"event body must be a JSON object, got {json_type(data)}")
    name = text(data, "event_name")
    common: Fields = {
        "event_name": name,
        "app_id": ident(data, "app_id"),
        "timestamp": ident(data, "timestamp"),
        "user_id_by_app": optional_ident(data, "user_id_by_app"),
    }
    builder = builder_for(name)
    if builder is None:
        return Unknown(**common, raw=MappingProxyType(dict(data)))
    try:
        return builder(data, common)
    except EventParseError as exc:
        raise EventParseError(f"{name}: {exc}") from None


def builder_for(name: str) -> Builder | None:
    """The builder of an event name (None: an event we do not model)."""
    if name.startswith(OA_ECHO_PREFIX) and name not in NOT_ECHOES:
        return parse_echo
    if name.startswith("user_send_") and name.removeprefix("user_send_") in ATTACHMENT_KINDS:
        return parse_attachment_event
    return BUILDERS.get(name)


def ident_at(data: Mapping[str, Any], *paths: str) -> str:
    """The first of several places an id may be; missing names the first place."""
    for path in paths:
        value = optional_ident(data, path)
        if value is not None:
            return value
    raise EventParseError(f"missing field {paths[0]}")


def sender_fields(data: Mapping[str, Any]) -> Fields:
    """The user (sender.id), the OA (recipient.id) and the message id of a user message."""
    return {
        "user_id": ident(data, "sender.id"),
        "oa_id": ident(data, "recipient.id"),
        "msg_id": optional_ident(data, "message.msg_id"),
    }


def parse_text(data: Mapping[str, Any], common: Fields) -> Event:
    """user_send_text."""
    return UserText(
        **common,
        **sender_fields(data),
        text=text(data, "message.text"),
        quote_msg_id=optional_ident(data, "message.quote_msg_id"),
    )


def parse_attachment_event(data: Mapping[str, Any], common: Fields) -> Event:
    """user_send_<kind>: the attachments and the caption, if any."""
    return UserAttachment(
        **common,
        **sender_fields(data),
        kind=common["event_name"].removeprefix("user_send_"),
        text=optional_text(data, "message.text") or "",
        attachments=parse_attachments(data),
    )


def parse_follow(data: Mapping[str, Any], common: Fields) -> Event:
    """follow / unfollow: follower.id and a flat oa_id."""
    cls = Follow if common["event_name"] == "follow" else Unfollow
    return cls(
        **common,
        user_id=ident(data, "follower.id"),
        oa_id=ident_at(data, "oa_id", "recipient.id"),
        source=optional_text(data, "source"),
    )


def parse_submit_info(data: Mapping[str, Any], common: Fields) -> Event:
    """user_submit_info, in either shape of `info`."""
    required_object(data, "info")
    return UserSubmitInfo(**common, **sender_fields(data), info=parse_info(data))


def parse_chat_now(data: Mapping[str, Any], common: Fields) -> Event:
    """user_click_chatnow: flat user_id and oa_id."""
    return UserClickChatNow(
        **common,
        user_id=ident_at(data, "user_id", "sender.id"),
        oa_id=ident_at(data, "oa_id", "recipient.id"),
    )


def parse_withdraw(data: Mapping[str, Any], common: Fields) -> Event:
    """user_withdraw: sender and recipient (a flat user_id / oa_id is accepted too)."""
    return UserWithdraw(
        **common,
        user_id=ident_at(data, "sender.id", "user_id"),
        oa_id=ident_at(data, "recipient.id", "oa_id"),
    )


def parse_echo(data: Mapping[str, Any], common: Fields) -> Event:
    """oa_send_*: the sender is the OA, the recipient the user."""
    return OAEcho(
        **common,
        user_id=ident(data, "recipient.id"),
        oa_id=ident(data, "sender.id"),
        msg_id=optional_ident(data, "message.msg_id"),
        text=optional_text(data, "message.text"),
    )


def parse_receipt(data: Mapping[str, Any], common: Fields) -> Event:
    """Receipts: msg_ids (seen) or msg_id; a ZNS one is addressed to a phone, with tracking_id."""
    ids = tuple(
        as_ident(item, "message.msg_ids") for item in optional_list(data, "message.msg_ids")
    )
    single = optional_ident(data, "message.msg_id")
    recipient = ident(data, "recipient.id")
    tracking_id = optional_ident(data, "message.tracking_id")
    to_phone = tracking_id is not None or (
        recipient.isascii() and recipient.isdigit() and len(recipient) <= MAX_PHONE_DIGITS
    )
    return Receipt(
        **common,
        msg_ids=ids or ((single,) if single else ()),
        tracking_id=tracking_id,
        delivery_time=optional_ident(data, "message.delivery_time"),
        user_id=None if to_phone else recipient,
        oa_id=optional_ident(data, "sender.id"),
        phone=recipient if to_phone else None,
    )


BUILDERS: dict[str, Builder] = {
    "user_send_text": parse_text,
    "follow": parse_follow,
    "unfollow": parse_follow,
    "user_submit_info": parse_submit_info,
    "user_click_chatnow": parse_chat_now,
    "user_withdraw": parse_withdraw,
    **dict.fromkeys(RECEIPT_EVENTS, parse_receipt),
}
