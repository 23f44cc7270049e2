"""Zalo webhook events as Zalo sends them, built and signed for the sandbox and the tests."""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

from bot.config import SANDBOX_APP_ID, SANDBOX_OA_ID, SANDBOX_OA_SECRET_KEY
from zalo_api.signature import sign

SIGNATURE_HEADER = "X-ZEvent-Signature"


class Clock:
    """Strictly increasing millisecond timestamps (strings, as Zalo sends them).

    Events without a msg_id (follow, submit info) are told apart by their timestamp, so two
    in the same millisecond must not share one.
    """

    def __init__(self, start: int | None = None) -> None:
        self.last = start - 1 if start is not None else 0
        self.fixed = start is not None
        self.lock = threading.Lock()

    def next(self) -> str:
        """The next timestamp: now (or the fixed sequence), never equal to the previous."""
        with self.lock:
            now = self.last + 1 if self.fixed else int(time.time() * 1000)
            self.last = max(now, self.last + 1)
            return str(self.last)


CLOCK = Clock()


def envelope(name: str, user: str, app_id: str, timestamp: str | None) -> dict[str, Any]:
    """The fields every event carries (the signature covers app_id and timestamp)."""
    return {
        "app_id": app_id,
        "user_id_by_app": f"app-{user}",
        "event_name": name,
        "timestamp": timestamp or CLOCK.next(),
    }


def user_event(
    name: str,
    user: str,
    app_id: str = SANDBOX_APP_ID,
    oa_id: str = SANDBOX_OA_ID,
    timestamp: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A user-originated event (sender = user, recipient = OA)."""
    event = envelope(name, user, app_id, timestamp)
    return {**event, "sender": {"id": user}, "recipient": {"id": oa_id}, **fields}


def text_event(user: str, text: str, msg_id: str | None = None, **fields: Any) -> dict[str, Any]:
    """user_send_text with a fresh msg_id (pass msg_id to redeliver the same event)."""
    message = {"text": text, "msg_id": msg_id or uuid.uuid4().hex}
    return user_event("user_send_text", user, message=message, **fields)


def follow_event(
    user: str,
    name: str = "follow",
    app_id: str = SANDBOX_APP_ID,
    oa_id: str = SANDBOX_OA_ID,
    timestamp: str | None = None,
) -> dict[str, Any]:
    """follow / unfollow (flat oa_id, follower.id)."""
    event = envelope(name, user, app_id, timestamp)
    return {**event, "oa_id": oa_id, "source": "oa_profile", "follower": {"id": user}}


def submit_info_event(
    user: str, phone: str, name: str = "Nguyễn Văn A", **fields: Any
) -> dict[str, Any]:
    """user_submit_info (the older flat shape): the user shared their phone number."""
    info = {"name": name, "phone": phone, "address": "1 Đường Láng", "city": "Hà Nội"}
    return user_event("user_submit_info", user, info=info, **fields)


def encode_event(event: dict[str, Any]) -> bytes:
    """The body bytes as Zalo sends them (compact JSON, UTF-8)."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()


def signed_headers(body: bytes, secret: str = SANDBOX_OA_SECRET_KEY) -> dict[str, str]:
    """The headers Zalo sends with body."""
    return {SIGNATURE_HEADER: sign(body, secret), "Content-Type": "application/json"}
