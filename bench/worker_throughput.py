"""Reply jobs per second through RQ workers, against a plain loop calling the same client."""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis
from flask import Flask

from bench.e2e import BENCH_HASH_KEY
from bot import create_app
from bot.keys import UserRef
from bot.queues.outbox import Outgoing, queue_replies
from bot.services import services_of
from tests.fakes.sms import FakeSmsGateways
from tests.fakes.zalo import FakeZalo
from tests.helpers import QuickWorker, make_worker

JOBS = 600


@dataclass
class Throughput:
    """Messages per second for each way of sending them."""

    plain_loop: float
    simple_worker: float
    forking_worker: float


def queue_jobs(app: Flask, oa_id: str, count: int) -> None:
    """One reply job per user, as the conversation commits them."""
    services = services_of(app)
    with services.redis.pipeline() as pipe:
        pipe.multi()
        for n in range(count):
            user = UserRef(oa_id, f"tp-{n}")
            queue_replies(services, pipe, user, [Outgoing("text", {"text": f"Xin chào {n}"})])
        pipe.execute()


def timed_worker(app: Flask, simple: bool, zalo: FakeZalo) -> float:
    """Messages per second of one burst worker on the queued jobs (batch jobs send many users'
    replies each; what a burst leaves to the sweeper is not counted)."""
    worker = make_worker(app, simple=simple)
    if simple:
        worker.__class__ = QuickWorker
    before = len(zalo.sent)
    start = time.perf_counter()
    worker.work(burst=True, logging_level="WARNING")
    return (len(zalo.sent) - before) / (time.perf_counter() - start)


def measure_throughput(redis_url: str) -> Throughput:
    """The three ways, against one zero-latency fake Zalo."""
    redis.Redis.from_url(redis_url).flushall()  # a sandbox's Redis refuses a production start
    with FakeZalo() as zalo, FakeSmsGateways() as sms:
        app = create_app(
            {
                **zalo.config(),
                **sms.config_for("http"),
                "REDIS_URL": redis_url,
                "BOT_SANDBOX": "0",
                "OTP_HASH_KEY": BENCH_HASH_KEY,
                "LOG_LEVEL": "WARNING",
            }
        )
        services = services_of(app)
        services.redis.flushall()
        start = time.perf_counter()
        for n in range(JOBS):
            services.outbound(zalo.oa_id).api.send_text(f"tp-{n}", f"Xin chào {n}")
        plain = JOBS / (time.perf_counter() - start)
        rates = []
        for simple in (True, False):
            services.redis.flushall()
            settings = services.settings  # the tokens went with the flush: seed them again
            services.outbound(zalo.oa_id).tokens.storage.seed(
                settings.zalo_access_token, settings.zalo_refresh_token
            )
            queue_jobs(app, zalo.oa_id, JOBS)
            rates.append(timed_worker(app, simple, zalo))
    return Throughput(plain, rates[0], rates[1])
