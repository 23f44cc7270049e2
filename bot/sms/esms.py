"""eSMS.vn: SendMultipleMessage_V4_post_json, with RequestId as the idempotency key."""

from __future__ import annotations

from typing import Any

import requests

from bot.connections import outbound_session
from bot.sms.base import (
    SmsDuplicateError,
    SmsMessage,
    SmsPermanentError,
    SmsReceipt,
    international_digits,
)
from bot.sms.http_failures import (
    is_retryable_status,
    json_object,
    post,
    status_error,
    unreadable_reply,
)

SEND_PATH = "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
ACCEPTED = "100"
DUPLICATE_REQUEST_ID = "124"


def esms_phone(phone_e164: str) -> str:
    """eSMS wants Vietnamese numbers in national form (+84912345678 -> 0912345678)."""
    if phone_e164.startswith("+84"):
        return "0" + phone_e164.removeprefix("+84")
    return international_digits(phone_e164)


class EsmsProvider:
    """eSMS.vn; a repeated reference is refused (SmsDuplicateError) instead of sent twice."""

    name = "esms"

    def __init__(
        self,
        base_url: str,
        api_key: str,
        secret_key: str,
        *,
        brandname: str = "",
        sms_type: str = "2",
        timeout: float = 10.0,
        session: requests.Session | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + SEND_PATH
        self.api_key = api_key
        self.secret_key = secret_key
        self.brandname = brandname
        self.sms_type = sms_type
        self.timeout = timeout
        self.session = session or outbound_session()

    def payload(self, message: SmsMessage) -> dict[str, str]:
        """The JSON body eSMS expects (every value a string, as in its samples)."""
        body = {
            "ApiKey": self.api_key,
            "SecretKey": self.secret_key,
            "Phone": esms_phone(message.phone_e164),
            "Content": message.text,
            "SmsType": self.sms_type,
            # Codes are ASCII; a non-ASCII text would be garbled unless flagged Unicode.
            "IsUnicode": "0" if message.text.isascii() else "1",
            "RequestId": message.reference,
            "Sandbox": "0",
        }
        if self.brandname:
            body["Brandname"] = self.brandname
        return body

    def send(self, message: SmsMessage) -> SmsReceipt:
        """Send one message; CodeResult 100 is accepted, 124 a duplicate, others permanent."""
        response = post(self.session, self.name, self.url, self.timeout, json=self.payload(message))
        body = json_object(response)
        if is_retryable_status(response.status) or (body is None and not response.ok):
            raise status_error(self.name, response.status)
        if body is None:
            raise unreadable_reply(self.name, response.status)
        return self.receipt(body)

    def receipt(self, body: dict[str, Any]) -> SmsReceipt:
        """Interpret eSMS's reply (CodeResult is a string; tolerate a number)."""
        code = str(body.get("CodeResult", ""))
        if code == ACCEPTED:
            sms_id = body.get("SMSID")
            return SmsReceipt(self.name, str(sms_id) if sms_id else None)
        if code == DUPLICATE_REQUEST_ID:
            raise SmsDuplicateError("RequestId already used", provider=self.name, code=code)
        raise SmsPermanentError("refused", provider=self.name, code=code or None)
