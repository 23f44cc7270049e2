"""Operator commands: `flask assets ...`, `flask admins ...`, `flask verification ...`."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import redis
from click.testing import Result
from flask import Flask

from bot.services import services_of
from bot.zalo.token_store import RedisTokenStorage
from tests.adminkit import ADMIN, ADMIN2, EXTRA_APP, asset_status, audit_steps
from tests.helpers import APP_ID, OA_ID, Dialogue, last_code

PHONE = "+84912345678"
# Dates print in BOT_TIMEZONE (a run across midnight there would see two days).
TODAY = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m-%d")


def flask(app: Flask, *args: str) -> Result:
    """Run `flask <args>` against app."""
    return app.test_cli_runner().invoke(args=list(args))


def test_assets_list_shows_every_asset_and_who_unlinked_one(app: Flask) -> None:
    lines = [line[: line.rindex(" ")] for line in flask(app, "assets", "list").output.splitlines()]
    # Oldest first; seeding may straddle a second on a busy machine, so compare sorted.
    assert sorted(lines) == sorted(
        [
            f"app\t{APP_ID}\tlinked\tSandbox app\tsince {TODAY}",
            f"app\t{EXTRA_APP}\tlinked\tShop mini app\tsince {TODAY}",
            f"oa\t{OA_ID}\tlinked\tSandbox OA\tsince {TODAY}",
        ]
    )
    flask(app, "assets", "unlink", "app", EXTRA_APP, "--yes")
    (unlinked,) = [
        line
        for line in flask(app, "assets", "list").output.splitlines()
        if line.startswith(f"app\t{EXTRA_APP}\t")
    ]
    assert unlinked.startswith(f"app\t{EXTRA_APP}\tunlinked\tShop mini app\tsince {TODAY} ")
    assert unlinked.endswith("; console: pending") and " by cli at 20" in unlinked


def test_assets_link_adds_or_relinks(app: Flask) -> None:
    result = flask(app, "assets", "link", "oa", "555", "--name", "Chi nhánh")
    assert result.exit_code == 0 and result.output == "linked oa 555\n"
    asset = services_of(app).assets.get("oa", "555")
    assert asset is not None and asset.linked and asset.name == "Chi nhánh"
    flask(app, "assets", "unlink", "oa", "555", "--yes")
    flask(app, "assets", "link", "oa", "555")
    assert asset_status(app, "oa", "555") == "linked"


def test_assets_link_refuses_an_unknown_kind(app: Flask) -> None:
    result = flask(app, "assets", "link", "bot", "555")
    assert result.exit_code != 0 and "Invalid value" in result.output
    assert services_of(app).assets.get("bot", "555") is None


def test_assets_unlink_drops_tokens_and_is_audited(app: Flask, rdb: redis.Redis) -> None:
    RedisTokenStorage(rdb, EXTRA_APP, OA_ID).seed("access-x", "refresh-x")
    result = flask(app, "assets", "unlink", "app", EXTRA_APP, "--yes")
    assert result.exit_code == 0 and result.output == f"unlinked app {EXTRA_APP}\n"
    assert asset_status(app, "app", EXTRA_APP) == "unlinked"
    assert RedisTokenStorage(rdb, EXTRA_APP, OA_ID).load() is None
    again = flask(app, "assets", "unlink", "app", EXTRA_APP, "--yes")
    assert again.exit_code == 0 and again.output == "already unlinked\n"
    unknown = flask(app, "assets", "unlink", "oa", "999", "--yes")
    assert unknown.exit_code == 1 and unknown.output == "unknown oa 999\n"
    assert [(s[1], s[2], s[3], s[4]) for s in audit_steps(app)] == [
        (f"flask assets unlink app {EXTRA_APP}", "cli", f"app:{EXTRA_APP}", "unlinked"),
        (f"flask assets unlink app {EXTRA_APP}", "cli", f"app:{EXTRA_APP}", "already"),
        ("flask assets unlink oa 999", "cli", "oa:999", "unknown"),
    ]


def test_unlinking_the_bots_oa_drops_the_bots_tokens(app: Flask, rdb: redis.Redis) -> None:
    RedisTokenStorage(rdb, APP_ID, OA_ID).seed("access-main", "refresh-main")
    flask(app, "assets", "unlink", "oa", OA_ID, "--yes")
    assert RedisTokenStorage(rdb, APP_ID, OA_ID).load() is None
    assert Dialogue(app, "u1").say("menu") == ""  # its events are ignored from now on


def test_admins_add_remove_list(app: Flask) -> None:
    assert flask(app, "admins", "add", "u7").output == "u7 is now an admin\n"
    assert flask(app, "admins", "add", "u7").output == "u7 is already an admin\n"
    assert flask(app, "admins", "list").output.splitlines() == [
        f"{ADMIN}\tADMIN_ZALO_IDS",
        f"{ADMIN2}\tADMIN_ZALO_IDS",
        "u7\tadded (flask admins add or the simulator's admin toggle)",
    ]
    assert services_of(app).admins.is_admin("u7")
    assert flask(app, "admins", "remove", "u7", "--yes").output == "u7 removed\n"
    assert not services_of(app).admins.is_admin("u7")
    removed = flask(app, "admins", "remove", ADMIN, "--yes").output
    assert removed == f"{ADMIN} was not added with admins add\n"
    assert services_of(app).admins.is_admin(ADMIN)  # configured admins stay


def lock_out(app: Flask) -> None:
    """u1 types five wrong codes for PHONE."""
    d = Dialogue(app, "u1")
    d.say("xác thực"), d.say("0912345678"), d.say("1")
    wrong = "000000" if last_code(app, PHONE) != "000000" else "111111"
    for _ in range(5):
        d.say(wrong)


@pytest.mark.parametrize(("target", "shown"), [("u1", "u1"), ("0912345678", "09xx xxx 678")])
def test_verification_unlock(app: Flask, target: str, shown: str) -> None:
    lock_out(app)
    result = flask(app, "verification", "unlock", target)
    assert result.output == f"{shown}: unlocked\n"
    assert flask(app, "verification", "unlock", target).output == f"{shown}: was not locked\n"
    d = Dialogue(app, "u1")
    d.say("xác thực"), d.say("0912345678")
    assert "Đã gửi mã" in d.say("1")  # right after, no waiting


def test_verification_status(app: Flask) -> None:
    lock_out(app)
    status = json.loads(flask(app, "verification", "status", "u1").output)
    assert status["user_id"] == "u1" and status["locked_until"] is not None
    assert status["sms_verified"] is False and status["phone"] is None
    flask(app, "verification", "unlock", "u1")
    assert flask(app, "verification", "status", "u1").exit_code == 1  # nothing left to show


def test_verification_status_of_a_verified_account(app: Flask) -> None:
    d = Dialogue(app, "u1")
    d.say("xác thực"), d.say("0912345678"), d.say("1")
    d.say(last_code(app, PHONE))
    status = json.loads(flask(app, "verification", "status", "u1").output)
    assert status["phone"] == PHONE and status["sms_verified"] is True
    assert status["user_id_by_app"] == "app-u1"


def test_verification_status_of_an_unknown_account(app: Flask) -> None:
    result = flask(app, "verification", "status", "nobody")
    assert result.exit_code == 1 and result.output == "no verification record for nobody\n"


def test_assets_rename_and_a_relink_keeps_the_name(app: Flask) -> None:
    renamed = flask(app, "assets", "rename", "oa", OA_ID, "OA Cửa hàng")
    assert renamed.exit_code == 0 and "OA Cửa hàng" in renamed.output
    flask(app, "assets", "unlink", "oa", OA_ID, "--yes")
    flask(app, "assets", "link", "oa", OA_ID)
    asset = services_of(app).assets.get("oa", OA_ID)
    assert asset is not None and asset.linked and asset.name == "OA Cửa hàng"
    assert flask(app, "assets", "rename", "oa", "404", "x").exit_code == 1


def test_assets_console_done_records_the_console_step(app: Flask) -> None:
    assert flask(app, "assets", "console-done", "app", EXTRA_APP).exit_code == 1  # still linked
    flask(app, "assets", "unlink", "app", EXTRA_APP, "--yes")
    done = flask(app, "assets", "console-done", "app", EXTRA_APP)
    assert done.exit_code == 0 and done.output == f"app {EXTRA_APP}: recorded\n"
    asset = services_of(app).assets.get("app", EXTRA_APP)
    assert asset is not None and asset.console_confirmed_at
