"""Combinations of settings that cannot work stop start-up with one line (SPEC §5)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.config import ConfigError, load_settings
from bot.sms import SmsMessage, SpeedSmsProvider
from tests.fakes.sms import FakeSmsGateways
from tests.helpers import run_jobs
from tests.test_config import REAL
from tests.test_otp_jobs import PHONE, bot_for, request_code

ESMS = {"SMS_PROVIDER": "esms", "ESMS_API_KEY": "k", "ESMS_SECRET_KEY": "s"}


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"SMS_PROVIDER": "console"}, "SMS_PROVIDER=console"),
        ({"SMS_PROVIDER": "console", "BOT_SANDBOX": "0"}, "SMS_PROVIDER=console"),
        (ESMS, "ESMS_BRANDNAME"),
        ({**ESMS, "ESMS_SMS_TYPE": "2"}, "ESMS_BRANDNAME"),
        ({"OTP_SMS_TEMPLATE": "Your code {otp}"}, "OTP_SMS_TEMPLATE"),
        ({"OTP_SMS_TEMPLATE": "No code here, valid {minutes} min"}, "OTP_SMS_TEMPLATE"),
        ({"ZALO_EXTRA_APPS": "3000000000000000003"}, "ZALO_EXTRA_APPS"),
        ({"ZALO_EXTRA_APPS": "a:b:c:d"}, "ZALO_EXTRA_APPS"),
        ({"WEBHOOK_MAX_AGE_SECONDS": "0"}, "WEBHOOK_MAX_AGE_SECONDS"),
        ({"OTP_MAX_ATTEMPTS": "0"}, "OTP_MAX_ATTEMPTS"),
    ],
)
def test_unsafe_combinations_are_refused(settings: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named.replace("{", r"\{")) as refused:
        load_settings({**REAL, **settings})
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    "settings",
    [
        {**ESMS, "ESMS_BRANDNAME": "MYSHOP"},
        {**ESMS, "ESMS_SMS_TYPE": "8"},
        {"OTP_SMS_TEMPLATE": "MYSHOP: ma xac thuc {code}, hieu luc {minutes} phut"},
        {"ZALO_EXTRA_APPS": "30000000003:secret:40000000004,30000000005:s2"},
    ],
)
def test_workable_combinations_start(settings: dict[str, str]) -> None:
    assert load_settings({**REAL, **settings})


def test_console_outside_sandbox_stops_the_server_with_one_line() -> None:
    env = {"PATH": "/usr/bin:/bin", **REAL, "SMS_PROVIDER": "console"}
    done = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=Path(__file__).parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "SMS_PROVIDER=console" in done.stderr


def test_speedsms_with_a_sender_sends_brandname_type_3() -> None:
    with FakeSmsGateways() as fake:
        provider = SpeedSmsProvider(fake.base_url, FakeSmsGateways.SPEEDSMS_TOKEN, sender="MYSHOP")
        provider.send(SmsMessage(PHONE, "code 123456", "ref-1", 300))
        body = fake.requests[0].json()
    assert body["sms_type"] == 3 and body["sender"] == "MYSHOP"


def test_the_sms_text_follows_otp_sms_template(config: dict[str, Any]) -> None:
    template = "MYSHOP: ma {code} co hieu luc {minutes} phut"
    with FakeSmsGateways() as gateways:
        app = bot_for(config, gateways, "http", OTP_SMS_TEMPLATE=template)
        code = request_code(app)
        run_jobs(app)
        (sent,) = gateways.messages_to(PHONE)
    assert sent.text == f"MYSHOP: ma {code} co hieu luc 5 phut"
