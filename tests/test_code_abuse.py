"""Guessing across accounts, cooldown bypasses and targeted lockouts (SPEC §2 limits)."""

from __future__ import annotations

from typing import Any

import pytest
import redis
from flask import Flask
from prometheus_client import REGISTRY

from bot import create_app
from bot.keys import UserRef
from bot.services import services_of
from bot.verification.codes import CodeStore, derive_code
from tests.helpers import OA_ID, Dialogue, last_code, phone_codes

PHONE = "+84912345678"
HASH_KEY = "test-hash-key"


@pytest.fixture
def codes(rdb: redis.Redis) -> CodeStore:
    """A code store: 5 wrong codes lock for 30 minutes."""
    return CodeStore(rdb, HASH_KEY, max_attempts=5, lock_seconds=1800)


def account(name: str) -> UserRef:
    """An account of the test OA."""
    return UserRef(OA_ID, name)


def wrong_code(codes: CodeStore, user: UserRef, phone: str = PHONE) -> str:
    """A code that is not the live one of user (issuing one first)."""
    issued = codes.issue(user, phone, "sms", 300, cooldown=0)
    assert issued.status == "ok", issued
    good = derive_code(HASH_KEY, issued.nonce)
    return "000000" if good != "000000" else "111111"


def test_one_account_alone_never_locks_the_number(codes: CodeStore) -> None:
    mallory = account("mallory")
    guess = wrong_code(codes, mallory)
    evaluated = [codes.check(mallory, PHONE, guess).status for _ in range(7)]
    assert evaluated == ["wrong"] * 4 + ["locked_now"] + ["locked"] * 2  # locked at its 5th
    codes.unlock(mallory)  # even let off early, its count at the number stays at 5
    guess = wrong_code(codes, mallory)
    assert [codes.check(mallory, PHONE, guess).status for _ in range(5)][-1] == "locked_now"
    assert codes.issue(account("holder"), PHONE, "sms", 300, cooldown=0).status == "ok"


def test_accounts_ganging_up_lock_the_number_at_its_own_limit(codes: CodeStore) -> None:
    attackers = [account(f"attacker{n}") for n in range(5)]
    guesses = [wrong_code(codes, user) for user in attackers]  # every code issued first
    evaluated = [
        codes.check(user, PHONE, guess)
        for user, guess in zip(attackers, guesses, strict=True)
        for _ in range(4)
    ]
    statuses = [c.status for c in evaluated]
    assert statuses.count("wrong") == 9  # the number's 10 wrong codes over all accounts
    assert statuses[9] == "number_locked_now" and evaluated[9].ganged_up == 3
    assert set(statuses[10:]) == {"locked"}
    assert codes.issue(account("late"), PHONE, "sms", 300, cooldown=0).status == "locked"
    assert codes.number_locked_by(attackers[2], PHONE)  # its wrong code locked it
    assert not codes.number_locked_by(attackers[0], PHONE)


def test_a_right_code_for_another_number_does_not_reset_the_count(codes: CodeStore) -> None:
    mallory = account("mallory")
    guess = wrong_code(codes, mallory, "+84912000001")
    for _ in range(4):
        assert codes.check(mallory, "+84912000001", guess).status == "wrong"
    own = codes.issue(mallory, "+84912000002", "sms", 300, cooldown=0)
    assert codes.check(mallory, "+84912000002", derive_code(HASH_KEY, own.nonce)).status == "ok"
    guess = wrong_code(codes, mallory, "+84912000003")
    assert codes.check(mallory, "+84912000003", guess).status == "locked_now"


def test_a_right_code_forgives_the_accounts_own_typos_at_that_number(codes: CodeStore) -> None:
    alice = account("alice")
    guess = wrong_code(codes, alice)
    for _ in range(4):
        codes.check(alice, PHONE, guess)
    issued = codes.issue(alice, PHONE, "sms", 300, cooldown=0)
    assert codes.check(alice, PHONE, derive_code(HASH_KEY, issued.nonce)).status == "ok"
    guess = wrong_code(codes, alice)
    assert codes.check(alice, PHONE, guess).attempts_left == 4


def test_others_guesses_never_lock_the_verified_owner_out(codes: CodeStore) -> None:
    for name in ("bob", "carol"):  # two accounts gang up: the number is locked
        guess = wrong_code(codes, account(name))
        for _ in range(5):
            codes.check(account(name), PHONE, guess)
    bob = account("bob")
    alice = account("alice")
    assert codes.issue(alice, PHONE, "zalo", 120, 0).status == "locked"  # not (yet) the owner
    issued = codes.issue(alice, PHONE, "zalo", 120, 0, owner=True)
    assert issued.status == "ok"
    good = derive_code(HASH_KEY, issued.nonce)
    assert codes.check(alice, PHONE, good, owner=True).status == "ok"
    assert codes.lock_wait_seconds(alice, PHONE, owner=True) == 0
    assert codes.lock_wait_seconds(bob, PHONE) > 0


