"""End to end: the Procfile's web and worker processes, a real redis-server, loopback fakes
of the OA API and an SMS gateway, and users going through the whole SMS dialogue."""

from __future__ import annotations

import os
import tempfile
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import redis

from bench.dialogues import Tally, drive
from bench.events import signed_headers, text_body
from bench.fakes import APP_ID, OA_ID, SECRETS, FakeServer
from bench.loadgen import request_bytes, run_load
from bench.redis_costs import RedisWork, redis_work
from bench.servers import gunicorn, rq_workers
from bench.toy import toy_process
from bench.trace import Stamps, add_bench_stamps, hop_table, monitored, redis_stamps, timelines

USERS_PER_WORKER = 48
SECONDS = 10.0
WARMUP_SECONDS = 2.0
# Only the whole bot's SMS ceiling is raised: every dialogue has a user and a number of its
# own, so the per-number and per-account limits keep their defaults and cost what they cost
# in production (a moving window's check reads as many entries as log2 of its size).
NO_LIMITS = {"SMS_GLOBAL_PER_MINUTE": "100000000"}
# Production start-up refuses a key under 24 characters.
BENCH_HASH_KEY = "bench-otp-hash-key-0123456789abcdef"


@dataclass
class Run:
    """One configuration's figures."""

    workers: int
    latency_ms: int
    users: int
    tally: Tally
    seconds: float
    machine_busy: float  # share of all cores in use during the run (0-1)
    worker_cpu_seconds: float  # CPU time of the worker processes during the run
    web_cpu_seconds: float = 0.0  # of gunicorn's processes
    redis: RedisWork = field(default_factory=RedisWork)
    load: str = ""  # /proc/loadavg's 1, 5 and 15 minutes at the end
    trace: list[str] = field(default_factory=list)  # bench.trace's rows, when traced
    pace: float | None = None  # events/s the users offered (None: a closed loop, flat out)
    rig_cpu_seconds: float = 0.0  # of this process: the users and the fakes, on the same cores

    @property
    def worker_ms_per_event(self) -> float:
        """CPU milliseconds the workers spent per inbound event."""
        return 1000 * self.worker_cpu_seconds / max(1, self.tally.events)

    @property
    def web_ms_per_event(self) -> float:
        """CPU milliseconds the web processes spent per inbound event."""
        return 1000 * self.web_cpu_seconds / max(1, self.tally.events)

    @property
    def rig_ms_per_event(self) -> float:
        """CPU milliseconds the benchmark's own users and fakes spent per inbound event."""
        return 1000 * self.rig_cpu_seconds / max(1, self.tally.events)

    @property
    def redis_ms_per_event(self) -> float:
        """CPU milliseconds Redis's main thread spent per inbound event."""
        return 1000 * self.redis.cpu_seconds / max(1, self.tally.events)

    @property
    def commands_per_event(self) -> float:
        """Redis commands executed per inbound event (inside scripts and MULTI included)."""
        return self.redis.commands / max(1, self.tally.events)

    @property
    def commands_per_verification(self) -> float:
        """Redis commands executed per verified dialogue."""
        return self.redis.commands / max(1, self.tally.verified)

    @property
    def events_per_second(self) -> float:
        """Inbound events answered per second."""
        return self.tally.events / self.seconds

    @property
    def verifications_per_second(self) -> float:
        """Completed dialogues per second."""
        return self.tally.verified / self.seconds


def percentile(values: list[float], fraction: float) -> float:
    """In milliseconds."""
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def bot_env_base() -> dict[str, str]:
    """The bot outside sandbox, limits out of the way (the fakes' settings added)."""
    return {**NO_LIMITS, "BOT_SANDBOX": "0", "OTP_HASH_KEY": BENCH_HASH_KEY,
            "LOG_LEVEL": "WARNING"}  # fmt: skip


def bot_env(fake: FakeServer, redis_url: str) -> dict[str, str]:
    """The bot talking to the fakes."""
    return {**fake.env(), **bot_env_base(), "REDIS_URL": redis_url}


