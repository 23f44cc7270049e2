"""/help, /assets, /audit, /unlock, and the one access check every admin command goes through."""

from __future__ import annotations

import pytest
import redis
from flask import Flask

from bot.keys import UserRef
from bot.services import services_of
from tests.adminkit import ADMIN, EXTRA_APP, audit_rows, audit_steps
from tests.helpers import APP_ID, OA_ID, Dialogue, last_code

PHONE = "+84912345678"
REFUSAL = 'Xin lỗi, bạn không dùng được lệnh này. Gõ "menu" để xem mình có thể giúp gì.'
ADMIN_COMMANDS = ["/help", "/assets", "/audit", "/unlock u1", "/unlink", f"/unlink app {EXTRA_APP}"]


def lock_out(app: Flask, user: str = "u1") -> Dialogue:
    """user asks for an SMS code for PHONE and types five wrong codes: locked."""
    d = Dialogue(app, user)
    d.say("xác thực"), d.say("0912345678"), d.say("1")
    wrong = "000000" if last_code(app, PHONE) != "000000" else "111111"
    answers = [d.say(wrong) for _ in range(5)]
    assert "tạm thời chưa xác thực được" in answers[-1]
    return d


def is_locked(app: Flask, user: str = "u1") -> bool:
    """Whether the account or PHONE is locked."""
    codes = services_of(app).verifier.codes
    return codes.lock_wait_seconds(UserRef(OA_ID, user), PHONE) > 0


def test_help_lists_the_admin_commands(admin: Dialogue) -> None:
    answer = admin.say("/help")
    for command in ("/assets", "/unlink", "/unlink app <id>", "/audit", "/unlock"):
        assert command in answer


def test_assets_is_a_numbered_list_of_what_is_linked(app: Flask, admin: Dialogue) -> None:
    answer = admin.say("/assets")
    assert answer.startswith("App ID và OA đang liên kết:")
    assert f"1. App ID Sandbox app ({APP_ID}), liên kết từ " in answer
    assert f"2. App ID Shop mini app ({EXTRA_APP})" in answer
    assert f"3. OA Sandbox OA ({OA_ID})" in answer
    services_of(app).assets.unlink("app", EXTRA_APP, by=ADMIN)
    linked, _, stopped = admin.say("/assets").partition("Bot đã ngừng dùng:")
    assert EXTRA_APP not in linked and f"Shop mini app ({EXTRA_APP}): ngừng dùng lúc " in stopped
    assert "Zalo Cloud Account: chưa xác nhận đã hủy liên kết" in stopped
    assert audit_steps(app)[-1] == (ADMIN, "/assets", "entry", "", "2 linked")


def test_assets_when_nothing_is_linked(admin: Dialogue, rdb: redis.Redis) -> None:
    rdb.delete(*rdb.keys("asset:*"), *rdb.keys("assets:*"))  # an empty registry
    assert admin.say("/assets") == "Không có App ID hay OA nào đang liên kết."
    assert admin.say("/unlink oa") == "Không có OA nào đang liên kết."


def test_assets_in_english(admin: Dialogue) -> None:
    admin.say("/lang en")
    assert f"App ID Shop mini app ({EXTRA_APP}), linked since " in admin.say("/assets")


def test_audit_shows_the_last_admin_actions(app: Flask, admin: Dialogue) -> None:
    assert admin.say("/audit") == "Chưa có thao tác quản trị nào."
    admin.say("/assets")
    answer = admin.say("/audit")
    assert answer.startswith("Thao tác quản trị gần đây:")
    lines = answer.splitlines()[1:]
    assert lines[0].endswith(f"{ADMIN} gõ “/audit”: xong")
    assert lines[1].endswith(f"{ADMIN} gõ “/assets”: 3 đang liên kết")


def test_unlock_lifts_a_lock_and_the_user_verifies_right_after(app: Flask, admin: Dialogue) -> None:
    user = lock_out(app)
    assert is_locked(app)
    assert admin.say("/unlock u1") == "Đã mở khóa xác thực cho u1."
    assert not is_locked(app)
    user.say("xác thực"), user.say("0912345678")
    assert "Đã gửi mã" in user.say("1")
    assert "thành công" in user.say(last_code(app, PHONE))
    assert audit_steps(app)[-1] == (ADMIN, "/unlock u1", "entry", "u1", "unlocked")


def test_unlock_by_phone_shows_and_audits_it_masked(app: Flask, admin: Dialogue) -> None:
    lock_out(app)
    assert admin.say("/unlock 0912 345 678") == "Đã mở khóa xác thực cho 09xx xxx 678."
    assert not is_locked(app)
    row = audit_rows(app)[-1]
    assert "912345678" not in row["command"] + row["target"]
    assert row["target"] == "09xx xxx 678" and row["result"] == "unlocked"


def test_unlock_of_someone_not_locked_says_so(app: Flask, admin: Dialogue) -> None:
    assert admin.say("/unlock u9") == "u9 không bị khóa."
    assert audit_steps(app)[-1][4] == "not locked"
    assert admin.say("/unlock").startswith("Cách dùng: /unlock")


def test_an_admin_added_with_the_cli_is_an_admin(app: Flask) -> None:
    runner = app.test_cli_runner()
    outsider = Dialogue(app, "u7")
    assert outsider.say("/assets") == REFUSAL
    runner.invoke(args=["admins", "add", "u7"])
    assert outsider.say("/assets").startswith("App ID và OA đang liên kết:")
    runner.invoke(args=["admins", "remove", "u7", "--yes"])
    assert outsider.say("/assets") == REFUSAL


@pytest.mark.parametrize("command", ADMIN_COMMANDS)
def test_a_non_admin_gets_a_polite_refusal_and_nothing_else(
    app: Flask, rdb: redis.Redis, command: str
) -> None:
    lock_out(app, "u1")
    before = sorted(a.as_json().items() for a in services_of(app).assets.all())
    outsider = Dialogue(app, "u2")
    unknown = outsider.say("blah blah")
    assert outsider.say(command) == REFUSAL  # the same words for every command: no data
    assert outsider.say("xác nhận") == unknown  # and no dialogue was opened
    assert sorted(a.as_json().items() for a in services_of(app).assets.all()) == before
    assert is_locked(app, "u1")
    assert rdb.keys(f"conv:{{{OA_ID}:u2}}") == []
    assert audit_steps(app) == [("u2", command, "entry", "", "refused")]


def test_every_refused_attempt_is_audited_in_order(app: Flask) -> None:
    outsider = Dialogue(app, "u2")
    for command in ADMIN_COMMANDS:
        outsider.say(command)
    assert audit_steps(app) == [("u2", c, "entry", "", "refused") for c in ADMIN_COMMANDS]
    assert all(float(row["at"]) > 0 for row in audit_rows(app))


def test_an_admin_removed_mid_dialogue_is_stopped_at_the_next_step(
    app: Flask, rdb: redis.Redis
) -> None:
    app.test_cli_runner().invoke(args=["admins", "add", "u7"])
    former = Dialogue(app, "u7")
    assert "XÁC NHẬN" in former.say(f"/unlink app {EXTRA_APP}")
    app.test_cli_runner().invoke(args=["admins", "remove", "u7", "--yes"])
    assert former.say("xác nhận") == REFUSAL
    assert services_of(app).assets.get("app", EXTRA_APP).linked  # type: ignore[union-attr]
    assert rdb.keys(f"conv:{{{OA_ID}:u7}}") == []
    assert audit_steps(app)[-1][1:] == ("xác nhận", "admin_unlink:confirm", "", "refused")
