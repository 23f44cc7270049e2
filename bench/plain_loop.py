"""The same handler work in a plain loop in one process: record the event, run the engine and
commit, send the reply and the code; no web server, no RQ, no waiting. The ceiling the
end-to-end figures are compared with."""

from __future__ import annotations

import time

import redis
from flask import Flask

from bench.events import text_body
from bench.fakes import APP_ID, OA_ID, FakeServer
from bot import create_app
from bot.keys import UserRef
from bot.queues.inbox import record_event
from bot.queues.outbox import Outbox
from bot.services import Services, services_of
from bot.worker.code_sending import send_codes
from bot.worker.delivery import send_outbox
from bot.worker.processing import drain_inbox

DIALOGUES = 150


def one_event(services: Services, user: UserRef, text: str, stamp: int) -> None:
    """Everything the pipeline does for one event, called directly."""
    body = text_body(user.user_id, text, APP_ID, OA_ID, stamp)
    record_event(services, user, f"plain-{stamp}", stamp, body)
    drain_inbox(services, user)
    send_outbox(services, Outbox(services.redis, user))
    send_codes(services, user)


def dialogues(app: Flask, fake: FakeServer) -> float:
    """Events per second of DIALOGUES sequential dialogues."""
    services = services_of(app)
    stamp, events = int(time.time() * 1000), 0
    start = time.perf_counter()
    with app.app_context():
        for n in range(DIALOGUES):
            user, number = UserRef(OA_ID, f"plain-{n}"), 50_000_000 + n
            for text in ("xác thực", f"09{number:08d}", "1"):
                stamp += 1
                one_event(services, user, text, stamp)
            _arrived, code = fake.codes.box(f"+849{number:08d}").get(timeout=5)
            stamp += 1
            one_event(services, user, code, stamp)
            events += 4
    return events / (time.perf_counter() - start)


def plain_loop_rate(redis_url: str, env: dict[str, str]) -> float:
    """Events per second of the plain loop against a zero-latency fake."""
    redis.Redis.from_url(redis_url).flushall()  # first: building the app seeds the tokens
    with FakeServer(0) as fake:
        app = create_app({**env, **fake.env(), "REDIS_URL": redis_url})
        return dialogues(app, fake)
