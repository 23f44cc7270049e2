""".env.example: every variable a production start needs, accepted once filled in, and a
required value left empty refused with one line naming it, by the web and the worker."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from tests.deploy.kit import (
    OFF_UNTIL_SET,
    PLATFORM_VARS,
    ROOT,
    SETTINGS_VARS,
    commented_names,
    env_entries,
)

EXAMPLE = ROOT / ".env.example"
# What an operator would write where .env.example leaves a value empty.
PLAUSIBLE = {
    "ZALO_APP_ID": "4318251761549318283",
    "ZALO_APP_SECRET": secrets.token_urlsafe(15),
    "ZALO_OA_ID": "579745863508352884",
    "ZALO_OA_SECRET_KEY": secrets.token_urlsafe(15),
    "ZALO_ACCESS_TOKEN": secrets.token_urlsafe(96),
    "ZALO_REFRESH_TOKEN": secrets.token_urlsafe(96),
    "ZALO_SITE_VERIFICATION": "MeVd6DceSpupfjWIxOznI1I4v7FuyZOgD3Gp",
    "PUBLIC_BASE_URL": "https://bot.example.com",
    "OTP_HASH_KEY": secrets.token_hex(32),
    "ZNS_OTP_TEMPLATE_ID": "312345",
    "ESMS_API_KEY": secrets.token_hex(16).upper(),
    "ESMS_SECRET_KEY": secrets.token_hex(16).upper(),
    "ESMS_BRANDNAME": "Baotrixemay",
    "ADMIN_ZALO_IDS": "8125324165431256801,3402134212341234123",
    "PORTAL_API_KEY": secrets.token_hex(32),
    "PORTAL_CALLBACK_URL": "https://portal.example.com/hooks/zalo-bot",
    "PORTAL_CALLBACK_SECRET": secrets.token_hex(32),
    "ADMIN_SESSION_SECRET": secrets.token_hex(32),
}
# Settings off until set that .env.example leaves out, and why: the other SMS gateways' (the
# README's table; the file shows eSMS), Sentinel's (named in its Redis comment, with
# REDIS_URL left empty), the sandbox's, and a text the SMS comment shows in full.
LEFT_OUT = frozenset(
    {"SMS_HTTP_URL", "SMS_HTTP_TOKEN", "SPEEDSMS_TOKEN", "SPEEDSMS_SENDER"}
    | {"TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM"}
    | {"REDIS_SENTINELS", "REDIS_SENTINEL_MASTER", "REDIS_SENTINEL_PASSWORD"}
    | {"SIMULATOR_ALLOW_REMOTE", "OTP_SMS_TEMPLATE"}
)


def filled(leave_empty: frozenset[str] = frozenset()) -> dict[str, str]:
    """.env.example with its empty values filled in, except those named."""
    values = {}
    for entry in env_entries(EXAMPLE):
        if entry.value or entry.name in leave_empty:
            values[entry.name] = entry.value
        else:
            assert entry.name in PLAUSIBLE, f"no plausible value known for {entry.name}"
            values[entry.name] = PLAUSIBLE[entry.name]
    return values


def test_every_variable_is_one_the_processes_read() -> None:
    names = [entry.name for entry in env_entries(EXAMPLE)]
    assert len(names) == len(set(names)), "a variable is set twice"
    assert set(names) <= SETTINGS_VARS | PLATFORM_VARS
    assert commented_names(EXAMPLE) <= SETTINGS_VARS | PLATFORM_VARS


def test_every_feature_an_operator_switches_on_is_in_it() -> None:
    shown = {entry.name for entry in env_entries(EXAMPLE)} | commented_names(EXAMPLE)
    assert OFF_UNTIL_SET - LEFT_OUT - shown == set()
    assert LEFT_OUT <= OFF_UNTIL_SET - shown  # a stale excuse goes


def test_filled_in_it_is_a_production_configuration() -> None:
    settings = load_settings(filled())
    assert settings.bot_sandbox is False
    assert settings.sms_provider_name == "esms"
    assert settings.log_format == "json"
    assert settings.forwarded_allow_ips == ("127.0.0.1", "::1")


@pytest.mark.parametrize(
    "name", [e.name for e in env_entries(EXAMPLE) if not e.value and not e.optional]
)
def test_a_required_value_left_empty_is_refused(name: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_settings(filled(leave_empty=frozenset({name})))


def test_values_marked_optional_may_stay_empty() -> None:
    optional = frozenset(e.name for e in env_entries(EXAMPLE) if not e.value and e.optional)
    assert {"ZALO_ACCESS_TOKEN", "PORTAL_API_KEY"} <= optional
    assert load_settings(filled(leave_empty=optional)).bot_sandbox is False


def start_up(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a Procfile process's start-up with exactly this environment (and PATH)."""
    return subprocess.run(
        command,
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_web_process_starts_with_it(redis_url: str, tmp_path: Path) -> None:
    env = {**filled(), "REDIS_URL": redis_url, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    check = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--check-config"]
    done = start_up([*check, "wsgi:app"], env)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("process", ["web", "worker"])
def test_an_unfilled_placeholder_stops_start_up(
    process: str, redis_url: str, tmp_path: Path
) -> None:
    env = filled(leave_empty=frozenset({"OTP_HASH_KEY"}))
    env.update(REDIS_URL=redis_url, PROMETHEUS_MULTIPROC_DIR=str(tmp_path))
    command = {
        "web": [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "wsgi:app"],
        "worker": [sys.executable, "-m", "bot.worker"],
    }[process]
    done = start_up(command, env)
    assert done.returncode == 2, done.stderr
    assert "configuration error: OTP_HASH_KEY is required outside sandbox mode" in done.stderr
