"""`make bench`: every figure next to a baseline measured in the same run; writes
bench/results.md and docs/CAPACITY.md's table. Run it on a quiet machine: the ratios matter
more than the absolutes.

    python -m bench             everything (what `make bench` runs)
    python -m bench e2e         the end-to-end section alone (with the toy and the trace)
    python -m bench capacity    1 worker at 80 ms and Redis's ceiling: docs/CAPACITY.md's table
    python -m bench profile     py-spy of the web and the worker under 1 worker's load
"""

from __future__ import annotations

import importlib.util
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import redis

from bench.capacity import redis_ceiling, write_doc
from bench.e2e import Run, bot_env_base, ingest_only, load_average, measure, measure_toy
from bench.e2e_report import Baselines, e2e_lines
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
# Events/s the paced users offer one worker: half of, and all of, SPEC §7's 200 per worker.
PACES = (100.0, 200.0)
# (worker class, worker processes): gunicorn's sync as the reference, and the others.
WORKER_CLASSES = [("sync", "3"), ("gthread", "2")] + (
    [("gevent", "2")] if importlib.util.find_spec("gevent") else []
)


def main() -> None:
    """Run every section against one private Redis (AOF on, as in production)."""
    started = time.monotonic()
    report = Report(
        f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average (1, 5, 15 min) at the start: {load_average()} (other work on the "
        f"machine makes every absolute figure lower; the ratios within one run hold better)"
    )
    with tempfile.TemporaryDirectory(prefix="bench-redis-") as folder:
        with EmbeddedRedis(Path(folder), appendonly=True) as server:
            report.lines += end_to_end(server.url, write_capacity=True)
            print("\n".join(report.lines), flush=True)  # the main figures, whatever follows
            # The sandbox sections next: a Redis that production used refuses a sandbox.
            redis.Redis.from_url(server.url).flushall()
            env = {"REDIS_URL": server.url, "BOT_SANDBOX": "1", "LOG_LEVEL": "WARNING"}
            report.webhook([bench_worker_class(env, name, n) for name, n in WORKER_CLASSES])
            app = create_app({"REDIS_URL": server.url, "BOT_SANDBOX": "1", "LOG_LEVEL": "WARNING"})
            report.roundtrips(measure_roundtrips(app))
            report.latency(measure_latency(server.url))
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


def end_to_end(redis_url: str, write_capacity: bool = False) -> list[str]:
    """The end-to-end section: 1 and 2 workers at 0 and 80 ms, 1 worker and the toy paced,
    and the baselines."""
    runs = [measure(redis_url, workers, ms) for ms in (0, 80) for workers in (1, 2)]
    paced = [(measure(redis_url, 1, 80, pace=pace), measure_toy(80, pace=pace)) for pace in PACES]
    base = Baselines(
        toy=measure_toy(80),
        ingest=ingest_only(redis_url),
        plain=plain_loop_rate(redis_url, bot_env_base()),
        fakes={ms: requests_per_second(ms / 1000) for ms in (0, 80)},
        traced=measure(redis_url, 1, 80, trace=True),
        paced=paced,
        traced_paced=measure(redis_url, 1, 80, trace=True, pace=PACES[-1]),
    )
    if write_capacity:
        one = next(r for r in runs if (r.workers, r.latency_ms) == (1, 80))
        capacity(redis_url, one)
    return e2e_lines(runs, base)


def capacity(redis_url: str, run: Run | None = None) -> None:
    """docs/CAPACITY.md's table from run (measured here when not given) and Redis's ceiling."""
    run = run or measure(redis_url, 1, 80)
    redis.Redis.from_url(redis_url).flushall()
    print(write_doc(run, redis_ceiling(redis_url)), flush=True)


def section(name: str) -> None:
    """One section alone, printed (the profile, the end-to-end figures, the capacity table)."""
    if name == "profile":
        from bench.profile import profile

        profile()
        return
    with tempfile.TemporaryDirectory(prefix="bench-redis-") as folder:
        with EmbeddedRedis(Path(folder), appendonly=True) as server:
            if name == "e2e":
                print("\n".join(end_to_end(server.url)))
            elif name == "capacity":
                capacity(server.url)
            else:
                sys.exit(f"unknown section {name!r}: e2e, capacity or profile")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        section(sys.argv[1])
    else:
        main()
