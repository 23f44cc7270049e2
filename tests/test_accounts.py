"""Accounts: one phone per account, one account per phone, claimed atomically."""

from __future__ import annotations

import threading

import pytest
import redis

from bot.verification.accounts import AccountStore, NumberClaim, bucket

OA = "oa1"
PHONE = "+84912345678"


@pytest.fixture
def accounts(rdb: redis.Redis) -> AccountStore:
    """The store on the test Redis."""
    return AccountStore(rdb)


def test_a_second_channel_of_the_held_number_is_claimed_in_one_step(
    accounts: AccountStore,
) -> None:
    """A claim made as a first one (no record expected) needs no other bucket for the number
    the account holds; another number still does (its old one's bucket is named from it)."""
    assert accounts.claim(NumberClaim(OA, "u1", PHONE, "sms", 1000, "app-u1"))
    keys, args = NumberClaim(OA, "u1", PHONE, "zalo", 2000).parts()
    assert accounts._claim(keys=keys, args=args) == [b"ok", b""]
    account = accounts.get(OA, "u1")
    assert account is not None
    assert (account.sms_verified_at, account.zalo_verified_at) == (1000, 2000)
    assert account.user_id_by_app == "app-u1"
    keys, args = NumberClaim(OA, "u1", "+84987654321", "sms", 3000).parts()
    assert accounts._claim(keys=keys, args=args)[0] == b"stale"


def test_claim_records_channel_times_separately(accounts: AccountStore) -> None:
    assert accounts.claim(NumberClaim(OA, "u1", PHONE, "sms", 1000, "app-u1"))
    assert accounts.claim(NumberClaim(OA, "u1", PHONE, "zalo", 2000, "app-u1"))
    account = accounts.get(OA, "u1")
    assert account is not None
    assert (account.phone, account.sms_verified_at, account.zalo_verified_at) == (PHONE, 1000, 2000)
    assert accounts.owner_of(OA, PHONE) == "u1"


def test_another_account_cannot_claim_a_verified_number(accounts: AccountStore) -> None:
    accounts.claim(NumberClaim(OA, "u1", PHONE, "sms", 1000))
    assert not accounts.claim(NumberClaim(OA, "u2", PHONE, "sms", 1001))
    assert accounts.get(OA, "u2") is None


def test_changing_the_number_releases_the_old_one_and_clears_both(accounts: AccountStore) -> None:
    accounts.claim(NumberClaim(OA, "u1", PHONE, "sms", 1000))
    accounts.claim(NumberClaim(OA, "u1", PHONE, "zalo", 1001))
    accounts.claim(NumberClaim(OA, "u1", "+84987654321", "sms", 2000))
    account = accounts.get(OA, "u1")
    assert account is not None
    assert (account.phone, account.sms_verified_at, account.zalo_verified_at) == (
        "+84987654321",
        2000,
        None,
    )
    assert accounts.owner_of(OA, PHONE) is None
    assert accounts.claim(NumberClaim(OA, "u2", PHONE, "sms", 2001))


def test_a_record_already_stored_is_read_by_the_claim_and_its_old_number_released(
    accounts: AccountStore, rdb: redis.Redis
) -> None:
    """A claim first assumes no record (one round trip); one stored before it (here as the
    packed record any version writes) is answered back and claimed over, not lost."""
    rdb.hset(bucket("acct", OA, "u1"), "u1", "84987654321|1000|1001|app-u1")
    rdb.hset(bucket("phone", OA, "84987654321"), "84987654321", "u1")
    assert accounts.claim(NumberClaim(OA, "u1", PHONE, "sms", 2000))
    account = accounts.get(OA, "u1")
    assert account is not None and (account.phone, account.user_id_by_app) == (PHONE, "app-u1")
    assert (account.sms_verified_at, account.zalo_verified_at) == (2000, None)
    assert accounts.owner_of(OA, "+84987654321") is None and accounts.owner_of(OA, PHONE) == "u1"


def test_find_by_the_app_scoped_id(accounts: AccountStore) -> None:
    accounts.claim(NumberClaim(OA, "u1", PHONE, "sms", 1000, "5521772797175877300"))
    found = accounts.find(OA, "5521772797175877300")
    assert found is not None and found.user_id == "u1"
    assert accounts.find(OA, "nobody") is None


def test_numbers_are_per_oa(accounts: AccountStore) -> None:
    assert accounts.claim(NumberClaim("oa1", "u1", PHONE, "sms", 1))
    assert accounts.claim(NumberClaim("oa2", "u9", PHONE, "sms", 1))


def race_once(accounts: AccountStore, phone: str) -> dict[str, bool]:
    """Two accounts claim phone at the same instant; who won."""
    barrier = threading.Barrier(2)
    results: dict[str, bool] = {}

    def claim(user: str) -> None:
        barrier.wait()
        results[user] = accounts.claim(NumberClaim(OA, user, phone, "sms", 1))

    threads = [threading.Thread(target=claim, args=(u,)) for u in ("u1", "u2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_accounts_racing_for_one_number_a_hundred_times(
    accounts: AccountStore, rdb: redis.Redis
) -> None:
    for round_no in range(100):
        phone = f"+8491234{round_no:04d}"
        results = race_once(accounts, phone)
        assert sorted(results.values()) == [False, True], round_no
        winner = next(u for u, won in results.items() if won)
        assert accounts.owner_of(OA, phone) == winner
        rdb.flushall()


def test_forget_deletes_the_account_and_frees_the_number(
    accounts: AccountStore, rdb: redis.Redis
) -> None:
    accounts.claim(NumberClaim(OA, "u1", PHONE, "sms", 1000, "app-u1"))
    with rdb.pipeline() as pipe:
        accounts.forget(pipe, OA, "u1")
        pipe.execute()
    assert accounts.get(OA, "u1") is None
    assert accounts.owner_of(OA, PHONE) is None
    assert accounts.find(OA, "app-u1") is None
