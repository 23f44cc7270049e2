"""OA API: customer-service messages and user details."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import requests

from zalo_api.text import split_text
from zalo_api.tokens import TokenManager
from zalo_api.transport import DEFAULT_TIMEOUT_SECONDS, Transport


@dataclass(frozen=True)
class UserDetail:
    """What the OA may know of a follower."""

    user_id: str
    display_name: str | None
    phone: str | None
    raw: dict[str, Any]


class OAClient:
    """POST {openapi}/v3.0/oa/message/cs and GET /v3.0/oa/user/detail, `access_token` header."""

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

    def _post_cs(self, payload: dict[str, Any]) -> str:
        """One customer-service message; its message_id."""

        def call(token: str) -> dict[str, Any]:
            return self.transport.request(
                "POST",
                f"{self.base_url}/v3.0/oa/message/cs",
                json=payload,
                headers={"access_token": token},
            )

        body = self.tokens.call(call)
        return str((body.get("data") or {}).get("message_id", ""))

    def send_text(self, user_id: str, text: str) -> list[str]:
        """Send text (split over 2,000 characters); the message ids, one per part."""
        return [
            self._post_cs({"recipient": {"user_id": user_id}, "message": {"text": part}})
            for part in split_text(text)
        ]

    def send_request_user_info(
        self, user_id: str, title: str, subtitle: str, image_url: str
    ) -> str:
        """The 'share your information' form (answered by a user_submit_info event)."""
        element = {"title": title[:100], "subtitle": subtitle[:500], "image_url": image_url}
        payload = {"template_type": "request_user_info", "elements": [element]}
        message = {"attachment": {"type": "template", "payload": payload}}
        return self._post_cs({"recipient": {"user_id": user_id}, "message": message})

    def get_user_detail(self, user_id: str) -> UserDetail:
        """display_name and the shared phone (when the user shared it)."""
        params = {"data": json.dumps({"user_id": user_id})}

        def call(token: str) -> dict[str, Any]:
            return self.transport.request(
                "GET",
                f"{self.base_url}/v3.0/oa/user/detail",
                params=params,
                headers={"access_token": token},
            )

        data = self.tokens.call(call).get("data") or {}
        shared = data.get("shared_info") or {}
        return UserDetail(
            str(data.get("user_id", user_id)),
            data.get("display_name"),
            shared.get("phone"),
            dict(data),
        )
