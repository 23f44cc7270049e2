"""Phone verification as dialogues: the real webhook, real workers, codes from the phone inbox."""

from __future__ import annotations

import time
from typing import Any

import pytest
import redis
from flask import Flask

from bot import create_app
from tests.helpers import Dialogue, last_code, phone_codes, submit_info_event, text_event

PHONE = "+84912345678"


@pytest.fixture
def alice(app: Flask) -> Dialogue:
    """User u1 talking to a sandbox bot."""
    return Dialogue(app, "u1")


def make_app(config: dict[str, Any], **overrides: Any) -> Flask:
    """The sandbox bot with some settings changed."""
    return create_app({**config, **overrides})


def verify_by_sms(d: Dialogue, phone_typed: str = "0912 345 678", phone: str = PHONE) -> str:
    """The whole SMS dialogue; returns the last answer."""
    first = d.say("xác thực")
    assert "số điện thoại" in first or "Số bạn đã lưu" in first
    assert "1. SMS" in d.say(phone_typed)
    assert f"Đã gửi mã 6 chữ số qua SMS đến số 09xx xxx {phone[-3:]}" in d.say("1")
    return d.say(last_code(d.app, phone, "sms"))


def test_whole_sms_dialogue_ends_verified(alice: Dialogue) -> None:
    answer = verify_by_sms(alice)
    assert "Xác thực thành công! Số 09xx xxx 678 đã được xác thực qua SMS" in answer
    assert "xác thực zalo" in answer  # SMS-verified users are offered Zalo as well
    status = alice.say("trạng thái")
    assert "09xx xxx 678" in status and "SMS: đã xác thực" in status
    assert "Zalo: chưa xác thực" in status


def test_whole_zalo_dialogue_ends_verified(alice: Dialogue) -> None:
    assert "số điện thoại" in alice.say("xác thực zalo")
    assert "qua tin nhắn Zalo" in alice.say("84912345678")
    assert phone_codes(alice.app, PHONE, "sms") == []
    answer = alice.say(last_code(alice.app, PHONE, "zalo"))
    assert "đã được xác thực qua Zalo" in answer


def test_sms_verified_user_adds_zalo_with_the_number_on_file(alice: Dialogue) -> None:
    verify_by_sms(alice)
    assert "Zalo đến số 09xx xxx 678.\n1. Gửi đến số này" in alice.say("#verify_zalo")
    assert "2 phút" in alice.say("1")
    alice.say(last_code(alice.app, PHONE, "zalo"))
    status = alice.say("status")
    assert "SMS: đã xác thực" in status and "Zalo: đã xác thực" in status


def test_english_dialogue(alice: Dialogue) -> None:
    alice.say("/lang en")
    assert "type the phone number" in alice.say("verify")
    assert "How should I send the code" in alice.say("+84 912 345 678")
    assert "valid for 5 minutes" in alice.say("sms")
    assert "Verified!" in alice.say(last_code(alice.app, PHONE))


def test_shared_phone_from_the_form_fills_the_number(alice: Dialogue) -> None:
    alice.say("xác thực")
    answer = "\n".join(alice.send(submit_info_event("u1", phone="84912345678")))
    assert "09xx xxx 678" in answer and "1. SMS" in answer


def test_the_share_form_is_offered(alice: Dialogue) -> None:
    replies = alice.send(text_event("u1", "verify"))
    assert replies[-1] == "request_user_info"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("không nhớ số", "chưa phải số điện thoại"),
        ("0912 345 67", "không hợp lệ"),
        ("024 3812 3456", "số máy bàn"),
        ("+66 81 234 5678", "chỉ nhận số điện thoại Việt Nam."),
        ("0168 345 6789", "đầu số mới: 0383456789"),
    ],
)
def test_each_rejection_has_its_own_reply(alice: Dialogue, typed: str, expected: str) -> None:
    alice.say("xác thực")
    assert expected in alice.say(typed)
    assert "1. SMS" in alice.say("0912345678")  # still on the phone step


def test_numbers_typed_every_way_are_the_same_number(app: Flask) -> None:
    for user, typed in enumerate(["0912345678", "+84 912 345 678", "84912345678", "0912.345.678"]):
        d = Dialogue(app, f"v{user}")
        d.say("verify")
        assert "09xx xxx 678" in d.say(typed)


def test_a_number_verified_by_another_account_is_refused_and_no_code_sent(app: Flask) -> None:
    verify_by_sms(Dialogue(app, "u1"))
    sent = len(phone_codes(app, PHONE))
    bob = Dialogue(app, "u2")
    bob.say("xác thực")
    refused = bob.say("0912345678")  # never by whom
    assert "Số này hiện không dùng để xác thực được" in refused
    assert len(phone_codes(app, PHONE)) == sent


def test_wrong_code_says_how_many_tries_remain(alice: Dialogue) -> None:
    alice.say("xác thực"), alice.say("0912345678"), alice.say("1")
    good = last_code(alice.app, PHONE)
    wrong = "000000" if good != "000000" else "111111"
    assert "Bạn còn 4 lần thử" in alice.say(wrong)
    assert "Bạn còn 3 lần thử" in alice.say(wrong)
    assert "thành công" in alice.say(good)


def test_codes_with_spaces_and_full_width_digits_are_accepted(alice: Dialogue) -> None:
    alice.say("xác thực"), alice.say("0912345678"), alice.say("1")
    code = last_code(alice.app, PHONE)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    assert "thành công" in alice.say(f" {full_width[:3]} {full_width[3:]} ")


