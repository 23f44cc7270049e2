"""The audit trail of admin commands: capped Redis streams, durable with AOF.

Admin actions and refused attempts of non-admins live in separate streams, each capped, so
a flood of refusals can never push an admin entry out. Stored text is one line: control
and format characters (newlines, bidi overrides) become spaces, so no entry can pose as two.
"""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass
from typing import Any, Protocol

import redis
from redis.client import Pipeline

from bot.keys import text_dict

STREAM_KEY = "audit:admin"
# Bounded: the newest ~10,000 entries (about a year of a busy OA's admin work).
MAX_ENTRIES = 10_000
REFUSED_KEY = "audit:refused"
MAX_REFUSED = 10_000
REFUSED = "refused"
MAX_FIELD_CHARS = 200
DEFAULT_RETENTION_DAYS = 365


def one_line(text: str) -> str:
    """text without control, format or line-separator characters, cut short."""
    cleaned = "".join(
        " " if unicodedata.category(char)[0] == "C" or char in "\u2028\u2029" else char
        for char in text
    )
    return " ".join(cleaned.split())[:MAX_FIELD_CHARS]


class Entry(Protocol):
    """Who did what to which target, with what result (bot.conversation.context.AuditEntry)."""

    @property
    def who(self) -> str:
        """The admin's id, or the operator's name."""

    @property
    def command(self) -> str:
        """The command as typed."""

    @property
    def step(self) -> str:
        """Where it happened: entry, worker, cli..."""

    @property
    def target(self) -> str:
        """What it was about."""

    @property
    def result(self) -> str:
        """How it ended (REFUSED goes to the refused stream)."""


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
    """Owns the audit:admin and audit:refused streams; entries older than the retention
    (AUDIT_RETENTION_DAYS) are trimmed on every write and by the worker's retention sweep."""

    def __init__(self, client: redis.Redis, retention_days: int = DEFAULT_RETENTION_DAYS) -> None:
        self.client = client
        self.retention_days = retention_days

    def oldest_kept_id(self) -> str:
        """The stream id (ms) before which entries are past the retention."""
        return str(int((time.time() - self.retention_days * 86400) * 1000))

    def trim(self) -> int:
        """Drop the entries past the retention from both streams; how many."""
        with self.client.pipeline(transaction=False) as pipe:
            for key in (STREAM_KEY, REFUSED_KEY):
                pipe.xtrim(key, minid=self.oldest_kept_id(), approximate=False)
            return sum(int(n) for n in pipe.execute())

    def write(self, entry: Entry, pipe: Pipeline | None = None) -> None:
        """Append an entry (inside the caller's transaction when given one)."""
        fields = {"at": f"{time.time():.3f}"}
        for name in ("who", "command", "step", "target", "result"):
            fields[name] = one_line(getattr(entry, name))
        refused = entry.result == REFUSED
        key, cap = (REFUSED_KEY, MAX_REFUSED) if refused else (STREAM_KEY, MAX_ENTRIES)
        target = pipe if pipe is not None else self.client
        target.xadd(key, fields, maxlen=cap, approximate=True)  # type: ignore[arg-type]
        target.xtrim(key, minid=self.oldest_kept_id(), approximate=False)

    def latest(self, count: int = 10, refused: bool = False) -> list[Recorded]:
        """The newest admin entries (or refused attempts), oldest of them first."""
        return self.page(1, count, refused)[0]

    def page(
        self, number: int, size: int = 10, refused: bool = False
    ) -> tuple[list[Recorded], bool]:
        """Page `number` (1: the newest `size` entries), oldest first; and whether older exist."""
        wanted = number * size
        rows = self.client.xrevrange(key_of(refused), count=wanted + 1) or []
        shown = [decode(fields) for _, fields in reversed(rows[wanted - size : wanted])]
        return shown, len(rows) > wanted

    def count(self, refused: bool = False) -> int:
        """How many entries the stream holds."""
        return int(self.client.xlen(key_of(refused)))

    def since(self, epoch: float, refused: bool = False) -> list[Recorded]:
        """Every entry written at or after epoch, oldest first (stream ids are milliseconds)."""
        rows = self.client.xrange(key_of(refused), min=str(int(epoch * 1000))) or []
        return [decode(fields) for _, fields in rows]


def key_of(refused: bool) -> str:
    """The stream of refused attempts or of admin actions."""
    return REFUSED_KEY if refused else STREAM_KEY


def decode(fields: Any) -> Recorded:
    """An entry as stored (fields missing from a damaged entry read as empty)."""
    e = text_dict(fields)
    names = ("who", "command", "step", "target", "result")
    return Recorded(float(e.get("at") or 0), *(e.get(name, "") for name in names))