def test_the_owner_adds_zalo_after_others_locked_the_number(app: Flask) -> None:
    alice = Dialogue(app, "u1")
    alice.say("xác thực"), alice.say("0912345678"), alice.say("1")
    assert "thành công" in alice.say(last_code(app, PHONE, "sms"))
    store = services_of(app).verifier.codes
    for name in ("bob", "carol"):  # as if from before Alice verified
        issued = store.issue(account(name), PHONE, "sms", 300, cooldown=0)
        good = derive_code(store.hash_key, issued.nonce)
        for _ in range(5):
            store.check(account(name), PHONE, "000000" if good != "000000" else "111111")
    assert store.lock_wait_seconds(account("bob"), PHONE) > 0
    alice.say("xác thực zalo")
    assert "2 phút" in alice.say("1")
    assert "đã được xác thực qua Zalo" in alice.say(last_code(app, PHONE, "zalo"))


def test_switching_methods_sends_no_second_code_within_the_cooldown(app: Flask) -> None:
    alice = Dialogue(app, "u1")
    alice.say("xác thực"), alice.say("0912345678")
    answers = [alice.say(text) for text in ("1", "đổi phương thức", "2", "đổi phương thức", "1")]
    assert len(phone_codes(app, PHONE)) == 1
    assert "giây" in answers[2] and "giây" in answers[4]  # told how long to wait


def test_a_strangers_request_puts_no_cooldown_on_the_holder(app: Flask) -> None:
    mallory = Dialogue(app, "attacker")
    mallory.say("xác thực"), mallory.say("0912345678"), mallory.say("1")
    holder = Dialogue(app, "holder")
    holder.say("xác thực"), holder.say("0912345678")
    assert "Đã gửi mã" in holder.say("1")
    assert "thành công" in holder.say(last_code(app, PHONE, "sms"))


def zns_refused() -> float:
    """Zalo codes refused by the global ceiling so far."""
    value = REGISTRY.get_sample_value("bot_rate_limited_total", {"limit": "zns_global"})
    return value or 0.0


def test_zalo_codes_have_a_global_ceiling(config: dict[str, Any], rdb: redis.Redis) -> None:
    app = create_app({**config, "ZNS_GLOBAL_PER_MINUTE": "3"})
    before = zns_refused()
    for n in range(5):
        user = Dialogue(app, f"z{n}")
        user.say("xác thực zalo"), user.say(f"091234500{n}")
    delivered = [n for n in range(5) if phone_codes(app, f"+8491234500{n}", "zalo")]
    assert len(delivered) == 3
    assert zns_refused() == before + 2
    assert REGISTRY.get_sample_value("bot_zns_global_ceiling_reached") == 1


def test_the_check_reads_the_numbers_owner_itself(codes: CodeStore, rdb: redis.Redis) -> None:
    """Given the owner's bucket, the check tells the owner in the same step: the owner passes
    the number's lock and its typos are not counted against the number; others' are."""
    from bot.verification.accounts import AccountStore, NumberClaim, owner_bucket

    alice, bob = account("alice"), account("bob")
    assert AccountStore(rdb).claim(NumberClaim(OA_ID, "alice", PHONE, "sms", 1))
    owner_key = owner_bucket(OA_ID, PHONE)
    issued = codes.issue(alice, PHONE, "zalo", 120, 0, owner=True)
    good = derive_code(HASH_KEY, issued.nonce)
    codes.check(alice, PHONE, "000000" if good != "000000" else "111111", owner_key=owner_key)
    assert not rdb.hgetall(f"otp-fails:phone:{PHONE}")  # the owner's typo: not the number's
    guess = wrong_code(codes, bob)
    codes.check(bob, PHONE, guess, owner_key=owner_key)
    assert rdb.hgetall(f"otp-fails:phone:{PHONE}") == {bob.tag.encode(): b"1"}
    rdb.set(f"otp-lock:phone:{PHONE}", "otp-lock:" + bob.tag, px=60_000)  # others locked it
    assert codes.check(bob, PHONE, guess, owner_key=owner_key).status == "locked"
    assert codes.check(alice, PHONE, good, owner_key=owner_key).status == "ok"
