"""The audit as admins read it: taps, typing, the worker and the CLI told apart, in pages."""

from __future__ import annotations

import re

import pytest
import redis
from flask import Flask

from bot.admin.audit import AuditLog
from bot.conversation.context import AuditEntry
from bot.ops.cli_kit import operator
from bot.services import services_of
from tests.adminkit import ADMIN, EXTRA_APP, audit_steps, say_all
from tests.helpers import Dialogue, last_buttons

# What must never show to a reader: a payload, a state name, an untranslated result.
LEAKS = re.compile(r"#\w|admin_unlink:|verify:| linked\b|not unlinked|\bok\b|\bqueued\b")


def audit_lines(admin: Dialogue) -> list[str]:
    """The entry lines of /audit (header and footer left out)."""
    return [line for line in admin.say("/audit").splitlines() if " · " in line]


def test_a_tapped_unlink_reads_as_taps_the_worker_and_typing(app: Flask, admin: Dialogue) -> None:
    admin.say("/unlink")
    admin.say("#app")  # the App ID button (typed "oa" would read as typed)
    admin.say(f"#{EXTRA_APP}")  # the asset's button
    admin.say("#confirm")
    lines = audit_lines(admin)[:5]
    assert [line.split(" · ", 1)[1] for line in lines] == [
        f"{ADMIN} gõ “/unlink”: xong",
        f"{ADMIN} bấm nút “App ID” (bước chọn App ID hay OA): xong",
        f"{ADMIN} bấm nút “App ID {EXTRA_APP}” (bước chọn cái cần hủy) — App ID {EXTRA_APP}: xong",
        f"{ADMIN} bấm nút “Xác nhận” (bước xác nhận) — App ID {EXTRA_APP}: đang cho bot ngừng dùng",
        f"worker (lệnh của {ADMIN}) — App ID {EXTRA_APP}: bot đã ngừng dùng",
    ]
    assert not any(LEAKS.search(line) for line in lines)


def test_the_audit_speaks_the_admins_language(app: Flask, admin: Dialogue) -> None:
    admin.say("/lang en")
    say_all(admin, f"/unlink app {EXTRA_APP}", "#cancel", "/assets", "/unlock u9")
    lines = [line.split(" · ", 1)[1] for line in audit_lines(admin)]
    assert lines == [
        f"{ADMIN} typed “/unlink app {EXTRA_APP}” — App ID {EXTRA_APP}: done",
        f"{ADMIN} tapped “Cancel” (confirmation) — App ID {EXTRA_APP}: cancelled, nothing changed",
        f"{ADMIN} typed “/assets”: 3 linked",
        f"{ADMIN} typed “/unlock u9” — u9: was not locked",
    ]


def test_every_cli_change_is_audited_and_reads_as_the_cli(app: Flask, admin: Dialogue) -> None:
    runner = app.test_cli_runner()
    commands = [
        ["assets", "link", "app", "555", "--name", "Quầy 2"],
        ["assets", "rename", "app", "555", "Quầy hai"],
        ["assets", "unlink", "app", "555", "--yes"],
        ["assets", "console-done", "app", "555"],
        ["assets", "link", "app", "555"],
        ["admins", "add", "u7"],
        ["admins", "remove", "u7", "--yes"],
        ["verification", "unlock", "0912345678"],
    ]
    for args in commands:
        assert runner.invoke(args=args).exit_code == 0, args
    assert [(step, target, result) for _, _, step, target, result in audit_steps(app)] == [
        ("cli", "app:555", "linked"),
        ("cli", "app:555", "renamed"),
        ("cli", "app:555", "unlinked"),
        ("cli", "app:555", "console confirmed"),
        ("cli", "app:555", "relinked"),
        ("cli", "u7", "admin added"),
        ("cli", "u7", "admin removed"),
        ("cli", "09xx xxx 678", "not locked"),
    ]
    assert "912345678" not in " ".join(row[1] for row in audit_steps(app))
    lines = audit_lines(admin)
    assert re.search(
        r"CLI \(.+\) “flask assets unlink app 555” — App ID 555: bot đã ngừng dùng", lines[2]
    )
    assert lines[4].endswith("— App ID 555: đã liên kết lại")
    assert not any(LEAKS.search(line) for line in lines)


