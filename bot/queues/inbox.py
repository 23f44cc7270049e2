"""Inbound events of one user: recorded once by the webhook, drained in order by a worker."""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

import redis
from rq import Retry

from bot.keys import ScriptArgs, UserRef
from bot.queues.serial import SerialQueue
from bot.services import QUEUE_EVENTS, Services

# Zalo retries for hours (one source says 12): remember delivered events for two days, and
# at least as long as an event may be old and still accepted (WEBHOOK_MAX_AGE_SECONDS).
SEEN_TTL_SECONDS = 2 * 24 * 3600
SEEN_MARGIN_SECONDS = 3600
# A queued processing job clears this flag when it starts; until then, no second job.
PENDING_TTL_MS = 60 * 1000
# A worker holds a user's drain lock at most this long without renewing it.
DRAIN_LOCK_TTL_MS = 60 * 1000

# KEYS: seen, inbox, pending, drain lock.
# ARGV: dedupe digest, score, event body, now (s), seen TTL (s), pending TTL (ms), then the
# commands that enqueue a processing job: their count, and each as its length and its words.
# Setting the pending flag and enqueueing happen together or not at all.
RECEIVE = """
local function start_job()
  if not redis.call('SET', KEYS[3], '1', 'NX', 'PX', ARGV[6]) then return false end
  local at = 8
  for _ = 1, tonumber(ARGV[7]) do
    local words = tonumber(ARGV[at])
    redis.call(unpack(ARGV, at + 1, at + words))
    at = at + words + 1
  end
  return true
end
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  if redis.call('ZCARD', KEYS[2]) > 0 and redis.call('EXISTS', KEYS[4]) == 0 and start_job() then
    return 2
  end
  return 0
end
local now = tonumber(ARGV[4])
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[5]))
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
if start_job() then return 3 end
return 1
"""
Command = Sequence[str | int | float | bytes]
# By dotted name: the pipeline sits above this room and imports it, not the other way.
PROCESS_JOB = "bot.pipeline.processing.process_events"
PROCESS_JOB_OPTIONS = {
    "retry": Retry(max=5, interval=[1, 5, 15, 60, 300]),
    "result_ttl": 0,
    "failure_ttl": 24 * 3600,
    "job_timeout": DRAIN_LOCK_TTL_MS // 1000 - 15,
}


def dedupe_digest(dedupe_key: str) -> str:
    """What the seen-set keeps of a dedupe key: 12 characters instead of 20 to 60, because a
    busy OA keeps two days of them per user (a collision within one user's two days: ~2^-72)."""
    return base64.b64encode(hashlib.blake2b(dedupe_key.encode(), digest_size=9).digest()).decode()


class Receipt(IntEnum):
    """What recording an event did (values are the script's answers)."""

    DUPLICATE = 0
    QUEUED = 1  # new; a processing job is already waiting for this user
    DUPLICATE_KICK = 2  # seen before, but its processing job was lost: one was started
    QUEUED_KICK = 3  # new; a processing job was started


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
        """seen, inbox, pending, drain lock: all under the user's hash tag."""
        return [self.user.key(k) for k in ("seen", "inbox", "pending", "drainlock")]

    def receive(
        self, dedupe_key: str, timestamp_ms: int, body: bytes, start_job: Sequence[Command]
    ) -> Receipt:
        """Record an event unless it was delivered before and, when no processing job is
        waiting for the user, run the start_job commands (all in one round trip)."""
        now = int(time.time())
        digest = dedupe_digest(dedupe_key)
        ttl = self.seen_ttl_seconds
        args: ScriptArgs = [digest, timestamp_ms, body, now, ttl, PENDING_TTL_MS]
        args.append(len(start_job))
        for command in start_job:
            args += [len(command), *command]
        script = self.client.register_script(RECEIVE)  # EVALSHA, reloaded if Redis lost it
        return Receipt(int(script(keys=self.keys, args=args)))

    def drain_queue(self) -> SerialQueue:
        """The serial queue a processing job drains (ordered by Zalo's timestamp)."""
        seen, inbox, pending, lock = self.keys
        return SerialQueue(self.client, inbox, lock, "zset", DRAIN_LOCK_TTL_MS)

    @property
    def pending_key(self) -> str:
        """The flag a starting processing job clears."""
        return self.keys[2]

    def forget(self, pipe: redis.client.Pipeline) -> None:
        """Delete the user's queued events (user_withdraw). The seen set stays until it
        expires: it holds only digests, and without it a captured body would replay."""
        _, inbox, pending, _ = self.keys
        pipe.delete(inbox, pending)


def record_event(
    services: Services, user: UserRef, dedupe_key: str, timestamp_ms: int, body: bytes
) -> Receipt:
    """Put an event in user's inbox and, if none is waiting, a processing job in the queue."""
    inbox = EventInbox(services.redis, user, services.settings.webhook_max_age_seconds)
    return inbox.receive(dedupe_key, timestamp_ms, body, start_job=enqueue_commands(services, user))


def enqueue_commands(services: Services, user: UserRef) -> list[Command]:
    """The commands with which RQ would enqueue user's processing job, recorded, not sent.

    The inbox script runs them only when the user has no job waiting: deciding and enqueueing
    take one round trip instead of two, and a crash cannot separate them.
    """
    with services.redis.pipeline(transaction=False) as recorder:
        services.queue(QUEUE_EVENTS).enqueue(
            PROCESS_JOB,
            *user.as_args(),
            pipeline=recorder,
            description=user.job_description("process_events"),
            **PROCESS_JOB_OPTIONS,
        )
        return [args for args, _options in recorder.command_stack]
