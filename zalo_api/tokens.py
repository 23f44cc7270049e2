"""Access tokens kept fresh: refreshed before expiry and on a token error, by one refresher."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol, TypeVar

from zalo_api.errors import (
    ZaloError,
    ZaloRefreshBackoffError,
    ZaloRefreshBusyError,
    ZaloTokenMissingError,
)
from zalo_api.oauth import TokenPair

log = logging.getLogger(__name__)

T = TypeVar("T")
DEFAULT_REFRESH_MARGIN_SECONDS = 300
DEFAULT_LOCK_WAIT_SECONDS = 10.0
# Zalo may refuse a token at any moment, even seconds after its refresh (revoked, replaced
# elsewhere): the first refresh after a token worked is immediate; each further one in a row
# waits twice as long as the one before, from BACKOFF_FIRST_SECONDS up to BACKOFF_MAX_SECONDS,
# so a refusal that no refresh cures (a revoked app) spends a refresh token every 5 minutes.
BACKOFF_FIRST_SECONDS = 2.0
BACKOFF_MAX_SECONDS = 300.0
# Attempts older than this are forgotten: a refusal next week starts the backoff afresh.
BACKOFF_MEMORY_SECONDS = 2 * BACKOFF_MAX_SECONDS


class TokenStorage(Protocol):
    """Where the current pair lives, durably (the bot keeps it in Redis)."""

    def load(self) -> TokenPair | None:
        """The stored pair, if any."""

    def save(self, pair: TokenPair) -> None:
        """Replace the stored pair."""


class RefreshBackoff(Protocol):
    """Refresh attempts in a row since a token last worked, shared by every refresher."""

    def attempts(self) -> tuple[int, float]:
        """How many, and when the last one began (0, 0.0: none)."""

    def attempted(self, at: float) -> None:
        """One more attempt, begun at `at`."""

    def reset(self) -> None:
        """A token worked: the next refusal is refreshed at once."""


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


class InMemoryRefreshBackoff:
    """A RefreshBackoff in variables (one process: tests, scripts)."""

    def __init__(self) -> None:
        self.count, self.last = 0, 0.0

    def attempts(self) -> tuple[int, float]:
        """The count and the last one's start."""
        return self.count, self.last

    def attempted(self, at: float) -> None:
        """Count it."""
        self.count, self.last = self.count + 1, at

    def reset(self) -> None:
        """Forget them."""
        self.count, self.last = 0, 0.0


def backoff_seconds(attempts: int) -> float:
    """The wait after `attempts` refreshes in a row: 0, then 2, 4, 8 ... 300 seconds."""
    if attempts == 0:
        return 0.0
    return min(BACKOFF_MAX_SECONDS, BACKOFF_FIRST_SECONDS * 2.0 ** min(attempts - 1, 16))


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
        backoff: RefreshBackoff | None = None,
        on_rejected: Callable[[ZaloError], None] | None = None,
        clock: Callable[[], float] = time.time,
        reuse_seconds: float = 0.0,
    ) -> None:
        self.storage = storage
        self.oauth = oauth
        self.lock = lock
        self.margin = refresh_margin_seconds
        self.backoff = backoff if backoff is not None else InMemoryRefreshBackoff()
        self.on_rejected = on_rejected
        self.clock = clock
        # A pair read within reuse_seconds is handed out again without reading the storage
        # (every API call asks for a token); refreshing always reads it afresh.
        self.reuse_seconds = reuse_seconds
        self._recent: tuple[float, TokenPair] | None = None
        # This process saw a refusal or refreshed: its next success resets the backoff.
        self._unconfirmed = False
        # The refreshed token whose refusal was last logged: every thread that retried with it
        # meets the same refusal, and one attempt is one line (and one count), not one per send.
        self._rejected_token = ""
        self._rejected_guard = threading.Lock()

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
        of the refresh token is spent and OAuth must not be called. Otherwise, once the
        backoff allows (ZaloRefreshBackoffError until then), the new pair is stored before
        its access token is handed out. Each attempt is logged once.
        """
        with self.lock():
            pair = self.current()
            if pair.access_token != stale_access_token and self.fresh(pair):
                return pair.access_token
            attempts, last = self.backoff.attempts()
            if self.clock() - last > BACKOFF_MEMORY_SECONDS:
                attempts = 0  # long ago: this refusal starts the backoff afresh
            wait = backoff_seconds(attempts) - (self.clock() - last)
            if wait > 0:
                raise ZaloRefreshBackoffError(wait)
            self.backoff.attempted(self.clock())
            self._unconfirmed = True
            try:
                new_pair = dataclasses.replace(
                    self.oauth.refresh(pair.refresh_token), refreshed_at=self.clock()
                )
            except ZaloError as exc:
                log.warning("Zalo token refresh failed (attempt %d): %s", attempts + 1, exc)
                raise
            self.storage.save(new_pair)
            self._recent = (time.monotonic(), new_pair)
            log.info(
                "Zalo access token refreshed (attempt %d); expires at %.0f",
                attempts + 1,
                new_pair.expires_at,
            )
            return new_pair.access_token

    def call(self, fn: Callable[[str], T]) -> T:
        """fn(access_token); on a token error, refresh (as the backoff allows) and retry once."""
        token = self.access_token()
        try:
            result = fn(token)
        except ZaloError as exc:
            if not exc.token_expired:
                raise
            log.debug("Zalo refused the access token (%s); refreshing", exc)
            self._unconfirmed = True
            return self.retry(fn, self.refresh(token))
        self.confirmed()
        return result

    def retry(self, fn: Callable[[str], T], token: str) -> T:
        """fn with a token just refreshed (or rotated by another process)."""
        try:
            result = fn(token)
        except ZaloError as exc:
            if exc.token_expired:
                self.rejected(exc, token)
            raise
        self.confirmed()
        return result

    def confirmed(self) -> None:
        """A token worked: after a refusal seen here, the next one is refreshed at once."""
        if self._unconfirmed:
            self._unconfirmed = False
            self.backoff.reset()

    def rejected(self, exc: ZaloError, token: str) -> None:
        """A token just refreshed is refused too: logged and counted once per token; the
        backoff spaces the next try."""
        with self._rejected_guard:
            if token == self._rejected_token:
                return
            self._rejected_token = token
        log.warning("Zalo refuses the refreshed access token too (%s)", exc)
        if self.on_rejected is not None:
            self.on_rejected(exc)
