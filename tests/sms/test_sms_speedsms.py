"""SpeedSMS against the loopback fake."""

from __future__ import annotations

import pytest

from bot.sms import SmsPermanentError, SmsTransientError, SpeedSmsProvider
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
    fake: FakeSmsGateways,
    token: str | None = None,
    sender: str = "",
    timeout: float = ANSWER_TIMEOUT_SECONDS,
) -> SpeedSmsProvider:
    token = token or fake.SPEEDSMS_TOKEN
    return SpeedSmsProvider(fake.base_url, token, sender=sender, timeout=timeout)


def test_accepted_send_uses_basic_auth_and_international_digits(
    gateways: FakeSmsGateways,
) -> None:
    receipt = provider_for(gateways).send(message())
    (request,) = gateways.requests
    assert request.path == "/index.php/sms/send"
    assert request.basic_auth() == (gateways.SPEEDSMS_TOKEN, "x")
    assert request.headers["Content-Type"] == "application/json"
    assert request.json() == {"to": ["84912345678"], "content": message().text, "sms_type": 2}
    (sent,) = gateways.sent
    assert sent.phone == "84912345678"
    assert receipt.provider == "speedsms"
    assert receipt.provider_message_id == sent.message_id
    assert gateways.last_code_to(PHONE) == CODE


def test_sender_is_sent_when_set(gateways: FakeSmsGateways) -> None:
    provider_for(gateways, sender="MYSHOP").send(message())
    assert gateways.requests[0].json()["sender"] == "MYSHOP"


def test_wrong_token_is_permanent(gateways: FakeSmsGateways) -> None:
    with pytest.raises(SmsPermanentError) as caught:
        provider_for(gateways, token="wrong-token-value").send(message())
    assert "wrong-token-value" not in str(caught.value)
    assert gateways.sent == []
    assert_discreet(caught.value)


def test_internal_error_code_is_transient(gateways: FakeSmsGateways) -> None:
    gateways.fail_next("speedsms", code="500")
    with pytest.raises(SmsTransientError) as caught:
        provider_for(gateways).send(message())
    assert caught.value.code == "500"
    assert_discreet(caught.value)


@pytest.mark.parametrize("code", ["105", "300", "007", "101"])
def test_other_error_codes_are_permanent(gateways: FakeSmsGateways, code: str) -> None:
    gateways.fail_next("speedsms", code=code)
    with pytest.raises(SmsPermanentError) as caught:
        provider_for(gateways).send(message())
    assert caught.value.code == code
    assert_discreet(caught.value)


@pytest.mark.parametrize("status", [500, 502, 429])
def test_http_errors_are_transient(gateways: FakeSmsGateways, status: int) -> None:
    gateways.fail_next("speedsms", http_status=status)
    with pytest.raises(SmsTransientError):
        provider_for(gateways).send(message())


def test_timeout_is_transient(gateways: FakeSmsGateways) -> None:
    gateways.timeout_next("speedsms", SLOW_REPLY_SECONDS)
    with pytest.raises(SmsTransientError, match="timed out") as caught:
        provider_for(gateways, timeout=SHORT_TIMEOUT_SECONDS).send(message())
    assert_discreet(caught.value)


def test_connection_refused_is_transient(gateways: FakeSmsGateways) -> None:
    provider = SpeedSmsProvider(closed_port_url(), gateways.SPEEDSMS_TOKEN)
    with pytest.raises(SmsTransientError, match="network error") as caught:
        provider.send(message())
    assert_discreet(caught.value)
