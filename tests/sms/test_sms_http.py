"""The generic JSON gateway against the loopback fake."""

from __future__ import annotations

import pytest

from bot.sms import HttpGatewayProvider, SmsError, SmsPermanentError, SmsTransientError
from tests.fakes.sms import FakeSmsGateways
from tests.sms.support import (
    ANSWER_TIMEOUT_SECONDS,
    CODE,
    PHONE,
    REFERENCE,
    SHORT_TIMEOUT_SECONDS,
    SLOW_REPLY_SECONDS,
    assert_discreet,
    closed_port_url,
    message,
)


def provider_for(
    fake: FakeSmsGateways, token: str | None = None, timeout: float = ANSWER_TIMEOUT_SECONDS
) -> HttpGatewayProvider:
    url = fake.config_for("http")["SMS_HTTP_URL"]
    token = fake.HTTP_TOKEN if token is None else token
    return HttpGatewayProvider(url, token, timeout=timeout)


def test_accepted_send_posts_json_with_bearer_token(gateways: FakeSmsGateways) -> None:
    receipt = provider_for(gateways).send(message())
    (request,) = gateways.requests
    assert request.path == "/sms"
    assert request.headers["Authorization"] == f"Bearer {gateways.HTTP_TOKEN}"
    assert request.headers["Content-Type"] == "application/json"
    assert request.json() == {"to": PHONE, "text": message().text, "reference": REFERENCE}
    (sent,) = gateways.sent
    assert (sent.phone, sent.reference) == (PHONE, REFERENCE)
    assert receipt.provider == "http"
    assert receipt.provider_message_id == sent.message_id
    assert gateways.last_code_to(PHONE) == CODE


def test_no_token_means_no_authorization_header(gateways: FakeSmsGateways) -> None:
    with pytest.raises(SmsPermanentError) as caught:
        provider_for(gateways, token="").send(message())
    assert "Authorization" not in gateways.requests[0].headers
    assert gateways.sent == []
    assert_discreet(caught.value)


def test_wrong_token_is_permanent(gateways: FakeSmsGateways) -> None:
    with pytest.raises(SmsPermanentError, match="HTTP 401") as caught:
        provider_for(gateways, token="not-the-token").send(message())
    assert "not-the-token" not in str(caught.value)
    assert_discreet(caught.value)


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (500, SmsTransientError),
        (503, SmsTransientError),
        (429, SmsPermanentError),  # the generic gateway's contract: every 4xx is permanent
        (408, SmsPermanentError),
        (400, SmsPermanentError),
        (404, SmsPermanentError),
    ],
)
def test_http_status_decides_retry(
    gateways: FakeSmsGateways, status: int, kind: type[SmsError]
) -> None:
    gateways.fail_next("http", http_status=status)
    with pytest.raises(kind) as caught:
        provider_for(gateways).send(message())
    assert type(caught.value) is kind
    assert gateways.sent == []
    assert_discreet(caught.value)


def test_timeout_is_transient(gateways: FakeSmsGateways) -> None:
    gateways.timeout_next("http", SLOW_REPLY_SECONDS)
    with pytest.raises(SmsTransientError, match="timed out") as caught:
        provider_for(gateways, timeout=SHORT_TIMEOUT_SECONDS).send(message())
    assert_discreet(caught.value)


def test_connection_refused_is_transient() -> None:
    provider = HttpGatewayProvider(closed_port_url() + "/sms", "t0ken", timeout=1.0)
    with pytest.raises(SmsTransientError, match="network error") as caught:
        provider.send(message())
    assert "t0ken" not in str(caught.value)
    assert_discreet(caught.value)


def test_a_url_without_scheme_is_permanent() -> None:
    provider = HttpGatewayProvider("sms.example.invalid/send", timeout=1.0)
    with pytest.raises(SmsPermanentError, match="bad gateway settings"):
        provider.send(message())
