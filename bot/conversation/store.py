"""Conversation state of one user: a readable state name and a little data, as JSON."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import redis

from bot.keys import UserRef
from zalo_api.jsontext import json_text, json_value

# After the idle time the next message restarts politely; the key lingers this much longer
# so that the bot can tell "timed out" from "never started".
EXPIRED_NOTICE_SECONDS = 24 * 3600
# Key kinds (UserRef.key) of a user's conversation state and language.
STATE, LANG = "conv", "lang"


@dataclass
class Conversation:
    """Where a user is in a dialogue (state None: idle) and what the dialogue collected."""

    state: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    updated_at: float = 0.0

    def timed_out(self, idle_seconds: int, now: float) -> bool:
        """Whether the user left the dialogue idle for longer than idle_seconds."""
        return self.state is not None and now - self.updated_at > idle_seconds

    def to_json(self) -> str:
        """Compact JSON (state, data, time), never pickle."""
        return json_text({"s": self.state, "d": self.data, "t": int(self.updated_at)})

    @classmethod
    def from_json(cls, raw: bytes | str | None) -> Conversation:
        """Read what to_json wrote; anything unreadable is an idle conversation."""
        if not raw:
            return cls()
        try:
            loaded = json_value(raw)
            return cls(state=loaded["s"], data=dict(loaded["d"]), updated_at=float(loaded["t"]))
        except (ValueError, KeyError, TypeError):
            return cls()


class ConversationStore:
    """Owns the keys conv:{oa:user} (state) and lang:{oa:user} (language preference)."""

    def __init__(self, client: redis.Redis, idle_seconds: int) -> None:
        self.client = client
        self.idle_seconds = idle_seconds

    @staticmethod
    def state_key(user: UserRef) -> str:
        """The conversation key of user."""
        return user.key(STATE)

    @staticmethod
    def lang_key(user: UserRef) -> str:
        """The language key of user (durable: no TTL)."""
        return user.key(LANG)

    def load(self, user: UserRef) -> Conversation:
        """The user's conversation (idle when none)."""
        return Conversation.from_json(self.client.get(self.state_key(user)))

    def save(self, pipe: redis.client.Pipeline, user: UserRef, conv: Conversation) -> None:
        """Write (or, when idle, delete) the state inside the caller's transaction."""
        if conv.state is None:
            pipe.delete(self.state_key(user))
            return
        conv.updated_at = time.time()
        ttl = self.idle_seconds + EXPIRED_NOTICE_SECONDS
        pipe.set(self.state_key(user), conv.to_json(), ex=ttl)

    def save_language(self, pipe: redis.client.Pipeline, user: UserRef, lang: str) -> None:
        """Remember the user's language choice."""
        pipe.set(self.lang_key(user), lang)

    def forget(self, pipe: redis.client.Pipeline, user: UserRef) -> None:
        """Delete everything this store keeps about user."""
        pipe.delete(self.state_key(user), self.lang_key(user))
