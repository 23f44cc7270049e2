"""A persistent -216 spends one refresh token per token generation, not one per retry."""

from __future__ import annotations

from typing import Any

from prometheus_client import REGISTRY

from tests.production import Chat, production_bot
from zalo_api import (
    InMemoryTokenStorage,
    ThreadRefreshLock,
    TokenManager,
    TokenPair,
    ZaloAPIError,
)


def rejected() -> float:
    """Freshly refreshed tokens Zalo refused so far."""
    return REGISTRY.get_sample_value("bot_zalo_token_rejected_total") or 0.0


def test_a_persistent_216_refreshes_once_and_raises_the_alert(config: dict[str, Any]) -> None:
    before = rejected()
    with production_bot(config) as (app, zalo, _sms):
        zalo.fail_next("cs", error=-216, times=1000)  # Zalo refuses every token, fresh or not
        assert Chat(app, zalo).say("menu") == ""  # nothing got through
        assert zalo.calls["cs"] > 2  # the delivery job retried...
        assert zalo.refresh_calls == 1  # ...without burning a refresh token each time
    assert rejected() > before


class Refresher:
    """An OAuth stand-in that counts refreshes."""

    def __init__(self) -> None:
        self.calls = 0

    def refresh(self, refresh_token: str) -> TokenPair:
        """A new pair each time."""
        self.calls += 1
        return TokenPair(f"access-{self.calls}", f"refresh-{self.calls}", 10**10)


def test_after_the_window_one_more_refresh_is_allowed() -> None:
    now = [1_000_000.0]
    oauth = Refresher()
    storage = InMemoryTokenStorage(TokenPair("access-0", "refresh-0", 10**10))
    manager = TokenManager(storage, oauth, ThreadRefreshLock(), clock=lambda: now[0])

    def refused(token: str) -> str:
        raise ZaloAPIError(-216, "access token invalid")

    for _ in range(3):
        try:
            manager.call(refused)
        except ZaloAPIError:
            pass
    assert oauth.calls == 1
    now[0] += 301
    try:
        manager.call(refused)
    except ZaloAPIError:
        pass
    assert oauth.calls == 2
