"""A stranger can neither learn nor block your number (SPEC §2 items 2 and 10, the limits),
tried as an attacker would: in production mode against the loopback fakes."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import redis
from flask import Flask
from prometheus_client import REGISTRY

from bot import create_app
from bot.config import load_settings
from bot.keys import UserRef
from bot.services import services_of
from bot.verification.limits import SendLimits
from tests.helpers import Dialogue, last_code, phone_codes
from tests.portalkit import AUTH, KEY
from tests.production import Chat, production_bot

PHONE = "+84912345678"
LIMITED = "Bạn đã thử nhiều số điện thoại khác nhau"
UNAVAILABLE = "Số này hiện không dùng để xác thực được"


def wrong_for(code: str | None) -> str:
    """A code that is not this one."""
    return "000000" if code != "000000" else "111111"


def gang_up_count(limit: str) -> float:
    """bot_number_gangup_total{limit} so far."""
    return REGISTRY.get_sample_value("bot_number_gangup_total", {"limit": limit}) or 0.0


def test_forty_probes_give_at_most_three_answers_and_the_same_words(
    config: dict[str, Any],
) -> None:
    with production_bot(config, OTP_RESEND_COOLDOWN_SECONDS=0) as (app, zalo, sms):
        owner = Chat(app, zalo, "7000000000000000010")  # 0912 345 678 is in use
        owner.say("xác thực"), owner.say("0912345678"), owner.say("1")
        assert "thành công" in owner.say(sms.last_code_to(PHONE) or "")
        for n in (11, 12):  # two accounts gang up on 0912 000 001: locked
            attacker = Chat(app, zalo, f"70000000000000000{n}")
            attacker.say("xác thực"), attacker.say("0912000001"), attacker.say("1")
            for _ in range(5):
                attacker.say(wrong_for(sms.last_code_to("+84912000001")))
        sent = len(sms.messages_to("+84912000001")) + len(sms.messages_to(PHONE))
        prober = Chat(app, zalo, "7000000000000000099")
        prober.say("xác thực")
        numbers = ["0912345678", "0912000001"] + [f"09870000{n:02d}" for n in range(38)]
        answers = [prober.say("đổi số") and prober.say(number) for number in numbers]
        assert answers[0] == answers[1]  # in use and locked: the same words
        assert UNAVAILABLE in answers[0] and "khóa" not in answers[0]
        told = [a for a in answers if LIMITED not in a]
        assert len(told) == 3  # in use, locked, and a free one (asked the method); no more
        assert all(" ngày " in a for a in answers if LIMITED in a)  # asked to wait, until when
        assert "1. SMS" in prober.say("đổi số") + prober.say("0987000000")  # re-entered: works
        assert len(sms.messages_to("+84912000001")) + len(sms.messages_to(PHONE)) == sent


def test_an_attacker_account_cannot_keep_the_holder_from_a_code(config: dict[str, Any]) -> None:
    with production_bot(config, OTP_RESEND_COOLDOWN_SECONDS=0) as (app, zalo, sms):
        attacker = Chat(app, zalo, "7000000000000000066")
        attacker.say("xác thực"), attacker.say("0912345678"), attacker.say("1")
        refused = [attacker.say("gửi lại") for _ in range(4)]
        assert "quá nhiều mã" in refused[-1]  # its own 3 an hour ran out first
        assert len(sms.messages_to(PHONE)) == 3
        for _ in range(5):
            answer = attacker.say(wrong_for(sms.last_code_to(PHONE)))
        assert "Bạn đã nhập sai mã 5 lần" in answer  # locked itself, not the number
        holder = Chat(app, zalo, "7000000000000000001")
        holder.say("xác thực"), holder.say("0912345678")
        assert "Đã gửi mã" in holder.say("1")
        assert "thành công" in holder.say(sms.last_code_to(PHONE) or "")


def test_twelve_parallel_api_calls_that_send_one_code_spend_one_unit(
    config: dict[str, Any],
) -> None:
    with production_bot(config, PORTAL_API_KEY=KEY) as (app, zalo, sms):
        barrier = threading.Barrier(12)
        statuses: list[int] = []

        def call(n: int) -> None:
            client = app.test_client()
            body = {"account_id": "cz-7", "phone": "0912345678", "channel": "sms"}
            headers = {**AUTH, "Idempotency-Key": f"k{n}"}
            barrier.wait()
            answer = client.post("/api/v1/verifications", json=body, headers=headers)
            statuses.append(answer.status_code)

        threads = [threading.Thread(target=call, args=(n,)) for n in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses) == [201] + [429] * 11  # the others met the cooldown
        limits = services_of(app).verifier.limits
        user = UserRef(services_of(app).settings.zalo_oa_id, "portal:cz-7")
        for name, limiter, item, ident in limits.rules(user, PHONE, "sms"):
            if name != "sms_global":
                stats = limiter.get_window_stats(item, "otp", name, ident)
                assert stats.remaining == item.amount - 1, name  # one unit each, no more


def test_numbers_count_once_and_only_valid_ones_not_held(config: dict[str, Any]) -> None:
    app = create_app(config)
    bob = Dialogue(app, "bob")
    bob.say("xác thực"), bob.say("0987654321"), bob.say("1")
    assert "thành công" in bob.say(last_code(app, "+84987654321"))
    alice = Dialogue(app, "alice")
    alice.say("xác thực"), alice.say("0912345678"), alice.say("1")  # 1: her own, soon held
    assert "thành công" in alice.say(last_code(app, PHONE))
    alice.say("đổi số")
    assert "1. SMS" in alice.say("0912345678")  # the number she holds: not counted again
    alice.say("đổi số")
    for invalid in ("0912", "024 3825 3456", "hello", "+1 415 555 2671"):
        assert LIMITED not in alice.say(invalid)  # invalid input never counts
    assert UNAVAILABLE in alice.say("0987654321")  # 2: in use, counted all the same
    assert UNAVAILABLE in alice.say("0987654321")  # re-entered: not again
    assert "1. SMS" in alice.say("0933333333")  # 3
    alice.say("đổi số")
    limited = alice.say("0944444444")
    assert LIMITED in limited and " ngày " in limited  # until when
    assert last_buttons_payloads(app, "alice") == ["#menu", "#cancel"]  # menu/help or cancel
    assert "1. SMS" in alice.say("0933333333")  # the ones already tried still work


def last_buttons_payloads(app: Flask, user: str) -> list[str]:
    """The payloads of the buttons of the bot's last message to user."""
    from tests.helpers import last_buttons

    return [button["payload"] for button in last_buttons(app, user)]


