"""The funnel's Redis writes: one script per step, counts and TTLs as the commands made them."""

from __future__ import annotations

import logging

import pytest
import redis
from flask import Flask

from bot.keys import UserRef
from bot.queues.leases import LEASE_MS
from bot.queues.serial import SerialQueue
from bot.services import services_of
from bot.verification.funnel import (
    DAY_TTL_SECONDS,
    HOUR_TTL_SECONDS,
    SENT_AT_TTL_SECONDS,
    TRACKING_KEY,
    Funnel,
    Step,
    day_key,
    hour_key,
)
from tests.helpers import OA_ID, Dialogue, phone_codes
from tests.test_verify_flow import PHONE, verify_by_sms

OLD_OA = "9000000000000000001"  # where the commands the script replaced write, to compare
STEPS = [
    Step(OA_ID, "", "started"),
    Step(OA_ID, "sms", "started"),
    Step(OA_ID, "sms", "delivered"),
    Step(OA_ID, "zalo", "expired"),
    Step(OA_ID, "sms", "locked"),
    Step(OA_ID, "sms", "failed", "ceiling"),
    Step(OA_ID, "sms", "verified"),
    Step(OA_ID, "sms", "verified", seconds=7.6),
    Step(OA_ID, "zalo", "verified", seconds=4000.0),
]
SENT_FIELDS = {"sms|sent": 1, "sms|spend_vnd": 750, "sms|delivered": 1}


def old_add(pipe: redis.client.Pipeline, funnel: Funnel, fields: dict[str, int]) -> None:
    """The writes as they were before the script: a HINCRBY per field and key, an EXPIRE each."""
    moment = funnel.now()
    for key, ttl in (
        (hour_key(OLD_OA, moment.strftime("%Y-%m-%dT%H")), HOUR_TTL_SECONDS),
        (day_key(OLD_OA, moment.strftime("%Y-%m-%d")), DAY_TTL_SECONDS),
    ):
        for field, amount in fields.items():
            pipe.hincrby(key, field, amount)
        pipe.expire(key, ttl)


def hashes(rdb: redis.Redis, funnel: Funnel, oa_id: str) -> list[dict[bytes, bytes]]:
    """The OA's counts of this hour and of today."""
    moment = funnel.now()
    hour = hour_key(oa_id, moment.strftime("%Y-%m-%dT%H"))
    return [rdb.hgetall(hour), rdb.hgetall(day_key(oa_id, moment.strftime("%Y-%m-%d")))]


def assert_ttls(rdb: redis.Redis, funnel: Funnel) -> None:
    """This hour's and today's counts expire as they always did."""
    moment = funnel.now()
    hour_ttl = rdb.ttl(hour_key(OA_ID, moment.strftime("%Y-%m-%dT%H")))
    day_ttl = rdb.ttl(day_key(OA_ID, moment.strftime("%Y-%m-%d")))
    assert HOUR_TTL_SECONDS - 60 < hour_ttl <= HOUR_TTL_SECONDS
    assert DAY_TTL_SECONDS - 60 < day_ttl <= DAY_TTL_SECONDS


@pytest.mark.parametrize("step", STEPS, ids=lambda s: f"{s.channel}-{s.step}-{s.seconds}")
def test_a_turns_step_counts_what_the_commands_counted(
    app: Flask, rdb: redis.Redis, step: Step
) -> None:
    funnel = services_of(app).verifier.funnel
    for _ in range(2):  # twice: the counts add up
        with rdb.pipeline(transaction=True) as pipe:
            funnel.add_steps(pipe, [step])
            old_add(pipe, funnel, step.fields())
            assert len(pipe) == 1 + 2 * len(step.fields()) + 2  # one command for ours
            pipe.execute()
    assert hashes(rdb, funnel, OA_ID) == hashes(rdb, funnel, OLD_OA)
    assert hashes(rdb, funnel, OA_ID)[1]  # not both empty
    assert_ttls(rdb, funnel)


def test_steps_outside_a_turn_and_a_sends_counts_match_the_commands(
    app: Flask, rdb: redis.Redis
) -> None:
    funnel = services_of(app).verifier.funnel
    rdb.script_flush()  # outside a pipeline the script runs by its SHA: reloaded when lost
    with rdb.pipeline(transaction=False) as pipe:
        for step in STEPS:
            funnel.record(step)
            old_add(pipe, funnel, step.fields())
        funnel.add(pipe, OA_ID, SENT_FIELDS)
        old_add(pipe, funnel, SENT_FIELDS)
        pipe.execute()
    counts = hashes(rdb, funnel, OA_ID)
    assert counts == hashes(rdb, funnel, OLD_OA)
    assert counts[1][b"sms|spend_vnd"] == b"750" and counts[1][b"zalo|ttv_le|inf"] == b"1"
    assert counts[0][b"sms|ttv_sum"] == b"8"  # 7.6 s, rounded
    assert_ttls(rdb, funnel)


def test_a_sends_writes_ride_on_the_removal_of_its_item(app: Flask, rdb: redis.Redis) -> None:
    funnel = services_of(app).verifier.funnel
    user = UserRef(OA_ID, "u1")
    rdb.rpush("q:{u1}", "sent", "next")
    queue = SerialQueue(rdb, "q:{u1}", "lock:{u1}", "list", LEASE_MS)
    assert queue.acquire(batch=1) is not None
    riders = rdb.pipeline(transaction=False)
    funnel.code_sent(user, "zalo", "otp-1", False, riders)
    assert len(riders) == 3  # the counts' script and the two SETs
    assert queue.pop_after(b"sent", riders) == [b"next"]
    assert len(riders) == 0 and rdb.lrange("q:{u1}", 0, -1) == [b"next"]
    assert SENT_AT_TTL_SECONDS - 60 < rdb.ttl(funnel.sent_key(user)) <= SENT_AT_TTL_SECONDS
    assert rdb.get(TRACKING_KEY.format("otp-1")) == OA_ID.encode()
    price = str(funnel.prices["zalo"]).encode()
    assert hashes(rdb, funnel, OA_ID)[1] == {b"zalo|sent": b"1", b"zalo|spend_vnd": price}
    assert_ttls(rdb, funnel)


def test_a_send_whose_counts_fail_is_removed_and_never_sent_again(
    app: Flask, rdb: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    funnel = services_of(app).verifier.funnel
    today = day_key(OA_ID, funnel.now().strftime("%Y-%m-%d"))
    rdb.hset(today, "sms|spend_vnd", "not a number")  # only a send's counts touch this field
    with caplog.at_level(logging.WARNING, "bot.queues.serial"):
        assert "thành công" in verify_by_sms(Dialogue(app, "u1"))
    assert len(phone_codes(app, PHONE, "sms")) == 1
    assert "writes riding on a pop failed: ResponseError" in caplog.text
    rdb.hdel(today, "sms|spend_vnd")
    counts = funnel.days([OA_ID], 1)[0][1]
    assert counts["sms|verified"] == 1
    assert counts["sms|ttv_count"] == 1  # the send time, in the same round trip, was written
