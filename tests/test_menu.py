"""The menu as dialogues: its numbers and words work where it is shown, customers see theirs
only, and nothing typed goes unanswered."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.adminkit import ADMIN, admin_app
from tests.helpers import Dialogue, last_buttons, last_code, text_event, user_event

PHONE = "+84912345678"
ASK_PHONE = "Bạn nhập số điện thoại cần xác thực"
METHOD = "Bạn muốn nhận mã cho số 09xx xxx 678 qua kênh nào?"
NOT_UNDERSTOOD = "Xin lỗi, mình chưa hiểu ý bạn.\nMình có thể giúp bạn:"


@pytest.fixture
def alice(app: Flask) -> Dialogue:
    """A customer (u1) talking to a sandbox bot."""
    return Dialogue(app, "u1")


def test_the_menus_numbers_answer_when_idle(alice: Dialogue) -> None:
    assert ASK_PHONE in alice.say("1")
    assert alice.say("hủy").startswith("Đã hủy.")
    assert alice.say("3").startswith("Bạn chưa xác thực số điện thoại nào.")  # the status
    assert ASK_PHONE in alice.say("２")  # full-width, as some keyboards type it
    # 2 opened the Zalo path: the number goes straight to a Zalo code.
    assert alice.say("0912345678").startswith("Đã gửi mã 6 chữ số qua tin nhắn Zalo")


def test_a_number_beyond_the_menu_is_not_understood(alice: Dialogue) -> None:
    answer = alice.send(text_event("u1", "4"))
    assert len(answer) == 1 and answer[0].startswith(NOT_UNDERSTOOD)


def test_the_menu_shown_mid_dialogue_takes_its_numbers_then_the_step_takes_them(
    alice: Dialogue,
) -> None:
    alice.say("xác thực"), alice.say("0912345678")
    shown = "\n".join(alice.send(user_event("user_click_chatnow", "u1")))  # at the method step
    assert "1. Xác thực số điện thoại" in shown and "Bạn vẫn đang ở bước chọn cách nhận mã" in shown
    assert alice.say("3").startswith("Bạn chưa xác thực")  # the menu's 3: the status
    assert METHOD not in alice.say("xác thực")  # restarted: asks for the number again
    alice.say("0912345678")
    assert alice.say("1").startswith("Đã gửi mã 6 chữ số qua SMS")  # the step's own 1: SMS


def test_a_code_or_a_number_after_the_menu_is_still_taken_by_its_step(alice: Dialogue) -> None:
    chat_now = user_event("user_click_chatnow", "u1")
    alice.say("xác thực")
    assert "Mình có thể giúp bạn" in alice.send(chat_now)[0]
    assert METHOD in alice.say("0912 345 678")
    alice.say("1")
    alice.send(user_event("user_click_chatnow", "u1"))
    assert "Xác thực thành công" in alice.say(last_code(alice.app, PHONE, "sms"))


@pytest.mark.parametrize(
    "typed", ["xác thực ạ", "mình muốn xác thực số điện thoại", "xác thực sđt", "Xác thực 🙏"]
)
def test_the_phrasings_of_the_issue_start_verification(alice: Dialogue, typed: str) -> None:
    assert ASK_PHONE in alice.say(typed)


def test_thanks_and_greetings_get_a_warm_word(alice: Dialogue) -> None:
    assert alice.say("cảm ơn").startswith("Không có gì, rất vui được giúp bạn!")
    payloads = [b["payload"] for b in last_buttons(alice.app)]
    assert payloads[:3] == ["#verify", "#verify_zalo", "#status"]
    assert alice.say("chào shop ạ").startswith("Chào bạn! 👋\nMình có thể giúp bạn:")


def test_unknown_text_gets_one_short_answer_and_the_menu(alice: Dialogue) -> None:
    answers = alice.send(text_event("u1", "giá bao nhiêu vậy"))
    assert len(answers) == 1 and answers[0].startswith(NOT_UNDERSTOOD)
    assert last_buttons(alice.app)


def test_a_customer_sees_no_admin_topic(alice: Dialogue) -> None:
    menu = alice.say("menu")
    assert "4." not in menu and "hủy liên kết" not in menu.lower() and "Quản trị" not in menu
    titles = [b["title"] for b in last_buttons(alice.app)]
    assert titles == ["Xác thực", "Xác thực Zalo", "Trạng thái", "English"]
    assert "Cài đặt → Quản lý tài sản" in alice.say("hủy liên kết")  # still reachable by words
    assert "/unlink" not in alice.say("unlink")


def test_an_admin_sees_the_admin_topic_and_its_number(config: dict[str, Any]) -> None:
    admin = Dialogue(admin_app(config), ADMIN)
    menu = admin.say("menu")
    assert "4. Quản trị" in menu
    assert {"title": "Quản trị", "payload": "/help"} in last_buttons(admin.app, ADMIN)
    assert admin.say("4").startswith("Lệnh quản trị:")
    assert "gõ /unlink" in admin.say("cách hủy liên kết OA")


def test_a_code_after_the_dialogue_is_not_checked_and_says_why(alice: Dialogue) -> None:
    assert alice.say("123456").startswith("Mình không chờ mã nào lúc này")
    alice.say("xác thực"), alice.say("0912345678"), alice.say("1")
    good = last_code(alice.app, PHONE, "sms")
    wrong = "000000" if good != "000000" else "111111"
    for _ in range(5):
        alice.say(wrong)
    late = alice.say(good)
    assert late.startswith("Mình chưa kiểm tra mã này vì bạn đã nhập sai mã quá nhiều lần.")
    assert "Bạn thử lại sau " in late and "Xác thực thành công" not in late


@pytest.mark.parametrize("typed", ["sms nhé", "SMS ạ", "1 nhé", "#sms"])
def test_a_steps_own_choices_are_as_tolerant(alice: Dialogue, typed: str) -> None:
    alice.say("xác thực"), alice.say("0912345678")
    assert alice.say(typed).startswith("Đã gửi mã 6 chữ số qua SMS")


def test_a_greeting_or_thanks_mid_dialogue_keeps_the_step(alice: Dialogue) -> None:
    alice.say("xác thực")
    greeted = alice.say("chào bạn")
    assert greeted.startswith("Chào bạn! 👋") and "Bạn đang ở bước nhập số điện thoại" in greeted
    thanked = alice.say("cảm ơn nhé")
    assert "Bạn vẫn đang ở bước nhập số điện thoại" in thanked
    assert METHOD in alice.say("0912345678")
