"""A per-user queue in Redis drained by one worker at a time, in order.

The worker that takes the drain lock processes items until the queue is empty and releases
the lock in the same atomic step that finds it empty. So a job that finds the lock taken can
simply stop: the holder will see its item. Only a crashed holder leaves work behind, which the
lock's expiry and a delayed re-check take care of.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import redis

from bot.keys import ScriptArgs

# The first `batch` items of a sorted set (by score) or a list (by position).
FIRST_ITEMS = """
local function first_items(key, batch, kind)
  if kind == 'zset' then return redis.call('ZRANGE', key, 0, tonumber(batch) - 1) end
  return redis.call('LRANGE', key, 0, tonumber(batch) - 1)
end
"""

# KEYS: lock, queue, flag to clear, then keys to read. ARGV: token, ttl ms, batch, kind.
ACQUIRE = (
    FIRST_ITEMS
    + """
if KEYS[3] ~= KEYS[1] then redis.call('DEL', KEYS[3]) end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
local items = first_items(KEYS[2], ARGV[3], ARGV[4])
if #items == 0 then redis.call('DEL', KEYS[1]) end
local answer = {items}
for i = 4, #KEYS do answer[#answer + 1] = redis.call('GET', KEYS[i]) or '' end
return answer
"""
)

# KEYS: lock, queue. ARGV: token, ttl ms, batch, kind. Empty queue: release, answer {}.
NEXT_OR_RELEASE = (
    FIRST_ITEMS
    + """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
local items = first_items(KEYS[2], ARGV[3], ARGV[4])
if #items == 0 then redis.call('DEL', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return items
"""
)

RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@dataclass(frozen=True)
class Drained:
    """What acquire() found: the first batch of items and the values of the extra keys."""

    items: list[bytes]
    extras: list[bytes]


class SerialQueue:
    """One user's queue (a sorted set or a list) and the lock of whoever drains it."""

    def __init__(
        self, client: redis.Redis, queue_key: str, lock_key: str, kind: str, ttl_ms: int
    ) -> None:
        self.client = client
        self.queue_key = queue_key
        self.lock_key = lock_key
        self.kind = kind
        self.ttl_ms = ttl_ms
        self.token = secrets.token_hex(8)
        self._acquire = client.register_script(ACQUIRE)
        self._next = client.register_script(NEXT_OR_RELEASE)
        self._release = client.register_script(RELEASE)

    def acquire(
        self, batch: int, clear_flag: str | None = None, read: Sequence[str] = ()
    ) -> Drained | None:
        """Take the drain lock and the first batch; None when another worker holds it.

        An empty batch means the queue was empty and the lock is already given back.
        """
        keys = [self.lock_key, self.queue_key, clear_flag or self.lock_key, *read]
        answer = self._acquire(keys=keys, args=[self.token, self.ttl_ms, batch, self.kind])
        if not answer:
            return None
        return Drained(items=list(answer[0]), extras=list(answer[1:]))

    def next_batch_args(self, batch: int) -> tuple[list[str], ScriptArgs]:
        """Keys and args of NEXT_OR_RELEASE, to run inside a caller's transaction."""
        return [self.lock_key, self.queue_key], [self.token, self.ttl_ms, batch, self.kind]

    def next_batch(self, pipe: redis.client.Pipeline | None = None, batch: int = 20) -> Any:
        """The next items ([] = queue empty and lock released; None = lock lost)."""
        keys, args = self.next_batch_args(batch)
        return self._next(keys=keys, args=args, client=pipe or self.client)

    def release(self) -> None:
        """Give the lock back if still ours (after a failure; the items stay queued)."""
        self._release(keys=[self.lock_key], args=[self.token])
