"""A code's send step counts the limits in the code's own round trip: the same refusals, in
the same order, and a refusal spends nothing."""

from __future__ import annotations

from typing import Any

import pytest
import redis
from flask import Flask

from bot import create_app
from bot.keys import UserRef
from bot.metrics import SMS_CEILING
from bot.queues.code_sends import CodeSend
from bot.services import services_of
from bot.texts import render
from bot.verification.accounts import AccountStore, NumberClaim
from bot.verification.numbers import NumberFacts, NumberTries
from bot.verification.service import Verifier
from tests.helpers import OA_ID, Dialogue, phone_codes

PHONE = "+84912345678"
OTHER = "+84987654321"


def verifier_of(config: dict[str, Any], **overrides: Any) -> Verifier:
    """The verifier of an app with some settings changed."""
    return services_of(create_app({**config, **overrides})).verifier


def ask(verifier: Verifier, user: UserRef, phone: str, channel: str = "sms") -> tuple[str, int]:
    """A chat request for a code: (status, wait)."""
    queued: list[CodeSend] = []
    outcome = verifier.request_for(user, phone, channel, "vi", queued.append, user.user_id)
    assert len(queued) == (outcome.status == "sent")
    return outcome.status, outcome.wait_seconds


def spent(verifier: Verifier, user: UserRef, phone: str, channel: str = "sms") -> dict[str, int]:
    """How much of each limit of a send is used, by the limits library's own reading."""
    used = {}
    for name, limiter, item, ident in verifier.limits.rules(user, phone, channel):
        used[name] = item.amount - limiter.get_window_stats(item, "otp", name, ident).remaining
    return used


def test_a_sent_code_counts_one_unit_in_each_window(app: Flask) -> None:
    verifier = services_of(app).verifier
    user = UserRef(OA_ID, "u1")
    assert ask(verifier, user, PHONE)[0] == "sent"
    assert set(spent(verifier, user, PHONE).values()) == {1}
    assert spent(verifier, user, PHONE, "zalo")["zns_global"] == 0


def test_locks_come_before_the_cooldown_and_the_cooldown_before_the_limits(
    config: dict[str, Any], rdb: redis.Redis
) -> None:
    verifier = verifier_of(config, OTP_SENDS_PER_ACCOUNT_PHONE_HOUR=1)
    user = UserRef(OA_ID, "u1")
    assert ask(verifier, user, PHONE)[0] == "sent"
    live, used = rdb.hget(user.key("otp"), "n"), spent(verifier, user, PHONE)
    rdb.set(user.key("otp-lock"), PHONE, px=90_000)
    status, wait = ask(verifier, user, PHONE)
    assert status == "locked" and 0 < wait <= 90
    rdb.delete(user.key("otp-lock"))
    status, wait = ask(verifier, user, PHONE)
    assert status == "cooldown" and 0 < wait <= 60
    rdb.delete(user.key("otp-cooldown"))
    status, wait = ask(verifier, user, PHONE)
    assert status == "limited" and 3500 < wait <= 3601
    # None of the refusals replaced the code, started a cooldown or spent a budget.
    assert rdb.hget(user.key("otp"), "n") == live and not rdb.exists(user.key("otp-cooldown"))
    assert spent(verifier, user, PHONE) == used


def test_a_lock_tells_the_longer_of_the_account_and_the_number(
    config: dict[str, Any], rdb: redis.Redis
) -> None:
    """The owner is held by the account's lock only; the wait told is the longest that holds."""
    verifier = verifier_of(config)
    owner = UserRef(OA_ID, "owner")
    assert AccountStore(rdb).claim(NumberClaim(OA_ID, "owner", PHONE, "sms", 1))
    rdb.set(owner.key("otp-lock"), PHONE, px=30_000)
    rdb.set(f"otp-lock:phone:{PHONE}", "otp-lock:{x}", px=900_000)
    status, wait = ask(verifier, owner, PHONE, "zalo")
    assert status == "locked" and 0 < wait <= 30
    issued = verifier.codes.issue(owner, PHONE, "zalo", 120, 0)  # as if not the owner
    assert issued.status == "locked" and 800 < issued.wait_seconds <= 900


def test_a_full_limit_refuses_in_the_limits_order_and_spends_nothing(
    config: dict[str, Any], rdb: redis.Redis
) -> None:
    verifier = verifier_of(
        config,
        OTP_SENDS_PER_ACCOUNT_DAY=1,
        OTP_SENDS_PER_PHONE_HOUR=1,
        OTP_RESEND_COOLDOWN_SECONDS=0,
    )
    alice, bob = UserRef(OA_ID, "alice"), UserRef(OA_ID, "bob")
    assert ask(verifier, alice, PHONE)[0] == "sent"
    live = rdb.hget(alice.key("otp"), "n")
    before = spent(verifier, alice, OTHER)
    # Both the account's day and (for bob's number) the number's hour are full: the account's
    # own limit is told first.
    assert ask(verifier, bob, OTHER)[0] == "sent"
    status, wait = ask(verifier, alice, OTHER)
    assert status == "limited" and 86_000 < wait <= 86_401
    assert rdb.hget(alice.key("otp"), "n") == live  # the live code is still the first one
    assert spent(verifier, alice, OTHER) == {
        **before,
        "phone_hour": 1,
        "phone_day": 1,
        "sms_global": 2,
    }
    status, _ = ask(verifier, UserRef(OA_ID, "carol"), OTHER)
    assert status == "limited"
    assert not rdb.exists(UserRef(OA_ID, "carol").key("otp"))
    assert spent(verifier, UserRef(OA_ID, "carol"), OTHER)["account_day"] == 0


