"""The /unlink dialogue as admins live it: real webhook, signed events, real workers."""

from __future__ import annotations

import pytest
import redis
from flask import Flask

from bot.services import services_of
from bot.zalo.token_store import RedisTokenStorage
from tests.adminkit import (
    ADMIN,
    EXTRA_APP,
    OTHER_OA,
    all_linked,
    asset_status,
    audit_steps,
    say_all,
)
from tests.helpers import APP_ID, OA_ID, Dialogue, last_buttons, run_jobs, text_event

PICK_EXTRA = ["/unlink", "1", "2"]  # App ID, then the second app of the list


def test_unlinking_an_app_id_step_by_step(app: Flask, admin: Dialogue, rdb: redis.Redis) -> None:
    RedisTokenStorage(rdb, EXTRA_APP, OA_ID).seed("access-x", "refresh-x")
    kinds = admin.say("/unlink")
    assert "1. App ID" in kinds and "2. OA" in kinds
    listed = admin.say("1")
    assert f"1. Sandbox app ({APP_ID})" in listed and f"2. Shop mini app ({EXTRA_APP})" in listed
    plan = admin.say("2")
    assert f"App ID Shop mini app ({EXTRA_APP})" in plan
    assert (
        "xóa token bot đã lưu" in plan
        and "chưa hủy liên kết trong Zalo Cloud Account" in plan
        and "XÁC NHẬN" in plan
    )
    assert asset_status(app, "app", EXTRA_APP) == "linked"  # nothing happens before confirm
    result = admin.say("XÁC NHẬN")
    assert f"Đang cho bot ngừng dùng App ID {EXTRA_APP}" in result
    assert f"Bot đã ngừng dùng App ID {EXTRA_APP}: token đã xóa" in result
    asset = services_of(app).assets.get("app", EXTRA_APP)
    assert asset is not None and asset.status == "unlinked" and asset.unlinked_by == ADMIN
    assert asset.name == "Shop mini app" and asset.unlinked_at  # kept, with its history
    assert RedisTokenStorage(rdb, EXTRA_APP, OA_ID).load() is None
    assert rdb.keys("conv:*") == []  # the dialogue is over
    assert EXTRA_APP not in admin.say("/assets").partition("Bot đã ngừng dùng")[0]


def test_unlinking_another_oa_by_typing_its_id_needs_one_confirmation(
    app: Flask, admin: Dialogue
) -> None:
    services_of(app).assets.link("oa", OTHER_OA, "Chi nhánh Hà Nội")
    listed = say_all(admin, "/unlink", "2")
    assert f"{OA_ID}" in listed and f"Chi nhánh Hà Nội ({OTHER_OA})" in listed
    assert f"OA Chi nhánh Hà Nội ({OTHER_OA})" in admin.say(OTHER_OA)
    assert f"Bot đã ngừng dùng OA {OTHER_OA}:" in admin.say("xac nhan")
    assert asset_status(app, "oa", OTHER_OA) == "unlinked"
    assert asset_status(app, "oa", OA_ID) == "linked"


def test_unlinking_the_oa_of_this_chat_needs_a_second_confirmation(
    app: Flask, admin: Dialogue
) -> None:
    assert f"OA Sandbox OA ({OA_ID})" in say_all(admin, "/unlink", "2", "1")
    warning = admin.say("xác nhận")
    assert "CẢNH BÁO" in warning and "bot sẽ không trả lời bạn ở đây được nữa" in warning
    assert asset_status(app, "oa", OA_ID) == "linked"  # one confirmation is not enough
    assert f"Bot đã ngừng dùng OA {OA_ID}:" in admin.say("confirm")
    assert asset_status(app, "oa", OA_ID) == "unlinked"
    assert admin.say("/assets") == ""  # events through an unlinked OA get no answer


def test_unlinking_the_app_of_this_chat_needs_a_second_confirmation(
    app: Flask, admin: Dialogue
) -> None:
    admin.say(f"/unlink app {APP_ID}")
    assert "CẢNH BÁO" in admin.say("confirm")
    assert "Đã hủy, không có gì thay đổi" in admin.say("ok")  # not the confirm word
    assert asset_status(app, "app", APP_ID) == "linked"
    admin.say(f"/unlink app {APP_ID}"), admin.say("confirm")
    assert f"Bot đã ngừng dùng App ID {APP_ID}:" in admin.say("XÁC NHẬN")
    assert asset_status(app, "app", APP_ID) == "unlinked"


