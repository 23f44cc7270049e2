"""The Procfile's worker against the fake Zalo, under faults: killed mid-burst, its users are
served again within seconds; through a Redis restart, no reply goes out twice."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from bot import create_app
from bot.worker.delivery import SEND_CONCURRENCY
from tests.fakes.sms import FakeSmsGateways
from tests.fakes.zalo import FakeZalo
from tests.helpers import post_event, user_event, wait_for
from tests.production import HASH_KEY
from tests.reliability.cluster import Processes, RedisNode, bot_env, start_worker

pytestmark = [pytest.mark.slow, pytest.mark.serial, pytest.mark.timeout(300)]
USERS = [f"72000000000000{n:05d}" for n in range(40)]
SAYINGS = ("menu", "trạng thái")
SEND_SECONDS = 0.3  # each reply takes this long at Zalo: a burst is in flight for seconds


@contextmanager
def bot_on(redis_url: str) -> Iterator[tuple[Flask, FakeZalo, dict[str, str]]]:
    """The web side (a test client) of a production bot on redis_url, the fake Zalo, and
    the environment of a worker process of the same bot."""
    with FakeZalo() as zalo, FakeSmsGateways() as sms:
        settings = {"REDIS_URL": redis_url, "BOT_SANDBOX": "0", **zalo.config(),
                    **sms.config_for("esms"), "OTP_HASH_KEY": HASH_KEY,
                    "ZNS_OTP_TEMPLATE_ID": "otp-template", "LOG_LEVEL": "INFO"}  # fmt: skip
        app = create_app(settings)
        yield app, zalo, bot_env(**settings)


def say(app: Flask, zalo: FakeZalo, user: str, text: str) -> None:
    """A signed text event from user."""
    message = {"text": text, "msg_id": uuid.uuid4().hex}
    event = user_event("user_send_text", user, message=message,
                       app_id=zalo.app_id, oa_id=zalo.oa_id)  # fmt: skip
    assert post_event(app.test_client(), event, secret=zalo.oa_secret_key).status_code == 200


def burst(app: Flask, zalo: FakeZalo) -> None:
    """Every user says SAYINGS; each reply takes SEND_SECONDS at Zalo."""
    zalo.delay_next("cs", SEND_SECONDS, times=10_000)
    for text in SAYINGS:
        for user in USERS:
            say(app, zalo, user, text)


def replies(zalo: FakeZalo) -> dict[str, list[str]]:
    """The texts each user has read."""
    return {user: zalo.messages_to(user) for user in USERS}


def once(texts: list[str]) -> list[str]:
    """texts without a repeat of the one before (a reply sent once more)."""
    return [text for n, text in enumerate(texts) if n == 0 or text != texts[n - 1]]


def warm_up(app: Flask, zalo: FakeZalo) -> list[str]:
    """A control user's answers to SAYINGS (the worker is up once they arrive)."""
    control = "7299999999999999999"
    for text in SAYINGS:
        say(app, zalo, control, text)
    wait_for(lambda: len(zalo.messages_to(control)) == len(SAYINGS), seconds=60)
    return zalo.messages_to(control)


def test_a_worker_killed_mid_burst_costs_seconds(
    config: dict[str, Any], procs: Processes, capsys: pytest.CaptureFixture[str]
) -> None:
    with bot_on(config["REDIS_URL"]) as (app, zalo, env):
        first = start_worker(procs, env, "worker-1")
        expected = warm_up(app, zalo)
        burst(app, zalo)
        wait_for(lambda: sum(map(len, replies(zalo).values())) >= 10)  # a burst in flight...
        procs.kill(first)  # ...when the worker dies (kill -9)
        killed_at = time.monotonic()
        start_worker(procs, env, "worker-2")  # its restart (the platform's, or systemd's)
        # A reply Zalo accepted just before the kill may go once more (no idempotency key);
        # every user reads all their answers, in order.
        wait_for(
            lambda: all(once(texts) == expected for texts in replies(zalo).values()), seconds=30
        )
        stranded_for = time.monotonic() - killed_at
        with capsys.disabled():
            print(f"\nkilled worker: last stranded reply {stranded_for:.1f} s after the kill")
        assert stranded_for < 15
        # Once more, at most, and only what was in flight at the kill: one send per thread.
        assert sum(map(len, replies(zalo).values())) <= len(USERS) * len(SAYINGS) + SEND_CONCURRENCY


def test_a_redis_restart_under_a_live_worker_sends_nothing_twice(
    procs: Processes, tmp_path: Path
) -> None:
    node = RedisNode(procs, tmp_path / "redis").start()
    with bot_on(node.url) as (app, zalo, env):
        start_worker(procs, env, "worker")
        expected = warm_up(app, zalo)
        burst(app, zalo)
        wait_for(lambda: sum(map(len, replies(zalo).values())) >= 10)  # sends in flight...
        node.stop(crash=False)  # ...when Redis restarts
        node.start()
        wait_for(
            lambda: all(len(texts) >= len(expected) for texts in replies(zalo).values()),
            seconds=60,
        )
        time.sleep(3)  # anything sent twice would have arrived by now
        assert replies(zalo) == {user: expected for user in USERS}
