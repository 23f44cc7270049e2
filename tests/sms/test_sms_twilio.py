"""Twilio against the loopback fake."""

from __future__ import annotations

import pytest

from bot.sms import SmsPermanentError, SmsTransientError, TwilioProvider
from tests.fakes.sms import FakeSmsGateways
from tests.sms.support import (
    ANSWER_TIMEOUT_SECONDS,
    CODE,
    PHONE,
    SHORT_TIMEOUT_SECONDS,
    SLOW_REPLY_SECONDS,
    assert_discreet,
    closed_port_url,
    message,
)


def provider_for(
    fake: FakeSmsGateways, token: str | None = None, timeout: float = ANSWER_TIMEOUT_SECONDS
) -> TwilioProvider:
    token = token or fake.TWILIO_TOKEN
    return TwilioProvider(fake.base_url, fake.TWILIO_SID, token, fake.TWILIO_FROM, timeout=timeout)


def test_accepted_send_is_form_encoded_with_validity(gateways: FakeSmsGateways) -> None:
    receipt = provider_for(gateways).send(message(validity=300))
    (request,) = gateways.requests
    assert request.path == f"/2010-04-01/Accounts/{gateways.TWILIO_SID}/Messages.json"
    assert request.basic_auth() == (gateways.TWILIO_SID, gateways.TWILIO_TOKEN)
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.form() == {
        "To": PHONE,
        "From": gateways.TWILIO_FROM,
        "Body": message().text,
        "ValidityPeriod": "300",
    }
    (sent,) = gateways.sent
    assert sent.validity_seconds == 300
    assert receipt.provider == "twilio"
    assert receipt.provider_message_id == sent.message_id
    assert sent.message_id.startswith("SM")
    assert gateways.last_code_to(PHONE) == CODE


@pytest.mark.parametrize(("validity", "sent"), [(0, "1"), (100_000, "36000")])
def test_validity_is_kept_within_twilio_bounds(
    gateways: FakeSmsGateways, validity: int, sent: str
) -> None:
    provider_for(gateways).send(message(validity=validity))
    assert gateways.requests[0].form()["ValidityPeriod"] == sent


def test_wrong_token_is_permanent(gateways: FakeSmsGateways) -> None:
    with pytest.raises(SmsPermanentError) as caught:
        provider_for(gateways, token="wrong-token-value").send(message())
    assert caught.value.code == "20003"
    assert "wrong-token-value" not in str(caught.value)
    assert_discreet(caught.value)


def test_too_many_requests_is_transient(gateways: FakeSmsGateways) -> None:
    gateways.fail_next("twilio", code="20429")
    with pytest.raises(SmsTransientError) as caught:
        provider_for(gateways).send(message())
    assert caught.value.code == "20429"
    assert_discreet(caught.value)


def test_20429_is_transient_whatever_the_status(gateways: FakeSmsGateways) -> None:
    gateways.fail_next("twilio", http_status=400, code="20429")
    with pytest.raises(SmsTransientError):
        provider_for(gateways).send(message())


@pytest.mark.parametrize("status", [500, 503, 429])
def test_http_errors_are_transient(gateways: FakeSmsGateways, status: int) -> None:
    gateways.fail_next("twilio", http_status=status)
    with pytest.raises(SmsTransientError):
        provider_for(gateways).send(message())


@pytest.mark.parametrize("code", ["21211", "21610", "21408"])
def test_other_errors_are_permanent(gateways: FakeSmsGateways, code: str) -> None:
    gateways.fail_next("twilio", code=code)
    with pytest.raises(SmsPermanentError) as caught:
        provider_for(gateways).send(message())
    assert caught.value.code == code
    assert_discreet(caught.value)


def test_timeout_is_transient(gateways: FakeSmsGateways) -> None:
    gateways.timeout_next("twilio", SLOW_REPLY_SECONDS)
    with pytest.raises(SmsTransientError, match="timed out") as caught:
        provider_for(gateways, timeout=SHORT_TIMEOUT_SECONDS).send(message())
    assert_discreet(caught.value)


def test_connection_refused_is_transient(gateways: FakeSmsGateways) -> None:
    provider = TwilioProvider(
        closed_port_url(), gateways.TWILIO_SID, gateways.TWILIO_TOKEN, gateways.TWILIO_FROM
    )
    with pytest.raises(SmsTransientError, match="network error") as caught:
        provider.send(message())
    assert_discreet(caught.value)
