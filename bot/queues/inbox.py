"""Inbound events of one user: recorded once by the webhook, parsed (zalo_api.stored), and
drained in order by the events stage; nobody parses Zalo's body a second time."""

from __future__ import annotations

import base64
import hashlib
import time
from dataclasses import dataclass
from enum import IntEnum

import redis

from bot.connections import Connections
from bot.keys import ScriptArgs, UserRef
from bot.queues.leases import LEASE_MS
from bot.queues.ready import WAKE, ReadySet, member_of
from bot.queues.serial import SerialQueue
from bot.redis_client import cached_script
from zalo_api.jsontext import json_bytes
from zalo_api.stored import as_json

# Zalo retries for hours (one source says 12): remember delivered events for two days, and
# at least as long as an event may be old and still accepted (WEBHOOK_MAX_AGE_SECONDS).
SEEN_TTL_SECONDS = 2 * 24 * 3600
SEEN_MARGIN_SECONDS = 3600
# A worker's drain lock (and its claim on the user) lasts this long, renewed while it works
# (bot.queues.leases): a killed worker's users are drained by another within seconds.
DRAIN_LOCK_TTL_MS = LEASE_MS
STAGE_EVENTS = "events"
# Key kinds (UserRef.key) of a user's inbox and of the lock of whoever drains it.
INBOX, DRAIN_LOCK = "inbox", "drainlock"

# KEYS: seen, inbox, drain lock, ready set, wake list.
# ARGV: dedupe digest, score, event body, now (s), seen TTL (s), ready member, now (ms).
# The user joins the ready set with the event itself, so no crash can separate them.
RECEIVE = (
    WAKE
    + """
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  if redis.call('ZCARD', KEYS[2]) == 0 or redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
  redis.call('ZADD', KEYS[4], 'NX', ARGV[7], ARGV[6])
  wake(KEYS[5])
  return 2
end
local now = tonumber(ARGV[4])
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[5]))
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[4], 'NX', ARGV[7], ARGV[6])
wake(KEYS[5])
return 1
"""
)


def dedupe_digest(dedupe_key: str) -> str:
    """What the seen-set keeps of a dedupe key: 12 characters instead of 20 to 60, because a
    busy OA keeps two days of them per user (a collision within one user's two days: ~2^-72)."""
    return base64.b64encode(hashlib.blake2b(dedupe_key.encode(), digest_size=9).digest()).decode()


class Receipt(IntEnum):
    """What recording an event did (values are the script's answers)."""

    DUPLICATE = 0
    QUEUED = 1  # new: in the inbox, the user in the events stage's ready set
    DUPLICATE_WAKE = 2  # seen before, its events still wait and nobody drains them: runners woken


@dataclass(frozen=True)
class EventInbox:
    """Keys and scripts of one user's inbound events."""

    client: redis.Redis
    user: UserRef
    max_age_seconds: int = 0

    @property
    def seen_ttl_seconds(self) -> int:
        """How long delivered events are remembered: beyond the oldest accepted event."""
        return max(SEEN_TTL_SECONDS, self.max_age_seconds + SEEN_MARGIN_SECONDS)

    @property
    def keys(self) -> list[str]:
        """seen, inbox, drain lock: all under the user's hash tag."""
        return [self.user.key(k) for k in ("seen", INBOX, DRAIN_LOCK)]

    def receive(self, dedupe_key: str, timestamp_ms: int, body: bytes) -> Receipt:
        """Record an event unless it was delivered before and put the user in the ready set
        (one round trip)."""
        now = time.time()
        digest = dedupe_digest(dedupe_key)
        ready = ReadySet(self.client, STAGE_EVENTS)
        args: ScriptArgs = [digest, timestamp_ms, body, int(now), self.seen_ttl_seconds]
        args += [member_of(self.user), int(now * 1000)]
        keys = [*self.keys, ready.key, ready.wake_key]
        script = cached_script(self.client, RECEIVE)  # EVALSHA, reloaded if Redis lost it
        return Receipt(int(script(keys=keys, args=args)))

    def drain_queue(self) -> SerialQueue:
        """The serial queue the events stage drains (ordered by Zalo's timestamp)."""
        seen, inbox, lock = self.keys
        ready = ReadySet(self.client, STAGE_EVENTS).drained(self.user)
        return SerialQueue(self.client, inbox, lock, "zset", DRAIN_LOCK_TTL_MS, ready)

    def forget(self, pipe: redis.client.Pipeline) -> None:
        """Delete the user's queued events (user_withdraw). The seen set stays until it
        expires: it holds only digests, and without it a captured body would replay."""
        _, inbox, _ = self.keys
        pipe.delete(inbox)


def stored(event: object) -> bytes:
    """What an inbox keeps of a parsed event: its stored form, compact UTF-8 JSON."""
    return json_bytes(as_json(event))


def record_event(
    services: Connections, user: UserRef, dedupe_key: str, timestamp_ms: int, body: bytes
) -> Receipt:
    """Put an event in user's inbox, the user in the events stage's ready set."""
    inbox = EventInbox(services.redis, user, services.settings.webhook_max_age_seconds)
    return inbox.receive(dedupe_key, timestamp_ms, body)
