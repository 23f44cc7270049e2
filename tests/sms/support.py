"""Helpers shared by the SMS tests (plain functions: tests/conftest.py is not needed)."""

from __future__ import annotations

import redis

from bot.ops.embedded_redis import free_port
from bot.sms import SmsError, SmsMessage
from tests.fakes.sms import FakeSmsGateways

PHONE = "+84912345678"
CODE = "482913"
REFERENCE = "otp:4f1c2d9e8b7a"
# The timeout tests: the client gives up after SHORT_TIMEOUT_SECONDS, the fake answers after
# SLOW_REPLY_SECONDS. Every other test waits up to ANSWER_TIMEOUT_SECONDS, which a fake that
# answers never reaches, however busy the machine (0.3 s was not always enough under load).
SHORT_TIMEOUT_SECONDS = 0.3
SLOW_REPLY_SECONDS = 1.0
ANSWER_TIMEOUT_SECONDS = 10.0
# These substrings must never appear in an error: the code, every form of the phone
# ("912345678" is inside +84912345678, 84912345678 and 0912345678) and every credential.
NEVER_IN_ERRORS = (CODE, "912345678", *FakeSmsGateways.SECRETS)
# The least environment that turns sandbox mode off; add fake.config_for(provider) to it.
REAL = {
    "BOT_SANDBOX": "0",
    "REDIS_URL": "redis://127.0.0.1:1/0",
    "ZALO_APP_ID": "1234567890123456789",
    "ZALO_APP_SECRET": "app-secret",
    "ZALO_OA_ID": "9876543210987654321",
    "ZALO_OA_SECRET_KEY": "oa-secret",
    "OTP_HASH_KEY": "hash-key-0123456789abcdefghij",
}
# Never connected to: build_provider only keeps it, and only the console provider uses it.
UNUSED_REDIS = redis.Redis(port=free_port())


def message(phone: str = PHONE, reference: str = REFERENCE, validity: int = 300) -> SmsMessage:
    """An OTP message carrying CODE."""
    text = f"Ma xac thuc cua ban la {CODE}. Het han sau 5 phut."
    return SmsMessage(phone_e164=phone, text=text, reference=reference, validity_seconds=validity)


def assert_discreet(error: SmsError) -> None:
    """The error's text (and its args) hold no code, no phone and no credential."""
    shown = f"{error} {error!r} {error.args}"
    for secret in NEVER_IN_ERRORS:
        assert secret not in shown


def closed_port_url() -> str:
    """A loopback URL where nothing listens: connection refused."""
    return f"http://127.0.0.1:{free_port()}"
