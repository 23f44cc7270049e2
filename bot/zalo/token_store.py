"""Zalo OAuth tokens in Redis (durable), and the lock that keeps one refresher at a time."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

import redis

from bot.redis_client import cached_script
from bot.zalo.token_status import legacy_status_key, status_key, token_scope
from zalo_api.errors import ZaloRefreshBusyError
from zalo_api.oauth import TokenPair
from zalo_api.tokens import BACKOFF_MEMORY_SECONDS

# A seeded access token's real expiry is unknown: assume it is fresh for an hour.
SEEDED_TOKEN_LIFETIME_SECONDS = 3600
# KEYS: new tokens, old tokens, new status, old status. Each old key (of the days when
# tokens were keyed by App alone: they were the main OA's) becomes the new one, unless the
# new one exists already. Atomic, so two processes starting at once adopt it once.
ADOPT_LEGACY = """
local moved = 0
for i = 1, 3, 2 do
  if redis.call('EXISTS', KEYS[i]) == 0 and redis.call('EXISTS', KEYS[i + 1]) == 1 then
    redis.call('RENAME', KEYS[i + 1], KEYS[i])
    moved = moved + 1
  end
end
return moved
"""


def tokens_key(app_id: str, oa_id: str) -> str:
    """The pair of one OA of one App: zalo:tokens:{app_id}:oa_id."""
    return f"zalo:tokens:{token_scope(app_id, oa_id)}"


def legacy_tokens_key(app_id: str) -> str:
    """Where the pair lived while tokens were keyed by App alone (the main OA's, then)."""
    return f"zalo:tokens:{{{app_id}}}"


class RedisTokenStorage:
    """Owns zalo:tokens:{app_id}:oa_id: one OA's access and refresh tokens as JSON, no TTL.

    legacy (the main OA only): the pair and status stored under the App alone by earlier
    releases are adopted (renamed) before the first use."""

    def __init__(self, client: redis.Redis, app_id: str, oa_id: str, legacy: bool = False) -> None:
        self.client = client
        self.app_id = app_id
        self.oa_id = oa_id
        self.key = tokens_key(app_id, oa_id)
        self.legacy = legacy

    def adopt_legacy(self) -> None:
        """Move the App-keyed pair and status of an earlier release here (once; a no-op after)."""
        if not self.legacy:
            return
        keys = [self.key, legacy_tokens_key(self.app_id)]
        keys += [status_key(self.app_id, self.oa_id), legacy_status_key(self.app_id)]
        cached_script(self.client, ADOPT_LEGACY)(keys=keys)
        self.legacy = False

    def load(self) -> TokenPair | None:
        """The stored pair, or None before the first one."""
        self.adopt_legacy()
        raw = self.client.get(self.key)
        if raw is None:
            return None
        data = json.loads(raw)
        expires_at, refreshed_at = float(data["expires_at"]), float(data.get("refreshed_at", 0))
        return TokenPair(data["access_token"], data["refresh_token"], expires_at, refreshed_at)

    def save(self, pair: TokenPair) -> None:
        """Store a rotated pair (before the new access token is used)."""
        self.adopt_legacy()
        self.client.set(self.key, self.encode(pair))

    def seed(self, access_token: str, refresh_token: str) -> bool:
        """Store the configured first tokens unless rotated ones are already here."""
        self.adopt_legacy()
        if not (access_token or refresh_token):
            return False
        expires_at = time.time() + (SEEDED_TOKEN_LIFETIME_SECONDS if access_token else 0)
        pair = TokenPair(access_token, refresh_token, expires_at)
        return bool(self.client.set(self.key, self.encode(pair), nx=True))

    def delete(self) -> None:
        """Forget the tokens (the OA or its App was unlinked), and their status (the App-keyed
        ones of an earlier release too, so an unlinked main OA's pair is never adopted back)."""
        keys = [self.key, status_key(self.app_id, self.oa_id)]
        if self.legacy:
            keys += [legacy_tokens_key(self.app_id), legacy_status_key(self.app_id)]
        self.client.delete(*keys)

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
    """Owns zalo:tokens-backoff:{app_id}:oa_id: refresh attempts in a row (n) and the last
    one's start (at), for every process; forgotten BACKOFF_MEMORY_SECONDS after the last."""

    def __init__(self, client: redis.Redis, app_id: str, oa_id: str) -> None:
        self.client = client
        self.key = f"zalo:tokens-backoff:{token_scope(app_id, oa_id)}"

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
    """A redis-py Lock per OA: one refresher of its tokens across every process and host."""

    def __init__(
        self, client: redis.Redis, app_id: str, oa_id: str, wait_seconds: float = 10.0
    ) -> None:
        self.client = client
        self.name = f"zalo:tokens-lock:{token_scope(app_id, oa_id)}"
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