def test_the_shortcut_jumps_to_the_confirmation(app: Flask, admin: Dialogue) -> None:
    plan = admin.say(f"/unlink app {EXTRA_APP}")
    assert f"Bot sẽ ngừng dùng App ID Shop mini app ({EXTRA_APP})" in plan
    assert f"Bot đã ngừng dùng App ID {EXTRA_APP}:" in admin.say("Xác Nhận")
    assert asset_status(app, "app", EXTRA_APP) == "unlinked"


def test_the_kind_alone_lists_that_kind(admin: Dialogue) -> None:
    listed = admin.say("/unlink oa")
    assert f"1. Sandbox OA ({OA_ID})" in listed and "Chọn OA" in listed


@pytest.mark.parametrize(
    "text", [f"/unlink app 999{EXTRA_APP}", f"/unlink oa {EXTRA_APP}", f"/unlink app {OA_ID}"]
)
def test_the_shortcut_with_an_unknown_id_changes_nothing(
    app: Flask, admin: Dialogue, rdb: redis.Redis, text: str
) -> None:
    assert "Không tìm thấy" in admin.say(text)
    assert all_linked(app) and rdb.keys("conv:*") == []


@pytest.mark.parametrize("word", ["menu", "help", "/lang en", "unlink", "xác thực"])
def test_at_the_confirmation_any_other_word_cancels(
    app: Flask, admin: Dialogue, rdb: redis.Redis, word: str
) -> None:
    say_all(admin, *PICK_EXTRA)
    assert admin.say(word).startswith("Đã hủy")
    assert rdb.keys("conv:*") == []
    admin.say("confirm")  # too late: nothing is waiting for it
    run_jobs(app)
    assert all_linked(app)


def test_an_already_unlinked_asset_cannot_be_picked_again(app: Flask, admin: Dialogue) -> None:
    say_all(admin, f"/unlink app {EXTRA_APP}", "confirm")
    assert (
        admin.say(f"/unlink app {EXTRA_APP}") == f"Bot đã ngừng dùng App ID {EXTRA_APP} từ trước."
    )
    assert audit_steps(app)[-1][4] == "already"  # as the admin was told
    assert EXTRA_APP not in say_all(admin, "/unlink", "1")


def test_an_unknown_id_is_audited_as_not_found(app: Flask, admin: Dialogue) -> None:
    assert admin.say("/unlink app 999") == "Không tìm thấy App ID 999 đang liên kết."
    assert audit_steps(app)[-1] == (ADMIN, "/unlink app 999", "entry", "app:999", "unknown")
    assert (
        admin.say("/audit")
        .splitlines()[1]
        .endswith(f"{ADMIN} gõ “/unlink app 999” — App ID 999: không tìm thấy")
    )


@pytest.mark.parametrize(
    ("steps", "state"),
    [
        (["/unlink"], "choose_kind"),
        (["/unlink", "1"], "choose_asset"),
        (PICK_EXTRA, "confirm"),
        ([f"/unlink oa {OA_ID}", "confirm"], "confirm_again"),
    ],
)
def test_cancel_at_each_step(
    app: Flask, admin: Dialogue, rdb: redis.Redis, steps: list[str], state: str
) -> None:
    say_all(admin, *steps)
    assert admin.say("hủy").startswith("Đã hủy")
    assert all_linked(app) and rdb.keys("conv:*") == []
    target = {"confirm": f"app:{EXTRA_APP}", "confirm_again": f"oa:{OA_ID}"}.get(state, "")
    assert audit_steps(app)[-1] == (ADMIN, "hủy", f"admin_unlink:{state}", target, "cancelled")
    assert admin.say("confirm") != ""  # a late confirm word unlinks nothing
    assert all_linked(app)


@pytest.mark.parametrize("word", ["ok", "yes", "có", "xác nhận đi", "1", "verify", "/assets"])
def test_any_other_word_at_the_confirmation_cancels(
    app: Flask, admin: Dialogue, rdb: redis.Redis, word: str
) -> None:
    say_all(admin, *PICK_EXTRA)
    assert admin.say(word) == "Đã hủy, không có gì thay đổi. Gõ /unlink để bắt đầu lại."
    assert all_linked(app) and rdb.keys("conv:*") == []
    assert audit_steps(app)[-1][2:] == ("admin_unlink:confirm", f"app:{EXTRA_APP}", "cancelled")


def test_a_wrong_pick_asks_again(admin: Dialogue) -> None:
    say_all(admin, "/unlink")
    assert "Bạn chọn 1 (App ID) hoặc 2 (OA) nhé." in admin.say("3")
    admin.say("1")
    assert "Mình không thấy lựa chọn này" in admin.say("7")
    assert "Mình không thấy lựa chọn này" in admin.say("³")  # a digit to isdigit(), not int()
    assert f"App ID Shop mini app ({EXTRA_APP})" in admin.say("２")  # full-width: the 2nd


