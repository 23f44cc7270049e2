"""Reads a verification step makes together (one round trip) tell what the reads alone tell."""

from __future__ import annotations

import redis
from flask import Flask

from bot.conversation.context import Context
from bot.keys import UserRef
from bot.services import services_of
from bot.verification.accounts import NumberClaim
from tests.helpers import OA_ID

PHONE = "+84912345678"


def turn(user: str) -> Context:
    """A chat turn of user."""
    return Context(user=UserRef(OA_ID, user), lang="vi")


def test_the_start_reads_the_lock_and_the_account_as_each_read_alone(
    app: Flask, rdb: redis.Redis
) -> None:
    verifier = services_of(app).verifier
    assert verifier.lock_and_account(turn("u1")) == (0, None)
    assert verifier.accounts.claim(NumberClaim(OA_ID, "u1", PHONE, "sms", 1000))
    rdb.set(UserRef(OA_ID, "u1").key("otp-lock"), PHONE, px=90_000)
    wait, account = verifier.lock_and_account(turn("u1"))
    assert (wait, account) == (verifier.lock_wait_seconds(turn("u1")), verifier.account(turn("u1")))
    assert 0 < wait <= 90 and account is not None and account.phone == PHONE


def test_a_chat_request_reads_its_waits_with_the_code_and_spends_nothing_in_them(
    app: Flask, rdb: redis.Redis
) -> None:
    """The lock and the cooldown are read in the code's own step, before the limits: within
    the cooldown, or with the account locked, no budget is spent and no code replaces the
    live one."""
    verifier = services_of(app).verifier
    user, queued = UserRef(OA_ID, "u1"), []
    assert verifier.request_for(user, PHONE, "sms", "vi", queued.append, "u1").status == "sent"
    live = rdb.hget(user.key("otp"), "n")
    again = verifier.request_for(user, PHONE, "sms", "vi", queued.append, "u1")
    assert again.status == "cooldown" and again.wait_seconds > 0
    assert (0, again.wait_seconds) == verifier.codes.waits(user, PHONE)
    rdb.set(user.key("otp-lock"), PHONE, px=90_000)
    locked = verifier.request_for(user, PHONE, "zalo", "vi", queued.append, "u1")
    assert locked.status == "locked" and 0 < locked.wait_seconds <= 90
    assert len(queued) == 1 and rdb.hget(user.key("otp"), "n") == live
    name, limiter, item, ident = verifier.limits.rules(user, PHONE, "sms")[0]
    assert limiter.get_window_stats(item, "otp", name, ident).remaining == item.amount - 1


def test_a_right_code_answers_when_it_was_sent_and_drops_it(app: Flask, rdb: redis.Redis) -> None:
    """The funnel's send time is read with the right code (not by a read of its own), once;
    a wrong code leaves it."""
    verifier = services_of(app).verifier
    user, queued = UserRef(OA_ID, "u1"), []
    assert verifier.request_for(user, PHONE, "sms", "vi", queued.append, "u1").status == "sent"
    rdb.set(verifier.funnel.sent_key(user), "1000.5")
    from bot.verification.codes import derive_code

    nonce = rdb.hget(user.key("otp"), "n")
    assert nonce is not None
    good = derive_code(services_of(app).settings.otp_hash_key, nonce.decode())
    bad = "000000" if good != "000000" else "111111"
    assert verifier.check_for(user, PHONE, bad).sent_at is None
    assert rdb.get(verifier.funnel.sent_key(user)) == b"1000.5"
    assert verifier.check_for(user, PHONE, good).sent_at == 1000.5
    assert rdb.get(verifier.funnel.sent_key(user)) is None


def test_the_portals_verification_counts_its_time_to_verify(config: dict[str, object]) -> None:
    from bot import create_app
    from tests.helpers import last_code, run_jobs
    from tests.portalkit import KEY, check, start

    portal_app = create_app({**config, "PORTAL_API_KEY": KEY})
    start(portal_app)
    run_jobs(portal_app)  # the send: its time noted
    assert check(portal_app, last_code(portal_app, PHONE))["status"] == "approved"
    counts = services_of(portal_app).verifier.funnel.days([OA_ID], 1)[0][1]
    assert counts["sms|verified"] == 1 and counts["sms|ttv_count"] == 1
