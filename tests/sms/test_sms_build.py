"""build_provider picks the provider named by the settings, and it works end to end."""

from __future__ import annotations

import dataclasses

import pytest
import requests

from bot.config import Settings, load_settings
from bot.sms import (
    ConsoleProvider,
    EsmsProvider,
    HttpGatewayProvider,
    SmsTransientError,
    SpeedSmsProvider,
    TwilioProvider,
    build_provider,
)
from tests.fakes.sms import FakeSmsGateways
from tests.sms.support import CODE, PHONE, REAL, SLOW_REPLY_SECONDS, UNUSED_REDIS, message

KINDS = {
    "http": HttpGatewayProvider,
    "esms": EsmsProvider,
    "speedsms": SpeedSmsProvider,
    "twilio": TwilioProvider,
}


def settings_for(fake: FakeSmsGateways, provider: str, **extra: str) -> Settings:
    return load_settings({**REAL, **fake.config_for(provider), **extra})


@pytest.mark.parametrize("name", sorted(KINDS))
def test_each_provider_is_built_from_settings_and_reaches_the_fake(
    gateways: FakeSmsGateways, name: str
) -> None:
    provider = build_provider(settings_for(gateways, name), UNUSED_REDIS)
    assert isinstance(provider, KINDS[name])
    assert provider.name == name
    receipt = provider.send(message())
    assert receipt.provider == name
    assert [sms.provider for sms in gateways.sent] == [name]
    assert gateways.last_code_to(PHONE) == CODE


def test_sandbox_builds_the_console_provider() -> None:
    settings = load_settings({"REDIS_URL": "redis://x", "BOT_SANDBOX": "1"})
    provider = build_provider(settings, UNUSED_REDIS)
    assert isinstance(provider, ConsoleProvider)
    assert provider.client is UNUSED_REDIS


def test_timeout_and_session_come_from_the_caller(gateways: FakeSmsGateways) -> None:
    settings = settings_for(gateways, "twilio", HTTP_TIMEOUT_SECONDS="0.3")
    session = requests.Session()
    provider = build_provider(settings, UNUSED_REDIS, session)
    assert isinstance(provider, TwilioProvider)
    assert provider.session is session
    gateways.timeout_next("twilio", SLOW_REPLY_SECONDS)
    with pytest.raises(SmsTransientError, match="timed out after 0.3 s"):
        provider.send(message())


def test_unknown_provider_is_refused(gateways: FakeSmsGateways) -> None:
    settings = dataclasses.replace(settings_for(gateways, "http"), sms_provider="pigeon")
    with pytest.raises(ValueError, match="pigeon"):
        build_provider(settings, UNUSED_REDIS)
