"""Codes waiting to be sent to one account's number: the first attempt of each send.

A code's send is queued with the commit of the event that asked for it (at once for the
portal) and served by the codes stage (bot.pipeline.codes): a runner and threads of its own,
so a code never waits behind replies and a slow gateway holds up nobody's replies. Only an
opaque reference is queued, never the number, the code or its nonce; the sender reads the
live code by that reference and skips one that was replaced, used or has expired.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import redis
from redis.client import Pipeline

from bot.connections import QUEUE_CODES, Connections
from bot.keys import UserRef
from bot.queues.leases import LEASE_MS
from bot.queues.ready import Command, ReadySet, recorded_enqueue
from bot.queues.serial import SerialQueue

STAGE_CODES = "codes"
# Key kinds (UserRef.key) of an account's codes to send and of the lock of whoever sends them.
CODE_SENDS, CODE_SEND_LOCK = "codesend", "codesendlock"
# The lock lasts this long, renewed while a send runs (bot.queues.leases).
CODE_SEND_LOCK_TTL_MS = LEASE_MS
# By dotted name: the pipeline sits above this room and imports it, not the other way.
SEND_CODES_JOB = "bot.pipeline.codes.send_ready"
SEND_CODES_JOB_OPTIONS = {
    "result_ttl": 0,
    "failure_ttl": 24 * 3600,
    "job_timeout": 50,
    "description": "send_ready()",
}


@dataclass(frozen=True)
class CodeSend:
    """One code to send: whose it is (the account), its reference, channel and language."""

    user: UserRef
    reference: str
    channel: str
    lang: str

    def encode(self) -> str:
        """The queue item (the user is the queue's own)."""
        return json.dumps({"r": self.reference, "c": self.channel, "l": self.lang})

    @classmethod
    def decode(cls, user: UserRef, raw: bytes) -> CodeSend:
        """The send an item of user's queue names."""
        item = json.loads(raw)
        return cls(user, str(item["r"]), str(item["c"]), str(item["l"]))


class CodeSends:
    """Owns codesend:{oa:user} (a list) and codesendlock:{oa:user}."""

    def __init__(self, client: redis.Redis, user: UserRef) -> None:
        self.client = client
        self.user = user
        self.key = user.key(CODE_SENDS)
        self.lock_key = user.key(CODE_SEND_LOCK)

    def drain_queue(self) -> SerialQueue:
        """The serial queue the codes stage drains."""
        ready = ReadySet(self.client, STAGE_CODES).drained(self.user)
        return SerialQueue(
            self.client, self.key, self.lock_key, "list", CODE_SEND_LOCK_TTL_MS, ready
        )

    def forget(self, pipe: Pipeline) -> None:
        """Drop unsent codes (user_withdraw)."""
        pipe.delete(self.key)


def queue_code_sends(services: Connections, pipe: Pipeline, sends: Sequence[CodeSend]) -> None:
    """Queue sends inside the open transaction: each account's queue, its membership of the
    codes stage and, if no job serves the stage, a job."""
    for send in sends:
        pipe.rpush(CodeSends(services.redis, send.user).key, send.encode())
        ReadySet(services.redis, STAGE_CODES).mark_and_kick(
            send.user, code_send_commands(services), pipe=pipe
        )


def queue_code_now(services: Connections, sends: Sequence[CodeSend]) -> None:
    """Queue sends at once (the portal API: there is no event to commit with)."""
    with services.redis.pipeline(transaction=True) as pipe:
        queue_code_sends(services, pipe, sends)
        pipe.execute()


def code_send_commands(services: Connections) -> list[Command]:
    """The recorded commands that enqueue a codes-stage job."""
    return recorded_enqueue(services.queue(QUEUE_CODES), SEND_CODES_JOB, SEND_CODES_JOB_OPTIONS)
