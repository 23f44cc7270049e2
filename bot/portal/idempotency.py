"""Idempotency-Key: a repeated request gets the first answer and has no second effect.

The first request with a key claims it (SET NX) before doing anything; the answer is stored
under the key for a day. A repeat waits briefly while the first is still running, then gets
the stored answer. Only answers that a repeat must see unchanged are kept (201, 400, 409);
a refusal that passes with time (423, 429, 503) releases the key, so the portal can retry
with the same key once the wait is over.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

import redis

from bot.keys import text

KEEP_SECONDS = 24 * 3600
CLAIM_SECONDS = 30  # a request that crashed mid-way frees its key after this
WAIT_SECONDS = 5.0
KEPT_STATUSES = (201, 400, 409)
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Stored:
    """A kept answer, or why none can be given: busy (still running) or reused (other body)."""

    status: int = 0
    body: dict[str, Any] | None = None
    problem: str = ""


def fingerprint(path: str, payload: Any) -> str:
    """What a repeat must match: the same endpoint and the same JSON body."""
    canonical = json.dumps([path, payload], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class IdempotencyStore:
    """Owns idem:<sha256 of the key>: 'claimed:<fingerprint>' or the kept answer."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    @staticmethod
    def key(given: str) -> str:
        """Keys are hashed: they are the portal's strings, of any content."""
        return "idem:" + hashlib.sha256(given.encode()).hexdigest()

    def claim(self, given: str, print_: str) -> Stored | None:
        """None: go ahead (the key is ours); else the kept answer or the problem."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            if self.client.set(self.key(given), "claimed:" + print_, nx=True, ex=CLAIM_SECONDS):
                return None
            found = text(self.client.get(self.key(given)))
            if found and not found.startswith("claimed:"):
                kept = json.loads(found)
                if kept["fingerprint"] != print_:
                    return Stored(problem="reused")
                return Stored(kept["status"], kept["body"])
            if found and found != "claimed:" + print_:
                return Stored(problem="reused")
            if time.monotonic() > deadline:
                return Stored(problem="busy")
            time.sleep(0.05)  # the first request with this key is still running

    def finish(self, given: str, print_: str, status: int, body: dict[str, Any]) -> None:
        """Keep the answer for repeats, or release the key when the answer may change."""
        if status not in KEPT_STATUSES:
            self.client.delete(self.key(given))
            return
        kept = {"fingerprint": print_, "status": status, "body": body}
        self.client.set(self.key(given), json.dumps(kept), ex=KEEP_SECONDS)
