"""SpeedSMS: /index.php/sms/send with the token as the HTTP Basic user."""

from __future__ import annotations

from typing import Any

import requests

from bot.connections import outbound_session
from bot.sms.base import (
    SmsMessage,
    SmsPermanentError,
    SmsReceipt,
    SmsTransientError,
    international_digits,
)
from bot.sms.http_failures import (
    is_retryable_status,
    json_object,
    post,
    status_error,
    unreadable_reply,
)

SEND_PATH = "/index.php/sms/send"
# 2 = sent from a random number (no sender); 3 = from a registered brandname, the sender.
SMS_TYPE_RANDOM_NUMBER = 2
SMS_TYPE_BRANDNAME = 3
# SpeedSMS's "internal error": the only error code its documentation says to retry.
INTERNAL_ERROR = "500"


class SpeedSmsProvider:
    """SpeedSMS; error code 500 is transient, every other error code permanent."""

    name = "speedsms"

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        sender: str = "",
        timeout: float = 10.0,
        session: requests.Session | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + SEND_PATH
        self.token = token
        self.sender = sender
        self.timeout = timeout
        self.session = session or outbound_session()

    def payload(self, message: SmsMessage) -> dict[str, Any]:
        """The JSON body SpeedSMS expects: international digits without '+'."""
        body: dict[str, Any] = {
            "to": [international_digits(message.phone_e164)],
            "content": message.text,
            "sms_type": SMS_TYPE_RANDOM_NUMBER,
        }
        if self.sender:  # type 2 ignores a sender: a brandname needs type 3
            body["sms_type"] = SMS_TYPE_BRANDNAME
            body["sender"] = self.sender
        return body

    def send(self, message: SmsMessage) -> SmsReceipt:
        """Send one message; status "success" is accepted."""
        response = post(
            self.session,
            self.name,
            self.url,
            self.timeout,
            json=self.payload(message),
            auth=(self.token, "x"),
        )
        body = json_object(response)
        if is_retryable_status(response.status) or (body is None and not response.ok):
            raise status_error(self.name, response.status)
        if body is None:
            raise unreadable_reply(self.name, response.status)
        return self.receipt(body, response.status)

    def receipt(self, body: dict[str, Any], status: int) -> SmsReceipt:
        """Interpret SpeedSMS's reply: {"status": "success"|"error", "code": ...}."""
        code = str(body.get("code", "")) or None
        if body.get("status") == "success" and 200 <= status < 300:
            data = body.get("data")
            tran_id = data.get("tranId") if isinstance(data, dict) else None
            return SmsReceipt(self.name, None if tran_id is None else str(tran_id))
        if code == INTERNAL_ERROR:
            raise SmsTransientError("internal error", provider=self.name, code=code)
        raise SmsPermanentError(f"refused (HTTP {status})", provider=self.name, code=code)
