"""Helpers for tests: running RQ jobs with real workers."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import redis
from flask import Flask
from flask.testing import FlaskClient
from rq.job import Job
from rq.registry import ScheduledJobRegistry
from rq.timeouts import TimerDeathPenalty
from werkzeug.test import TestResponse

from bot.config import SANDBOX_APP_ID, SANDBOX_OA_ID, SANDBOX_OA_SECRET_KEY
from bot.keys import UserRef
from bot.queues.ready import ReadySet, now_ms, user_of
from bot.services import services_of
from bot.web import sandbox_events
from bot.web.sandbox_events import encode_event, signed_headers, user_event  # noqa: F401
from bot.worker.crew import STAGES, serve_due
from bot.worker.rq_jobs import BotSimpleWorker, make_worker
from bot.worker.senders import sandbox_chat_key
from bot.zalo.sending import Sending
from zalo_api.tokens import TokenManager

# Jobs that wait for the world rather than back off: run when due, never fast-forwarded (a
# ZNS delivery check looks at what happened meanwhile, e.g. a receipt a test posts).
WAITS_FOR_THE_WORLD = frozenset({"bot.verification.zns_delivery.check_delivery"})


def promote_scheduled(app: Flask) -> int:
    """Enqueue every scheduled job now (as if its delay had passed), but the ones that wait
    for the world and are not due yet; return how many."""
    services = services_of(app)
    moved = 0
    for queue in services.queues.values():
        registry = ScheduledJobRegistry(queue=queue)
        for job_id in registry.get_job_ids():
            job = Job.fetch(job_id, connection=services.redis)
            if job.func_name in WAITS_FOR_THE_WORLD and not due(registry, job):
                continue
            registry.remove(job)
            queue.enqueue_job(job)
            moved += 1
    return moved


def due(registry: ScheduledJobRegistry, job: Job) -> bool:
    """Whether a scheduled job's time has come."""
    return registry.get_scheduled_time(job).timestamp() <= time.time()


class QuickWorker(BotSimpleWorker):
    """The bot's SimpleWorker without the command pub/sub channel (burst runs need none;
    its listener thread costs 100 ms at every teardown)."""

    def subscribe(self) -> None:
        """No remote commands in tests."""

    def unsubscribe(self) -> None:
        """Nothing to unsubscribe from."""


class ThreadedWorker(QuickWorker):
    """A SimpleWorker that can run outside the main thread (no signal handlers)."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self) -> None:
        """Signals belong to the main thread; tests stop this worker by burst mode."""


class StillPending(AssertionError):
    """run_jobs() found work in every round (a bug, or users who keep typing meanwhile)."""


def run_jobs(
    app: Flask,
    fast_forward: bool = True,
    max_rounds: int = 50,
    threaded: bool = False,
    log_level: str = "WARNING",
) -> int:
    """Serve the stages' due users (their runners, inline) and run the queued RQ jobs with a
    SimpleWorker in burst mode, round after round until neither finds work.

    With fast_forward, retries waiting for their time (a stage's due times, RQ's scheduled
    jobs) are made due at once, round after round, so retry-with-backoff paths are real but
    take no wall-clock time. Users of a held OA keep waiting, as they would.
    """
    rounds = 0
    while rounds < max_rounds:
        rounds += 1
        served = serve_due(app)
        worker = make_worker(app)
        worker.__class__ = ThreadedWorker if threaded else QuickWorker
        worked = worker.work(burst=True, logging_level=log_level)
        if served or worked:
            continue
        if not (fast_forward and promote_scheduled(app) + promote_retries(app)):
            return rounds
    raise StillPending(f"jobs still pending after {max_rounds} rounds")


def promote_retries(app: Flask) -> int:
    """Make every stage's users that wait for a retry due now (those of a held OA only when
    its next probe may go: as in production, one send every PROBE_SECONDS finds out)."""
    client = services_of(app).redis
    moved = 0
    for stage in STAGES:
        ready = ReadySet(client, stage.name)
        later = client.zrangebyscore(ready.key, now_ms(), "+inf")
        members = {m: now_ms() for m in later if not probing(client, user_of(m).oa_id)}
        if members:
            moved += int(client.zadd(ready.key, members, xx=True, ch=True))
    return moved


def probing(client: redis.Redis, oa_id: str) -> bool:
    """Whether the OA is held and its probe just went (the next waits PROBE_SECONDS)."""
    return bool(client.exists(Sending(client, oa_id).probe_key))


@contextmanager
def background_worker(app: Flask) -> Iterator[None]:
    """A worker thread running jobs as they are queued, as `make run`'s worker does."""
    stop = threading.Event()

    def work() -> None:
        while not stop.is_set():
            run_jobs(app, threaded=True)
            stop.wait(0.05)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(10)


# ---------------------------------------------------------------------------------------------
# Zalo events, signed as Zalo signs them, and dialogue helpers.

