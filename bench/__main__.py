"""`make bench`: every figure next to a baseline measured in the same run; writes
bench/results.md. Run it on a quiet machine: the ratios matter more than the absolutes."""

from __future__ import annotations

import importlib.util
import os
import platform
import tempfile
import time
from pathlib import Path

import redis

from bench.e2e import bot_env_base, ingest_only, measure
from bench.e2e_report import e2e_lines
from bench.fake_capacity import requests_per_second
from bench.latency import measure_latency
from bench.memory import per_account, per_conversation
from bench.plain_loop import plain_loop_rate
from bench.report import Report
from bench.roundtrips import measure_roundtrips
from bench.webhook import bench_worker_class
from bench.worker_kill import measure_worker_kill
from bench.worker_throughput import measure_throughput
from bot import create_app
from bot.ops.embedded_redis import EmbeddedRedis

RESULTS = Path(__file__).parent / "results.md"
# (worker class, worker processes): gunicorn's sync as the reference, and the others.
WORKER_CLASSES = [("sync", "3"), ("gthread", "2")] + (
    [("gevent", "2")] if importlib.util.find_spec("gevent") else []
)


def main() -> None:
    """Run every section against one private Redis (AOF on, as in production)."""
    started = time.monotonic()
    report = Report(
        f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-redis-") as folder:
        with EmbeddedRedis(Path(folder), appendonly=True) as server:
            report.lines += end_to_end(server.url)
            print("\n".join(report.lines), flush=True)  # the main figures, whatever follows
            # The sandbox sections next: a Redis that production used refuses a sandbox.
            redis.Redis.from_url(server.url).flushall()
            env = {"REDIS_URL": server.url, "BOT_SANDBOX": "1", "LOG_LEVEL": "WARNING"}
            report.webhook([bench_worker_class(env, name, n) for name, n in WORKER_CLASSES])
            app = create_app({"REDIS_URL": server.url, "BOT_SANDBOX": "1", "LOG_LEVEL": "WARNING"})
            report.roundtrips(measure_roundtrips(app))
            report.latency({cls: measure_latency(server.url, cls) for cls in ("simple", "fork")})
            report.throughput(measure_throughput(server.url))
            report.worker_kill(measure_worker_kill(server.url))
            report.memory(
                per_account(app.extensions["bot"].redis),
                per_conversation(app.extensions["bot"].redis),
            )
    report.footer(time.monotonic() - started)
    text = report.render()
    print(text)
    RESULTS.write_text(text, encoding="utf-8")


def end_to_end(redis_url: str) -> list[str]:
    """The end-to-end section: 1 and 2 workers at 0 and 80 ms, and the baselines."""
    runs = [measure(redis_url, workers, ms) for ms in (0, 80) for workers in (1, 2)]
    ingest = ingest_only(redis_url)
    plain = plain_loop_rate(redis_url, bot_env_base())
    fakes = {ms: requests_per_second(ms / 1000) for ms in (0, 80)}
    return e2e_lines(runs, ingest, plain, fakes)


if __name__ == "__main__":
    main()
