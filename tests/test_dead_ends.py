"""No dead ends: every state of every flow, every global word; each answer says where the
user is and what to do next (SPEC §2 item 10). One table, one dialogue per cell."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from bot.keys import UserRef
from bot.services import services_of
from tests.helpers import OA_ID, Dialogue, last_buttons, last_code

PHONE = "+84912345678"
ADMIN = "boss"


def wrong(app: Flask) -> str:
    """A code that is not the one the phone got."""
    return "999999" if last_code(app, PHONE) != "999999" else "888888"


def to_code(app: Flask, user: str = "u1") -> Dialogue:
    """u1 waiting for an SMS code."""
    d = Dialogue(app, user)
    d.say("xác thực"), d.say("0912 345 678"), d.say("1")
    return d


def locked_account(app: Flask, user: str = "u1") -> Dialogue:
    """user locked by its own five wrong codes (idle now)."""
    d = to_code(app, user)
    for _ in range(5):
        d.say(wrong(app))
    return d


def number_locked(app: Flask) -> Dialogue:
    """u2 at the number step, just refused a number two other accounts locked."""
    locked_account(app), locked_account(app, "u3")
    d = Dialogue(app, "u2")
    d.say("xác thực"), d.say("0912345678")
    return d


def on_file(app: Flask) -> Dialogue:
    """u1 with a verified number, asked whether to use it again."""
    d = to_code(app)
    d.say(last_code(app, PHONE))
    d.say("xác thực")
    return d


def admin(*steps: str) -> Callable[[Flask], Dialogue]:
    """An admin part way into /unlink."""

    def setup(app: Flask) -> Dialogue:
        services_of(app).admins.add(ADMIN)
        d = Dialogue(app, ADMIN)
        for step in steps:
            d.say(step)
        return d

    return setup


def said(*steps: str) -> Callable[[Flask], Dialogue]:
    """u1 after typing steps."""

    def setup(app: Flask) -> Dialogue:
        d = Dialogue(app, "u1")
        for step in steps:
            d.say(step)
        return d

    return setup


SETUPS: dict[str, Callable[[Flask], Dialogue]] = {
    "idle": said(),
    "idle, locked": locked_account,
    "confirm number": on_file,
    "awaiting phone": said("xác thực"),
    "awaiting phone, number locked": number_locked,
    "awaiting method": said("xác thực", "0912 345 678"),
    "awaiting code": to_code,
    "unlink: kind": admin("/unlink"),
    "unlink: asset": admin("/unlink", "1"),
    "unlink: confirm": admin("/unlink", "1", "1"),
    "unlink: confirm again": admin("/unlink", "1", "1", "xác nhận"),
}

WORDS = ("hủy", "help", "gửi lại", "đổi số", "đổi phương thức", "trạng thái", "#sms", "#confirm")
PHONE_STEP = ("Bạn nhập số điện thoại cần xác thực", "verify:awaiting_phone")
CANCELLED = ("Đã hủy. Bạn cần gì thêm", None)
STALE = "Lựa chọn đó thuộc một tin nhắn cũ"
NOTHING_TO_RESEND = "Hiện chưa có mã nào để gửi lại"
LOCKED = "Bạn đã nhập sai mã quá nhiều lần nên tạm thời chưa xác thực được. Bạn thử lại sau "
# state -> the answer to each of WORDS: (a fragment of it, the state the user is left in).
EXPECTED: dict[str, tuple[tuple[str, str | None], ...]] = {
    "idle": (
        ("Hiện không có việc gì đang làm dở", None),
        ("Mình có thể giúp bạn", None),
        (NOTHING_TO_RESEND, None),
        PHONE_STEP,
        PHONE_STEP,
        ('Bạn chưa xác thực số điện thoại nào. Bấm "Xác thực"', None),
        (STALE, None),
        (STALE, None),
    ),
    "idle, locked": (
        ("Hiện không có việc gì đang làm dở", None),
        ("Mình có thể giúp bạn", None),
        (LOCKED, None),
        (LOCKED, None),
        (LOCKED, None),
        ("Bạn chưa xác thực số điện thoại nào.\nDo nhập sai mã quá nhiều lần", None),
        (STALE, None),
        (STALE, None),
    ),
    "confirm number": (
        CANCELLED,
        ("Bạn đang ở bước xác nhận số điện thoại", "verify:confirm_number"),
        ("Mình chưa gửi mã nào ở bước này", "verify:confirm_number"),
        PHONE_STEP,
        ("Bạn muốn nhận mã cho số 09xx xxx 678 qua kênh nào?", "verify:awaiting_method"),
        ("Bạn vẫn đang ở bước xác nhận số điện thoại", "verify:confirm_number"),
        (STALE, "verify:confirm_number"),
        (STALE, "verify:confirm_number"),
    ),
    "awaiting phone": (
        CANCELLED,
        ("Bạn đang ở bước nhập số điện thoại", "verify:awaiting_phone"),
        ("Mình chưa gửi mã nào ở bước này", "verify:awaiting_phone"),
        PHONE_STEP,
        ("Bạn nhập số điện thoại trước, rồi mình hỏi cách nhận mã", "verify:awaiting_phone"),
        ("Bạn vẫn đang ở bước nhập số điện thoại", "verify:awaiting_phone"),
        (STALE, "verify:awaiting_phone"),
        (STALE, "verify:awaiting_phone"),
    ),
    "awaiting method": (
        CANCELLED,
        ("Bạn đang ở bước chọn cách nhận mã", "verify:awaiting_method"),
        ("Mình chưa gửi mã nào ở bước này", "verify:awaiting_method"),
        PHONE_STEP,
        ("Bạn muốn nhận mã cho số 09xx xxx 678 qua kênh nào?", "verify:awaiting_method"),
        ("Bạn vẫn đang ở bước chọn cách nhận mã", "verify:awaiting_method"),
        ("Đã gửi mã 6 chữ số qua SMS", "verify:awaiting_code"),  # a newer choice: taken
        (STALE, "verify:awaiting_method"),
    ),
    "awaiting code": (
        CANCELLED,
        ("Bạn đang ở bước nhập mã xác thực", "verify:awaiting_code"),
        ("Bạn đợi 60 giây nữa", "verify:awaiting_code"),
        PHONE_STEP,
        ("Bạn muốn nhận mã cho số 09xx xxx 678 qua kênh nào?", "verify:awaiting_method"),
        ("Bạn vẫn đang ở bước nhập mã xác thực", "verify:awaiting_code"),
        ("Bạn đợi 60 giây nữa", "verify:awaiting_code"),
        (STALE, "verify:awaiting_code"),
    ),
    "unlink: kind": (
        CANCELLED,
        ("Bạn đang ở bước chọn loại cần hủy liên kết", "admin_unlink:choose_kind"),
        (NOTHING_TO_RESEND, "admin_unlink:choose_kind"),
        PHONE_STEP,  # starting verification leaves the unlink, as any entry word does
        PHONE_STEP,
        ("Bạn vẫn đang ở bước chọn loại cần hủy liên kết", "admin_unlink:choose_kind"),
        (STALE, "admin_unlink:choose_kind"),
        (STALE, "admin_unlink:choose_kind"),
    ),
    "unlink: asset": (
        CANCELLED,
        ("Bạn đang ở bước chọn App ID hoặc OA cần hủy liên kết", "admin_unlink:choose_asset"),
        (NOTHING_TO_RESEND, "admin_unlink:choose_asset"),
        PHONE_STEP,
        PHONE_STEP,
        ("Bạn vẫn đang ở bước chọn App ID hoặc OA cần hủy liên kết", "admin_unlink:choose_asset"),
        (STALE, "admin_unlink:choose_asset"),
        (STALE, "admin_unlink:choose_asset"),
    ),
    # At a confirmation every word but the confirming one cancels (SPEC §3).
    "unlink: confirm": (
        *[("Đã hủy, không có gì thay đổi. Gõ /unlink để bắt đầu lại.", None)] * 7,
        (
            "CẢNH BÁO: bạn đang nhắn tin với bot qua chính App ID này",
            "admin_unlink:confirm_again",
        ),
    ),
    "unlink: confirm again": (
        *[("Đã hủy, không có gì thay đổi. Gõ /unlink để bắt đầu lại.", None)] * 7,
        ("Bot đã ngừng dùng App ID", None),
    ),
}
EXPECTED["awaiting phone, number locked"] = EXPECTED["awaiting phone"]
# Whatever the answer, it tells the user what to do next: buttons, or words that say it.
NEXT_STEP_WORDS = ("Gõ", "gõ", "Bấm", "bấm", "nhập", "Nhập", "thử lại", "đợi")
CELLS = [
    (state, word, *expected)
    for state, answers in EXPECTED.items()
    for word, expected in zip(WORDS, answers, strict=True)
]


def test_the_table_covers_every_setup() -> None:
    assert set(EXPECTED) == set(SETUPS)


def test_a_number_locked_by_other_accounts_is_refused_at_the_number_step(app: Flask) -> None:
    locked_account(app), locked_account(app, "u3")
    bob = Dialogue(app, "u2")
    bob.say("xác thực")
    refused = bob.say("0912 345 678")
    assert "Số này hiện không dùng để xác thực được" in refused and "khóa" not in refused
    assert "Bạn nhập số khác" in refused and 'gõ "giúp"' in refused
    assert last_buttons(app, "u2")  # menu and cancel: never a dead end
    assert "1. SMS" in bob.say("0987 654 321")


@pytest.mark.parametrize(("state", "word", "fragment", "next_state"), CELLS)
def test_no_dead_ends(
    app: Flask, state: str, word: str, fragment: str, next_state: str | None
) -> None:
    user = SETUPS[state](app)
    answer = user.say(word)
    assert fragment in answer, answer
    where = services_of(app).conversations.load(UserRef(OA_ID, user.user)).state
    assert where == next_state
    buttons = last_buttons(app, user.user)
    assert buttons or any(w in answer for w in NEXT_STEP_WORDS), answer
