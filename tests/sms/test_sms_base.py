"""The SMS interface: message validation and the error classes' contract."""

from __future__ import annotations

import pytest

from bot.sms import (
    SmsDuplicateError,
    SmsError,
    SmsMessage,
    SmsPermanentError,
    SmsTransientError,
)
from bot.sms.base import international_digits
from tests.sms.support import PHONE, message


def test_message_requires_an_e164_phone() -> None:
    with pytest.raises(ValueError, match="E.164") as caught:
        SmsMessage(phone_e164="0912345678", text="x", reference="r", validity_seconds=60)
    assert "0912345678" not in str(caught.value)


@pytest.mark.parametrize("reference", ["", "r" * 51])
def test_message_reference_fits_esms_request_id(reference: str) -> None:
    with pytest.raises(ValueError, match="reference"):
        message(reference=reference)


def test_a_fifty_character_reference_is_fine() -> None:
    assert message(reference="r" * 50).reference == "r" * 50


def test_errors_carry_provider_code_and_retryable() -> None:
    transient = SmsTransientError("HTTP 503", provider="esms", code="503")
    permanent = SmsPermanentError("refused", provider="twilio", code="21211")
    assert (transient.retryable, transient.provider, transient.code) == (True, "esms", "503")
    assert (permanent.retryable, permanent.provider, permanent.code) == (False, "twilio", "21211")
    assert str(permanent) == "twilio: refused (code 21211)"


def test_duplicate_is_a_permanent_error_that_is_not_retried() -> None:
    duplicate = SmsDuplicateError("RequestId already used", provider="esms", code="124")
    assert isinstance(duplicate, SmsPermanentError)
    assert isinstance(duplicate, SmsError)
    assert duplicate.retryable is False


def test_international_digits_drop_the_plus() -> None:
    assert international_digits(PHONE) == "84912345678"
