"""The bot as the Procfile serves it, plus the two baseline routes, on one gunicorn server."""

from __future__ import annotations

from flask import Response
from rq import Queue

from bot import create_app_or_exit
from bot.services import services_of

app = create_app_or_exit()
# Nobody listens on this queue: the route measures the enqueue alone.
BASELINE = Queue("bench-baseline", connection=services_of(app).redis)


def noop() -> None:
    """The job the enqueue-only route enqueues (never run: nobody listens on that queue)."""


@app.get("/bench/bare")
def bare() -> Response:
    """Baseline 1: Flask answers 200, nothing else."""
    return Response("ok")


@app.post("/bench/enqueue")
def enqueue_only() -> Response:
    """Baseline 2: the floor of any design that hands work to RQ: one enqueue."""
    BASELINE.enqueue(noop, result_ttl=0)
    return Response("ok")
