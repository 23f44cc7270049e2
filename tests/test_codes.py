"""The code store: hashed codes, one atomic check-and-count, locks, single use."""

from __future__ import annotations

import threading

import pytest
import redis

from bot.keys import UserRef
from bot.verification.codes import CodeStore, derive_code, reference_of

PHONE = "+84912345678"
ALICE = UserRef("oa", "alice")
BOB = UserRef("oa", "bob")


@pytest.fixture
def codes(rdb: redis.Redis) -> CodeStore:
    """A store with 5 attempts and a 60 s lock."""
    return CodeStore(rdb, "test-hash-key", max_attempts=5, lock_seconds=60)


def issue(codes: CodeStore, user: UserRef = ALICE, channel: str = "sms") -> str:
    """Issue a code and return it in clear (as the send job derives it)."""
    issued = codes.issue(user, PHONE, channel, ttl=300, cooldown=0)
    assert issued.status == "ok"
    return derive_code("test-hash-key", issued.nonce)


def wrong(code: str) -> str:
    """A code that is not this one."""
    return "000000" if code != "000000" else "111111"


def test_only_a_keyed_hash_is_stored(codes: CodeStore, rdb: redis.Redis) -> None:
    code = issue(codes)
    stored = rdb.hgetall("otp:{oa:alice}")
    assert code.encode() not in b"".join(stored.values())
    assert stored[b"h"] == codes.digest(ALICE, PHONE, code).encode()
    assert 0 < rdb.pttl("otp:{oa:alice}") <= 300_000


def test_right_code_works_once(codes: CodeStore) -> None:
    code = issue(codes)
    first = codes.check(ALICE, PHONE, code)
    assert (first.status, first.channel, first.phone) == ("ok", "sms", PHONE)
    assert codes.check(ALICE, PHONE, code).status == "none"


def test_a_code_is_bound_to_its_account_and_number(codes: CodeStore) -> None:
    code = issue(codes)
    assert codes.check(ALICE, "+84987654321", code).status == "wrong"
    assert codes.check(BOB, PHONE, code).status == "none"


def test_new_code_replaces_the_old(codes: CodeStore) -> None:
    old = issue(codes)
    new = issue(codes)
    if old != new:
        assert codes.check(ALICE, PHONE, old).status == "wrong"
    assert codes.check(ALICE, PHONE, new).status == "ok"


def test_fifth_wrong_code_locks_the_account_not_the_number(codes: CodeStore) -> None:
    code = issue(codes)
    answers = [codes.check(ALICE, PHONE, wrong(code)) for _ in range(5)]
    assert [a.attempts_left for a in answers[:4]] == [4, 3, 2, 1]
    assert answers[4].status == "locked_now" and 0 < answers[4].wait_seconds <= 60
    assert codes.check(ALICE, PHONE, code).status == "locked"
    assert codes.issue(BOB, PHONE, "sms", 300, 0).status == "ok"  # one account: not the number
    assert codes.lock_wait_seconds(ALICE) > 0


def test_thirty_concurrent_wrong_guesses_evaluate_at_most_five(codes: CodeStore) -> None:
    code = issue(codes)
    barrier = threading.Barrier(30)
    statuses: list[str] = []

    def attempt(n: int) -> None:
        barrier.wait()
        guess = f"{n:06d}" if f"{n:06d}" != code else "999999"
        statuses.append(codes.check(ALICE, PHONE, guess).status)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    evaluated = [s for s in statuses if s in ("wrong", "locked_now")]
    assert len(evaluated) == 5
    assert statuses.count("locked") == 25
    assert codes.check(ALICE, PHONE, code).status == "locked"


def test_unlock_by_phone_lifts_the_account_too(codes: CodeStore) -> None:
    code = issue(codes)
    for _ in range(5):
        codes.check(ALICE, PHONE, wrong(code))
    assert codes.unlock(phone=PHONE)
    assert codes.lock_wait_seconds(ALICE, PHONE) == 0
    assert codes.issue(ALICE, PHONE, "sms", 300, 0).status == "ok"


def test_unlock_by_account_lifts_the_number_too(codes: CodeStore) -> None:
    code = issue(codes)
    for _ in range(5):
        codes.check(ALICE, PHONE, wrong(code))
    assert codes.unlock(user=ALICE)
    assert codes.issue(BOB, PHONE, "sms", 300, 0).status == "ok"
    assert not codes.unlock(user=ALICE)  # nothing left to lift


def test_cooldown_holds_across_channels_per_account_and_number(codes: CodeStore) -> None:
    assert codes.issue(ALICE, PHONE, "sms", 300, cooldown=60).status == "ok"
    again = codes.issue(ALICE, PHONE, "sms", 300, cooldown=60)
    assert again.status == "cooldown" and 0 < again.wait_seconds <= 60
    assert codes.issue(ALICE, PHONE, "zalo", 120, cooldown=60).status == "cooldown"  # SPEC §2
    # Another account is never held back by it: a stranger cannot block the number's holder.
    assert codes.issue(BOB, PHONE, "zalo", 120, cooldown=60).status == "ok"
    assert codes.issue(ALICE, "+84987654321", "sms", 300, cooldown=60).status == "ok"  # corrected
    codes.end_cooldown(ALICE, PHONE)  # the send failed for good: the other channel, at once
    assert codes.issue(ALICE, PHONE, "zalo", 120, cooldown=60).status == "ok"


def test_codes_are_derived_from_the_nonce_and_the_reference_hides_it() -> None:
    assert derive_code("k", "n1") == derive_code("k", "n1")
    assert len(derive_code("k", "n1")) == 6 and derive_code("k", "n1").isdigit()
    assert derive_code("k", "n1") != derive_code("other key", "n1")
    assert "n1" not in reference_of("n1") and len(reference_of("n1")) <= 48


def test_is_current_tracks_the_live_code(codes: CodeStore) -> None:
    first = codes.issue(ALICE, PHONE, "sms", 300, 0)
    assert codes.is_current(ALICE, first.nonce)
    second = codes.issue(ALICE, PHONE, "sms", 300, 0)
    assert not codes.is_current(ALICE, first.nonce)
    assert codes.is_current(ALICE, second.nonce)
