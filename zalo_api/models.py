"""The typed, frozen Zalo OA webhook events (zalo_api.events builds them from bodies)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zalo_api.attachments import Attachment
from zalo_api.fields import get_path
from zalo_api.info import SubmittedInfo

# Fields are keyword-only, so subclasses add fields (some with defaults) in any order.


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """What every event carries; ids and the timestamp (ms) are strings."""

    event_name: str
    app_id: str
    timestamp: str
    user_id_by_app: str | None = None

    @property
    def dedupe_key(self) -> str:
        """Zalo redelivers events: message id, else event name, timestamp and user id."""
        msg_id, user_id = self.identity()
        return msg_id or f"{self.event_name}:{self.timestamp}:{user_id or ''}"

    def identity(self) -> tuple[str | None, str | None]:
        """The (message id, user id) the dedupe key is made of."""
        return None, None


@dataclass(frozen=True, slots=True, kw_only=True)
class UserEvent(Event):
    """Something a user did: user_id is the OA-scoped sender, oa_id the OA."""

    user_id: str
    oa_id: str
    msg_id: str | None = None

    def identity(self) -> tuple[str | None, str | None]:
        """The message id (None for follow, chat-now, ...) and the user."""
        return self.msg_id, self.user_id


@dataclass(frozen=True, slots=True, kw_only=True)
class UserText(UserEvent):
    """user_send_text; an OA menu or message button also arrives so (text = its payload)."""

    text: str
    quote_msg_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class UserAttachment(UserEvent):
    """user_send_<kind>: image, sticker, gif, link, file, audio, video or location."""

    kind: str
    text: str = ""
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Follow(UserEvent):
    """The user followed the OA (source: where, e.g. 'oa_profile')."""

    source: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Unfollow(UserEvent):
    """The user unfollowed the OA: nothing can be sent to them any more."""

    source: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class UserSubmitInfo(UserEvent):
    """The answer to a request_user_info form."""

    info: SubmittedInfo


@dataclass(frozen=True, slots=True, kw_only=True)
class UserClickChatNow(UserEvent):
    """The user opened the chat with 'Chat now'."""


@dataclass(frozen=True, slots=True, kw_only=True)
class UserWithdraw(UserEvent):
    """The user asks the OA to delete their data."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OAEcho(Event):
    """oa_send_*: a message the OA sent (bot or agent), never a user turn; user = recipient."""

    user_id: str
    oa_id: str
    msg_id: str | None = None
    text: str | None = None

    def identity(self) -> tuple[str | None, str | None]:
        """The OA message's id and the user it went to."""
        return self.msg_id, self.user_id


@dataclass(frozen=True, slots=True, kw_only=True)
class Receipt(Event):
    """Delivered or seen; a ZNS receipt has `phone` and our `tracking_id` instead of a user."""

    msg_ids: tuple[str, ...] = ()
    tracking_id: str | None = None
    delivery_time: str | None = None
    user_id: str | None = None
    oa_id: str | None = None
    phone: str | None = None

    def identity(self) -> tuple[str | None, str | None]:
        """No message id: a receipt carries the id of the OA message (and its echo) it is about."""
        return None, self.user_id or self.phone


@dataclass(frozen=True, slots=True, kw_only=True)
class Unknown(Event):
    """Any other event_name: kept raw (read-only), never guessed at."""

    raw: Mapping[str, Any]

    def identity(self) -> tuple[str | None, str | None]:
        """Whatever message and user ids the usual places hold."""
        found = [get_path(self.raw, path) for path in ("message.msg_id", "sender.id", "user_id")]
        msg_id, sender, user = (value if isinstance(value, str) else None for value in found)
        return msg_id, sender or user
