"""Users with work waiting at one stage (events to process, replies to send, codes to send).

A stage is a sorted set of users scored by when they are due, and a wake list the stage's
runners (bot.worker.runner) wait on. A user joins when their first item is queued and leaves
only when a drainer finds their queue empty, under their lock, in the same script: so whoever
has items is a member, whatever crashed. A runner claims due members by pushing their score
one lease ahead; if it dies, the lease runs out and the member is due again. A retry is the
same: the member's score pushed to when it is due again.
"""

from __future__ import annotations

import functools
import json
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass

import redis

from bot.keys import ScriptArgs, UserRef, text
from bot.queues.serial import FIRST_ITEMS, Drained, TakeSpec
from bot.redis_client import cached_script, run_script

# Arrivals push a token on the stage's wake list, for runners waiting on it (BLPOP); a few
# are kept for runners of other processes, and none outlives a minute.
WAKE_TOKENS_KEPT = 16
WAKE_TTL_MS = 60 * 1000

# Lua: a token for a runner waiting on the wake list.
WAKE = f"""
local function wake(key)
  redis.call('RPUSH', key, '1')
  redis.call('LTRIM', key, -{WAKE_TOKENS_KEPT}, -1)
  redis.call('PEXPIRE', key, {WAKE_TTL_MS})
end
"""

# KEYS: ready, wake. ARGV: member ('' = none), now ms. A member already in keeps its score.
MARK = (
    WAKE
    + """
if ARGV[1] ~= '' then redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1]) end
wake(KEYS[2])
return 1
"""
)

# Lua: the extra keys a claim reads with a user (TakeSpec.read_args(), from ARGV[first]): the
# count of kinds to GET, those kinds, then a hash's kind and its fields to HMGET, if any; each
# value ('' when missing) appended to entry.
READ_EXTRAS = """
local function read_extras(tag, first, entry)
  local gets = first + tonumber(ARGV[first])
  for i = first + 1, gets do entry[#entry + 1] = redis.call('GET', ARGV[i] .. tag) or '' end
  if #ARGV > gets + 1 then
    local values = redis.call('HMGET', ARGV[gets + 1] .. tag, unpack(ARGV, gets + 2))
    for _, value in ipairs(values) do entry[#entry + 1] = value or '' end
  end
  return entry
end
"""

# Claim due users. KEYS: ready, wake. ARGV: now ms, lease ms, limit, then the token, lock TTL
# ms, batch, queue type, the key kinds of the queue and the lock (UserRef.key's prefixes), and
# what to read with each user (READ_EXTRAS). Each due member is leased (its score pushed one
# lease ahead) and, as SerialQueue's ACQUIRE does, its lock and first batch taken in the same
# step. A user whose lock another holds stays leased until that lock would run out (that
# holder sees the items; a dead one's users are due the moment its lock lapses); an empty
# queue leaves the set. Fewer due than asked for: the tokens of earlier arrivals are spent too.
TAKE = (
    FIRST_ITEMS
    + READ_EXTRAS
    + """
local now, limit = tonumber(ARGV[1]), tonumber(ARGV[3])
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit)
if #due < limit then redis.call('DEL', KEYS[2]) end
local taken = {}
for _, member in ipairs(due) do
  local who = cjson.decode(member)
  local tag = ':{' .. who[1] .. ':' .. who[2] .. '}'
  local queue, lock = ARGV[8] .. tag, ARGV[9] .. tag
  redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), member)
  if redis.call('SET', lock, ARGV[4], 'NX', 'PX', ARGV[5]) then
    local items = first_items(queue, ARGV[6], ARGV[7])
    if #items == 0 then
      redis.call('DEL', lock)
      redis.call('ZREM', KEYS[1], member)
    else
      taken[#taken + 1] = read_extras(tag, 10, {member, items})
    end
  else
    local left = redis.call('PTTL', lock)
    if left > 0 then redis.call('ZADD', KEYS[1], 'XX', now + left, member) end
  end
end
return taken
"""
)

# A user's first items, just queued in the same transaction, taken for a runner of the
# committing process (a hand-off, bot.worker.handoff) as TAKE would take them: if the member
# is new or due and the user's lock is free, the lock is taken, the member leased and the
# first batch answered with what TAKE reads with it (no runner needs waking); else as MARK,
# answering false. KEYS: ready, wake, queue, lock. ARGV: member, now ms, token, lock TTL ms
# (the lease's too), batch, queue type, then what to read (READ_EXTRAS).
MARK_OR_TAKE = (
    FIRST_ITEMS
    + WAKE
    + READ_EXTRAS
    + """
local now = tonumber(ARGV[2])
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
local due = not score or tonumber(score) <= now
if due and redis.call('SET', KEYS[4], ARGV[3], 'NX', 'PX', ARGV[4]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[1])
  local who = cjson.decode(ARGV[1])
  local tag = ':{' .. who[1] .. ':' .. who[2] .. '}'
  return read_extras(tag, 7, {first_items(KEYS[3], ARGV[5], ARGV[6])})
end
redis.call('ZADD', KEYS[1], 'NX', now, ARGV[1])
wake(KEYS[2])
return false
"""
)

# KEYS: ready. ARGV: now ms, then (member, lock key, token) of each user given back: the lock
# released if still theirs, the member due now.
GIVE_BACK = """
for i = 2, #ARGV, 3 do
  if redis.call('GET', ARGV[i + 1]) == ARGV[i + 2] then redis.call('DEL', ARGV[i + 1]) end
  redis.call('ZADD', KEYS[1], 'XX', ARGV[1], ARGV[i])
end
"""