def measure(
    redis_url: str, workers: int, latency_ms: int, trace: bool = False, pace: float | None = None
) -> Run:
    """One configuration: fresh Redis content, web, workers, a warm-up, then the run
    (traced with bench.trace when asked: slower, for the timeline only; paced: the users
    offer pace events/s, bench.dialogues)."""
    client = redis.Redis.from_url(redis_url)
    client.flushall()
    users = USERS_PER_WORKER * workers
    with FakeServer(latency_ms / 1000) as fake, tempfile.TemporaryDirectory() as folder:
        env = bot_env(fake, redis_url)
        with gunicorn(env, app="wsgi:app") as port, rq_workers(env, workers) as processes:
            drive(port, fake, users, WARMUP_SECONDS, pace)
            watched = [psutil.Process(p.pid) for p in processes]
            web = web_processes()
            capture = Path(folder) / "monitor"
            rig = CpuWatch([psutil.Process()])
            with CpuWatch(watched) as worker_cpu, CpuWatch(web) as web_cpu, rig:
                redis_before = redis_work(client)
                psutil.cpu_percent()
                calls_before = len(fake.replies.calls)
                with monitored(redis_url, capture) if trace else nullcontext():
                    tally, seconds = drive(port, fake, users, SECONDS, pace)
                busy = psutil.cpu_percent() / 100
                redis_done = redis_work(client) - redis_before
            rows = traced(capture, tally, fake.replies.calls[calls_before:]) if trace else []
    return Run(workers, latency_ms, users, tally, seconds, busy, worker_cpu.seconds,
               web_cpu.seconds, redis_done, load_average(), rows, pace, rig.seconds)  # fmt: skip


def measure_toy(latency_ms: int, users: int = USERS_PER_WORKER, pace: float | None = None) -> Run:
    """The stateless toy (bench.toy) on the same harness: its process's CPU as the worker's."""
    with FakeServer(latency_ms / 1000) as fake, toy_process(fake.url) as (port, pid):
        drive(port, fake, users, WARMUP_SECONDS, pace)
        with CpuWatch([psutil.Process(pid)]) as cpu, CpuWatch([psutil.Process()]) as rig:
            psutil.cpu_percent()
            tally, seconds = drive(port, fake, users, SECONDS, pace)
            busy = psutil.cpu_percent() / 100
    return Run(0, latency_ms, users, tally, seconds, busy, cpu.seconds, load=load_average(),
               pace=pace, rig_cpu_seconds=rig.seconds)  # fmt: skip


def traced(capture: Path, tally: Tally, calls: list[tuple[str, float, float]]) -> list[str]:
    """The trace's rows from a MONITOR capture and the bench's own stamps."""
    stamps = Stamps()
    offset = time.time() - time.perf_counter()
    answers = add_bench_stamps(stamps, tally.posts, calls, offset)
    redis_stamps(capture, stamps)
    return hop_table(timelines(stamps), answers)


def load_average() -> str:
    """The machine's load average (1, 5, 15 minutes), as /proc/loadavg says."""
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def web_processes() -> list[psutil.Process]:
    """The gunicorn this process started (one at a time) and its workers."""
    for proc in psutil.Process().children():
        if "gunicorn" in " ".join(proc.cmdline()):
            return [proc, *proc.children()]
    return []


class CpuWatch:
    """CPU seconds the processes spent while the block ran."""

    def __init__(self, processes: list[psutil.Process]) -> None:
        self.processes = processes
        self.seconds = 0.0

    def __enter__(self) -> CpuWatch:
        self.seconds = -sum(cpu_seconds(p) for p in self.processes)
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds += sum(cpu_seconds(p) for p in self.processes)


def cpu_seconds(process: psutil.Process) -> float:
    """User and system CPU time of a process so far."""
    times = process.cpu_times()
    return float(times.user + times.system)


def ingest_only(redis_url: str) -> float:
    """Webhook events per second with no worker running (distinct signed events)."""
    redis.Redis.from_url(redis_url).flushall()
    with FakeServer(0) as fake:
        env = bot_env(fake, redis_url)
        stamp = int(time.time() * 1000)
        bodies = [text_body(f"ing{n}", "menu", APP_ID, OA_ID, stamp + n) for n in range(20000)]
        requests = [signed_request(body) for body in bodies]
        with gunicorn(env, app="wsgi:app") as port:
            result = run_load(port, requests, processes=1, connections=16, seconds=4.0)
    return result.rate


def signed_request(body: bytes) -> bytes:
    """A keep-alive POST /webhook of body, signed."""
    return request_bytes("127.0.0.1", "/webhook", body, signed_headers(body, SECRETS["oa"]))
