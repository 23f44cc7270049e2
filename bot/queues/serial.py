"""A per-user queue in Redis drained by one worker at a time, in order.

The worker that takes the drain lock processes items until the queue is empty and releases
the lock in the same atomic step that finds it empty. So a runner that finds the lock taken
can simply stop: the holder will see its item. The same step also takes the user out of the
stage's ready set (bot.queues.ready), so a user with items is always a member; a crashed
holder's lease runs out and the user is due again to the stage's runners.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import redis

from bot.keys import ScriptArgs
from bot.queues.leases import KEEPER
from bot.redis_client import OUTAGE_ERRORS, cached_script, run_script

log = logging.getLogger(__name__)

# The first `batch` items of a sorted set (by score) or a list (by position).
FIRST_ITEMS = """
local function first_items(key, batch, kind)
  if kind == 'zset' then return redis.call('ZRANGE', key, 0, tonumber(batch) - 1) end
  return redis.call('LRANGE', key, 0, tonumber(batch) - 1)
end
"""

# Empty queue: give the lock back and leave the ready set (KEYS[3], member ARGV[5]).
RELEASE_IF_EMPTY = """
local function release_if_empty(items)
  if #items > 0 then return end
  redis.call('DEL', KEYS[1])
  if ARGV[5] ~= '' then redis.call('ZREM', KEYS[3], ARGV[5]) end
end
"""

# KEYS: lock, queue, ready set, then keys to read. ARGV: token, ttl ms, batch, kind, member.
ACQUIRE = (
    FIRST_ITEMS
    + RELEASE_IF_EMPTY
    + """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
local items = first_items(KEYS[2], ARGV[3], ARGV[4])
release_if_empty(items)
local answer = {items}
for i = 4, #KEYS do answer[#answer + 1] = redis.call('GET', KEYS[i]) or '' end
return answer
"""
)

# KEYS: lock, queue, ready set. ARGV as ACQUIRE. Empty queue: release, answer {}.
NEXT_OR_RELEASE = (
    FIRST_ITEMS
    + RELEASE_IF_EMPTY
    + """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
local items = first_items(KEYS[2], ARGV[3], ARGV[4])
release_if_empty(items)
if #items > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return items
"""
)

# KEYS, ARGV as NEXT_OR_RELEASE: the head of a list was sent (or dropped); remove it, then
# the next items as NEXT_OR_RELEASE (one round trip per item sent).
POP_AND_NEXT = (
    FIRST_ITEMS
    + RELEASE_IF_EMPTY
    + """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
redis.call('LPOP', KEYS[2])
local items = first_items(KEYS[2], ARGV[3], ARGV[4])
release_if_empty(items)
if #items > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return items
"""
)

# KEYS: lock, queue, ready set. ARGV: token, the head handled, the head to put instead
# ('' = leave it), member, due ms. The head failed and is retried later: it is rewritten (its
# attempt count), the lock released and the member due again at ARGV[5], if the lock is ours.
RETRY_HEAD = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[3] ~= '' and redis.call('LINDEX', KEYS[2], 0) == ARGV[2] then
  redis.call('LSET', KEYS[2], 0, ARGV[3])
end
redis.call('DEL', KEYS[1])
redis.call('ZADD', KEYS[3], 'XX', ARGV[5], ARGV[4])
return 1
"""

RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS: (list, lock) pairs. ARGV: (item, token) pairs. Removes the head of each list that
# still starts with its item (handled, but an outage cut off its removal), then releases the
# lock if still held by the token (kept meanwhile, so that nobody handled the item again).
SETTLE = """
for i = 1, #KEYS, 2 do
  if redis.call('LINDEX', KEYS[i], 0) == ARGV[i] then redis.call('LPOP', KEYS[i]) end
  if redis.call('GET', KEYS[i + 1]) == ARGV[i + 1] then redis.call('DEL', KEYS[i + 1]) end
end
return #KEYS / 2
"""


@dataclass(frozen=True)
class Handled:
    """An item handled at the head of a list whose removal an outage cut off, and the lock
    (with its token) kept on that list until the removal is done."""

    client: redis.Redis
    queue_key: str
    item: bytes
    lock_key: str
    token: str


