"""Push for the simulator page: server-sent events instead of polling.

Sandbox writers (the chat log, the phone inboxes) publish on one Redis channel; each open
page holds one stream that wakes on it and sends what is new. A stream lasts at most
STREAM_SECONDS, then the browser's EventSource reconnects by itself (resuming from the
Last-Event-ID it was given), so a stream never holds a gunicorn thread for long, and at
most MAX_STREAMS run per process (gthread: WEB_CONCURRENCY x GUNICORN_THREADS threads;
beyond that the page falls back to polling).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import redis

from bot.keys import UPDATES_CHANNEL
from bot.web.simulator.playground import Playground

STREAM_SECONDS = 25
MAX_STREAMS = 4
# A comment line this often: a closed page is noticed (and its thread freed) within it.
HEARTBEAT_SECONDS = 2
_slots = threading.BoundedSemaphore(MAX_STREAMS)


def event(name: str, data: dict[str, Any], event_id: int | None = None) -> str:
    """One server-sent event."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


class Snapshot:
    """What one page has been sent so far, and what to send when something changed."""

    def __init__(self, place: Playground, user: str, after: int) -> None:
        self.place, self.user, self.next = place, user, after
        self.phones: Any = None
        self.assets: Any = None

    def changes(self) -> Iterator[str]:
        """Events for what is new since the last call."""
        lines = self.place.chat(self.user, self.next)
        if lines or self.phones is None:
            self.next += len(lines)
            data = {"lines": lines, "next": self.next, **self.place.user_view(self.user)}
            yield event("chat", data, self.next)
        phones = {"phones": self.place.phone_list(), "pinned": self.place.pinned(self.user)}
        if phones != self.phones:
            self.phones = phones
            yield event("phones", phones)
        assets = self.place.asset_list()
        if assets != self.assets:
            self.assets = assets
            yield event("assets", {"assets": assets})


def follow(pubsub: redis.client.PubSub, snapshot: Snapshot, deadline: float) -> Iterator[str]:
    """Wake on each published update until the deadline; a heartbeat when quiet."""
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        wait = max(0.0, min(1.0, deadline - time.monotonic()))
        if pubsub.get_message(timeout=wait) is not None:
            yield from snapshot.changes()
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > HEARTBEAT_SECONDS:
            yield ": still here\n\n"
            quiet_since = time.monotonic()


def stream(place: Playground, user: str, after: int, seconds: float) -> Iterator[str]:
    """Events until `seconds` have passed; then the browser reconnects."""
    if not _slots.acquire(blocking=False):
        yield "retry: 3000\nevent: busy\ndata: {}\n\n"
        return
    pubsub = place.redis.pubsub(ignore_subscribe_messages=True)
    try:
        pubsub.subscribe(UPDATES_CHANNEL)
        snapshot = Snapshot(place, user, after)
        yield "retry: 500\n\n"
        yield from snapshot.changes()
        yield from follow(pubsub, snapshot, time.monotonic() + seconds)
    except redis.RedisError:
        return  # Redis went away: end the stream; the page reconnects and says so
    finally:
        pubsub.close()
        _slots.release()
