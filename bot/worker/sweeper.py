"""Nothing stranded: put back in the ready set users whose queue has items but who are not in it.

By construction a user with queued items stays in their stage's ready set until a drainer
finds the queue empty, and a claim is a lease: a runner lost mid-serve (Redis restart,
SIGKILL) leaves members that fall due again, and the stage's runners take them. This sweep
scans the queues themselves, a slice per round, for users missing from the ready set (data
written before the ready sets existed, or a persistence gap), and wakes the runners for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.keys import UserRef, text
from bot.queues.code_sends import CODE_SEND_LOCK, CODE_SENDS, STAGE_CODES
from bot.queues.inbox import DRAIN_LOCK, INBOX, STAGE_EVENTS
from bot.queues.outbox import OUTBOX, SEND_LOCK, STAGE_MESSAGES
from bot.queues.ready import ReadySet, member_of, now_ms
from bot.redis_client import run_script
from bot.services import Services
from bot.worker.retention import enforce_retention

SWEEP_INTERVAL_SECONDS = 5.0
SCAN_COUNT = 1000
LOCK_KEY = "sweep:lock"
# (key prefix, Redis type, lock prefix, stage) of each per-user queue.
QUEUES = (
    (INBOX, "zset", DRAIN_LOCK, STAGE_EVENTS),
    (OUTBOX, "list", SEND_LOCK, STAGE_MESSAGES),
    (CODE_SENDS, "list", CODE_SEND_LOCK, STAGE_CODES),
)
USER_KEY = re.compile(rb"[a-z]+:\{([^:}]*):(.*)\}")

# KEYS: queue, lock, ready set. ARGV: type, member, now ms. 1 if the member was put back.
REPAIR = """
local count = redis.call(ARGV[1] == 'zset' and 'ZCARD' or 'LLEN', KEYS[1])
if count == 0 or redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
if redis.call('ZSCORE', KEYS[3], ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2])
return 1
"""


@dataclass(frozen=True)
class Swept:
    """What one sweep did."""

    put_back: int  # users found with items outside their ready set


def sweep(services: Services, force: bool = False) -> Swept | None:
    """One round (None when another process swept within the interval, unless force)."""
    lock_ms = int(SWEEP_INTERVAL_SECONDS * 1000) - 500
    if not force and not services.redis.set(LOCK_KEY, "1", nx=True, px=lock_ms):
        return None
    put_back = 0
    for prefix, kind, lock_prefix, stage in QUEUES:
        found = repair_slice(services, prefix, kind, lock_prefix, stage)
        if found:
            ReadySet(services.redis, stage).mark(None)  # wake a runner for them
        put_back += found
    enforce_retention(services)  # hourly, by whichever process sweeps first
    return Swept(put_back)


def repair_slice(services: Services, prefix: str, kind: str, lock_prefix: str, stage: str) -> int:
    """Scan the next slice of one kind of queue; put back users missing from the ready set."""
    client = services.redis
    cursor_key = f"sweep:cursor:{prefix}"
    cursor = int(client.get(cursor_key) or 0)
    cursor, keys = client.scan(cursor, match=f"{prefix}:*", count=SCAN_COUNT, _type=kind)
    client.set(cursor_key, cursor)
    ready = ReadySet(client, stage)
    script = client.register_script(REPAIR)
    with client.pipeline(transaction=False) as pipe:
        for key in keys:
            user = user_of_key(key)
            if user is not None:
                lock = user.key(lock_prefix)
                args = [kind, member_of(user), now_ms()]
                run_script(script, [text(key), lock, ready.key], args, pipe)
        return sum(int(answer) for answer in pipe.execute())


def user_of_key(key: bytes | str) -> UserRef | None:
    """The user a per-user key names ('inbox:{oa:user}'), None for anything else."""
    match = USER_KEY.fullmatch(key if isinstance(key, bytes) else key.encode())
    return UserRef(match.group(1).decode(), match.group(2).decode()) if match else None
