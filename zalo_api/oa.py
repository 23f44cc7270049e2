"""OA API: customer-service messages (text, request_user_info) and user details."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import requests

from zalo_api.messages import InfoRequest, Message, Text, parts
from zalo_api.tokens import TokenManager
from zalo_api.transport import DEFAULT_TIMEOUT_SECONDS, Transport, data_of, text_or_none

MESSAGE_PATH = "/v3.0/oa/message/cs"
USER_DETAIL_PATH = "/v3.0/oa/user/detail"
MAX_TITLE_CHARS = 100
MAX_SUBTITLE_CHARS = 500
MAX_BUTTON_TITLE_CHARS = 100


@dataclass(frozen=True)
class UserDetail:
    """What the OA knows of a user; phone only when they shared it."""

    user_id: str
    display_name: str | None
    phone: str | None
    raw: Mapping[str, Any]


class OAClient:
    """POST {openapi}/v3.0/oa/message/cs and GET /v3.0/oa/user/detail (`access_token` header)."""

    def __init__(
        self,
        base_url: str,
        tokens: TokenManager,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.tokens = tokens
        self.transport = Transport(timeout, session)

    def send_text(self, user_id: str, text: str) -> list[str]:
        """Send text, split over 2,000 characters; the message ids, one per part, in order.

        A failure on a later part raises after the earlier parts went out: callers that
        retry should split first (zalo_api.messages.parts) and send() one part per call.
        """
        found = parts(Text(text))
        if not found:
            raise ValueError("cannot send an empty text")
        return [self.send(user_id, part) for part in found]

    def send_request_user_info(
        self, user_id: str, title: str, subtitle: str, image_url: str
    ) -> str:
        """The 'share your information' form (answered by a user_submit_info event)."""
        return self.send(user_id, InfoRequest(title, subtitle, image_url))

    def send(self, user_id: str, message: Message) -> str:
        """One message as it is, in one call (a text must fit: split it with parts() first);
        its message_id. A text's buttons are oa.query.hide taps: each sends its payload back
        as the user's text, unseen."""
        return self._send(user_id, zalo_message(message))

    def get_user_detail(self, user_id: str) -> UserDetail:
        """The user's display name, and phone when they shared it with the OA."""
        query = {"data": json.dumps({"user_id": user_id}, separators=(",", ":"))}

        def call(token: str) -> dict[str, Any]:
            return self.transport.request(
                "GET",
                self.base_url + USER_DETAIL_PATH,
                params=query,
                headers={"access_token": token},
            )

        data = data_of(self.tokens.call(call))
        shared = data.get("shared_info")
        return UserDetail(
            user_id=text_or_none(data.get("user_id")) or user_id,
            display_name=text_or_none(data.get("display_name")),
            phone=text_or_none(shared.get("phone")) if isinstance(shared, Mapping) else None,
            raw=MappingProxyType(dict(data)),
        )

    def _send(self, user_id: str, message: Mapping[str, Any]) -> str:
        """One customer-service message; its message_id."""
        payload = {"recipient": {"user_id": user_id}, "message": message}

        def call(token: str) -> dict[str, Any]:
            return self.transport.request(
                "POST", self.base_url + MESSAGE_PATH, json=payload, headers={"access_token": token}
            )

        return text_or_none(data_of(self.tokens.call(call)).get("message_id")) or ""


def zalo_message(message: Message) -> dict[str, Any]:
    """The `message` object of Zalo's customer-service call for one message."""
    if isinstance(message, InfoRequest):
        element = {
            "title": message.title[:MAX_TITLE_CHARS],
            "subtitle": message.subtitle[:MAX_SUBTITLE_CHARS],
            "image_url": message.image_url,
        }
        payload = {"template_type": "request_user_info", "elements": [element]}
        return {"attachment": {"type": "template", "payload": payload}}
    if not message.fits():
        raise ValueError("a text must be 1 to 2,000 characters: split it first")
    if not message.buttons:
        return {"text": message.text}
    items = [
        {"title": b.title[:MAX_BUTTON_TITLE_CHARS], "type": "oa.query.hide", "payload": b.payload}
        for b in message.buttons
    ]
    return {"text": message.text, "attachment": {"type": "template", "payload": {"buttons": items}}}