def test_only_the_account_whose_wrong_code_locked_a_number_learns_until_when(
    config: dict[str, Any],
) -> None:
    app = create_app({**config, "OTP_RESEND_COOLDOWN_SECONDS": 0})
    guessers = [Dialogue(app, name) for name in ("a", "b", "c")]
    for d in guessers:
        d.say("xác thực"), d.say("0912345678"), d.say("1")
    for d, count in zip(guessers[:2], (5, 4), strict=True):
        for _ in range(count):
            d.say(wrong_for(last_code(app, PHONE)))
    locker = guessers[2]
    told = locker.say(wrong_for(last_code(app, PHONE)))  # the number's 10th wrong code
    assert "Số 09xx xxx 678 đang tạm khóa đến" in told and " ngày " in told
    assert "Số 09xx xxx 678 đang tạm khóa đến" in locker.say("0912345678")  # still told
    guessers[1].say("đổi số")
    assert UNAVAILABLE in guessers[1].say("0912345678")  # a guesser that did not lock it
    other = Dialogue(app, "d")
    other.say("xác thực")
    assert UNAVAILABLE in other.say("0912345678")
    assert len(phone_codes(app, PHONE)) == 3


def test_a_gang_up_on_a_numbers_budget_is_counted_and_logged_once(
    rdb: redis.Redis, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    sends = SendLimits(rdb, load_settings({"REDIS_URL": redis_url, "BOT_SANDBOX": "1"}))
    before = gang_up_count("phone_hour")
    accounts = [UserRef("oa", f"g{n}") for n in range(5)]
    outcomes = [sends.acquire(user, PHONE, "sms") for user in accounts for _ in range(3)]
    refused = [o.limit for o in outcomes if o is not None]
    assert outcomes[:10] == [None] * 10  # 3 + 3 + 3 + 1: four accounts to reach 10
    assert refused == ["phone_hour"] * 5  # the fifth account finds the number's budget spent
    assert gang_up_count("phone_hour") == before + 1  # once a window, not once a refusal
    assert "gang-up on +8491*****78" in caplog.text and PHONE not in caplog.text
    owner = sends.acquire(UserRef("oa", "owner"), PHONE, "zalo", owner=True)
    assert owner is None  # the verified owner is not held to the shared budget


def test_one_account_meets_its_own_budget_before_the_numbers(
    rdb: redis.Redis, redis_url: str
) -> None:
    sends = SendLimits(rdb, load_settings({"REDIS_URL": redis_url, "BOT_SANDBOX": "1"}))
    mallory = UserRef("oa", "mallory")
    outcomes = [sends.acquire(mallory, PHONE, "sms") for _ in range(5)]
    assert outcomes[:3] == [None] * 3
    assert {o.limit for o in outcomes[3:] if o is not None} == {"account_phone_hour"}
    assert sends.acquire(UserRef("oa", "holder"), PHONE, "sms") is None


def test_wrong_codes_ganging_up_on_a_number_are_counted(config: dict[str, Any]) -> None:
    app = create_app({**config, "OTP_RESEND_COOLDOWN_SECONDS": 0})
    before = gang_up_count("number_attempts")
    for name in ("x", "y"):
        d = Dialogue(app, name)
        d.say("xác thực"), d.say("0912345678"), d.say("1")
        for _ in range(5):
            d.say(wrong_for(last_code(app, PHONE)))
    assert gang_up_count("number_attempts") == before + 1


def test_unlock_takes_identifiers_whole_and_a_number_lifts_who_locked_at_it(
    config: dict[str, Any],
) -> None:
    app = create_app(config)
    d = Dialogue(app, "u1")
    d.say("xác thực"), d.say("0912345678"), d.say("1")
    for _ in range(5):
        d.say(wrong_for(last_code(app, PHONE)))
    cli = app.test_cli_runner()
    assert "was not locked" in cli.invoke(args=["verification", "unlock", "u1\n"]).output
    assert "unlocked" in cli.invoke(args=["verification", "unlock", "0912345678"]).output
    assert "1. SMS" in d.say("xác thực") + d.say("0912345678")  # its account lock went too
