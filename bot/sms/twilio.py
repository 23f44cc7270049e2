"""Twilio: the Messages resource, form-encoded, HTTP Basic AccountSid:AuthToken."""

from __future__ import annotations

import requests

from bot.connections import outbound_session
from bot.sms.base import SmsMessage, SmsPermanentError, SmsReceipt, SmsTransientError
from bot.sms.http_failures import is_retryable_status, json_object, post, unreadable_reply

# "Too many requests": Twilio asks for a retry with backoff.
TOO_MANY_REQUESTS = "20429"
# Twilio accepts a ValidityPeriod of 1 to 36,000 seconds.
MIN_VALIDITY_SECONDS = 1
MAX_VALIDITY_SECONDS = 36000


class TwilioProvider:
    """Twilio; 20429, HTTP 429 and 5xx are transient, other errors permanent."""

    name = "twilio"

    def __init__(
        self,
        base_url: str,
        account_sid: str,
        auth_token: str,
        from_number: str,
        *,
        timeout: float = 10.0,
        session: requests.Session | None = None,
    ) -> None:
        self.url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self.auth = (account_sid, auth_token)
        self.from_number = from_number
        self.timeout = timeout
        self.session = session or outbound_session()

    def form(self, message: SmsMessage) -> dict[str, str]:
        """The form fields; ValidityPeriod keeps Twilio from delivering a stale code."""
        validity = min(max(message.validity_seconds, MIN_VALIDITY_SECONDS), MAX_VALIDITY_SECONDS)
        return {
            "To": message.phone_e164,
            "From": self.from_number,
            "Body": message.text,
            "ValidityPeriod": str(validity),
        }

    def send(self, message: SmsMessage) -> SmsReceipt:
        """Send one message; a 2xx with a "sid" is accepted."""
        response = post(
            self.session,
            self.name,
            self.url,
            self.timeout,
            data=self.form(message),
            auth=self.auth,
        )
        body = json_object(response) or {}
        if response.ok:
            if not body.get("sid"):
                raise unreadable_reply(self.name, response.status)
            delivered = body.get("status") == "delivered"  # Twilio's answer may say so
            return SmsReceipt(self.name, str(body["sid"]), delivered)
        code = str(body["code"]) if body.get("code") is not None else None
        status = response.status
        if is_retryable_status(status) or code == TOO_MANY_REQUESTS:
            raise SmsTransientError(f"HTTP {status}", provider=self.name, code=code)
        raise SmsPermanentError(f"HTTP {status}", provider=self.name, code=code)
