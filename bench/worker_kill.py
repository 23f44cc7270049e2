"""A worker killed (kill -9) mid-burst: seconds from the kill to the last reply it stranded.

The Procfile's web and worker against the loopback fakes (80 ms per API call): 40 users each
send two messages; once some replies are out, the worker is SIGKILLed and a new one started
(as the platform restarts it). Its short leases, renewed while it worked, run out within
seconds and the new worker sends what the dead one left, start-up included in the figure.
"""

from __future__ import annotations

import os
import signal
import time
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass

import redis

from bench.e2e import bot_env
from bench.events import signed_headers, text_body
from bench.fakes import APP_ID, OA_ID, SECRETS, FakeServer
from bench.servers import gunicorn, rq_worker

USERS = 40
SAYINGS = ("menu", "trạng thái")
LATENCY_SECONDS = 0.08
WAIT_SECONDS = 60.0


@dataclass(frozen=True)
class KillFigures:
    """What a kill cost."""

    seconds_to_last_reply: float  # from the kill to the last stranded reply at the fake
    stranded: int  # replies still to send when the worker died
    start_up: float  # a new worker's start to its first reply, nothing stranded (for scale)


def post(port: int, user: str, text: str, stamp: int) -> None:
    """A signed user_send_text to the web process."""
    body = text_body(user, text, APP_ID, OA_ID, stamp)
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/webhook", body, signed_headers(body, SECRETS["oa"])
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200


def arrived(fake: FakeServer, users: list[str], counts: dict[str, list[float]]) -> None:
    """Move what reached the fake for users into counts (arrival times per user)."""
    for user in users:
        box = fake.replies.box(user)
        while not box.empty():
            counts[user].append(box.get_nowait()[0])


def wait_until(condition: object, seconds: float = WAIT_SECONDS) -> None:
    """Poll condition() (a callable) until it holds."""
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise RuntimeError("the worker-kill benchmark timed out")
        time.sleep(0.01)


def measure_worker_kill(redis_url: str) -> KillFigures:
    """One kill mid-burst, one restart; the figures."""
    redis.Redis.from_url(redis_url).flushall()
    users = [f"kill{n:04d}" for n in range(USERS)]
    counts: dict[str, list[float]] = {user: [] for user in [*users, "warm"]}
    stamp = int(time.time() * 1000)
    with FakeServer(LATENCY_SECONDS) as fake, ExitStack() as stack:
        env = bot_env(fake, redis_url)
        with gunicorn(env, app="wsgi:app") as port:
            post(port, "warm", "menu", stamp)
            begun = time.perf_counter()
            first = stack.enter_context(rq_worker(env))
            wait_until(lambda: arrived(fake, ["warm"], counts) or counts["warm"])
            start_up = counts["warm"][0] - begun
            for n, text in enumerate(SAYINGS):
                for m, user in enumerate(users):
                    post(port, user, text, stamp + 1 + n * USERS + m)
            wait_until(lambda: arrived(fake, users, counts) or sum(map(len, counts.values())) > 20)
            os.kill(first.pid, signal.SIGKILL)
            killed = time.perf_counter()
            first.wait()
            arrived(fake, users, counts)
            stranded = sum(max(0, len(SAYINGS) - len(counts[user])) for user in users)
            with rq_worker(env):
                wait_until(
                    lambda: (
                        arrived(fake, users, counts)
                        or all(len(counts[u]) >= len(SAYINGS) for u in users)
                    )
                )
    last = max(times[len(SAYINGS) - 1] for user, times in counts.items() if user != "warm")
    return KillFigures(max(0.0, last - killed), stranded, start_up)
