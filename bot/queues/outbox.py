"""Replies waiting to be sent to one user, in order, each one API call's worth."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import redis
from redis.client import Pipeline
from rq import Retry

from bot.connections import QUEUE_MESSAGES, Connections
from bot.keys import UserRef
from bot.queues.leases import LEASE_MS
from bot.queues.ready import Command, ReadySet, recorded_enqueue
from bot.queues.serial import SerialQueue
from zalo_api.text import split_text

# The send lock (and the claim) lasts this long, renewed while the sender works
# (bot.queues.leases): a killed worker's users are sent to by another within seconds.
SEND_LOCK_TTL_MS = LEASE_MS
STAGE_MESSAGES = "messages"
# Key kinds (UserRef.key) of a user's outbox and of the lock of whoever sends it.
OUTBOX, SEND_LOCK = "outbox", "sendlock"
# By dotted name: the pipeline sits above this room and imports it, not the other way.
DELIVERY_JOB = "bot.pipeline.delivery.deliver_ready"
DELIVERY_JOB_OPTIONS = {
    "result_ttl": 0,
    "failure_ttl": 24 * 3600,
    "job_timeout": 110,
    "description": "deliver_ready()",
}
# A user whose send failed for a transient reason (network, 5xx, Zalo's -32 rate limit) is
# handed to a job of their own, retried with growing waits: 2 s first, then these.
DELIVERY_RETRY = Retry(max=4, interval=[10, 30, 120, 300])
# Replies older than this are dropped rather than sent late: the dialogue has moved on.
STALE_AFTER_SECONDS = 3600


# Zalo shows at most five buttons under one message (ZALO_API.md, "Text with tap buttons").
MAX_BUTTONS = 5


@dataclass(frozen=True)
class Button:
    """A tap button (oa.query.hide): the title shown, the text it sends back as the answer."""

    title: str
    payload: str

    def as_json(self) -> dict[str, str]:
        """How the outbox and the sandbox chat log keep it."""
        return {"title": self.title, "payload": self.payload}


@dataclass(frozen=True)
class Outgoing:
    """One message to send to the user, in the order recorded.

    A text's payload is {"text": ...} plus, when it offers choices, "buttons": a list of
    {"title", "payload"} (at most MAX_BUTTONS).
    """

    kind: str  # "text" or "request_user_info"
    payload: dict[str, Any]


def text_message(text: str, buttons: Sequence[Button] = ()) -> Outgoing:
    """A text, with tap buttons when it offers choices."""
    if len(buttons) > MAX_BUTTONS:
        raise ValueError(f"at most {MAX_BUTTONS} buttons under one message")
    payload: dict[str, Any] = {"text": text}
    if buttons:
        payload["buttons"] = [b.as_json() for b in buttons]
    return Outgoing("text", payload)


def encode(message: Outgoing, now: float, received: float | None = None) -> list[str]:
    """The outbox items of one message: texts over Zalo's limit become several items, and
    the buttons go under the last one (where the choices are read). received: when the
    event it answers happened ("r", for the reply's age)."""
    times: dict[str, float] = {"at": now} if received is None else {"at": now, "r": received}
    if message.kind != "text":
        return [json.dumps({"k": message.kind, "p": message.payload, **times})]
    parts: list[dict[str, Any]] = [{"text": part} for part in split_text(message.payload["text"])]
    if parts and message.payload.get("buttons"):
        parts[-1]["buttons"] = message.payload["buttons"]
    return [json.dumps({"k": "text", "p": p, **times}, ensure_ascii=False) for p in parts]


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
        messages: Sequence[Outgoing],
        received: float | None = None,
    ) -> bool:
        """Append messages inside the caller's transaction; False when there was nothing."""
        now = time.time()
        items = [item for message in messages for item in encode(message, now, received)]
        if items:
            pipe.rpush(self.key, *items)
        return bool(items)

    def drain_queue(self) -> SerialQueue:
        """The serial queue a delivery job drains."""
        ready = ReadySet(self.client, STAGE_MESSAGES).drained(self.user)
        return SerialQueue(self.client, self.key, self.lock_key, "list", SEND_LOCK_TTL_MS, ready)

    def forget(self, pipe: redis.client.Pipeline) -> None:
        """Drop unsent replies (user_withdraw)."""
        pipe.delete(self.key)


def decode(raw: bytes) -> tuple[str, dict[str, Any], float, float | None]:
    """kind, payload, creation time of an outbox item, and when the event it answers
    happened (None: it answers none, or was queued before this was recorded)."""
    item = json.loads(raw)
    received = item.get("r")
    return item["k"], item["p"], float(item["at"]), None if received is None else float(received)


def queue_replies(
    services: Connections,
    pipe: Pipeline,
    user: UserRef,
    replies: Sequence[Outgoing],
    received: float | None = None,
) -> None:
    """Append replies to the user's outbox, mark the user ready and, if no delivery job is
    queued, start one: all in the open transaction (received: see encode)."""
    if Outbox(services.redis, user).push(pipe, replies, received):
        ReadySet(services.redis, STAGE_MESSAGES).mark_and_kick(
            user, delivery_commands(services), pipe=pipe
        )


def delivery_commands(services: Connections) -> list[Command]:
    """The recorded commands that enqueue a delivery job."""
    return recorded_enqueue(services.queue(QUEUE_MESSAGES), DELIVERY_JOB, DELIVERY_JOB_OPTIONS)