@dataclass(frozen=True)
class Taken:
    """A user claimed with their lock and first batch (bot.queues.serial.Drained)."""

    user: UserRef
    drained: Drained


def now_ms() -> int:
    """Wall-clock milliseconds (scores are shared by every process)."""
    return int(time.time() * 1000)


def due_counts(client: redis.Redis, stages: Sequence[str]) -> dict[str, int]:
    """Users due and not claimed at each stage (what operators watch: a backlog)."""
    with client.pipeline(transaction=False) as pipe:
        for stage in stages:
            pipe.zcount(ReadySet.key_of(stage), "-inf", now_ms())
        return dict(zip(stages, (int(n) for n in pipe.execute()), strict=True))


# Members and users already seen: a busy worker names the same users many times per event.
@functools.lru_cache(maxsize=8192)
def member_of(user: UserRef) -> str:
    """A user as a member of a ready set."""
    return json.dumps([user.oa_id, user.user_id], separators=(",", ":"))


@functools.lru_cache(maxsize=8192)
def user_of(member: bytes | str) -> UserRef:
    """The user a member names."""
    oa_id, user_id = json.loads(member)
    return UserRef(str(oa_id), str(user_id))


class ReadySet:
    """The due users of one stage ('events', 'messages' or 'codes') and its wake list."""

    def __init__(self, client: redis.Redis, stage: str) -> None:
        self.client = client
        self.stage = stage
        self.key = self.key_of(stage)
        self.wake_key = f"ready:{stage}:wake"
        self._mark = cached_script(client, MARK)
        self._mark_or_take = cached_script(client, MARK_OR_TAKE)
        self._take = cached_script(client, TAKE)
        self._give_back = cached_script(client, GIVE_BACK)

    def mark(self, user: UserRef | None, pipe: redis.client.Pipeline | None = None) -> object:
        """Make user a member (unless already: a retry keeps its due time) and wake a runner."""
        member = member_of(user) if user is not None else ""
        return run_script(self._mark, [self.key, self.wake_key], [member, now_ms()], pipe)

    def mark_or_take(self, user: UserRef, spec: TakeSpec, pipe: redis.client.Pipeline) -> str:
        """mark() the user in the open transaction, or (new or due, their lock free) take their
        lock and first batch there, leased as take() does: the token the lock would hold (the
        transaction answers [batch, *extras] as take() reads them, or None when marked)."""
        token = secrets.token_hex(8)
        keys = [self.key, self.wake_key, user.key(spec.queue), user.key(spec.lock)]
        args: ScriptArgs = [member_of(user), now_ms(), token, spec.ttl_ms, spec.batch, spec.kind]
        args += spec.read_args()
        run_script(self._mark_or_take, keys, args, pipe)
        return token

    @staticmethod
    def key_of(stage: str) -> str:
        """The ready set of a stage."""
        return f"ready:{stage}"

    def take(self, limit: int, lease_ms: int, spec: TakeSpec) -> list[Taken]:
        """Up to limit due users, leased, each with their lock and first batch: one round trip."""
        token = secrets.token_hex(8)
        args: ScriptArgs = [now_ms(), lease_ms, limit, token, spec.ttl_ms]
        args += [spec.batch, spec.kind, spec.queue, spec.lock, *spec.read_args()]
        found = self._take(keys=[self.key, self.wake_key], args=args)
        return [
            Taken(user_of(member), Drained(list(items), list(extras), token))
            for member, items, *extras in found
        ]

    def give_back(self, users: Sequence[Taken], lock_kind: str) -> None:
        """Release taken users (their lock, if the token still holds it) and make them due."""
        args: ScriptArgs = [now_ms()]
        for taken in users:
            args += [member_of(taken.user), taken.user.key(lock_kind), taken.drained.token]
        self._give_back(keys=[self.key], args=args)

    def wait_for_arrival(self, timeout_seconds: float) -> bool:
        """Block until an arrival's token (True) or the timeout (False)."""
        return self.client.blpop([self.wake_key], timeout=timeout_seconds) is not None

    def defer(self, user: UserRef, delay_ms: int) -> None:
        """Make a member due again only after delay_ms (a retry's backoff, a held OA)."""
        self.client.zadd(self.key, {member_of(user): now_ms() + delay_ms}, xx=True)

    def due_now(self, oa_id: str) -> int:
        """Make every member of oa_id due now (sending through it works again); how many."""
        now = now_ms()
        later = [text(m) for m in self.client.zrangebyscore(self.key, now, "+inf")]
        members = {member: now for member in later if user_of(member).oa_id == oa_id}
        if members:
            self.client.zadd(self.key, members, xx=True)
        return len(members)

    def drained(self, user: UserRef) -> tuple[str, str]:
        """(key, member) a drainer removes in the step that finds the user's queue empty."""
        return self.key, member_of(user)


class Arrivals:
    """How a transaction announces a user's first items queued at a stage: mark() (here);
    the events stage may take them for a runner of its own process instead
    (bot.worker.handoff)."""

    def arrived(self, ready: ReadySet, user: UserRef, pipe: redis.client.Pipeline) -> None:
        """The user has items queued at ready's stage in the open transaction."""
        ready.mark(user, pipe=pipe)


MARKED = Arrivals()
