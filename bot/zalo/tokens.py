"""Zalo OAuth tokens in Redis (durable), and the lock that keeps one refresher at a time."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

import redis

from bot.zalo.token_status import status_key
from zalo_api.errors import ZaloRefreshBusyError
from zalo_api.oauth import TokenPair
from zalo_api.tokens import BACKOFF_MEMORY_SECONDS

# A seeded access token's real expiry is unknown: assume it is fresh for an hour.
SEEDED_TOKEN_LIFETIME_SECONDS = 3600


class RedisTokenStorage:
    """Owns zalo:tokens:{app_id}: the current access and refresh tokens as JSON, no TTL."""

    def __init__(self, client: redis.Redis, app_id: str) -> None:
        self.client = client
        self.app_id = app_id
        self.key = f"zalo:tokens:{{{app_id}}}"

    def load(self) -> TokenPair | None:
        """The stored pair, or None before the first one."""
        raw = self.client.get(self.key)
        if raw is None:
            return None
        data = json.loads(raw)
        expires_at, refreshed_at = float(data["expires_at"]), float(data.get("refreshed_at", 0))
        return TokenPair(data["access_token"], data["refresh_token"], expires_at, refreshed_at)

    def save(self, pair: TokenPair) -> None:
        """Store a rotated pair (before the new access token is used)."""
        self.client.set(self.key, self.encode(pair))

    def seed(self, access_token: str, refresh_token: str) -> bool:
        """Store the configured first tokens unless rotated ones are already here."""
        if not (access_token or refresh_token):
            return False
        expires_at = time.time() + (SEEDED_TOKEN_LIFETIME_SECONDS if access_token else 0)
        pair = TokenPair(access_token, refresh_token, expires_at)
        return bool(self.client.set(self.key, self.encode(pair), nx=True))

    def delete(self) -> None:
        """Forget the tokens (the app was unlinked), and their status."""
        self.client.delete(self.key, status_key(self.app_id))

    @staticmethod
    def encode(pair: TokenPair) -> str:
        """The stored JSON form of a pair."""
        return json.dumps(
            {
                "access_token": pair.access_token,
                "refresh_token": pair.refresh_token,
                "expires_at": pair.expires_at,
                "refreshed_at": pair.refreshed_at,
            }
        )


class RedisRefreshBackoff:
    """Owns zalo:tokens-backoff:{app_id}: refresh attempts in a row (n) and the last one's
    start (at), for every process; forgotten BACKOFF_MEMORY_SECONDS after the last."""

    def __init__(self, client: redis.Redis, app_id: str) -> None:
        self.client = client
        self.key = f"zalo:tokens-backoff:{{{app_id}}}"

    def attempts(self) -> tuple[int, float]:
        """How many, and when the last began."""
        n, at = self.client.hmget(self.key, ["n", "at"])
        return int(n or 0), float(at or 0.0)

    def attempted(self, at: float) -> None:
        """One more (the first, if the last is long forgotten)."""
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hincrby(self.key, "n", 1)
            pipe.hset(self.key, "at", at)
            pipe.expire(self.key, int(BACKOFF_MEMORY_SECONDS))
            pipe.execute()

    def reset(self) -> None:
        """A token worked."""
        self.client.delete(self.key)


class RedisRefreshLock:
    """A redis-py Lock per app: one token refresher across every process and host."""

    def __init__(self, client: redis.Redis, app_id: str, wait_seconds: float = 10.0) -> None:
        self.client = client
        self.name = f"zalo:tokens-lock:{{{app_id}}}"
        self.wait_seconds = wait_seconds

    def __call__(self) -> AbstractContextManager[object]:
        """A context manager holding the lock; ZaloRefreshBusyError (retryable) after the wait."""
        return self._held()

    @contextmanager
    def _held(self) -> Iterator[None]:
        lock = self.client.lock(
            self.name, timeout=30, sleep=0.05, blocking_timeout=self.wait_seconds
        )
        try:
            acquired = lock.acquire()
        except redis.RedisError as exc:
            raise ZaloRefreshBusyError("token refresh lock unavailable") from exc
        if not acquired:
            raise ZaloRefreshBusyError("another process is refreshing the token")
        try:
            yield
        finally:
            try:
                lock.release()
            except redis.exceptions.LockError:
                pass  # it expired while we refreshed; the token is stored already
