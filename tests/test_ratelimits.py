"""Limits on sending codes: per number, per account, and the global SMS ceiling."""

from __future__ import annotations

import time
from typing import Any

import redis

from bot import create_app
from bot.config import load_settings
from bot.keys import UserRef
from bot.metrics import SMS_CEILING
from bot.verification.limits import SendLimits
from tests.helpers import Dialogue

PHONE = "+84912345678"


def limits(rdb: redis.Redis, redis_url: str, **overrides: Any) -> SendLimits:
    """Limits with some settings changed."""
    return SendLimits(rdb, load_settings({"REDIS_URL": redis_url, "BOT_SANDBOX": "1"}, overrides))


def test_per_number_per_hour(rdb: redis.Redis, redis_url: str) -> None:
    sends = limits(rdb, redis_url, OTP_SENDS_PER_PHONE_HOUR=2)
    users = [UserRef("oa", f"u{n}") for n in range(3)]
    assert sends.acquire(users[0], PHONE, "sms") is None
    assert sends.acquire(users[1], PHONE, "zalo") is None
    refusal = sends.acquire(users[2], PHONE, "sms")
    assert refusal is not None and refusal.limit == "phone_hour"
    assert 3500 < refusal.retry_after_seconds <= 3601


def test_per_number_per_day(rdb: redis.Redis, redis_url: str) -> None:
    sends = limits(rdb, redis_url, OTP_SENDS_PER_PHONE_HOUR=100, OTP_SENDS_PER_PHONE_DAY=3)
    for n in range(3):
        assert sends.acquire(UserRef("oa", f"u{n}"), PHONE, "sms") is None
    refusal = sends.acquire(UserRef("oa", "u9"), PHONE, "sms")
    assert refusal is not None and refusal.limit == "phone_day"


def test_per_account_per_day_across_numbers(rdb: redis.Redis, redis_url: str) -> None:
    sends = limits(rdb, redis_url, OTP_SENDS_PER_ACCOUNT_DAY=2)
    user = UserRef("oa", "pumper")
    assert sends.acquire(user, "+84912345671", "sms") is None
    assert sends.acquire(user, "+84912345672", "sms") is None
    refusal = sends.acquire(user, "+84912345673", "sms")
    assert refusal is not None and refusal.limit == "account_day"


def test_a_refusal_consumes_nothing(rdb: redis.Redis, redis_url: str) -> None:
    sends = limits(rdb, redis_url, OTP_SENDS_PER_ACCOUNT_DAY=1, OTP_SENDS_PER_PHONE_HOUR=5)
    user = UserRef("oa", "u1")
    assert sends.acquire(user, PHONE, "sms") is None
    assert sends.acquire(user, "+84912345679", "sms") is not None
    # The refused send did not count against the second number.
    assert sends.acquire(UserRef("oa", "u2"), "+84912345679", "sms") is None


def test_global_sms_ceiling_raises_the_alert(rdb: redis.Redis, redis_url: str) -> None:
    sends = limits(rdb, redis_url, SMS_GLOBAL_PER_MINUTE=2)
    for n in range(2):
        assert sends.acquire(UserRef("oa", f"u{n}"), f"+8491234567{n}", "sms") is None
    refusal = sends.acquire(UserRef("oa", "u3"), "+84912345673", "sms")
    assert refusal is not None and refusal.limit == "sms_global"
    assert SMS_CEILING._value.get() == 1
    # Zalo codes are not SMS: they still go out.
    assert sends.acquire(UserRef("oa", "u3"), "+84912345673", "zalo") is None


def test_the_reply_says_when_to_try_again(config: dict[str, Any]) -> None:
    app = create_app({**config, "OTP_SENDS_PER_PHONE_HOUR": 1, "OTP_RESEND_COOLDOWN_SECONDS": 0})
    alice = Dialogue(app)
    alice.say("xác thực"), alice.say("0912345678"), alice.say("1")
    answer = alice.say("gửi lại")
    assert "Bạn đã yêu cầu quá nhiều mã. Bạn thử lại sau 60 phút nhé." == answer


def test_the_sms_ceiling_offers_zalo(config: dict[str, Any]) -> None:
    app = create_app({**config, "SMS_GLOBAL_PER_MINUTE": 1})
    first = Dialogue(app, "u1")
    first.say("xác thực"), first.say("0912345671"), first.say("1")
    second = Dialogue(app, "u2")
    second.say("xác thực"), second.say("0912345672")
    answer = second.say("1")
    assert "Hệ thống SMS đang quá tải" in answer and "gõ 2" in answer
    assert "Đã gửi mã" in second.say("2")


def test_sends_older_than_the_window_leave_room(rdb: redis.Redis, redis_url: str) -> None:
    sends = limits(rdb, redis_url, OTP_SENDS_PER_PHONE_HOUR=1)
    assert sends.acquire(UserRef("oa", "u1"), PHONE, "sms") is None
    assert sends.acquire(UserRef("oa", "u2"), PHONE, "sms") is not None
    _, limiter, item, ident = next(r for r in sends.rules(UserRef("oa", "u2"), PHONE, "sms")
                                   if r[0] == "phone_hour")  # fmt: skip
    key = sends.storage.prefixed_key(item.key_for("otp", "phone_hour", ident))
    rdb.lset(key, 0, time.time() - 3601)  # the one send, an hour and a second ago
    assert sends.acquire(UserRef("oa", "u2"), PHONE, "sms") is None


def test_one_acquire_counts_one_unit_in_each_window(rdb: redis.Redis, redis_url: str) -> None:
    sends = limits(rdb, redis_url)
    user = UserRef("oa", "u1")
    assert sends.acquire(user, PHONE, "sms") is None
    for name, limiter, item, ident in sends.rules(user, PHONE, "sms"):
        # The library reads what the script wrote: its windows' own format.
        stats = limiter.get_window_stats(item, "otp", name, ident)
        assert stats.remaining == item.amount - 1, name
