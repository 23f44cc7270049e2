"""Replies waiting to be sent to one user, in order, each one API call's worth."""

from __future__ import annotations

import time
from collections.abc import Sequence

import redis
from redis.client import Pipeline

from bot.connections import Connections
from bot.keys import UserRef
from bot.queues.leases import LEASE_MS
from bot.queues.ready import MARKED, Arrivals, ReadySet
from bot.queues.serial import SerialQueue
from zalo_api.jsontext import json_text, json_value
from zalo_api.messages import Message, message_of, parts

# The send lock (and the claim) lasts this long, renewed while the sender works
# (bot.queues.leases): a killed worker's users are sent to by another within seconds.
SEND_LOCK_TTL_MS = LEASE_MS
STAGE_MESSAGES = "messages"
# Key kinds (UserRef.key) of a user's outbox and of the lock of whoever sends it.
OUTBOX, SEND_LOCK = "outbox", "sendlock"
# A message whose send failed for a transient reason (network, 5xx, Zalo's -32 rate limit)
# is tried again after these waits (the last one repeated) until it is stale; the user's
# later messages wait behind it, in order.
RETRY_SECONDS = (2, 10, 30, 120, 300)
# Replies older than this are dropped rather than sent late: the dialogue has moved on.
STALE_AFTER_SECONDS = 3600


def encode(message: Message, now: float, received: float | None = None) -> list[str]:
    """The outbox items of one message: one per API call (zalo_api.messages.parts). received:
    when the event it answers happened ("r", for the reply's age)."""
    times: dict[str, float] = {"at": now} if received is None else {"at": now, "r": received}
    return [json_text({"k": part.kind, "p": part.as_json(), **times}) for part in parts(message)]


class Outbox:
    """Owns outbox:{oa:user} (a list) and sendlock:{oa:user}."""

    def __init__(self, client: redis.Redis, user: UserRef) -> None:
        self.client = client
        self.user = user
        self.key = user.key(OUTBOX)
        self.lock_key = user.key(SEND_LOCK)

    def push(
        self,
        pipe: redis.client.Pipeline,
        messages: Sequence[Message],
        received: float | None = None,
    ) -> bool:
        """Append messages inside the caller's transaction; False when there was nothing."""
        now = time.time()
        items = [item for message in messages for item in encode(message, now, received)]
        if items:
            pipe.rpush(self.key, *items)
        return bool(items)

    def drain_queue(self) -> SerialQueue:
        """The serial queue the messages stage drains."""
        ready = ReadySet(self.client, STAGE_MESSAGES).drained(self.user)
        return SerialQueue(self.client, self.key, self.lock_key, "list", SEND_LOCK_TTL_MS, ready)

    def forget(self, pipe: redis.client.Pipeline) -> None:
        """Drop unsent replies (user_withdraw)."""
        pipe.delete(self.key)


def decode(raw: bytes) -> tuple[Message, float, float | None]:
    """The message of an outbox item (one API call's worth), when it was queued, and when the
    event it answers happened (None: it answers none, or was queued before this was kept)."""
    item = json_value(raw)
    received = item.get("r")
    at = float(item["at"])
    return message_of(item["k"], item["p"]), at, None if received is None else float(received)


def failures(raw: bytes) -> int:
    """How many attempts at sending an outbox item failed so far."""
    return int(json_value(raw).get("f", 0))


def counted(raw: bytes, failed: int) -> str:
    """The outbox item with its failed attempts set to failed."""
    item = json_value(raw)
    item["f"] = failed
    return json_text(item)


def queue_replies(
    services: Connections,
    pipe: Pipeline,
    user: UserRef,
    replies: Sequence[Message],
    received: float | None = None,
    arrivals: Arrivals = MARKED,
) -> None:
    """Append replies to the user's outbox and make the user ready, in the open transaction
    (received: see encode)."""
    if Outbox(services.redis, user).push(pipe, replies, received):
        arrivals.arrived(ReadySet(services.redis, STAGE_MESSAGES), user, pipe)