def test_fifth_wrong_code_locks_and_the_right_code_is_refused(alice: Dialogue) -> None:
    alice.say("xác thực"), alice.say("0912345678"), alice.say("1")
    good = last_code(alice.app, PHONE)
    wrong = "000000" if good != "000000" else "111111"
    for _ in range(4):
        alice.say(wrong)
    assert "Bạn đã nhập sai mã 5 lần nên tạm thời chưa xác thực được. Sau " in alice.say(wrong)
    assert "tạm thời chưa xác thực được. Bạn thử lại sau " in alice.say("xác thực")
    # The right code, too late: not checked, and the lock is recalled with until when.
    late = alice.say(good)
    assert late.startswith("Mình chưa kiểm tra mã này vì bạn đã nhập sai mã quá nhiều lần.")
    assert " ngày " in late and "thành công" not in late


def test_a_number_two_accounts_locked_is_refused_to_others_without_until_when(
    app: Flask,
) -> None:
    for name in ("u1", "u3"):  # one account alone cannot lock it: its own 5 run out first
        d = Dialogue(app, name)
        d.say("xác thực"), d.say("0912345678"), d.say("1")
        for _ in range(5):
            d.say("999999" if last_code(app, PHONE) != "999999" else "888888")
    bob = Dialogue(app, "u2")
    bob.say("xác thực")
    refused = bob.say("0912345678")  # refused at the number step, never until when
    assert "Số này hiện không dùng để xác thực được" in refused and "khóa" not in refused
    assert "1. SMS" in bob.say("0987654321")  # and bob stays there to give another


def test_lock_lifts_after_its_time(config: dict[str, Any]) -> None:
    app = make_app(config, OTP_LOCK_SECONDS=1, OTP_RESEND_COOLDOWN_SECONDS=0)
    alice = Dialogue(app)
    alice.say("xác thực"), alice.say("0912345678"), alice.say("1")
    for _ in range(5):
        alice.say("999999" if last_code(app, PHONE) != "999999" else "888888")
    time.sleep(1.2)
    alice.say("xác thực"), alice.say("0912345678")
    assert "Đã gửi mã" in alice.say("1")


def test_expired_code_offers_resend(config: dict[str, Any]) -> None:
    app = make_app(config, OTP_SMS_TTL_SECONDS=1, OTP_RESEND_COOLDOWN_SECONDS=0)
    alice = Dialogue(app)
    alice.say("xác thực"), alice.say("0912345678"), alice.say("1")
    code = last_code(app, PHONE)
    time.sleep(1.2)
    assert "Mã này đã hết hạn" in alice.say(code)
    assert "Đã gửi mã" in alice.say("gửi lại")
    assert "thành công" in alice.say(last_code(app, PHONE))


def test_resend_within_the_cooldown_says_how_long_to_wait(config: dict[str, Any]) -> None:
    app = make_app(config, OTP_RESEND_COOLDOWN_SECONDS=60)
    alice = Dialogue(app)
    alice.say("xác thực"), alice.say("0912345678"), alice.say("1")
    assert "Bạn đợi 60 giây" in alice.say("gửi lại")
    assert len(phone_codes(app, PHONE)) == 1


def test_a_new_code_replaces_the_old_one(config: dict[str, Any]) -> None:
    app = make_app(config, OTP_RESEND_COOLDOWN_SECONDS=0)
    alice = Dialogue(app)
    alice.say("xác thực"), alice.say("0912345678"), alice.say("1")
    first = last_code(app, PHONE)
    alice.say("resend")
    second = last_code(app, PHONE)
    if first != second:
        assert "Mã chưa đúng" in alice.say(first)
    assert "thành công" in alice.say(second)


def test_change_number_and_change_method(alice: Dialogue) -> None:
    alice.say("xác thực"), alice.say("0912345678"), alice.say("1")
    assert "số điện thoại" in alice.say("đổi số")
    assert "09xx xxx 679" in alice.say("0912345679")
    assert "Đã gửi mã" in alice.say("2")
    assert "1. SMS" in alice.say("đổi phương thức")


@pytest.mark.parametrize(
    "steps",
    [["xác thực"], ["xác thực", "0912345678"], ["xác thực", "0912345678", "1"], ["xác thực zalo"]],
)
def test_cancel_at_every_step(alice: Dialogue, rdb: redis.Redis, steps: list[str]) -> None:
    for step in steps:
        alice.say(step)
    assert alice.say("hủy").startswith("Đã hủy")
    assert rdb.keys("conv:*") == []


def test_changing_the_number_releases_the_old_one(app: Flask) -> None:
    alice = Dialogue(app, "u1")
    verify_by_sms(alice)
    verify_by_sms(alice, "0987654321", "+84987654321")
    status = alice.say("status")
    assert "09xx xxx 321" in status
    bob = Dialogue(app, "u2")
    bob.say("xác thực")
    assert "1. SMS" in bob.say("0912345678")  # free again


def test_a_duplicate_delivery_never_sends_a_second_code(alice: Dialogue) -> None:
    alice.say("xác thực"), alice.say("0912345678")
    choose_sms = text_event("u1", "1")
    alice.send(choose_sms)
    alice.send(choose_sms)
    assert len(phone_codes(alice.app, PHONE)) == 1


def test_keywords_still_work_while_the_bot_waits_for_a_number(alice: Dialogue) -> None:
    alice.say("xác thực")
    assert "Bạn chưa xác thực số điện thoại nào" in alice.say("trạng thái")  # not a bad number
    alice.say("xác thực")
    assert "số điện thoại" in alice.say("đổi phương thức")  # a number comes first
    assert "Đây chưa phải số điện thoại" in alice.say("số của tôi")
    assert "qua tin nhắn Zalo" in alice.say("xác thực zalo") + alice.say("0912345678")
