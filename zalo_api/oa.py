"""OA API: customer-service messages (text, request_user_info) and user details."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import requests

from zalo_api.text import split_text
from zalo_api.tokens import TokenManager
from zalo_api.transport import DEFAULT_TIMEOUT_SECONDS, Transport, data_of, text_or_none

MESSAGE_PATH = "/v3.0/oa/message/cs"
USER_DETAIL_PATH = "/v3.0/oa/user/detail"
MAX_TITLE_CHARS = 100
MAX_SUBTITLE_CHARS = 500
MAX_BUTTONS = 5
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
        retry should split first (split_text) and send one part per call.
        """
        parts = split_text(text)
        if not parts:
            raise ValueError("cannot send an empty text")
        return [self._send(user_id, {"text": part}) for part in parts]

    def send_text_with_buttons(
        self, user_id: str, text: str, buttons: Sequence[tuple[str, str]]
    ) -> str:
        """A text (at most 2,000 characters) with up to five oa.query.hide tap buttons:
        each (title, payload) sends its payload back as the user's text, unseen."""
        if not 0 < len(buttons) <= MAX_BUTTONS:
            raise ValueError(f"1 to {MAX_BUTTONS} buttons")
        items = [
            {"title": title[:MAX_BUTTON_TITLE_CHARS], "type": "oa.query.hide", "payload": answer}
            for title, answer in buttons
        ]
        attachment = {"type": "template", "payload": {"buttons": items}}
        return self._send(user_id, {"text": text, "attachment": attachment})

    def send_request_user_info(
        self, user_id: str, title: str, subtitle: str, image_url: str
    ) -> str:
        """The 'share your information' form (answered by a user_submit_info event)."""
        element = {
            "title": title[:MAX_TITLE_CHARS],
            "subtitle": subtitle[:MAX_SUBTITLE_CHARS],
            "image_url": image_url,
        }
        payload = {"template_type": "request_user_info", "elements": [element]}
        return self._send(user_id, {"attachment": {"type": "template", "payload": payload}})

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
