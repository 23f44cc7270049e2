"""The verification funnel: counters and per-day counts move through real dialogues."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest
import redis
from flask import Flask
from prometheus_client import REGISTRY

from bot import create_app
from bot.keys import UserRef
from bot.metrics import OTHER_OA, oa_label
from bot.services import services_of
from bot.verification.funnel import DAY_TTL_SECONDS, Funnel, day_key, percentile
from bot.worker.turns import transition
from tests.fakes.zalo import FakeZalo
from tests.fakes.zalo.records import SentZns
from tests.helpers import OA_ID, Dialogue, last_code, post_event, wait_for
from tests.production import Chat, production_bot
from tests.test_verify_flow import PHONE, verify_by_sms

FUNNEL = "bot_verification_funnel_total"
SMS_PRICE = 750
ZNS_PRICE = 300


@pytest.fixture
def app(config: dict[str, Any]) -> Flask:
    """The sandbox bot with prices set."""
    return create_app({**config, "SMS_PRICE_VND": SMS_PRICE, "ZNS_PRICE_VND": ZNS_PRICE})


def step(channel: str, name: str) -> float:
    """The Prometheus count of one funnel step of the sandbox OA."""
    labels = {"oa": OA_ID, "channel": channel, "step": name}
    return REGISTRY.get_sample_value("bot_verification_funnel_total", labels) or 0.0


def sample(name: str, **labels: str) -> float:
    """Any sample of the sandbox OA's metrics."""
    return REGISTRY.get_sample_value(name, {"oa": OA_ID, **labels}) or 0.0


def today(app: Flask) -> dict[str, int]:
    """Today's per-day counts of the sandbox OA."""
    return services_of(app).verifier.funnel.days([OA_ID], 1)[0][1]


def test_sms_dialogue_moves_every_step_and_the_spend(app: Flask) -> None:
    before = {s: step("sms", s) for s in ("sent", "delivered", "verified")}
    started = step("any", "started")
    spend = sample("bot_code_spend_vnd_total", channel="sms")
    timed = sample("bot_verification_duration_seconds_count", channel="sms")
    assert "thành công" in verify_by_sms(Dialogue(app, "u1"))
    assert step("any", "started") == started + 1
    for name, value in before.items():  # the sandbox's phone inbox is a delivery
        assert step("sms", name) == value + 1, name
    assert sample("bot_code_spend_vnd_total", channel="sms") == spend + SMS_PRICE
    assert sample("bot_verification_duration_seconds_count", channel="sms") == timed + 1
    counts = today(app)
    assert counts["any|started"] == 1 and counts["sms|sent"] == 1
    assert counts["sms|delivered"] == 1 and counts["sms|verified"] == 1
    assert counts["sms|spend_vnd"] == SMS_PRICE
    assert counts["sms|ttv_count"] == 1 and percentile(counts, "sms", 0.5) == 10


def test_zalo_dialogue_counts_by_its_channel(app: Flask) -> None:
    verified = step("zalo", "verified")
    d = Dialogue(app, "u1")
    d.say("xác thực zalo")
    d.say("0912345678")
    assert "Zalo" in d.say(last_code(app, PHONE, "zalo"))
    assert step("zalo", "verified") == verified + 1
    counts = today(app)
    assert counts["zalo|started"] == 1 and counts["zalo|sent"] == 1
    assert counts["zalo|spend_vnd"] == ZNS_PRICE


def test_five_wrong_codes_count_a_lockout(app: Flask) -> None:
    locked = step("sms", "locked")
    d = Dialogue(app, "u1")
    d.say("xác thực")
    d.say("0912345678")
    d.say("1")
    right = last_code(app, PHONE, "sms")
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(5):
        d.say(wrong)
    assert step("sms", "locked") == locked + 1
    assert today(app)["sms|locked"] == 1


