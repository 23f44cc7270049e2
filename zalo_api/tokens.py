"""Access tokens kept fresh: refreshed before expiry and on a token error, by one refresher."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol, TypeVar

from zalo_api.errors import ZaloError, ZaloTokenMissingError
from zalo_api.oauth import OAuthClient, TokenPair

T = TypeVar("T")


class TokenStorage(Protocol):
    """Where the current pair lives (the bot keeps it in Redis, durably)."""

    def load(self) -> TokenPair | None:
        """The stored pair, if any."""

    def save(self, pair: TokenPair) -> None:
        """Replace the stored pair."""


class RefreshLock(Protocol):
    """A factory of an exclusive lock with a bounded wait (raises when the wait runs out)."""

    def __call__(self) -> AbstractContextManager[object]:
        """Hold the lock for the duration of the with-block."""


class InMemoryTokenStorage:
    """A TokenStorage in a variable (tests, scripts)."""

    def __init__(self, pair: TokenPair | None = None) -> None:
        self.pair = pair

    def load(self) -> TokenPair | None:
        """The pair."""
        return self.pair

    def save(self, pair: TokenPair) -> None:
        """Keep the pair."""
        self.pair = pair


class ThreadRefreshLock:
    """A RefreshLock for one process."""

    def __init__(self, wait_seconds: float = 10.0) -> None:
        self._lock = threading.Lock()
        self.wait_seconds = wait_seconds

    @contextmanager
    def _held(self) -> Iterator[None]:
        if not self._lock.acquire(timeout=self.wait_seconds):
            raise TimeoutError("token refresh lock not acquired")
        try:
            yield
        finally:
            self._lock.release()

    def __call__(self) -> AbstractContextManager[object]:
        """Hold the lock."""
        return self._held()


class TokenManager:
    """Gives out a valid access token; refreshes it, once, under the lock, storing first."""

    def __init__(
        self,
        storage: TokenStorage,
        oauth: OAuthClient,
        lock: RefreshLock,
        *,
        refresh_margin_seconds: float = 300,
        clock: Callable[[], float] = time.time,
    ):
        self.storage = storage
        self.oauth = oauth
        self.lock = lock
        self.margin = refresh_margin_seconds
        self.clock = clock

    def current(self) -> TokenPair:
        """The stored pair, or ZaloTokenMissingError."""
        pair = self.storage.load()
        if pair is None:
            raise ZaloTokenMissingError("no Zalo token stored: set ZALO_REFRESH_TOKEN")
        return pair

    def access_token(self) -> str:
        """A token valid for at least the margin (refreshing first when it is not)."""
        pair = self.current()
        if pair.expires_at - self.clock() > self.margin:
            return pair.access_token
        return self.refresh(pair.access_token)

    def refresh(self, stale_access_token: str | None) -> str:
        """Refresh unless another process already has: one refresh token is spent once."""
        with self.lock():
            pair = self.current()
            fresh = pair.expires_at - self.clock() > self.margin
            if pair.access_token != stale_access_token and fresh:
                return pair.access_token  # someone rotated while we waited for the lock
            new_pair = self.oauth.refresh(pair.refresh_token)
            self.storage.save(new_pair)  # before use: the old refresh token is dead now
            return new_pair.access_token

    def call(self, fn: Callable[[str], T]) -> T:
        """fn(access_token); on a token error, refresh and retry exactly once."""
        token = self.access_token()
        try:
            return fn(token)
        except ZaloError as exc:
            if not exc.token_expired:
                raise
        return fn(self.refresh(token))
