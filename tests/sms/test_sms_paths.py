"""The two ways a gateway is called (bot.sms.http_failures.post): straight to the session's
urllib3 pool when no proxy can apply (the bot's own session, and the providers' default), and
through requests when one may (a session that reads the environment). Both answer alike."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests

from bot.connections import outbound_session
from bot.sms import SmsPermanentError, SmsTransientError, TwilioProvider
from bot.sms.http_failures import Answer
from tests.fakes.sms import FakeSmsGateways
from tests.sms.support import (
    ANSWER_TIMEOUT_SECONDS,
    SHORT_TIMEOUT_SECONDS,
    SLOW_REPLY_SECONDS,
    assert_discreet,
    closed_port_url,
    message,
)


def through_requests() -> requests.Session:
    """A session a proxy may apply to: calls go through requests."""
    session = requests.Session()
    session.trust_env = True
    return session


def direct() -> requests.Session:
    """The bot's own kind of session where no proxy is set: calls go to the pool directly."""
    session = outbound_session()
    session.trust_env, session.proxies = False, {}
    return session


SESSIONS = pytest.mark.parametrize(
    "session_of", [direct, through_requests], ids=["direct", "requests"]
)


def twilio(
    fake: FakeSmsGateways,
    session: requests.Session,
    url: str | None = None,
    timeout: float = ANSWER_TIMEOUT_SECONDS,
) -> TwilioProvider:
    """Twilio (basic auth, a form body) on the fake, through session."""
    url = url or fake.base_url
    sid, token, sender = fake.TWILIO_SID, fake.TWILIO_TOKEN, fake.TWILIO_FROM
    return TwilioProvider(url, sid, token, sender, timeout=timeout, session=session)


@SESSIONS
def test_basic_auth_and_a_form_reach_the_gateway(
    gateways: FakeSmsGateways, session_of: Callable[[], requests.Session]
) -> None:
    receipt = twilio(gateways, session_of()).send(message())
    (request,) = gateways.requests
    assert request.basic_auth() == (gateways.TWILIO_SID, gateways.TWILIO_TOKEN)
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.form()["Body"] == message().text
    assert receipt.provider_message_id == gateways.sent[0].message_id


@SESSIONS
def test_statuses_timeouts_and_refusals_read_alike(
    gateways: FakeSmsGateways, session_of: Callable[[], requests.Session]
) -> None:
    session = session_of()
    gateways.fail_next("twilio", http_status=503)
    with pytest.raises(SmsTransientError, match="HTTP 503"):
        twilio(gateways, session).send(message())
    gateways.fail_next("twilio", http_status=400, code="21211")
    with pytest.raises(SmsPermanentError, match="HTTP 400"):
        twilio(gateways, session).send(message())
    gateways.timeout_next("twilio", SLOW_REPLY_SECONDS)
    with pytest.raises(SmsTransientError, match="timed out") as slow:
        twilio(gateways, session, timeout=SHORT_TIMEOUT_SECONDS).send(message())
    with pytest.raises(SmsTransientError, match="network error") as refused:
        twilio(gateways, session, url=closed_port_url()).send(message())
    with pytest.raises(SmsPermanentError, match="bad gateway settings"):
        twilio(gateways, session, url="ftp://gateway.invalid").send(message())
    for error in (slow.value, refused.value):
        assert_discreet(error)


def test_only_a_2xx_is_a_success() -> None:
    """Straight to the pool no redirect is followed: a 3xx is not taken for a sent code."""
    assert [Answer(status, b"").ok for status in (200, 201, 299, 302, 404)] == [
        True, True, True, False, False,
    ]  # fmt: skip
