"""Dead letters: inbound events that failed every attempt, set aside so the user's later
events go on (and portal callbacks that failed for a day, bot.queues.dead_entries).
Durable (no TTL) until an operator reads them or the user withdraws."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis
from redis.client import Pipeline

from bot.keys import UserRef, text
from bot.metrics import DEAD_LETTERS
from bot.queues.dead_entries import ENTRIES_KEY, INDEX_KEY
from bot.queues.inbox import dedupe_digest

# Attempts at one event before it is set aside: the first and two retries.
EVENT_MAX_ATTEMPTS = 3
FAILS_TTL_SECONDS = 24 * 3600


@dataclass(frozen=True)
class DeadLetter:
    """One event set aside: when, whose, what, and the error's type."""

    at: float
    oa_id: str
    user_id: str
    event_name: str
    error: str
    body: str

    @property
    def user(self) -> UserRef:
        """Whose event it was."""
        return UserRef(self.oa_id, self.user_id)

    @property
    def short_id(self) -> str:
        """What operators type to replay or remove it: the body's digest (no user id)."""
        return dedupe_digest(self.body)


class DeadLetters:
    """Owns dead:events (id -> entry), its time index, and the per-user attempt counts."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    @staticmethod
    def entry_id(user: UserRef, raw: bytes) -> str:
        """The id of one user's event (the same event always gets the same id)."""
        return f"{user.tag}|{dedupe_digest(raw.decode('utf-8', 'replace'))}"

    def failed_attempt(self, user: UserRef, raw: bytes) -> int:
        """Count one failed attempt at this event; how many so far."""
        key = user.key("inbox-fails")
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hincrby(key, self.entry_id(user, raw), 1)
            pipe.expire(key, FAILS_TTL_SECONDS)
            count, _ = pipe.execute()
        return int(count)

    def set_aside(self, pipe: Pipeline, user: UserRef, raw: bytes, error: BaseException) -> None:
        """Queue the move of the event into the dead letters (the caller removes it from the
        inbox in the same transaction)."""
        entry_id = self.entry_id(user, raw)
        body = raw.decode("utf-8", "replace")
        at = time.time()
        entry = {"at": at, "oa_id": user.oa_id, "user_id": user.user_id}
        entry |= {"event_name": event_name_of(body), "error": type(error).__name__, "body": body}
        pipe.hset(ENTRIES_KEY, entry_id, json.dumps(entry))
        pipe.zadd(INDEX_KEY, {entry_id: at})
        pipe.hdel(user.key("inbox-fails"), entry_id)
        DEAD_LETTERS.inc()

    def latest(self, count: int = 20) -> list[DeadLetter]:
        """The newest dead letters, newest first."""
        ids = [text(i) for i in self.client.zrevrange(INDEX_KEY, 0, count - 1)]
        found = self.client.hmget(ENTRIES_KEY, ids) if ids else []
        return [DeadLetter(**json.loads(raw)) for raw in found if raw]

    def find(self, short_id: str) -> list[str]:
        """The full ids of the dead letters whose short id is short_id (or all of them: '*')."""
        every = [text(i) for i in self.client.zrange(INDEX_KEY, 0, -1)]
        return [i for i in every if short_id == "*" or i.endswith("|" + short_id)]

    def take(self, entry_id: str, then: Callable[[Pipeline, DeadLetter], None]) -> bool:
        """Remove one dead letter and, in the same transaction, run then(pipe, letter):
        whoever takes it first gets it; a second replay or removal finds nothing."""

        with self.client.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(ENTRIES_KEY)  # type: ignore[no-untyped-call]
                    raw = pipe.hget(ENTRIES_KEY, entry_id)
                    if raw is None:
                        return False
                    pipe.multi()
                    pipe.hdel(ENTRIES_KEY, entry_id)
                    pipe.zrem(INDEX_KEY, entry_id)
                    then(pipe, DeadLetter(**json.loads(raw)))
                    pipe.execute()
                    return True
                except redis.WatchError:  # another letter came or went meanwhile: again
                    continue

    def trim(self, max_age_seconds: float) -> int:
        """Drop the dead letters older than max_age_seconds (their bodies may hold numbers
        never verified: UNVERIFIED_RETENTION_DAYS); how many."""
        ids = self.client.zrangebyscore(INDEX_KEY, "-inf", time.time() - max_age_seconds)
        if not ids:
            return 0
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hdel(ENTRIES_KEY, *ids)
            pipe.zrem(INDEX_KEY, *ids)
            return int(pipe.execute()[1])

    def forget(self, pipe: Pipeline, user: UserRef) -> None:
        """Queue the deletion of the user's dead letters and attempt counts (user_withdraw)."""
        every = (text(i) for i in self.client.zrange(INDEX_KEY, 0, -1))
        ids = [i for i in every if i.startswith(user.tag + "|")]
        if ids:
            pipe.hdel(ENTRIES_KEY, *ids)
            pipe.zrem(INDEX_KEY, *ids)
        pipe.delete(user.key("inbox-fails"))


def event_name_of(body: str) -> str:
    """The event_name of a stored body ('?' when unreadable)."""
    try:
        loaded: Any = json.loads(body)
    except ValueError:
        return "?"
    name = loaded.get("event_name") if isinstance(loaded, dict) else None
    return str(name) if name else "?"
