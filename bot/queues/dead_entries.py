"""Where dead letters are kept, and setting aside what a lower room's job gave up on.

bot.worker.dead_letters owns the inbound events set aside; a portal callback that failed
for a day (bot.verification.callback) is listed with them, by reference, never by content.
"""

from __future__ import annotations

import json
import time

import redis

from bot.keys import UserRef
from bot.metrics import DEAD_LETTERS

ENTRIES_KEY = "dead:events"
INDEX_KEY = "dead:events:index"


def set_aside_job(
    client: redis.Redis, user: UserRef, reference: str, name: str, error: BaseException
) -> None:
    """List a job of the user's that failed for good with the dead letters (`reference` names
    it; the id starts with the user's tag, so user_withdraw removes it)."""
    entry_id = f"{user.tag}|{reference}"
    at = time.time()
    entry = {"at": at, "oa_id": user.oa_id, "user_id": user.user_id}
    entry |= {"event_name": name, "error": type(error).__name__, "body": reference}
    with client.pipeline(transaction=True) as pipe:
        pipe.hset(ENTRIES_KEY, entry_id, json.dumps(entry))
        pipe.zadd(INDEX_KEY, {entry_id: at})
        pipe.execute()
    DEAD_LETTERS.inc()
