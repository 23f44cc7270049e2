"""A worker whose Redis is gone (`make run`'s embedded one died with it) stops on the first
SIGTERM: no job could finish anyway, and RQ's warm shutdown would wait for Redis forever."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from bot.connections import QUEUE_NAMES
from bot.ops.embedded_redis import EmbeddedRedis
from tests.helpers import wait_for
from tests.processes import spawn

ROOT = Path(__file__).parents[2]
SERVING = f"dequeueing jobs on queues {','.join(QUEUE_NAMES)}".encode()


def test_a_worker_without_redis_stops_on_the_first_sigterm() -> None:
    with (
        tempfile.TemporaryDirectory(prefix="bot-test-lost-redis-") as folder,
        EmbeddedRedis(Path(folder), appendonly=False) as server,
    ):
        env = {**os.environ, "REDIS_URL": server.url, "BOT_SANDBOX": "1", "LOG_FORMAT": "text",
               "LOG_LEVEL": "DEBUG"}  # fmt: skip
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        command = [sys.executable, "-m", "bot.worker"]
        log = Path(folder) / "worker.log"
        with log.open("wb") as out, spawn(command, cwd=ROOT, env=env, stdout=out,
                                          stderr=subprocess.STDOUT) as worker:  # fmt: skip
            # The main worker's first dequeue: its signal handlers are in place (before
            # them, a SIGTERM is Python's default, death, which proves nothing here).
            wait_for(lambda: SERVING in log.read_bytes())
            server.stop()  # Redis gone, the worker in its reconnect loops
            wait_for(lambda: b"could not connect to Redis" in log.read_bytes())
            worker.send_signal(signal.SIGTERM)  # once
            worker.wait(30)  # a bound on a hang, not a measured time
        assert worker.returncode == 0
        assert b"Redis is unreachable, no job can finish" in log.read_bytes()
