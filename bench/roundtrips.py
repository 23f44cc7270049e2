"""Redis round trips per inbound event, counted at the socket: one write = one round trip
(a pipeline or a script is one, however many commands it carries)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from redis.connection import Connection

from bench.events import BASE_MS, signed_headers, text_body
from bot.services import services_of
from bot.worker.crew import serve_due
from tests.helpers import encode_event, follow_event, image_event

COUNT = {"n": 0}


@contextmanager
def counting() -> Iterator[dict[str, int]]:
    """Count Connection.send_packed_command calls while the block runs."""
    original: Callable[..., Any] = Connection.send_packed_command

    def counted(self: Connection, *args: Any, **kwargs: Any) -> Any:
        COUNT["n"] += 1
        return original(self, *args, **kwargs)

    COUNT["n"] = 0
    Connection.send_packed_command = counted  # type: ignore[method-assign]
    try:
        yield COUNT
    finally:
        Connection.send_packed_command = original  # type: ignore[method-assign]


def post(app: Flask, body: bytes) -> int:
    """Round trips of one webhook call."""
    with counting() as count:
        answer = app.test_client().post("/webhook", data=body, headers=signed_headers(body))
        assert answer.status_code == 200
    return count["n"]


def work(app: Flask) -> int:
    """Round trips of the stages serving what is queued (serve_due: claims, turns, sends)."""
    with counting() as count:
        serve_due(app)
    return count["n"]


USERS = 50


def per_event(app: Flask, bodies: list[bytes]) -> tuple[float, float]:
    """Mean round trips per event: in the webhook, and in the worker (one serving of the stages
    for all the events, as a busy runner claims many users at once)."""
    webhook = sum(post(app, body) for body in bodies)
    return webhook / len(bodies), work(app) / len(bodies)


def mid_dialogue(app: Flask, user: str) -> bytes:
    """Bring user to the method question; return a body that answers it wrongly (a re-prompt)."""
    for n, text in enumerate(("xác thực", "0912345678")):
        post(app, text_body(user, text, timestamp=BASE_MS + n))
    return text_body(user, "what?", timestamp=BASE_MS + 9)


def measure_roundtrips(app: Flask) -> dict[str, tuple[float, float]]:
    """(webhook, worker) round trips per event, by kind of event."""
    services_of(app).redis.flushall()
    users = [f"rt-{n}" for n in range(USERS)]
    mid = [mid_dialogue(app, user) for user in users]
    work(app)
    found = {"text, mid-dialogue": per_event(app, mid)}
    found["the same, redelivered"] = per_event(app, mid)
    found["follow"] = per_event(app, [encode_event(follow_event(f"f-{u}")) for u in users])
    found["image"] = per_event(app, [encode_event(image_event(f"i-{u}")) for u in users])
    return found
