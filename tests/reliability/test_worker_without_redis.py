"""A worker whose Redis is gone (`make run`'s embedded one died with it) stops on the first
SIGTERM: no job could finish anyway, and RQ's warm shutdown would wait for Redis forever."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import redis

from bot.ops.embedded_redis import EmbeddedRedis
from tests.helpers import wait_for
from tests.processes import spawn

ROOT = Path(__file__).parents[2]


def test_a_worker_without_redis_stops_on_the_first_sigterm() -> None:
    with tempfile.TemporaryDirectory(prefix="bot-test-lost-redis-") as folder:
        server = EmbeddedRedis(Path(folder), appendonly=False).start()
        env = {**os.environ, "REDIS_URL": server.url, "BOT_SANDBOX": "1", "LOG_FORMAT": "text"}
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        command = [sys.executable, "-m", "bot.worker"]
        log = Path(folder) / "worker.log"
        with log.open("wb") as out, spawn(command, cwd=ROOT, env=env, stdout=out,
                                          stderr=subprocess.STDOUT) as worker:  # fmt: skip
            wait_for(lambda: registered(server.url))
            server.stop()  # Redis gone, the worker in its reconnect loops
            wait_for(lambda: b"could not connect to Redis" in log.read_bytes())
            worker.send_signal(signal.SIGTERM)  # once
            worker.wait(30)  # a bound on a hang, not a measured time
        assert worker.returncode == 0
        assert b"Redis is unreachable, no job can finish" in log.read_bytes()


def registered(url: str) -> bool:
    """Whether the worker process registered its RQ workers (it is serving)."""
    return bool(redis.Redis.from_url(url).scard("rq:workers"))