def test_personal_data_commands_read_as_the_operators_cli(app: Flask, admin: Dialogue) -> None:
    say_all(Dialogue(app, "u5"), "xác thực", "0912345678")
    runner = app.test_cli_runner()
    for args in (
        ["data", "export", "u5"],
        ["data", "erase", "u5", "--yes"],
        ["data", "erase", "u6", "-y"],
    ):
        assert runner.invoke(args=args).exit_code == 0, args
    who = {row[0] for row in audit_steps(app)}
    assert who == {operator()}  # the operator's login, as every other CLI change
    lines = audit_lines(admin)[-3:]
    assert re.search(r"“flask data export” — user:u-\w+: xong$", lines[0]), lines[0]
    assert re.search(r"“flask data erase” — user:u-\w+: đã xóa \d+ bản ghi$", lines[1]), lines[1]
    assert lines[2].endswith("“flask data erase”: không có dữ liệu nào về ID này")
    assert not any(LEAKS.search(line) or "nothing" in line for line in lines)


def test_audit_pages_with_a_more_button(app: Flask, admin: Dialogue, rdb: redis.Redis) -> None:
    log = AuditLog(rdb)
    for n in range(1, 26):
        log.write(AuditEntry(ADMIN, f"/unlock u{n}", "entry", f"u{n}", "not locked"))
    first = admin.say("/audit").splitlines()
    assert first[0] == "Thao tác quản trị gần đây:" and len(first) == 12
    assert first[-2].endswith("— u25: không bị khóa")
    assert first[-1] == "Cũ hơn: bấm Xem thêm hoặc gõ /audit 2"
    (more,) = last_buttons(app, ADMIN)
    assert more == {"title": "Xem thêm ›", "payload": "#/audit 2"}
    second = admin.say(more["payload"]).splitlines()  # tapped
    assert second[0] == "Thao tác quản trị gần đây, trang 2:"
    # Oldest first within a page; the first /audit was written since, so page 2 starts one on.
    assert second[1].endswith("— u7: không bị khóa") and second[-2].endswith("— u16: không bị khóa")
    third = admin.say("/audit 3").splitlines()
    assert third[-1].endswith("— u7: không bị khóa") and "Cũ hơn" not in third[-1]
    assert admin.say("/audit 9") == "Không có trang 9: nhật ký chỉ có 3 trang."
    assert admin.say("/audit abc").startswith("Cách dùng: /audit")
    tapped = audit_lines(admin)[-4]
    assert tapped.endswith(f"{ADMIN} bấm nút “Xem thêm ›”: xong")


def test_refusals_stay_apart_and_admin_pages_hold_only_admin_actions(
    app: Flask, admin: Dialogue
) -> None:
    for _ in range(30):
        Dialogue(app, "u2").say("/assets")
    admin.say("/assets")
    lines = audit_lines(admin)
    assert len(lines) == 1 and "u2" not in lines[0]
    assert last_buttons(app, ADMIN) == []


@pytest.mark.parametrize(
    ("result", "shown"),
    [
        ("already", "bot đã ngừng dùng từ trước"),
        ("unknown", "không tìm thấy"),
        ("not linked", "không tìm thấy trong danh sách đang liên kết"),  # older releases
        ("7 linked", "7 đang liên kết"),
        ("reprompted", "không hiểu lựa chọn, đã hỏi lại"),
        ("erased 12 records", "đã xóa 12 bản ghi"),
        ("tokens stored", "đã lưu token mới"),
        ("page off", "trang quản trị chưa bật, chưa gửi đường dẫn"),
    ],
)
def test_results_in_words(app: Flask, admin: Dialogue, result: str, shown: str) -> None:
    services_of(app).audit.write(AuditEntry(ADMIN, "/unlink app 1", "entry", "app:1", result))
    assert audit_lines(admin)[0].endswith(f": {shown}")


def test_a_stored_line_stays_one_line_in_the_readable_audit(app: Flask, admin: Dialogue) -> None:
    forged = "/unlock u1\n06/12 04:10 · admin2 gõ “/unlink app 1”: xong"
    services_of(app).audit.write(AuditEntry(ADMIN, forged, "entry", "u1", "not locked"))
    lines = admin.say("/audit").splitlines()
    assert len(lines) == 2 and not lines[1].startswith("06/12 04:10 · admin2")


def test_a_command_typed_mid_verification_shows_no_state_name(app: Flask, admin: Dialogue) -> None:
    say_all(admin, "xác thực", "0912345678")  # now choosing SMS or Zalo
    admin.say("/assets")
    (line,) = audit_lines(admin)[:1]
    assert line.endswith(f"{ADMIN} gõ “/assets”: 3 đang liên kết") and "verify" not in line
    assert audit_steps(app)[0][2].startswith("verify")  # stored as it was, shown in words


def test_a_typed_kind_reads_as_typing(app: Flask, admin: Dialogue) -> None:
    say_all(admin, "/unlink", "oa", "hủy")
    assert audit_lines(admin)[1].endswith(f"{ADMIN} gõ “oa” (bước chọn App ID hay OA): xong")