class Unrecorded:
    """Items handled (sent) whose removal from their list an outage cut off: removed by
    settle() as soon as Redis answers, before anything could handle them a second time.
    Their locks stay held (and renewed, bot.queues.leases) until then."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._items: list[Handled] = []

    def add(self, handled: Handled) -> None:
        """Remember an item handled."""
        with self._guard:
            self._items.append(handled)

    def __len__(self) -> int:
        with self._guard:
            return len(self._items)

    def settle(self) -> int:
        """Remove the remembered heads and release their locks, each in its own Redis
        (raises while one is away)."""
        with self._guard:
            pending, settled = list(self._items), 0
            for client in {id(h.client): h.client for h in pending}.values():
                mine = [h for h in pending if h.client is client]
                keys = [key for h in mine for key in (h.queue_key, h.lock_key)]
                args = [arg for h in mine for arg in (h.item, h.token)]
                cached_script(client, SETTLE)(keys=keys, args=args)
                for h in mine:
                    KEEPER.drop(client, h.lock_key, h.token)
                self._items = [h for h in self._items if h.client is not client]
                settled += len(mine)
        if settled:
            log.info("recorded %d sends an outage had left unrecorded", settled)
        return settled


UNRECORDED = Unrecorded()


class RetryLater(Exception):
    """An item failed and waits for its retry (bot.queues.serial.SerialQueue.retry_head):
    the user's queue stops here, nothing else is to be done with it now."""


class Unsettled(redis.ConnectionError):
    """Redis went away right after an item was handled: an outage (OUTAGE_ERRORS) whose
    item waits in UNRECORDED, its lock kept."""


@dataclass(frozen=True)
class Drained:
    """What acquire() found: the first batch of items and the values of the extra keys, and
    the token the lock holds (set when the lock was taken in a claim, bot.queues.ready)."""

    items: list[bytes]
    extras: list[bytes] = field(repr=False)  # may hold a live code's nonce: never shown
    token: str = ""


@dataclass(frozen=True)
class TakeSpec:
    """How a claim takes a user's lock and first batch in the same step (bot.queues.ready):
    the key kinds of their queue and lock (UserRef.key), the queue's type, the batch, the
    lock's TTL, the kinds of the extra keys to read, and a hash's kind and fields to read
    after them (their values follow the keys' in Drained.extras)."""

    queue: str
    lock: str
    kind: str
    batch: int
    ttl_ms: int
    read: tuple[str, ...] = ()
    read_hash: tuple[str, ...] = ()

    def read_args(self) -> ScriptArgs:
        """The ARGV tail of ready.READ_EXTRAS: how many keys to GET, their kinds, the hash's."""
        return [len(self.read), *self.read, *self.read_hash]