def test_a_code_typed_after_it_expired_counts_expired(app: Flask, rdb: redis.Redis) -> None:
    expired = step("sms", "expired")
    d = Dialogue(app, "u1")
    d.say("xác thực")
    d.say("0912345678")
    d.say("1")
    code = last_code(app, PHONE, "sms")
    key = UserRef(OA_ID, "u1").key("otp")
    rdb.pexpire(key, 1)  # the code's validity runs out, as Redis ends it
    while rdb.exists(key):
        time.sleep(0.005)
    assert "hết hạn" in d.say(code)
    assert step("sms", "expired") == expired + 1
    assert today(app)["sms|expired"] == 1


def test_a_full_sms_ceiling_counts_a_failure_by_reason(config: dict[str, Any]) -> None:
    app = create_app({**config, "SMS_GLOBAL_PER_MINUTE": 1})
    failed = sample("bot_verification_failures_total", channel="sms", reason="ceiling")
    for user, typed in (("u1", "0912345678"), ("u2", "0912345679")):
        d = Dialogue(app, user)
        d.say("xác thực")
        d.say(typed)
        d.say("1")
    assert sample("bot_verification_failures_total", channel="sms", reason="ceiling") == failed + 1
    counts = today(app)
    assert counts["sms|sent"] == 1 and counts["sms|failed|ceiling"] == 1


def receipt_event(zalo: FakeZalo, sent: SentZns) -> dict[str, Any]:
    """Zalo's ZNS delivery receipt of a send (ZALO_API.md: sender the OA, recipient the phone,
    our tracking_id)."""
    message = {"msg_id": sent.msg_id, "tracking_id": sent.tracking_id, "delivery_time": "1"}
    return {
        "event_name": "user_received_message",
        "app_id": zalo.app_id,
        "timestamp": str(int(time.time() * 1000)),
        "sender": {"id": zalo.oa_id},
        "recipient": {"id": sent.phone},
        "message": message,
    }


def test_a_zns_receipt_marks_the_zalo_code_delivered_once(config: dict[str, Any]) -> None:
    with production_bot(config) as (app, zalo, _):
        labels = {"oa": zalo.oa_id, "channel": "zalo"}
        sent_before = REGISTRY.get_sample_value(FUNNEL, {**labels, "step": "sent"}) or 0.0
        delivered = REGISTRY.get_sample_value(FUNNEL, {**labels, "step": "delivered"}) or 0.0
        chat = Chat(app, zalo)
        chat.say("xác thực zalo")
        chat.say("0912345678")
        (sent,) = zalo.zns_sent
        # The fake records the send before it answers; the bot counts it after.
        wait_for(lambda: services_of(app).verifier.funnel.awaits_receipt(sent.tracking_id))
        assert REGISTRY.get_sample_value(FUNNEL, {**labels, "step": "sent"}) == sent_before + 1
        step = {**labels, "step": "delivered"}
        assert (REGISTRY.get_sample_value(FUNNEL, step) or 0.0) == delivered  # accepted only
        client = app.test_client()
        for _ in range(2):  # Zalo delivers at least once
            answer = post_event(client, receipt_event(zalo, sent), secret=zalo.oa_secret_key)
            assert answer.status_code == 200
        stranger = SentZns("zns-2", **{**sent, "tracking_id": "otp-not-one-of-ours"})
        post_event(client, receipt_event(zalo, stranger), secret=zalo.oa_secret_key)
        assert REGISTRY.get_sample_value(FUNNEL, step) == delivered + 1
        assert "qua Zalo" in chat.say(sent.template_data["otp"])
        counts = services_of(app).verifier.funnel.days([zalo.oa_id], 1)[0][1]
        assert counts["zalo|sent"] == counts["zalo|delivered"] == counts["zalo|verified"] == 1


def test_per_day_counts_expire_after_five_weeks(app: Flask, rdb: redis.Redis) -> None:
    funnel = services_of(app).verifier.funnel
    funnel.count(OA_ID, "sms", "started")
    key = day_key(OA_ID, funnel.now().strftime("%Y-%m-%d"))
    assert DAY_TTL_SECONDS - 60 < rdb.ttl(key) <= DAY_TTL_SECONDS
    week = funnel.days([OA_ID], 7)
    assert [counts for _, counts in week[:-1]] == [{}] * 6
    assert week[-1][1] == {"sms|started": 1}
    assert week[-1][0] - week[0][0] == 6 * 86400
    hours = funnel.hours([OA_ID], 24)
    assert len(hours) == 24 and hours[-1][1] == {"sms|started": 1}


