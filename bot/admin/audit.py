"""The audit trail of admin commands: a capped Redis stream, durable with AOF."""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis
from redis.client import Pipeline

from bot.conversation.context import AuditEntry
from bot.keys import text_dict

STREAM_KEY = "audit:admin"
# Bounded: the newest ~10,000 entries (about a year of a busy OA's admin work).
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class Recorded:
    """An audit entry as read back, with its time."""

    at: float
    who: str
    command: str
    step: str
    target: str
    result: str


class AuditLog:
    """Owns the audit:admin stream."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def write(self, entry: AuditEntry, pipe: Pipeline | None = None) -> None:
        """Append an entry (inside the caller's transaction when given one)."""
        fields = {
            "at": f"{time.time():.3f}",
            "who": entry.who,
            "command": entry.command,
            "step": entry.step,
            "target": entry.target,
            "result": entry.result,
        }
        target = pipe if pipe is not None else self.client
        target.xadd(STREAM_KEY, fields, maxlen=MAX_ENTRIES, approximate=True)  # type: ignore[arg-type]

    def latest(self, count: int = 10) -> list[Recorded]:
        """The newest entries, oldest of them first."""
        rows = self.client.xrevrange(STREAM_KEY, count=count) or []
        entries = [text_dict(fields) for _, fields in rows]
        return [
            Recorded(float(e["at"]), e["who"], e["command"], e["step"], e["target"], e["result"])
            for e in reversed(entries)
        ]
