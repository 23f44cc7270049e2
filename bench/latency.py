"""From webhook receipt to the code reaching the (loopback) SMS gateway, with a warm worker."""

from __future__ import annotations

import time
import urllib.request
from dataclasses import dataclass

import redis

from bench.e2e import BENCH_HASH_KEY
from bench.events import BASE_MS, signed_headers, text_body
from bench.servers import gunicorn, rq_worker
from bot.conversation.store import Conversation, ConversationStore
from bot.keys import UserRef
from bot.sms import EsmsProvider, SmsMessage
from tests.fakes.sms import FakeSmsGateways, SentSms
from tests.fakes.zalo import FakeZalo

SAMPLES = 200
WARMUP = 20


class TimedGateways(FakeSmsGateways):
    """The fake gateways, noting when each message arrives."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: dict[str, float] = {}

    def accept(self, sms: SentSms, request_id: str | None = None) -> bool:
        """Record the arrival time of the first message to each phone."""
        self.arrived.setdefault(sms.phone_e164, time.perf_counter())
        return super().accept(sms, request_id)


@dataclass
class Latencies:
    """Milliseconds, sorted."""

    values: list[float]

    def percentile(self, fraction: float) -> float:
        """p50, p95..."""
        return self.values[min(len(self.values) - 1, int(fraction * len(self.values)))]


def production_env(zalo: FakeZalo, sms: FakeSmsGateways, redis_url: str) -> dict[str, str]:
    """The bot outside sandbox, talking to the fakes; limits out of the way."""
    return {
        **zalo.config(),
        **sms.config_for("esms"),
        "REDIS_URL": redis_url,
        "BOT_SANDBOX": "0",
        "OTP_HASH_KEY": BENCH_HASH_KEY,
        "LOG_LEVEL": "WARNING",
        "SMS_GLOBAL_PER_MINUTE": "1000000",
        "OTP_SENDS_PER_PHONE_HOUR": "1000000",
    }


def one_sample(port: int, client: redis.Redis, zalo: FakeZalo, n: int, gw: TimedGateways) -> float:
    """A user choosing SMS: the time until the gateway has the code, in ms."""
    user, phone = f"lat-{n}", f"+8491{n:07d}"
    conv = Conversation("verify:awaiting_method", {"phone": phone}, time.time())
    client.set(ConversationStore.state_key(UserRef(zalo.oa_id, user)), conv.to_json())
    body = text_body(user, "1", zalo.app_id, zalo.oa_id, timestamp=BASE_MS + n)
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/webhook",
        data=body,
        headers=signed_headers(body, zalo.oa_secret_key),
    )
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert answer.status == 200
    while phone not in gw.arrived:
        if time.perf_counter() - start > 10:
            raise RuntimeError("the code never reached the gateway")
        time.sleep(0.0005)
    return 1000 * (gw.arrived[phone] - start)


def measure_latency(redis_url: str) -> tuple[Latencies, Latencies]:
    """(the bot's webhook-to-gateway latency through the worker's codes runner, a direct
    provider call) in ms."""
    client = redis.Redis.from_url(redis_url)
    client.flushall()
    with FakeZalo() as zalo, TimedGateways() as gw:
        env = production_env(zalo, gw, redis_url)
        with gunicorn(env) as port, rq_worker(env):
            samples = [one_sample(port, client, zalo, n, gw) for n in range(WARMUP + SAMPLES)]
        direct = direct_calls(gw)
    return Latencies(sorted(samples[WARMUP:])), Latencies(sorted(direct))


def direct_calls(gw: FakeSmsGateways) -> list[float]:
    """Baseline: the same provider code calling the same gateway directly, in ms."""
    config = gw.config_for("esms")
    provider = EsmsProvider(
        config["ESMS_URL"],
        config["ESMS_API_KEY"],
        config["ESMS_SECRET_KEY"],
        brandname=config["ESMS_BRANDNAME"],
        timeout=5,
    )
    found = []
    for n in range(SAMPLES):
        message = SmsMessage(f"+8498{n:07d}", "Ma xac thuc 123456", f"direct-{n}", 300)
        start = time.perf_counter()
        provider.send(message)
        found.append(1000 * (time.perf_counter() - start))
    return found
