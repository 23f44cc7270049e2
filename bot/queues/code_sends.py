"""Codes waiting to be sent to one account's number, each until sent or given up.

A code's send is queued with the commit of the event that asked for it (at once for the
portal) and served by the codes stage (bot.worker.code_sending): a runner and threads of its own,
so a code never waits behind replies and a slow gateway holds up nobody's replies. A send
that failed for a transient reason stays at the head, its failures counted, until retried.
Only an opaque reference is queued, never the number, the code or its nonce; the sender reads
the live code by that reference and skips one that was replaced, used or has expired.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import redis
from redis.client import Pipeline

from bot.connections import Connections
from bot.keys import UserRef
from bot.queues.leases import LEASE_MS
from bot.queues.ready import MARKED, Arrivals, ReadySet
from bot.queues.serial import SerialQueue
from zalo_api.jsontext import json_text, json_value

STAGE_CODES = "codes"
# Key kinds (UserRef.key) of an account's codes to send and of the lock of whoever sends them.
CODE_SENDS, CODE_SEND_LOCK = "codesend", "codesendlock"
# The lock lasts this long, renewed while a send runs (bot.queues.leases).
CODE_SEND_LOCK_TTL_MS = LEASE_MS
# A code is valid for minutes: a send that failed for a transient reason is tried again
# after these waits, then given up (the user is told and offered the other channel).
RETRY_SECONDS = (2, 5, 15)


@dataclass(frozen=True)
class CodeSend:
    """One code to send: whose it is (the account), its reference, channel and language, and
    how many attempts failed so far."""

    user: UserRef
    reference: str
    channel: str
    lang: str
    failed: int = 0

    def encode(self) -> str:
        """The queue item (the user is the queue's own)."""
        item: dict[str, str | int] = {"r": self.reference, "c": self.channel, "l": self.lang}
        if self.failed:
            item["f"] = self.failed
        return json_text(item)

    @classmethod
    def decode(cls, user: UserRef, raw: bytes) -> CodeSend:
        """The send an item of user's queue names."""
        item = json_value(raw)
        failed = int(item.get("f", 0))
        return cls(user, str(item["r"]), str(item["c"]), str(item["l"]), failed)

    @property
    def retry_possible(self) -> bool:
        """Whether a transient failure of this attempt is tried again."""
        return self.failed < len(RETRY_SECONDS)


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


def queue_code_sends(
    services: Connections, pipe: Pipeline, sends: Sequence[CodeSend], arrivals: Arrivals = MARKED
) -> None:
    """Queue sends inside the open transaction: each account's queue, then (once per account)
    its membership of the codes stage."""
    for send in sends:
        pipe.rpush(CodeSends(services.redis, send.user).key, send.encode())
    for user in dict.fromkeys(send.user for send in sends):
        arrivals.arrived(ReadySet(services.redis, STAGE_CODES), user, pipe)


def queue_code_now(services: Connections, sends: Sequence[CodeSend]) -> None:
    """Queue sends at once (the portal API: there is no event to commit with)."""
    with services.redis.pipeline(transaction=True) as pipe:
        queue_code_sends(services, pipe, sends)
        pipe.execute()
