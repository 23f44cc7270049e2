"""A code whose send was delayed past its validity is reported, never silently dropped."""

from __future__ import annotations

from flask import Flask

from bot.keys import UserRef
from bot.services import services_of
from bot.worker.processing import EVENTS
from bot.worker.runner import Runner
from tests.helpers import (
    OA_ID,
    Dialogue,
    bot_messages,
    last_code,
    phone_codes,
    post_event,
    run_jobs,
    text_event,
)

PHONE = "+84912345678"


def run_events_only(app: Flask) -> None:
    """Serve the events stage only, leaving the sends in their queue (delayed)."""
    with app.app_context():
        Runner(services_of(app), EVENTS).serve_due()


def test_a_code_expired_before_its_send_is_told_and_a_new_one_offered(app: Flask) -> None:
    user = Dialogue(app, "u1")
    user.say("xác thực"), user.say("0912345678")
    assert post_event(app.test_client(), text_event("u1", "1")).status_code == 200
    run_events_only(app)
    # The send is delayed (an outage, retries) until the code's TTL has run out.
    services_of(app).redis.delete(UserRef(OA_ID, "u1").key("otp"))
    run_jobs(app)
    assert not phone_codes(app, PHONE)
    told = bot_messages(app, "u1")[-1]
    assert "không gửi kịp" in told and "gửi lại" in told
    user.seen = len(bot_messages(app, "u1"))
    answer = user.say("gửi lại")  # no cooldown: the expired code never reached the user
    assert phone_codes(app, PHONE), answer
    assert "thành công" in user.say(last_code(app, PHONE))


def test_a_replaced_code_is_skipped_silently(app: Flask) -> None:
    user = Dialogue(app, "u1")
    user.say("xác thực"), user.say("0912345678")
    assert post_event(app.test_client(), text_event("u1", "1")).status_code == 200
    run_events_only(app)
    services = services_of(app)
    services.redis.hset(UserRef(OA_ID, "u1").key("otp"), "n", "a-newer-nonce")
    before = len(bot_messages(app, "u1"))
    run_jobs(app)
    assert not phone_codes(app, PHONE)
    assert all("không gửi kịp" not in m for m in bot_messages(app, "u1")[before:])