def test_a_full_sms_ceiling_is_busy_and_zalo_still_goes(config: dict[str, Any]) -> None:
    verifier = verifier_of(config, SMS_GLOBAL_PER_MINUTE=1)
    assert ask(verifier, UserRef(OA_ID, "u1"), PHONE)[0] == "sent"
    user = UserRef(OA_ID, "u2")
    status, wait = ask(verifier, user, OTHER)
    assert status == "sms_busy" and 0 < wait <= 61
    assert SMS_CEILING._value.get() == 1
    assert ask(verifier, user, OTHER, "zalo")[0] == "sent"
    assert spent(verifier, user, OTHER)["account_day"] == 1  # only the Zalo code's


def test_the_numbers_owner_is_not_held_to_its_shared_budget(
    config: dict[str, Any], rdb: redis.Redis
) -> None:
    verifier = verifier_of(config, OTP_SENDS_PER_PHONE_HOUR=1)
    assert ask(verifier, UserRef(OA_ID, "stranger"), PHONE)[0] == "sent"
    assert ask(verifier, UserRef(OA_ID, "late"), PHONE)[0] == "limited"
    assert AccountStore(rdb).claim(NumberClaim(OA_ID, "owner", PHONE, "sms", 1))
    assert ask(verifier, UserRef(OA_ID, "owner"), PHONE, "zalo")[0] == "sent"


def ask_known(verifier: Verifier, user: UserRef, phone: str, owner: bool) -> str:
    """A chat request whose number's ownership was learnt at the number's step."""
    queued: list[CodeSend] = []
    outcome = verifier.request_for(
        user, phone, "zalo", "vi", queued.append, user.user_id, owner=owner
    )
    assert len(queued) == (outcome.status == "sent")
    return outcome.status


def test_ownership_known_from_the_number_step_is_checked_in_the_issue(
    config: dict[str, Any], rdb: redis.Redis
) -> None:
    """The send step reads no facts of its own: the code's issue refuses a number another
    account verified since, and re-reads the facts when the ownership learnt is no longer
    true (the number's lock then applies again, or no longer does)."""
    verifier = verifier_of(config, OTP_RESEND_COOLDOWN_SECONDS=0)
    alice, bob = UserRef(OA_ID, "alice"), UserRef(OA_ID, "bob")
    assert ask_known(verifier, alice, PHONE, owner=False) == "sent"
    assert AccountStore(rdb).claim(NumberClaim(OA_ID, "bob", PHONE, "sms", 1))
    assert ask_known(verifier, alice, PHONE, owner=False) == "in_use"
    # Bob is the owner now though the flag says not: the facts are read again, and the
    # number's lock (others' guesses) does not hold him.
    rdb.set(f"otp-lock:phone:{PHONE}", "otp-lock:{x}", px=900_000)
    assert ask_known(verifier, bob, PHONE, owner=False) == "sent"
    # A flag saying Alice owns a number nobody owns (released since) does not get her past
    # its lock: the facts are read again and she is a stranger to it.
    rdb.set(f"otp-lock:phone:{OTHER}", "otp-lock:{x}", px=900_000)
    assert ask_known(verifier, alice, OTHER, owner=True) == "locked"


def test_a_number_verified_elsewhere_after_its_step_is_refused_at_the_send(app: Flask) -> None:
    """The chat learns the number's owner at the number step; another account verifying it
    before the method is chosen is told at the send, as at the number step, no code sent."""
    alice = Dialogue(app, "u1")
    alice.say("xác thực"), alice.say("0912345678")
    assert AccountStore(services_of(app).redis).claim(NumberClaim(OA_ID, "bob", PHONE, "sms", 1))
    assert alice.say("1").startswith(render("phone_unavailable", "vi"))
    assert phone_codes(app, PHONE) == []
    assert not services_of(app).redis.exists(UserRef(OA_ID, "u1").key("otp"))


def test_a_dialogue_reads_the_numbers_facts_once(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The number step reads them; the send step, SMS or Zalo-only, does not again."""
    reads: list[str] = []
    read = NumberTries.facts

    def counted(self: NumberTries, user: UserRef, phone: str, *keys: str) -> NumberFacts:
        reads.append(phone)
        return read(self, user, phone, *keys)

    monkeypatch.setattr(NumberTries, "facts", counted)
    alice = Dialogue(app, "u1")
    alice.say("xác thực"), alice.say("0912345678")
    assert "5 phút" in alice.say("1")
    assert reads == [PHONE]
    bob = Dialogue(app, "u2")
    bob.say("xác thực zalo")
    assert "2 phút" in bob.say("0987654321")  # the number step sends at once
    assert reads == [PHONE, OTHER]
