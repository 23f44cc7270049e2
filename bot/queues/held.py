"""Users whose sends wait for their OA: put off a few seconds, and due at once when it resumes."""

from __future__ import annotations

import redis

from bot.keys import UserRef
from bot.queues.code_sends import STAGE_CODES
from bot.queues.outbox import STAGE_MESSAGES
from bot.queues.ready import ReadySet

# The stages whose sends go through an OA (replies, and Zalo codes).
SENDING_STAGES = (STAGE_MESSAGES, STAGE_CODES)


def put_off(client: redis.Redis, stage: str, user: UserRef, wait_ms: int) -> None:
    """The user's queue waits (its head unsent, in order) and is due again after wait_ms."""
    ReadySet(client, stage).defer(user, wait_ms)


def due_again(client: redis.Redis, oa_id: str) -> int:
    """Sending through oa_id works again: every user put off is due now; how many."""
    return sum(ReadySet(client, stage).due_now(oa_id) for stage in SENDING_STAGES)
