"""Anyone asking how to unlink gets the Cloud Account console steps, in vi and en."""

from __future__ import annotations

import pytest
import redis
from flask import Flask

from tests.helpers import OA_ID, Dialogue

STEPS_VI = "Cài đặt → Quản lý tài sản"
STEPS_EN = "Settings → Asset management"


@pytest.mark.parametrize(
    "question",
    [
        "hủy liên kết",
        "huy lien ket",
        "Hủy liên kết?",
        "cách hủy liên kết OA",
        "cach huy lien ket oa",
        "cách hủy liên kết App ID",
        "unlink",
        "Unlink",
        "how to unlink",
    ],
)
def test_the_questions_get_the_guide(app: Flask, question: str) -> None:
    answer = Dialogue(app, "u1").say(question)
    assert STEPS_VI in answer
    for step in ('"Ứng dụng đã liên kết"', '"OA đã liên kết"', '"Hủy liên kết"', "xác nhận"):
        assert step in answer


def test_the_guide_in_english(app: Flask) -> None:
    d = Dialogue(app, "u1")
    d.say("/lang en")
    answer = d.say("cách hủy liên kết OA")
    assert STEPS_EN in answer
    for step in ('"Linked apps"', '"Linked OAs"', '"Unlink"', "confirm"):
        assert step in answer


def test_the_guide_keeps_an_ongoing_dialogue(app: Flask, rdb: redis.Redis) -> None:
    d = Dialogue(app, "u1")
    d.say("xác thực")
    assert "1. SMS" in d.say("0912345678")
    assert STEPS_VI in d.say("hủy liên kết")
    assert b"verify:awaiting_method" in (rdb.get(f"conv:{{{OA_ID}:u1}}") or b"")
    assert "Đã gửi mã" in d.say("1")  # and the dialogue goes on


def test_the_guide_is_not_an_admin_command(app: Flask, rdb: redis.Redis) -> None:
    assert STEPS_VI in Dialogue(app, "u1").say("unlink")
    assert rdb.xlen("audit:admin") == 0


def test_plain_cancel_is_not_the_guide(app: Flask) -> None:
    assert STEPS_VI not in Dialogue(app, "u1").say("hủy")


def test_the_guide_while_the_bot_waits_for_a_phone_number(app: Flask, rdb: redis.Redis) -> None:
    d = Dialogue(app, "u1")
    assert "số điện thoại" in d.say("xác thực")
    answer = d.say("cách hủy liên kết OA")
    assert STEPS_VI in answer and "Đây không phải số điện thoại" not in answer
    assert b"verify:awaiting_phone" in (rdb.get(f"conv:{{{OA_ID}:u1}}") or b"")
    assert "1. SMS" in d.say("0912345678")  # the dialogue goes on