def test_counts_lost_to_a_redis_outage_never_fail_the_step(app: Flask) -> None:
    settings = services_of(app).settings
    with socket.socket() as closed:  # a port nobody listens on: Redis is down
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    down = redis.Redis(port=port, socket_connect_timeout=0.2)
    funnel = Funnel(down, settings)
    sent = step("sms", "sent")
    funnel.count(OA_ID, "sms", "started")
    # A send's counts ride on its item's removal (tests/test_funnel_writes.py): only queued.
    funnel.code_sent(UserRef(OA_ID, "u1"), "sms", "otp-0", False, down.pipeline(False))
    funnel.record(funnel.verified(UserRef(OA_ID, "u1"), "sms", time.time() - 5))
    assert step("sms", "sent") == sent + 1  # Prometheus still counts


def moves(**labels: str) -> float:
    """The count of one committed move of the sandbox OA's dialogues."""
    return sample("bot_flow_transitions_total", **labels)


def test_each_committed_turn_counts_its_dialogues_move(app: Flask) -> None:
    path = [
        ("start", "verify:awaiting_phone"),
        ("verify:awaiting_phone", "verify:awaiting_method"),
        ("verify:awaiting_method", "verify:awaiting_code"),
        ("verify:awaiting_code", "end"),
    ]
    before = [moves(flow="verify", **{"from": a, "to": b}) for a, b in path]
    assert "thành công" in verify_by_sms(Dialogue(app, "u1"))
    after = [moves(flow="verify", **{"from": a, "to": b}) for a, b in path]
    assert after == [n + 1 for n in before]


def test_a_turn_that_stays_in_its_state_is_no_move(app: Flask) -> None:
    d = Dialogue(app, "u1")
    d.say("xác thực")
    stay = {"from": "verify:awaiting_phone", "to": "verify:awaiting_phone"}
    assert moves(flow="verify", **stay) == 0
    assert "số điện thoại" in d.say("12")  # not a number: asked again, same state
    assert moves(flow="verify", **stay) == 0


def test_every_reply_zalo_accepted_tells_how_long_the_user_waited(app: Flask) -> None:
    replies = sample("bot_reply_age_seconds_count")
    Dialogue(app, "u1").say("menu")
    assert sample("bot_reply_age_seconds_count") >= replies + 1
    assert sample("bot_reply_age_seconds_sum") >= 0


def test_an_oa_the_registry_does_not_serve_gets_no_label_of_its_own(app: Flask) -> None:
    assert oa_label(OA_ID) == OA_ID  # the app's registry named it
    assert oa_label("9" * 19) == OTHER_OA
    Funnel(services_of(app).redis, services_of(app).settings).count("9" * 19, "sms", "started")
    assert (
        REGISTRY.get_sample_value(FUNNEL, {"oa": "9" * 19, "channel": "sms", "step": "started"})
        is None
    )
    assert REGISTRY.get_sample_value(FUNNEL, {"oa": OTHER_OA, "channel": "sms", "step": "started"})


@pytest.mark.parametrize(
    ("before", "after", "move"),
    [
        (None, "verify:awaiting_phone", ("verify", "start", "verify:awaiting_phone")),
        ("verify:awaiting_code", None, ("verify", "verify:awaiting_code", "end")),
        (
            "verify:awaiting_code",
            "unlink:confirm",
            ("unlink", "verify:awaiting_code", "unlink:confirm"),
        ),
        ("verify:awaiting_code", "verify:awaiting_code", None),
        (None, None, None),
    ],
)
def test_a_move_is_named_by_the_flow_it_lands_in(
    before: str | None, after: str | None, move: tuple[str, str, str] | None
) -> None:
    assert transition(before, after) == move