def test_english_dialogue(admin: Dialogue) -> None:
    admin.say("/lang en")
    assert "What do you want to unlink?" in admin.say("/unlink")
    assert "type its number or id" in admin.say("app")
    assert "Type CONFIRM" in admin.say("2")
    assert f"The bot no longer uses App ID {EXTRA_APP}: tokens deleted" in admin.say("confirm")


def test_the_result_hands_over_the_console_steps_and_done_is_recorded(
    app: Flask, admin: Dialogue
) -> None:
    say_all(admin, f"/unlink app {EXTRA_APP}")
    result = admin.say("#confirm")  # the Confirm button
    assert "https://account.zalo.cloud" in result and "Cài đặt → Quản lý tài sản" in result
    assert f'"Liên kết ứng dụng", tìm App ID {EXTRA_APP}' in result
    done, listing = last_buttons(app, ADMIN)
    assert done == {"title": "Đã hủy trên Zalo", "payload": f"#/unlink done app {EXTRA_APP}"}
    assert listing["payload"] == "#/assets"
    assert "Đã ghi nhận" in admin.say(done["payload"])  # the button, tapped
    assert "ghi nhận là đã hủy trên Zalo từ trước" in admin.say(done["payload"])  # tapped twice
    assert audit_steps(app)[-2:][0][4] == "console confirmed"
    assert audit_steps(app)[-1][4] == "console already"
    assets = admin.say("/assets")
    assert f"Shop mini app ({EXTRA_APP}): ngừng dùng lúc " in assets
    assert "Zalo Cloud Account: đã hủy liên kết lúc " in assets
    asset = services_of(app).assets.get("app", EXTRA_APP)
    assert asset is not None and asset.console_confirmed_at


def test_done_before_the_unlink_says_it_is_still_used(app: Flask, admin: Dialogue) -> None:
    answer = admin.say(f"/unlink done app {EXTRA_APP}")
    assert answer.startswith(f"Bot đang dùng App ID {EXTRA_APP} (liên kết từ ")
    assert f"gõ /unlink app {EXTRA_APP}" in answer
    (again,) = last_buttons(app, ADMIN)
    assert again["payload"] == f"#/unlink app {EXTRA_APP}"
    assert "Cách dùng: /unlink done <id>" in admin.say("/unlink done")
    assert "Gõ XÁC NHẬN" in admin.say(again["payload"])  # the way on: the confirmation


def test_done_after_a_relink_says_the_bot_uses_it_again(app: Flask, admin: Dialogue) -> None:
    say_all(admin, f"/unlink app {EXTRA_APP}", "confirm")
    services_of(app).assets.link("app", EXTRA_APP)  # the sandbox's Relink, or `assets link`
    answer = admin.say(f"/unlink done app {EXTRA_APP}")
    assert answer.startswith(f"Bot đang dùng App ID {EXTRA_APP}") and "vẫn" not in answer
    assert audit_steps(app)[-1][4] == "not unlinked"
    assert admin.say("/audit").splitlines()[-1].endswith("chưa ghi nhận: bot vẫn đang dùng")


def test_unlinking_this_chats_own_app_offers_no_button_it_could_not_hear(
    app: Flask, admin: Dialogue
) -> None:
    say_all(admin, f"/unlink app {APP_ID}", "confirm")
    report = admin.say("confirm")
    assert "bot không nhận được tin nhắn ở đây nữa" in report
    assert f"flask assets console-done app {APP_ID}" in report
    assert last_buttons(app, ADMIN) == []


def test_an_app_unlink_names_the_oas_that_fall_silent_with_it(app: Flask, admin: Dialogue) -> None:
    own = admin.send(text_event(ADMIN, f"/unlink app {APP_ID}"))
    assert own[0].startswith("Lưu ý: App ID này đang phục vụ 1 OA: Sandbox OA.")  # by name
    assert own[1].startswith("Bot sẽ ngừng dùng App ID")  # the question comes last, with buttons
    admin.say("hủy")
    extra = admin.send(text_event(ADMIN, f"/unlink app {EXTRA_APP}"))
    assert extra[0] == (
        f"Lưu ý: App ID này đang phục vụ 1 OA: {OTHER_OA}. Khi bot ngừng dùng App, bot cũng "
        "ngừng trả lời tin nhắn của các OA này."
    )
    admin.say("hủy")
    assert len(admin.send(text_event(ADMIN, f"/unlink oa {OA_ID}"))) == 1  # an OA: no note
