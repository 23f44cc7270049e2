"""Where replies go: Zalo's OA API, or (sandbox) a chat log in Redis."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, Protocol

import redis

from bot.keys import UserRef, publish_update
from bot.zalo.outbound import Outbound
from zalo_api.messages import Message

SANDBOX_CHAT_LENGTH = 200
# The sandbox's chat logs and typed numbers (numbers never verified, most of them) expire
# like the working records of a verification (UNVERIFIED_RETENTION_DAYS is at least this).
SANDBOX_RECORD_TTL_SECONDS = 2 * 24 * 3600


class Sender(Protocol):
    """Sends one message (one API call's worth) to a user; raises zalo_api errors."""

    def send(self, user: UserRef, message: Message) -> None:
        """Send or raise."""


class ZaloSender:
    """Customer-service messages through the OA API of the OA the user writes to."""

    def __init__(self, outbound: Callable[[str], Outbound]) -> None:
        self.outbound = outbound  # oa_id -> that OA's outbound (its client, its token)

    def send(self, user: UserRef, message: Message) -> None:
        """One API call, the message as queued (texts were split then)."""
        self.outbound(user.oa_id).api.send(user.user_id, message)


def sandbox_chat_key(user: UserRef) -> str:
    """The sandbox chat log of user (what the simulator shows)."""
    return user.key("sandbox:chat")


def sandbox_phones_key(user: UserRef) -> str:
    """The numbers user typed in the sandbox (the simulator's reset clears their limits)."""
    return user.key("sandbox:phones")


def append_chat(
    client: redis.Redis, user: UserRef, sender: str, kind: str, payload: dict[str, Any]
) -> None:
    """Add a line to the sandbox chat log, keeping the last SANDBOX_CHAT_LENGTH."""
    key = sandbox_chat_key(user)
    line = json.dumps({"from": sender, "kind": kind, "payload": payload, "at": time.time()})
    with client.pipeline() as pipe:
        pipe.rpush(key, line)
        pipe.ltrim(key, -SANDBOX_CHAT_LENGTH, -1)
        pipe.expire(key, SANDBOX_RECORD_TTL_SECONDS)
        publish_update(pipe)
        pipe.execute()


class SandboxSender:
    """Nothing leaves the machine: replies land in the user's sandbox chat log."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def send(self, user: UserRef, message: Message) -> None:
        """Append to the chat log."""
        append_chat(self.client, user, "bot", message.kind, message.as_json())
