"""One round trip tells the verifier all it asks of a number (NumberTries.facts): its owner,
its lock and who set it, and the account's count of different numbers, counted as before."""

from __future__ import annotations

import redis

from bot.keys import UserRef
from bot.verification.accounts import AccountStore, NumberClaim, owner_bucket
from bot.verification.codes import phone_lock_key
from bot.verification.numbers import NumberFacts, NumberTries

OA = "oa1"
PHONE = "+84912345678"


def facts(rdb: redis.Redis, user: str, phone: str = PHONE) -> NumberFacts:
    """NumberTries.facts of phone for user, with the limits 2 an hour, 3 a day."""
    tries = NumberTries(rdb, "hash-key", per_hour=2, per_day=3)
    return tries.facts(UserRef(OA, user), phone, owner_bucket(OA, phone), phone_lock_key(phone))


def tried(rdb: redis.Redis, user: str) -> int:
    """How many different numbers user tried."""
    return int(rdb.zcard(UserRef(OA, user).key("otp-numbers")))


def test_a_free_number_is_counted_once(rdb: redis.Redis) -> None:
    assert facts(rdb, "u1") == NumberFacts(None, -2, "", 0)
    assert facts(rdb, "u1") == NumberFacts(None, -2, "", 0)
    assert tried(rdb, "u1") == 1


def test_the_owner_is_told_and_its_own_number_not_counted(rdb: redis.Redis) -> None:
    assert AccountStore(rdb).claim(NumberClaim(OA, "owner", PHONE, "sms", 1))
    assert facts(rdb, "owner").owner == "owner" and tried(rdb, "owner") == 0
    stranger = facts(rdb, "stranger")
    assert stranger.owner == "owner" and tried(rdb, "stranger") == 1  # probing counts


def test_the_lock_and_who_set_it(rdb: redis.Redis) -> None:
    rdb.set(phone_lock_key(PHONE), UserRef(OA, "locker").key("otp-lock"), px=60_000)
    found = facts(rdb, "u1")
    assert 0 < found.lock_ms <= 60_000 and found.locked_by == "otp-lock:{oa1:locker}"


def test_past_the_hourly_limit_a_new_number_waits_and_is_not_counted(rdb: redis.Redis) -> None:
    assert facts(rdb, "u1", "+84912000001").wait_seconds == 0
    assert facts(rdb, "u1", "+84912000002").wait_seconds == 0
    third = facts(rdb, "u1", "+84912000003")
    assert 3500 < third.wait_seconds <= 3600 and tried(rdb, "u1") == 2
    assert facts(rdb, "u1", "+84912000001").wait_seconds == 0  # one already tried still is