APP_ID = SANDBOX_APP_ID
OA_ID = SANDBOX_OA_ID
OA_SECRET = SANDBOX_OA_SECRET_KEY


def text_event(user: str = "u1", text: str = "menu", **fields: Any) -> dict[str, Any]:
    """user_send_text with a fresh msg_id (pass msg_id= to redeliver the same event)."""
    return sandbox_events.text_event(user, text, **fields)


def follow_event(user: str = "u1", name: str = "follow") -> dict[str, Any]:
    """follow / unfollow."""
    return sandbox_events.follow_event(user, name)


def submit_info_event(user: str = "u1", phone: str = "0912345678") -> dict[str, Any]:
    """user_submit_info (older flat shape)."""
    return sandbox_events.submit_info_event(user, phone)


def image_event(user: str = "u1") -> dict[str, Any]:
    """user_send_image."""
    attachment = {"type": "image", "payload": {"url": "https://example.invalid/i.jpg"}}
    message = {"msg_id": uuid.uuid4().hex, "text": "", "attachments": [attachment]}
    return user_event("user_send_image", user, message=message)


def post_event(
    client: FlaskClient, event: dict[str, Any] | bytes, secret: str = OA_SECRET
) -> TestResponse:
    """POST an event to /webhook with a correct X-ZEvent-Signature."""
    body = event if isinstance(event, bytes) else encode_event(event)
    return client.post("/webhook", data=body, headers=signed_headers(body, secret))


def bot_messages(app: Flask, user: str = "u1", oa_id: str = OA_ID) -> list[str]:
    """Every text the bot sent user so far (sandbox chat log)."""
    lines = services_of(app).redis.lrange(sandbox_chat_key(UserRef(oa_id, user)), 0, -1)
    decoded = [json.loads(line) for line in lines]
    return [d["payload"].get("text", d["kind"]) for d in decoded if d["from"] == "bot"]


def last_buttons(app: Flask, user: str = "u1", oa_id: str = OA_ID) -> list[dict[str, str]]:
    """The tap buttons under the bot's newest message ([] when it offered none)."""
    lines = services_of(app).redis.lrange(sandbox_chat_key(UserRef(oa_id, user)), 0, -1)
    bot = [json.loads(line) for line in lines if json.loads(line)["from"] == "bot"]
    found: list[dict[str, str]] = bot[-1]["payload"].get("buttons", []) if bot else []
    return found


class Dialogue:
    """A user talking to the bot through the real webhook and real workers."""

    def __init__(self, app: Flask, user: str = "u1", log_level: str = "WARNING") -> None:
        self.app = app
        self.log_level = log_level
        self.client = app.test_client()
        self.user = user
        self.seen = 0

    def send(self, event: dict[str, Any]) -> list[str]:
        """Post an event, run the jobs, return the bot's new messages."""
        answer = post_event(self.client, event)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        run_jobs(self.app, log_level=self.log_level)
        messages = bot_messages(self.app, self.user)
        new, self.seen = messages[self.seen :], len(messages)
        return new

    def say(self, text: str) -> str:
        """Type text; return the bot's answer (its new messages joined by blank lines)."""
        return "\n\n".join(self.send(text_event(self.user, text)))


def phone_codes(app: Flask, phone: str, channel: str | None = None) -> list[str]:
    """The codes the sandbox delivered to phone (SMS and Zalo inbox), oldest first."""
    from bot.sms.console import read_phone_inbox

    items = read_phone_inbox(services_of(app).redis, phone)
    texts = [item["text"] for item in items if channel is None or item["channel"] == channel]
    return [match for text in texts for match in re.findall(r"(?<!\d)\d{6}(?!\d)", text)]


def last_code(app: Flask, phone: str, channel: str | None = None) -> str:
    """The newest code delivered to phone."""
    from tests.leakcheck import remember

    codes = phone_codes(app, phone, channel)
    assert codes, f"no code reached the phone by {channel or 'any channel'}"
    remember(*codes)
    return codes[-1]


# RQ's records of running workers and schedulers: another test's process may write them
# at any moment (a scheduler refreshes its locks every second); they say nothing of this one.
RQ_BOOKKEEPING = (b"rq:worker", b"rq:scheduler", b"rq:clean_registries", b"rq:suspended")


def stored_keys(rdb: redis.Redis) -> set[bytes]:
    """Every key in the test Redis but RQ's bookkeeping of workers and schedulers."""
    return {key for key in rdb.keys("*") if not key.startswith(RQ_BOOKKEEPING)}


def wait_for(condition: Callable[[], object], seconds: float = 20.0) -> None:
    """Wait until condition() holds: a fake gateway may still be answering a slow request,
    a subprocess may still be starting. (A wait, not a timing assertion.)"""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def main_tokens(app: Flask) -> TokenManager:
    """The main OA's token manager (building it the first time seeds the env tokens)."""
    services = services_of(app)
    return services.outbounds.of(services.registry.main).tokens  # served or not
