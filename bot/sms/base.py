"""The SMS interface: one message, one receipt, and errors that say whether to retry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

E164 = re.compile(r"\+[1-9]\d{6,14}")
# eSMS refuses a longer RequestId; our reference doubles as that idempotency key.
MAX_REFERENCE_CHARS = 50


@dataclass(frozen=True)
class SmsMessage:
    """One text to one phone; `reference` is our idempotency key for this code."""

    phone_e164: str
    text: str
    reference: str
    validity_seconds: int

    def __post_init__(self) -> None:
        # A malformed message is a bug in the caller, not a gateway failure: ValueError.
        # The messages name no phone and no text, so they are safe to log.
        if not E164.fullmatch(self.phone_e164):
            raise ValueError("SmsMessage.phone_e164 must be E.164, like +84912345678")
        if not 0 < len(self.reference) <= MAX_REFERENCE_CHARS:
            raise ValueError(f"SmsMessage.reference must be 1-{MAX_REFERENCE_CHARS} characters")


@dataclass(frozen=True)
class SmsReceipt:
    """A gateway accepted the message: accepted, not delivered, unless the gateway says so."""

    provider: str
    provider_message_id: str | None
    delivered: bool = False


class SmsProvider(Protocol):
    """Anything that can hand one SmsMessage to a gateway."""

    name: str

    def send(self, message: SmsMessage) -> SmsReceipt:
        """Hand the message over; raise an SmsError subclass when that fails."""
        ...


class SmsError(Exception):
    """A send failed. The message never holds the text, a credential or the full phone."""

    retryable: bool = False

    def __init__(self, detail: str, *, provider: str, code: str | None = None) -> None:
        suffix = f" (code {code})" if code is not None else ""
        super().__init__(f"{provider}: {detail}{suffix}")
        self.provider = provider
        self.code = code


class SmsTransientError(SmsError):
    """Worth retrying later: network error, timeout, 5xx, rate limit, gateway overload."""

    retryable = True


class SmsPermanentError(SmsError):
    """Retrying the same request cannot help: bad phone, auth failed, low balance, 4xx."""

    retryable = False


class SmsDuplicateError(SmsPermanentError):
    """eSMS refused a repeated RequestId (code 124).

    The reference is our idempotency key, so an earlier send with this very message was
    already accepted: callers treat this as "already sent", not as a failure.
    """


def international_digits(phone_e164: str) -> str:
    """'+84912345678' -> '84912345678' (the form most gateways want)."""
    return phone_e164.removeprefix("+")
