"""Every event of a full dialogue delivered 5 times, shuffled within the user's retries."""

from __future__ import annotations

import random

from flask import Flask

from bot.services import services_of
from tests.helpers import bot_messages, phone_codes, post_event, run_jobs, text_event

PHONE = "+84912345678"


def storm(app: Flask, event: dict[str, object], rng: random.Random) -> None:
    """Deliver an event 5 times, with the jobs running at random moments in between."""
    client = app.test_client()
    for _ in range(5):
        assert post_event(client, event).status_code == 200
        if rng.random() < 0.4:
            run_jobs(app)
    run_jobs(app)


def test_a_storm_of_redeliveries_has_exactly_one_effect_per_event(app: Flask) -> None:
    rng = random.Random(7)
    turns = ["xác thực", "0912 345 678", "1"]
    replies_per_turn = []
    for text in turns:
        before = len(bot_messages(app))
        storm(app, text_event("u1", text), rng)
        replies_per_turn.append(len(bot_messages(app)) - before)
    assert replies_per_turn == [2, 1, 1]  # (ask + share form), method, code sent
    assert len(phone_codes(app, PHONE)) == 1  # exactly one code sent
    before = len(bot_messages(app))
    storm(app, text_event("u1", phone_codes(app, PHONE)[0]), rng)
    assert len(bot_messages(app)) - before == 1
    account = services_of(app).verifier.accounts.get("2000000000000000002", "u1")
    assert account is not None and account.sms_verified_at is not None


def test_redeliveries_interleaved_across_turns_keep_the_order(app: Flask) -> None:
    rng = random.Random(11)
    events = [text_event("u1", t) for t in ("xác thực", "0912345678", "1")]
    deliveries = [e for e in events for _ in range(5)]
    # Zalo's retries of an earlier turn can arrive after a later turn's first delivery.
    for event in sorted(deliveries, key=lambda e: events.index(e) + rng.random() * 1.5):
        post_event(app.test_client(), event)
    run_jobs(app)
    messages = bot_messages(app)
    assert len(messages) == 4 and "Đã gửi mã" in messages[-1]
    assert len(phone_codes(app, PHONE)) == 1
