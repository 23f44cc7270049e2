"""Access tokens kept fresh: refreshed before expiry and on a token error, by one refresher."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol, TypeVar

from zalo_api.errors import ZaloError, ZaloRefreshBusyError, ZaloTokenMissingError
from zalo_api.oauth import TokenPair

log = logging.getLogger(__name__)

T = TypeVar("T")
DEFAULT_REFRESH_MARGIN_SECONDS = 300
DEFAULT_LOCK_WAIT_SECONDS = 10.0
# A token refused right after its own refresh is not cured by another refresh (persistent
# -216: revoked app, wrong OA): spend no further refresh token on it within this window.
DEFAULT_MIN_REFRESH_INTERVAL_SECONDS = 300.0


class TokenStorage(Protocol):
    """Where the current pair lives, durably (the bot keeps it in Redis)."""

    def load(self) -> TokenPair | None:
        """The stored pair, if any."""

    def save(self, pair: TokenPair) -> None:
        """Replace the stored pair."""


class RefreshLock(Protocol):
    """A factory of an exclusive lock with a bounded wait (raising when the wait runs out)."""

    def __call__(self) -> AbstractContextManager[object]:
        """A context manager holding the lock for its with-block."""


class TokenRefresher(Protocol):
    """What spends a refresh token (OAuthClient)."""

    def refresh(self, refresh_token: str) -> TokenPair:
        """The next pair."""


class InMemoryTokenStorage:
    """A TokenStorage in a variable (tests, scripts)."""

    def __init__(self, pair: TokenPair | None = None) -> None:
        self.pair = pair
        self.saves = 0

    def load(self) -> TokenPair | None:
        """The pair."""
        return self.pair

    def save(self, pair: TokenPair) -> None:
        """Keep the pair."""
        self.pair = pair
        self.saves += 1


class ThreadRefreshLock:
    """A RefreshLock for the threads of one process."""

    def __init__(self, wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS) -> None:
        self._lock = threading.Lock()
        self.wait_seconds = wait_seconds

    @contextmanager
    def _held(self) -> Iterator[None]:
        if not self._lock.acquire(timeout=self.wait_seconds):
            raise ZaloRefreshBusyError(f"token refresh lock not free after {self.wait_seconds}s")
        try:
            yield
        finally:
            self._lock.release()

    def __call__(self) -> AbstractContextManager[object]:
        """Hold the lock (ZaloRefreshBusyError after wait_seconds)."""
        return self._held()


class TokenManager:
    """Gives out a valid access token; refreshes it under the lock, storing the pair first."""

    def __init__(
        self,
        storage: TokenStorage,
        oauth: TokenRefresher,
        lock: RefreshLock,
        *,
        refresh_margin_seconds: float = DEFAULT_REFRESH_MARGIN_SECONDS,
        min_refresh_interval_seconds: float = DEFAULT_MIN_REFRESH_INTERVAL_SECONDS,
        on_rejected: Callable[[ZaloError], None] | None = None,
        clock: Callable[[], float] = time.time,
        reuse_seconds: float = 0.0,
    ) -> None:
        self.storage = storage
        self.oauth = oauth
        self.lock = lock
        self.margin = refresh_margin_seconds
        self.min_interval = min_refresh_interval_seconds
        self.on_rejected = on_rejected
        self.clock = clock
        # A pair read within reuse_seconds is handed out again without reading the storage
        # (every API call asks for a token); refreshing always reads it afresh.
        self.reuse_seconds = reuse_seconds
        self._recent: tuple[float, TokenPair] | None = None

    def current(self) -> TokenPair:
        """The stored pair, or ZaloTokenMissingError."""
        pair = self.storage.load()
        if pair is None:
            self._recent = None
            raise ZaloTokenMissingError("no Zalo token stored: provide a first refresh token")
        self._recent = (time.monotonic(), pair)
        return pair

    def recent(self) -> TokenPair:
        """The pair read within reuse_seconds, else current()."""
        recent = self._recent
        if recent is not None and time.monotonic() - recent[0] < self.reuse_seconds:
            return recent[1]
        return self.current()

    def fresh(self, pair: TokenPair) -> bool:
        """Whether the pair's access token stays valid beyond the margin."""
        return bool(pair.access_token) and pair.expires_at - self.clock() > self.margin

    def access_token(self) -> str:
        """A token valid for at least the margin (refreshed first when it is not)."""
        pair = self.recent()
        return pair.access_token if self.fresh(pair) else self.refresh(pair.access_token)

    def refresh(self, stale_access_token: str | None) -> str:
        """A new access token, unless another refresher already replaced the stale one.

        Under the lock the pair is read again: a stored token that differs from the stale
        one (None: no token in hand) and is fresh was rotated by someone else, so our copy
        of the refresh token is spent and OAuth must not be called. Otherwise the new pair
        is stored before its access token is handed out.
        """
        with self.lock():
            pair = self.current()
            if pair.access_token != stale_access_token and self.fresh(pair):
                return pair.access_token
            new_pair = dataclasses.replace(
                self.oauth.refresh(pair.refresh_token), refreshed_at=self.clock()
            )
            self.storage.save(new_pair)
            self._recent = (time.monotonic(), new_pair)
            log.info("Zalo access token refreshed; expires at %.0f", new_pair.expires_at)
            return new_pair.access_token

    def call(self, fn: Callable[[str], T]) -> T:
        """fn(access_token); on a token-expired error, refresh and retry exactly once."""
        token = self.access_token()
        try:
            return fn(token)
        except ZaloError as exc:
            if not exc.token_expired:
                raise
            if self.just_refreshed(token):
                self.rejected(exc)
                raise
            log.info("Zalo refused the access token (%s); refreshing", exc)
        return fn(self.refresh(token))

    def just_refreshed(self, token: str) -> bool:
        """Whether token is the stored one and came from a refresh within the window."""
        pair = self.current()
        recent = self.clock() - pair.refreshed_at < self.min_interval
        return pair.access_token == token and pair.refreshed_at > 0 and recent

    def rejected(self, exc: ZaloError) -> None:
        """A freshly refreshed token refused again: alert, and let the caller's retry wait."""
        log.error("Zalo refuses a freshly refreshed access token (%s); not refreshing again", exc)
        if self.on_rejected is not None:
            self.on_rejected(exc)
