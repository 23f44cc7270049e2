"""A refused token is refreshed again after a backoff (2 s doubling to 5 minutes), not a wall:
one refresh token per attempt, never one per message, and a token that works resets it."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from prometheus_client import REGISTRY

from bot.services import services_of
from bot.zalo.clients import build_token_manager
from bot.zalo.token_store import RedisRefreshBackoff
from tests.production import Chat, production_bot
from zalo_api import (
    InMemoryTokenStorage,
    ThreadRefreshLock,
    TokenManager,
    TokenPair,
    ZaloAPIError,
    ZaloError,
)
from zalo_api.errors import ZaloRefreshBackoffError
from zalo_api.tokens import backoff_seconds


def rejected() -> float:
    """Tokens Zalo refused right after their refresh, so far."""
    return REGISTRY.get_sample_value("bot_zalo_token_rejected_total") or 0.0


class Refresher:
    """An OAuth stand-in that counts refreshes."""

    def __init__(self) -> None:
        self.calls = 0

    def refresh(self, refresh_token: str) -> TokenPair:
        """A new pair each time."""
        self.calls += 1
        return TokenPair(f"access-{self.calls}", f"refresh-{self.calls}", 10**10)


class Zalo:
    """Refuses every token while `refusing`."""

    def __init__(self) -> None:
        self.refusing = True

    def use(self, token: str) -> str:
        """-216 while refusing, else the token."""
        if self.refusing:
            raise ZaloAPIError(-216, "access token invalid")
        return token


def manager_at(now: list[float], oauth: Refresher) -> TokenManager:
    """A manager whose clock is now[0]."""
    storage = InMemoryTokenStorage(TokenPair("access-0", "refresh-0", 10**10))
    return TokenManager(storage, oauth, ThreadRefreshLock(), clock=lambda: now[0])


def attempt(manager: TokenManager, zalo: Zalo) -> str:
    """One call: the token's outcome, or the error's class."""
    try:
        return manager.call(zalo.use)
    except ZaloError as exc:
        return type(exc).__name__


def test_the_backoff_doubles_from_two_seconds_to_five_minutes() -> None:
    waits = [backoff_seconds(n) for n in range(12)]
    assert waits[:4] == [0.0, 2.0, 4.0, 8.0]
    assert waits[-1] == 300.0 and max(waits) == 300.0


def test_refusals_refresh_at_once_then_after_doubling_waits() -> None:
    now, oauth, zalo = [1_000_000.0], Refresher(), Zalo()
    manager = manager_at(now, oauth)
    assert attempt(manager, zalo) == "ZaloAPIError"  # refused, refreshed, refused again
    assert oauth.calls == 1
    assert attempt(manager, zalo) == "ZaloRefreshBackoffError"  # within 2 s: no refresh spent
    refreshes_at = []
    for _ in range(12000):  # 20 minutes of sends every 0.1 s
        now[0] += 0.1
        before = oauth.calls
        attempt(manager, zalo)
        if oauth.calls > before:
            refreshes_at.append(now[0])
    gaps = [round(b - a) for a, b in zip(refreshes_at, refreshes_at[1:], strict=False)]
    assert gaps[:5] == [4, 8, 16, 32, 64] and max(gaps) == 300  # 2 s came before the loop
    assert oauth.calls < 20  # not one per send


def test_a_token_that_works_resets_the_backoff() -> None:
    now, oauth, zalo = [1_000_000.0], Refresher(), Zalo()
    manager = manager_at(now, oauth)
    for _ in range(4):  # four attempts in a row: the next would wait 16 s
        attempt(manager, zalo)
        now[0] += 60
    zalo.refusing = False
    assert attempt(manager, zalo).startswith("access-")  # the token works again
    zalo.refusing = True
    now[0] += 2  # revoked 2 s later: refreshed at once, whatever came before
    before = oauth.calls
    assert attempt(manager, zalo) == "ZaloAPIError"
    assert oauth.calls == before + 1


def test_every_attempt_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    now, oauth, zalo = [1_000_000.0], Refresher(), Zalo()
    manager = manager_at(now, oauth)
    with caplog.at_level(logging.INFO, logger="zalo_api.tokens"):
        for _ in range(50):  # 50 sends in 5 s: refreshes at 0 s and 2 s, then 4 s later
            attempt(manager, zalo)
            now[0] += 0.1
    refreshed = [r for r in caplog.records if "refreshed (attempt" in r.getMessage()]
    assert [r.getMessage().split("(")[1][:9] for r in refreshed] == ["attempt 1", "attempt 2"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_persistent_216_spends_refresh_tokens_by_the_backoff(config: dict[str, Any]) -> None:
    before = rejected()
    with production_bot(config) as (app, zalo, _sms):
        zalo.fail_next("cs", error=-216, times=1000)  # Zalo refuses every token, fresh or not
        assert Chat(app, zalo).say("menu") == ""  # nothing got through: held, not dropped
        assert zalo.refresh_calls == 1  # one attempt: the next waits out the backoff
        services = services_of(app)
        backoff = RedisRefreshBackoff(services.redis, zalo.app_id, zalo.oa_id)
        assert backoff.attempts()[0] == 1  # shared by every process, in Redis
        tokens = services.outbound(services.registry.main.oa_id).tokens
        with pytest.raises(ZaloRefreshBackoffError):
            tokens.refresh(tokens.current().access_token)
        # Another process's manager of the same OA (built afresh on the same Redis) waits too.
        other = build_token_manager(services, services.registry.main, seed=False)
        with pytest.raises(ZaloRefreshBackoffError):
            other.refresh(other.current().access_token)
        assert zalo.refresh_calls == 1
    assert rejected() > before