class SerialQueue:
    """One user's queue (a sorted set or a list) and the lock of whoever drains it."""

    def __init__(
        self,
        client: redis.Redis,
        queue_key: str,
        lock_key: str,
        kind: str,
        ttl_ms: int,
        ready: tuple[str, str] | None = None,
    ) -> None:
        self.client = client
        # (ready set, member): left in the step that finds the queue empty.
        self.ready_key, self.member = ready or (lock_key, "")
        self.queue_key = queue_key
        self.lock_key = lock_key
        self.kind = kind
        self.ttl_ms = ttl_ms
        self.token = secrets.token_hex(8)
        self._acquire = cached_script(client, ACQUIRE)
        self._next = cached_script(client, NEXT_OR_RELEASE)
        self._pop_next = cached_script(client, POP_AND_NEXT)
        self._release = cached_script(client, RELEASE)
        self._retry_head = cached_script(client, RETRY_HEAD)

    def adopt(self, taken: Drained) -> Drained:
        """Go on from a batch a claim already took, with its lock's token (kept alive)."""
        self.token = taken.token
        if taken.items:
            KEEPER.keep(self.client, self.lock_key, self.token)
        return taken

    def acquire_or_adopt(
        self, taken: Drained | None, batch: int, read: Sequence[str] = ()
    ) -> Drained | None:
        """adopt() what a claim took, else acquire()."""
        return self.adopt(taken) if taken is not None else self.acquire(batch, read)

    def acquire(self, batch: int, read: Sequence[str] = ()) -> Drained | None:
        """Take the drain lock and the first batch; None when another worker holds it.

        An empty batch means the queue was empty and the lock is already given back.
        """
        keys = [self.lock_key, self.queue_key, self.ready_key, *read]
        answer = self._acquire(keys=keys, args=self._args(batch))
        if not answer:
            return None
        if answer[0]:
            KEEPER.keep(self.client, self.lock_key, self.token)
        return Drained(items=list(answer[0]), extras=list(answer[1:]))

    def next_batch_args(self, batch: int) -> tuple[list[str], ScriptArgs]:
        """Keys and args of NEXT_OR_RELEASE, to run inside a caller's transaction."""
        return [self.lock_key, self.queue_key, self.ready_key], self._args(batch)

    def _args(self, batch: int) -> ScriptArgs:
        """ARGV of ACQUIRE and NEXT_OR_RELEASE."""
        return [self.token, self.ttl_ms, batch, self.kind, self.member]

    def next_batch(self, pipe: redis.client.Pipeline | None = None, batch: int = 20) -> Any:
        """The next items ([] = queue empty and lock released; None = lock lost)."""
        keys, args = self.next_batch_args(batch)
        return run_script(self._next, keys, args, pipe)

    def pop_and_next(self, batch: int = 1) -> Any:
        """Remove the head item of a list (done with), then next_batch()'s answer."""
        keys, args = self.next_batch_args(batch)
        return self._pop_next(keys=keys, args=args)

    def each(
        self,
        taken: Drained | None,
        handle: Callable[[bytes], int],
        riders: redis.client.Pipeline | None = None,
    ) -> int:
        """Handle a list's items in order under the lock, each removed once handled (one round
        trip each, carrying what handle queued into riders), until the list is empty; the sum
        of handle's answers."""
        got = self.acquire_or_adopt(taken, batch=1)
        if got is None:  # another worker drains this queue and will see every item in it
            return 0
        done, items = 0, got.items
        try:
            while items:
                done += handle(items[0])
                items = self.pop_after(items[0], riders) or []  # None: our lock ran out
        except Unsettled:
            raise  # the lock stays ours until UNRECORDED.settle() releases it
        except BaseException:
            self.release()
            raise
        self.finished()
        return done

    def finished(self) -> None:
        """The queue was found empty (its lock released with it): stop renewing the lock."""
        KEEPER.drop(self.client, self.lock_key, self.token)

    def pop_after(self, handled: bytes, riders: redis.client.Pipeline | None = None) -> Any:
        """pop_and_next() once handled was handled, with the writes queued in riders; if Redis
        is away, it is remembered as handled (UNRECORDED) so that it is removed, not handled
        again, when Redis answers."""
        try:
            if riders is None or not len(riders):
                return self.pop_and_next()
            return self.pop_with(riders)
        except OUTAGE_ERRORS as exc:
            UNRECORDED.add(Handled(self.client, self.queue_key, handled, self.lock_key, self.token))
            raise Unsettled(str(exc)) from exc

    def pop_with(self, riders: redis.client.Pipeline) -> Any:
        """pop_and_next() in the round trip of the writes queued in riders (a pipeline without
        a transaction): their errors are logged, never raised, so they cannot undo the pop."""
        keys, args = self.next_batch_args(1)
        run_script(self._pop_next, keys, args, riders)
        *written, popped = riders.execute(raise_on_error=False)
        failed = [type(answer).__name__ for answer in written if isinstance(answer, Exception)]
        if failed:
            log.warning("writes riding on a pop failed: %s", ", ".join(failed))
        if isinstance(popped, Exception):
            raise popped
        return popped

    def retry_head(self, head: bytes, again: bytes | str, due_ms: int) -> RetryLater:
        """The head item failed: put again (head with one more attempt counted) in its place,
        release the lock and make the user due at due_ms; raise what this returns."""
        KEEPER.drop(self.client, self.lock_key, self.token)
        keys = [self.lock_key, self.queue_key, self.ready_key]
        self._retry_head(keys=keys, args=[self.token, head, again, self.member, due_ms])
        return RetryLater()

    def release(self) -> None:
        """Give the lock back if still ours (after a failure; the items stay queued)."""
        KEEPER.drop(self.client, self.lock_key, self.token)
        self._release(keys=[self.lock_key], args=[self.token])
