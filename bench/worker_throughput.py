"""Replies per second through the messages stage, against a plain loop calling the same client."""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis
from flask import Flask

from bench.e2e import BENCH_HASH_KEY
from bot import create_app
from bot.keys import UserRef
from bot.queues.outbox import queue_replies
from bot.services import services_of
from bot.worker.delivery import MESSAGES
from bot.worker.runner import Pool, Runner
from tests.fakes.sms import FakeSmsGateways
from tests.fakes.zalo import FakeZalo
from zalo_api.messages import Text

JOBS = 600


@dataclass
class Throughput:
    """Messages per second for each way of sending them."""

    plain_loop: float
    inline_runner: float
    pooled_runner: float


def queue_messages(app: Flask, oa_id: str, count: int) -> None:
    """One reply per user, as the conversation commits them."""
    services = services_of(app)
    with services.redis.pipeline() as pipe:
        pipe.multi()
        for n in range(count):
            user = UserRef(oa_id, f"tp-{n}")
            queue_replies(services, pipe, user, [Text(f"Xin chào {n}")])
        pipe.execute()


def timed_runner(app: Flask, pooled: bool, zalo: FakeZalo) -> float:
    """Messages per second of the messages stage serving the queued replies: inline (as
    serve_due does) or in the stage's own pool of threads (as the worker's runner does)."""
    services = services_of(app)
    before = len(zalo.sent)
    start = time.perf_counter()
    with app.app_context():
        if pooled:
            pool = Pool(MESSAGES.threads, MESSAGES.name)
            try:
                Runner(services, MESSAGES, pool).serve_due()
            finally:
                pool.shutdown()
        else:
            Runner(services, MESSAGES).serve_due()
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
        for pooled in (False, True):
            services.redis.flushall()
            settings = services.settings  # the tokens went with the flush: seed them again
            services.outbound(zalo.oa_id).tokens.storage.seed(
                settings.zalo_access_token, settings.zalo_refresh_token
            )
            queue_messages(app, zalo.oa_id, JOBS)
            rates.append(timed_runner(app, pooled, zalo))
    return Throughput(plain, rates[0], rates[1])
