"""Zalo tokens in Redis: seeded once, rotated durably, one refresher across processes."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import redis

from bot.zalo.token_store import RedisRefreshLock, RedisTokenStorage
from tests.fakes.zalo import FakeZalo
from zalo_api import OAClient, OAuthClient, TokenManager, TokenPair
from zalo_api.errors import ZaloRefreshBusyError


@pytest.fixture
def zalo() -> Iterator[FakeZalo]:
    """A fresh fake Zalo."""
    with FakeZalo() as fake:
        yield fake


def manager(rdb: redis.Redis, zalo: FakeZalo) -> TokenManager:
    """What one bot process builds: its own objects, the shared Redis."""
    oauth = OAuthClient(zalo.oauth_url, zalo.app_id, zalo.app_secret, timeout=5)
    storage = RedisTokenStorage(rdb, zalo.app_id, zalo.oa_id)
    return TokenManager(storage, oauth, RedisRefreshLock(rdb, zalo.app_id, zalo.oa_id))


def test_seed_never_overwrites_rotated_tokens(rdb: redis.Redis) -> None:
    storage = RedisTokenStorage(rdb, "app", "oa")
    assert storage.seed("a1", "r1")
    storage.save(TokenPair("a2", "r2", 123.0))
    assert not storage.seed("a1", "r1")
    stored = storage.load()
    assert stored is not None and (stored.access_token, stored.refresh_token) == ("a2", "r2")
    assert rdb.ttl(storage.key) == -1  # durable


def test_two_processes_hitting_an_expired_token_refresh_once(
    rdb: redis.Redis, zalo: FakeZalo
) -> None:
    RedisTokenStorage(rdb, zalo.app_id, zalo.oa_id).seed(zalo.access_token, zalo.refresh_token)
    zalo.expire_access_token()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def send(n: int) -> None:
        client = OAClient(zalo.openapi_url, manager(rdb, zalo), timeout=5)
        barrier.wait()
        try:
            client.send_text(f"user-{n}", "xin chào")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert zalo.refresh_calls == 1
    assert zalo.messages_to("user-0") == ["xin chào"] and zalo.messages_to("user-1") == ["xin chào"]


def test_a_held_lock_is_a_retryable_error(rdb: redis.Redis) -> None:
    lock = RedisRefreshLock(rdb, "app", "oa", wait_seconds=0.2)
    with lock():
        with pytest.raises(ZaloRefreshBusyError) as caught:
            with RedisRefreshLock(rdb, "app", "oa", wait_seconds=0.2)():
                pass
    assert caught.value.retryable
