"""The generic JSON gateway of SPEC §5: POST {"to","text","reference"} with a Bearer token."""

from __future__ import annotations

import requests

from bot.connections import outbound_session
from bot.sms.base import SmsMessage, SmsReceipt
from bot.sms.http_failures import json_object, post, status_error


class HttpGatewayProvider:
    """POST SMS_HTTP_URL; 2xx accepted, 4xx permanent, 5xx/408/429/timeout transient."""

    name = "http"

    def __init__(
        self,
        url: str,
        token: str = "",
        *,
        timeout: float = 10.0,
        session: requests.Session | None = None,
    ) -> None:
        self.url = url
        self.token = token
        self.timeout = timeout
        self.session = session or outbound_session()

    def send(self, message: SmsMessage) -> SmsReceipt:
        """Send one message; the gateway may answer {"id": ...} to name it."""
        payload = {"to": message.phone_e164, "text": message.text, "reference": message.reference}
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = post(
            self.session, self.name, self.url, self.timeout, json=payload, headers=headers
        )
        if not response.ok:
            # The generic gateway's contract (SPEC §5): every 4xx is permanent.
            raise status_error(self.name, response.status, retryable_4xx=())
        return SmsReceipt(self.name, message_id(json_object(response)))


def message_id(body: dict[str, object] | None) -> str | None:
    """The gateway's id for the message, if its reply names one."""
    for key in ("id", "message_id", "messageId"):
        value = (body or {}).get(key)
        if isinstance(value, str | int) and not isinstance(value, bool):
            return str(value)
    return None
