"""TokenManager: refresh before expiry or on -216, once, by one refresher, storing first."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from tests.fakes.zalo import FakeZalo
from zalo_api import (
    InMemoryTokenStorage,
    OAClient,
    OAuthClient,
    ThreadRefreshLock,
    TokenManager,
    TokenPair,
    ZaloAPIError,
    ZaloOAuthError,
    ZaloRefreshBusyError,
    ZaloTokenMissingError,
)

USER = "2468458835296117922"


def test_a_fresh_token_is_used_as_stored(tokens: TokenManager, fake: FakeZalo) -> None:
    assert tokens.access_token() == fake.access_token
    assert fake.refresh_calls == 0


def test_a_token_near_expiry_is_refreshed_first(
    tokens: TokenManager, storage: InMemoryTokenStorage, fake: FakeZalo
) -> None:
    old = storage.pair
    assert old is not None
    storage.save(TokenPair(old.access_token, old.refresh_token, time.time() + 60))  # < margin
    new_token = tokens.access_token()
    assert new_token != old.access_token and new_token == fake.access_token
    assert storage.pair is not None and storage.pair.refresh_token == fake.refresh_token
    assert fake.refresh_calls == 1


def test_a_rejected_token_is_refreshed_and_the_call_retried_once(
    oa: OAClient, fake: FakeZalo
) -> None:
    fake.expire_access_token()
    oa.send_text(USER, "hello")
    assert fake.messages_to(USER) == ["hello"]
    assert (fake.calls["cs"], fake.refresh_calls) == (2, 1)


def test_the_retry_after_a_refresh_happens_once_only(oa: OAClient, fake: FakeZalo) -> None:
    fake.fail_next("cs", error=-216, times=3)
    with pytest.raises(ZaloAPIError) as caught:
        oa.send_text(USER, "hello")
    assert caught.value.token_expired
    assert (fake.calls["cs"], fake.refresh_calls) == (2, 1)


def test_rotation_stores_each_new_refresh_token_and_old_ones_are_dead(
    tokens: TokenManager, storage: InMemoryTokenStorage, oauth: OAuthClient, fake: FakeZalo
) -> None:
    first = storage.pair
    assert first is not None
    for _ in range(3):
        assert storage.pair is not None
        tokens.refresh(storage.pair.access_token)
        tokens.backoff.reset()  # the new token worked: the next refresh needs no wait
    assert storage.pair is not None and storage.pair.refresh_token == fake.refresh_token
    assert storage.saves == 3 and fake.refresh_calls == 3
    stale_copy = TokenManager(InMemoryTokenStorage(first), oauth, ThreadRefreshLock())
    with pytest.raises(ZaloOAuthError):  # the fake accepts each refresh token once
        stale_copy.refresh(first.access_token)


def test_the_new_pair_is_stored_before_its_access_token_is_used(
    oauth: OAuthClient, fake: FakeZalo
) -> None:
    steps: list[tuple[str, str]] = []

    class RecordingStorage(InMemoryTokenStorage):
        def save(self, pair: TokenPair) -> None:
            steps.append(("save", pair.access_token))
            super().save(pair)

    old = fake.access_token
    storage = RecordingStorage(TokenPair(old, fake.refresh_token, time.time() + 9999))

    def use(token: str) -> str:
        steps.append(("use", token))
        if token == old:
            raise ZaloAPIError(-216, "Access token is invalid")
        return "done"

    assert TokenManager(storage, oauth, ThreadRefreshLock()).call(use) == "done"
    assert steps == [("use", old), ("save", fake.access_token), ("use", fake.access_token)]


def test_errors_other_than_token_errors_are_not_retried(oa: OAClient, fake: FakeZalo) -> None:
    fake.fail_next("cs", error=-100)
    with pytest.raises(ZaloAPIError):
        oa.send_text(USER, "hello")
    assert (fake.calls["cs"], fake.refresh_calls) == (1, 0)


def run_together(count: int, work: Callable[[], object]) -> list[BaseException]:
    """Run work() in count threads released at once; the exceptions they raised."""
    barrier, errors = threading.Barrier(count), list[BaseException]()

    def runner() -> None:
        barrier.wait()
        try:
            work()
        except BaseException as exc:  # reported to the test
            errors.append(exc)

    threads = [threading.Thread(target=runner) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_two_threads_on_an_expired_token_refresh_once(
    oa: OAClient, storage: InMemoryTokenStorage, fake: FakeZalo
) -> None:
    old = storage.pair
    assert old is not None
    storage.save(TokenPair(old.access_token, old.refresh_token, time.time() - 1))
    fake.delay_next("oauth", 0.2)  # hold the first refresh while the other thread arrives
    assert run_together(2, lambda: oa.send_text(USER, "hi")) == []
    assert fake.refresh_calls == 1
    assert fake.messages_to(USER) == ["hi", "hi"]


def test_two_threads_refused_by_zalo_at_once_refresh_once(oa: OAClient, fake: FakeZalo) -> None:
    fake.expire_access_token()
    fake.delay_next("oauth", 0.2)
    assert run_together(2, lambda: oa.send_text(USER, "hi")) == []
    assert fake.refresh_calls == 1
    assert fake.messages_to(USER) == ["hi", "hi"]


def test_a_refresh_already_done_elsewhere_is_reused(
    tokens: TokenManager, storage: InMemoryTokenStorage, oauth: OAuthClient, fake: FakeZalo
) -> None:
    assert storage.pair is not None
    stale = storage.pair.access_token
    storage.save(oauth.refresh(storage.pair.refresh_token))  # another process rotated
    assert tokens.refresh(stale) == fake.access_token != stale
    assert fake.refresh_calls == 1


def test_no_stored_token_is_a_clear_permanent_error(oauth: OAuthClient) -> None:
    manager = TokenManager(InMemoryTokenStorage(), oauth, ThreadRefreshLock())
    with pytest.raises(ZaloTokenMissingError) as caught:
        manager.access_token()
    assert caught.value.permanent


def test_a_busy_refresh_lock_is_a_retryable_error(oauth: OAuthClient, fake: FakeZalo) -> None:
    lock = ThreadRefreshLock(wait_seconds=0.05)
    pair = TokenPair(fake.access_token, fake.refresh_token, time.time() - 1)
    manager = TokenManager(InMemoryTokenStorage(pair), oauth, lock)
    with lock(), pytest.raises(ZaloRefreshBusyError) as caught:
        manager.access_token()
    assert caught.value.retryable and fake.refresh_calls == 0


def test_a_refused_refresh_keeps_the_stored_pair(
    oa: OAClient, storage: InMemoryTokenStorage, fake: FakeZalo
) -> None:
    before = storage.pair
    fake.expire_access_token()
    fake.revoke_refresh_tokens()
    with pytest.raises(ZaloOAuthError):
        oa.send_text(USER, "hi")
    assert storage.pair == before and storage.saves == 0
