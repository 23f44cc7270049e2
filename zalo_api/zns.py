"""ZNS: approved template messages to a phone number (the 'Zalo' code channel)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from zalo_api.tokens import TokenManager
from zalo_api.transport import DEFAULT_TIMEOUT_SECONDS, Transport, data_of, text_or_none

TEMPLATE_PATH = "/message/template"
STATUS_PATH = "/message/status"
# /message/status: -1 an id Zalo does not know, 0 not yet delivered, 1 delivered.
STATUS_UNKNOWN, STATUS_PENDING, STATUS_DELIVERED = -1, 0, 1
MAX_TRACKING_ID_CHARS = 48
VN_COUNTRY_CODE = "84"
# What people put between digits: spaces, dots, dashes, parentheses.
PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
NATIONAL_VN = re.compile(r"0[1-9][0-9]{8,9}")  # 0 + 9 digits (mobile) or 10 (landline)
INTERNATIONAL = re.compile(r"[1-9][0-9]{7,14}")  # E.164 without the '+'


@dataclass(frozen=True)
class ZNSResult:
    """An accepted template message and the OA's quota after it."""

    msg_id: str
    sent_time: str | None
    daily_quota: str | None
    remaining_quota: str | None


def normalize_zns_phone(phone: str) -> str:
    """'+84 912 345 678', '0912345678', '0084912345678' -> '84912345678'; ValueError else."""
    compact = PHONE_SEPARATORS.sub("", phone)
    if compact.startswith("+"):
        digits = compact[1:]
    elif compact.startswith("00"):  # international call prefix
        digits = compact[2:]
    elif NATIONAL_VN.fullmatch(compact):
        digits = VN_COUNTRY_CODE + compact[1:]
    else:
        digits = compact
    if not INTERNATIONAL.fullmatch(digits):
        raise ValueError("not a phone number ZNS accepts")
    return digits


class ZNSClient:
    """POST {business}/message/template and GET /message/status, the OA's `access_token`
    header on each."""

    def __init__(
        self,
        base_url: str,
        tokens: TokenManager,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        session: requests.Session | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + TEMPLATE_PATH
        self.status_url = base_url.rstrip("/") + STATUS_PATH
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
        """Send; a ZaloAPIError with no_zalo_account (-118) when the phone has no Zalo."""
        if not 0 < len(tracking_id) <= MAX_TRACKING_ID_CHARS:
            raise ValueError(f"tracking_id must be 1-{MAX_TRACKING_ID_CHARS} characters")
        if not template_id:
            raise ValueError("template_id is empty")
        payload: dict[str, Any] = {
            "phone": normalize_zns_phone(phone),
            "template_id": template_id,
            "template_data": dict(template_data),
            "tracking_id": tracking_id,
        }
        if development:
            payload["mode"] = "development"  # only the OA's and App's admins receive it

        def call(token: str) -> dict[str, Any]:
            return self.transport.request(
                "POST", self.url, json=payload, headers={"access_token": token}
            )

        data = data_of(self.tokens.call(call))
        quota = data.get("quota")
        quota = quota if isinstance(quota, Mapping) else {}
        return ZNSResult(
            msg_id=text_or_none(data.get("msg_id")) or "",
            sent_time=text_or_none(data.get("sent_time")),
            daily_quota=text_or_none(quota.get("dailyQuota")),
            remaining_quota=text_or_none(quota.get("remainingQuota")),
        )

    def message_status(self, msg_id: str) -> int:
        """GET /message/status of an accepted message: STATUS_DELIVERED, STATUS_PENDING or
        STATUS_UNKNOWN (also for an answer without a readable status); zalo_api errors else."""
        if not msg_id:
            raise ValueError("msg_id is empty")

        def call(token: str) -> dict[str, Any]:
            return self.transport.request(
                "GET",
                self.status_url,
                params={"message_id": msg_id},
                headers={"access_token": token},
            )

        status = data_of(self.tokens.call(call)).get("status")
        known = isinstance(status, int) and not isinstance(status, bool)
        return status if known and status in (STATUS_PENDING, STATUS_DELIVERED) else STATUS_UNKNOWN
