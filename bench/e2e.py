"""End to end: the Procfile's web and worker processes, a real redis-server, loopback fakes
of the OA API and an SMS gateway, and users going through the whole SMS dialogue."""

from __future__ import annotations

import time
from dataclasses import dataclass

import psutil
import redis

from bench.dialogues import Tally, drive
from bench.events import signed_headers, text_body
from bench.fakes import APP_ID, OA_ID, SECRETS, FakeServer
from bench.loadgen import request_bytes, run_load
from bench.servers import gunicorn, rq_workers

USERS_PER_WORKER = 48
SECONDS = 10.0
WARMUP_SECONDS = 2.0
NO_LIMITS = {
    "SMS_GLOBAL_PER_MINUTE": "100000000",
    "OTP_SENDS_PER_PHONE_HOUR": "100000000",
    "OTP_SENDS_PER_PHONE_DAY": "100000000",
    # Below the number's own: start-up refuses an account budget that could spend it.
    "OTP_SENDS_PER_ACCOUNT_DAY": "99999999",
}
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

    @property
    def worker_ms_per_event(self) -> float:
        """CPU milliseconds the workers spent per inbound event."""
        return 1000 * self.worker_cpu_seconds / max(1, self.tally.events)

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


def measure(redis_url: str, workers: int, latency_ms: int) -> Run:
    """One configuration: fresh Redis content, web, workers, a warm-up, then the run."""
    redis.Redis.from_url(redis_url).flushall()
    users = USERS_PER_WORKER * workers
    with FakeServer(latency_ms / 1000) as fake:
        env = bot_env(fake, redis_url)
        with gunicorn(env, app="wsgi:app") as port, rq_workers(env, workers) as processes:
            drive(port, fake, users, WARMUP_SECONDS)
            watched = [psutil.Process(p.pid) for p in processes]
            cpu_before = sum(cpu_seconds(p) for p in watched)
            psutil.cpu_percent()
            tally, seconds = drive(port, fake, users, SECONDS)
            busy = psutil.cpu_percent() / 100
            worker_cpu = sum(cpu_seconds(p) for p in watched) - cpu_before
    return Run(workers, latency_ms, users, tally, seconds, busy, worker_cpu)


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
