"""The CLI as operators meet it: --yes on deletions, lookup by phone, audit list, quiet logs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from flask import Flask

from bot.ops.audit_cli import since_epoch
from tests.adminkit import ADMIN, EXTRA_APP, asset_status, audit_steps
from tests.helpers import Dialogue, last_code

PHONE = "+84912345678"
ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))


def flask(app: Flask, *args: str, typed: str | None = None) -> tuple[int, str]:
    """Run `flask <args>` against app (stdin is no terminal); exit code and output."""
    result = app.test_cli_runner().invoke(args=list(args), input=typed)
    return result.exit_code, result.output


@pytest.mark.parametrize(
    "args", [["assets", "unlink", "app", EXTRA_APP], ["admins", "remove", "u7"]]
)
def test_a_deletion_without_yes_and_without_a_terminal_is_refused(
    app: Flask, args: list[str]
) -> None:
    flask(app, "admins", "add", "u7")
    before = audit_steps(app)
    code, output = flask(app, *args, typed="y\n")  # piped input is no answer
    assert code == 1 and "Not confirmed: run it again with --yes." in output
    assert audit_steps(app) == before  # nothing done, nothing audited
    assert asset_status(app, "app", EXTRA_APP) == "linked"
    assert Dialogue(app, "u7").say("/assets").startswith("App ID và OA")  # still an admin


def test_with_yes_it_is_done(app: Flask) -> None:
    assert flask(app, "assets", "unlink", "app", EXTRA_APP, "-y") == (
        0,
        f"unlinked app {EXTRA_APP}\n",
    )


def verify(app: Flask) -> None:
    """u1 verifies PHONE by SMS."""
    d = Dialogue(app, "u1")
    d.say("xác thực"), d.say("0912345678"), d.say("1")
    d.say(last_code(app, PHONE))


@pytest.mark.parametrize("typed", [PHONE, "0912 345 678", "84912345678", "(091) 234-5678"])
def test_verification_status_by_phone(app: Flask, typed: str) -> None:
    verify(app)
    code, output = flask(app, "verification", "status", typed)
    assert code == 0 and json.loads(output)["user_id"] == "u1"


def test_verification_status_of_a_number_nobody_verified(app: Flask) -> None:
    assert flask(app, "verification", "status", "0987654321") == (
        1,
        "no verification record for 0987654321\n",
    )


def test_audit_list_since(app: Flask) -> None:
    Dialogue(app, ADMIN).say("/assets")
    flask(app, "assets", "rename", "app", EXTRA_APP, "Quầy 2")
    code, output = flask(app, "audit", "list", "--since", "1h")
    lines = output.splitlines()
    assert code == 0 and len(lines) == 2
    assert lines[0].endswith(f"{ADMIN} gõ “/assets”: 3 đang liên kết")
    assert (
        f"“flask assets rename app {EXTRA_APP} Quầy 2” — App ID {EXTRA_APP}: đã đổi tên"
        in (lines[1])
    )
    english = flask(app, "audit", "list", "--since", "2000-01-01", "--lang", "en")[1]
    assert english.splitlines()[0].endswith(f"{ADMIN} typed “/assets”: 3 linked")
    assert flask(app, "audit", "list", "--since", "2999-01-01")[1] == (
        "no audit entries since 2999-01-01\n"
    )
    code, output = flask(app, "audit", "list", "--since", "yesterday")
    assert code == 2 and "give 1h, 7d" in output


def test_audit_list_of_refusals(app: Flask) -> None:
    Dialogue(app, "u2").say("/unlink")
    output = flask(app, "audit", "list", "--refused")[1]
    assert output.rstrip().endswith("u2 gõ “/unlink”: bị từ chối (không phải quản trị viên)")


def test_since_reads_relative_and_iso_moments() -> None:
    now = 1_800_000_000.0
    assert since_epoch("1h", "UTC", now) == now - 3600
    assert since_epoch("7d", "UTC", now) == now - 7 * 86400
    assert since_epoch("2026-12-01", "UTC") == 1_796_083_200
    assert since_epoch("2026-12-01T07:00", "Asia/Ho_Chi_Minh") == 1_796_083_200
    assert since_epoch("2026-12-01T00:00+00:00", "Asia/Ho_Chi_Minh") == 1_796_083_200


def run_flask(redis_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """A real `flask --app wsgi ...` process on the test Redis."""
    env = {**os.environ, "REDIS_URL": redis_url, "BOT_SANDBOX": "1", "LOG_LEVEL": "INFO"}
    env.pop("LOG_FORMAT", None)
    return subprocess.run(
        [FLASK, "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_command_prints_its_answer_and_no_info_lines(redis_url: str, rdb: redis.Redis) -> None:
    # On an empty Redis each start registers the configured assets: INFO lines, unless -v not.
    quiet = run_flask(redis_url, "admins", "add", "u9")
    assert quiet.stdout == "u9 is now an admin\n" and quiet.stderr == ""
    rdb.flushall()
    loud = run_flask(redis_url, "admins", "add", "u9", "-v")
    assert loud.stdout == "u9 is now an admin\n"
    assert "INFO" in loud.stderr and "registered app" in loud.stderr
