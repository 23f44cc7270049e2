"""Replies waiting to be sent to one user, in order, each one API call's worth."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

import redis

from bot.context import Outgoing
from bot.keys import UserRef
from bot.serial import SerialQueue
from zalo_api.text import split_text

SEND_LOCK_TTL_MS = 120 * 1000
# Replies older than this are dropped rather than sent late: the dialogue has moved on.
STALE_AFTER_SECONDS = 3600


def encode(message: Outgoing, now: float) -> list[str]:
    """The outbox items of one message: texts over Zalo's limit become several items, and
    the buttons go under the last one (where the choices are read)."""
    if message.kind != "text":
        return [json.dumps({"k": message.kind, "p": message.payload, "at": now})]
    parts: list[dict[str, Any]] = [{"text": part} for part in split_text(message.payload["text"])]
    if parts and message.payload.get("buttons"):
        parts[-1]["buttons"] = message.payload["buttons"]
    return [json.dumps({"k": "text", "p": part, "at": now}, ensure_ascii=False) for part in parts]


class Outbox:
    """Owns outbox:{oa:user} (a list) and sendlock:{oa:user}."""

    def __init__(self, client: redis.Redis, user: UserRef) -> None:
        self.client = client
        self.user = user
        self.key = user.key("outbox")
        self.lock_key = user.key("sendlock")

    def push(self, pipe: redis.client.Pipeline, messages: Sequence[Outgoing]) -> bool:
        """Append messages inside the caller's transaction; False when there was nothing."""
        now = time.time()
        items = [item for message in messages for item in encode(message, now)]
        if items:
            pipe.rpush(self.key, *items)
        return bool(items)

    def drain_queue(self) -> SerialQueue:
        """The serial queue a delivery job drains."""
        return SerialQueue(self.client, self.key, self.lock_key, "list", SEND_LOCK_TTL_MS)

    def pop_sent(self) -> None:
        """Remove the head item once it has been sent (only the lock holder calls this)."""
        self.client.lpop(self.key)

    def forget(self, pipe: redis.client.Pipeline) -> None:
        """Drop unsent replies (user_withdraw)."""
        pipe.delete(self.key)


def decode(raw: bytes) -> tuple[str, dict[str, Any], float]:
    """kind, payload and creation time of an outbox item."""
    item = json.loads(raw)
    return item["k"], item["p"], float(item["at"])
