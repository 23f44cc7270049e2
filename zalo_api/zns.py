"""ZNS: approved template messages to a phone number (the 'Zalo' code channel)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from zalo_api.tokens import TokenManager
from zalo_api.transport import DEFAULT_TIMEOUT_SECONDS, Transport

MAX_TRACKING_ID_CHARS = 48


@dataclass(frozen=True)
class ZNSResult:
    """An accepted template message and the OA's remaining quota."""

    msg_id: str
    sent_time: str | None
    daily_quota: str | None
    remaining_quota: str | None


def normalize_zns_phone(phone: str) -> str:
    """'+84 912 345 678', '0912345678', '84912345678' -> '84912345678' (digits, no '+')."""
    digits = "".join(c for c in phone if c.isdigit())
    if phone.strip().startswith("0") and len(digits) == 10:
        digits = "84" + digits[1:]
    if not 8 <= len(digits) <= 15 or digits.startswith("0"):
        raise ValueError("not a phone number ZNS accepts")
    return digits


class ZNSClient:
    """POST {business}/message/template with the OA's `access_token` header."""

    def __init__(
        self,
        base_url: str,
        tokens: TokenManager,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        session: requests.Session | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + "/message/template"
        self.tokens = tokens
        self.transport = Transport(timeout, session)

    def send_template(
        self,
        phone: str,
        template_id: str,
        template_data: Mapping[str, str],
        tracking_id: str,
        *,
        development: bool = False,
    ) -> ZNSResult:
        """Send; ZaloAPIError with no_zalo_account (-118) when the phone has no Zalo."""
        if not 0 < len(tracking_id) <= MAX_TRACKING_ID_CHARS:
            raise ValueError(f"tracking_id must be 1-{MAX_TRACKING_ID_CHARS} characters")
        payload: dict[str, Any] = {
            "phone": normalize_zns_phone(phone),
            "template_id": template_id,
            "template_data": dict(template_data),
            "tracking_id": tracking_id,
        }
        if development:
            payload["mode"] = "development"

        def call(token: str) -> dict[str, Any]:
            return self.transport.request(
                "POST", self.url, json=payload, headers={"access_token": token}
            )

        data = self.tokens.call(call).get("data") or {}
        quota = data.get("quota") or {}
        return ZNSResult(
            str(data.get("msg_id", "")),
            data.get("sent_time"),
            quota.get("dailyQuota"),
            quota.get("remainingQuota"),
        )
