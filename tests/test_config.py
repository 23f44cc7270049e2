"""Settings: precedence, types, sandbox detection and start-up validation."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings

REAL = {
    "REDIS_URL": "redis://127.0.0.1:1/0",
    "ZALO_APP_ID": "1234567890123456789",
    "ZALO_APP_SECRET": "app-secret",
    "ZALO_OA_ID": "9876543210987654321",
    "ZALO_OA_SECRET_KEY": "oa-secret",
    "OTP_HASH_KEY": "hash-key-0123456789abcdefghij",
    "SMS_PROVIDER": "http",
    "SMS_HTTP_URL": "http://127.0.0.1:9/sms",
}


def test_defaults_match_the_spec() -> None:
    settings = load_settings({"REDIS_URL": "redis://x", "BOT_SANDBOX": "1"})
    assert settings.otp_sms_ttl_seconds == 300
    assert settings.otp_zalo_ttl_seconds == 120
    assert settings.otp_max_attempts == 5
    assert settings.otp_lock_seconds == 1800
    assert settings.otp_resend_cooldown_seconds == 60
    assert settings.otp_allowed_regions == ("VN",)
    assert settings.sms_global_per_minute == 60
    assert settings.conversation_idle_seconds == 900
    assert settings.zalo_openapi_url == "https://openapi.zalo.me"
    assert settings.zalo_oauth_url == "https://oauth.zaloapp.com"
    assert settings.zalo_business_url == "https://business.openapi.zalo.me"
    assert settings.esms_url == "https://rest.esms.vn"
    assert settings.zns_otp_param == "otp"
    assert settings.bot_language == "vi"
    assert (settings.otp_numbers_per_account_hour, settings.otp_numbers_per_account_day) == (3, 6)
    assert settings.otp_number_max_attempts == 10
    assert settings.otp_sends_per_account_phone_hour == 3
    assert (settings.otp_sends_per_phone_hour, settings.otp_sends_per_phone_day) == (10, 20)
    assert settings.otp_sends_per_account_day == 10


def test_sandbox_is_on_only_when_asked_for_and_uses_console_sms() -> None:
    settings = load_settings(
        {"REDIS_URL": "redis://x", "SMS_PROVIDER": "twilio", "BOT_SANDBOX": "1"}
    )
    assert settings.bot_sandbox is True
    assert settings.sms_provider_name == "console"
    assert settings.zalo_oa_secret_key  # the simulator signs with a stand-in key


def test_no_credentials_is_no_sandbox_but_an_error_naming_the_first_one() -> None:
    with pytest.raises(ConfigError, match="^ZALO_APP_ID is required outside sandbox mode$"):
        load_settings({"REDIS_URL": "redis://x", "OTP_HASH_KEY": "k", "SMS_PROVIDER": "http"})


def test_credentials_turn_sandbox_off() -> None:
    settings = load_settings(REAL)
    assert settings.bot_sandbox is False
    assert settings.sms_provider_name == "http"


def test_environment_then_test_mapping_win_in_that_order() -> None:
    settings = load_settings(
        {**REAL, "OTP_LOCK_SECONDS": "60", "OTP_ALLOWED_REGIONS": "VN, TH"},
        {"OTP_LOCK_SECONDS": 5},
    )
    assert settings.otp_lock_seconds == 5
    assert settings.otp_allowed_regions == ("VN", "TH")


@pytest.mark.parametrize("missing", ["ZALO_OA_SECRET_KEY", "OTP_HASH_KEY", "ZALO_APP_SECRET"])
def test_missing_required_variable_is_named(missing: str) -> None:
    environ = {k: v for k, v in REAL.items() if k != missing}
    with pytest.raises(ConfigError, match=missing):
        load_settings(environ)


def test_provider_specific_variables_are_required() -> None:
    with pytest.raises(ConfigError, match="ESMS_API_KEY"):
        load_settings({**REAL, "SMS_PROVIDER": "esms"})


def test_bad_number_is_named() -> None:
    with pytest.raises(ConfigError, match="OTP_LOCK_SECONDS"):
        load_settings({"REDIS_URL": "redis://x", "BOT_SANDBOX": "1", "OTP_LOCK_SECONDS": "soon"})


@pytest.mark.parametrize(
    ("wait", "line"),
    [
        ("0", "ZNS_DELIVERY_WAIT_SECONDS must be greater than 0"),
        ("120", "ZNS_DELIVERY_WAIT_SECONDS must be less than OTP_ZALO_TTL_SECONDS"),
    ],
)
def test_the_zns_delivery_wait_comes_before_the_zalo_code_expires(wait: str, line: str) -> None:
    base = {"REDIS_URL": "redis://x", "BOT_SANDBOX": "1"}
    assert load_settings(base).zns_delivery_wait_seconds == 30
    with pytest.raises(ConfigError) as refused:
        load_settings({**base, "ZNS_DELIVERY_WAIT_SECONDS": wait})
    assert str(refused.value) == line


@pytest.mark.parametrize(
    ("weak", "line"),
    [
        (
            {"PORTAL_CALLBACK_URL": "https://portal.example/hook"},
            "PORTAL_CALLBACK_SECRET is required with PORTAL_CALLBACK_URL",
        ),
        ({"PORTAL_API_KEY": "k"}, "PORTAL_API_KEY must be at least 24 characters"),
        (
            {"PORTAL_CALLBACK_URL": "https://p.example/h", "PORTAL_CALLBACK_SECRET": "s" * 23},
            "PORTAL_CALLBACK_SECRET must be at least 24 characters",
        ),
        ({"OTP_HASH_KEY": "h" * 23}, "OTP_HASH_KEY must be at least 24 characters"),
        (
            {"OTP_NUMBER_MAX_ATTEMPTS": "5"},
            "OTP_NUMBER_MAX_ATTEMPTS must be greater than OTP_MAX_ATTEMPTS",
        ),
        (
            {"OTP_SENDS_PER_PHONE_HOUR": "3"},
            "OTP_SENDS_PER_ACCOUNT_PHONE_HOUR must be less than OTP_SENDS_PER_PHONE_HOUR",
        ),
        (
            {"OTP_SENDS_PER_ACCOUNT_DAY": "20"},
            "OTP_SENDS_PER_ACCOUNT_DAY must be less than OTP_SENDS_PER_PHONE_DAY",
        ),
    ],
)
def test_weak_settings_stop_start_up_outside_sandbox(weak: dict[str, str], line: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings({**REAL, **weak})
    assert str(refused.value) == line  # one line naming the variable, never its value


def test_strong_keys_start_and_the_sandbox_takes_short_ones() -> None:
    strong = {"PORTAL_API_KEY": "k" * 24, "PORTAL_CALLBACK_URL": "https://p.example/h"}
    settings = load_settings({**REAL, **strong, "PORTAL_CALLBACK_SECRET": "s" * 24})
    assert settings.portal_callback_secret == "s" * 24
    sandbox = {"REDIS_URL": "redis://x", "BOT_SANDBOX": "1", "PORTAL_API_KEY": "k"}
    assert load_settings(sandbox).portal_api_key == "k"


def test_zalo_ids_stay_strings() -> None:
    settings = load_settings({**REAL, "ADMIN_ZALO_IDS": "2468458835296117922, 1"})
    assert settings.admin_zalo_ids == ("2468458835296117922", "1")


def test_readme_configuration_table_lists_every_variable() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    for field in dataclasses.fields(Settings):
        assert f"`{field.name.upper()}`" in readme, field.name.upper()


def test_server_start_up_stops_with_one_line_naming_the_variable() -> None:
    env = {"PATH": "/usr/bin:/bin", **{k: v for k, v in REAL.items() if k != "OTP_HASH_KEY"}}
    done = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=Path(__file__).parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert (
        done.stderr.strip() == "configuration error: OTP_HASH_KEY is required outside sandbox mode"
    )
