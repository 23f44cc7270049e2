"""Nothing stranded: a runner lost mid-serve (Redis restart, SIGKILL) does not leave a
user's events waiting for that user's next message."""

from __future__ import annotations

import dataclasses
import importlib
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import redis
from flask import Flask

from bot import create_app
from bot.keys import UserRef
from bot.ops.embedded_redis import EmbeddedRedis
from bot.queues.inbox import DRAIN_LOCK, STAGE_EVENTS
from bot.queues.ready import ReadySet, member_of
from bot.queues.serial import Drained
from bot.services import Services, services_of
from bot.worker.processing import EVENTS, TAKE_EVENTS
from bot.worker.runner import Runner
from bot.worker.sweeper import sweep
from tests.helpers import (
    OA_ID,
    StillPending,
    bot_messages,
    post_event,
    run_jobs,
    text_event,
    wait_for,
)
from tests.test_webhook import toy_engine

USERS = [f"s{n}" for n in range(12)]


def toy(app: Flask) -> Flask:
    """The toy flow: each 'more <tag>' is answered 'n=<count> tag=<tag>'."""
    app.extensions["bot"] = dataclasses.replace(services_of(app), engine=toy_engine())
    return app


def test_users_of_a_lost_runner_are_served_after_their_lease(app: Flask) -> None:
    toy(app)
    for user in USERS[:3]:
        post_event(app.test_client(), text_event(user, "toy"))
    rdb = services_of(app).redis
    ready = ReadySet(rdb, STAGE_EVENTS)
    claimed = ready.take(10, 60_000, TAKE_EVENTS)
    assert len(claimed) == 3  # a runner claimed them, with their drain locks, and died
    run_jobs(app, fast_forward=False)
    assert all(bot_messages(app, user) == [] for user in USERS[:3])  # stranded, for now
    # The lease and the locks run out (seconds; here at once): the runners take them.
    rdb.zadd(ready.key, {member_of(UserRef(OA_ID, u)): 0 for u in USERS[:3]})
    rdb.delete(*[UserRef(OA_ID, u).key(DRAIN_LOCK) for u in USERS[:3]])
    run_jobs(app)
    assert all(bot_messages(app, user) == ["started"] for user in USERS[:3])


def test_users_an_outage_cut_short_are_given_back_at_once(app: Flask, rdb: redis.Redis) -> None:
    toy(app)
    post_event(app.test_client(), text_event("s0", "toy"))
    services = services_of(app)
    served: list[str] = []

    def cut_short(services: Services, user: UserRef, taken: Drained | None) -> int:
        served.append(user.user_id)
        raise redis.ConnectionError("Redis went away mid-event")  # a failover, a restart

    runner = Runner(services, replace(EVENTS, serve=cut_short, threads=1))
    with pytest.raises(redis.ConnectionError):
        runner.serve_due()
    assert served == ["s0"]
    user = UserRef(OA_ID, "s0")
    # Not left to wait out the lease and the drain lock (a minute): free and due now.
    assert not rdb.exists(user.key("drainlock"))
    score = rdb.zscore(ReadySet(rdb, STAGE_EVENTS).key, member_of(user))
    assert score is not None and score <= time.time() * 1000
    run_jobs(app)
    assert bot_messages(app, "s0") == ["started"]


def test_a_queue_outside_the_ready_set_is_put_back(app: Flask, rdb: redis.Redis) -> None:
    toy(app)
    post_event(app.test_client(), text_event("old", "toy"))
    ready = ReadySet(rdb, STAGE_EVENTS)
    rdb.zrem(ready.key, member_of(UserRef(OA_ID, "old")))  # written before ready sets existed
    swept = sweep(services_of(app), force=True)
    assert swept is not None and swept.put_back == 1
    run_jobs(app)
    assert bot_messages(app, "old") == ["started"]


@pytest.fixture
def aof_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    """A redis-server owned by the test, with AOF, to restart under load."""
    server = EmbeddedRedis(tmp_path, appendonly=True).start()
    yield server
    server.stop()


@pytest.fixture
def short_leases(monkeypatch: pytest.MonkeyPatch) -> None:
    """Locks and leases of 2 s, so that a lost one runs out within the test."""
    for module in ("bot.queues.inbox", "bot.worker.processing"):
        monkeypatch.setattr(f"{module}.DRAIN_LOCK_TTL_MS", 2000)
    for module in ("bot.queues.outbox", "bot.worker.delivery"):
        monkeypatch.setattr(f"{module}.SEND_LOCK_TTL_MS", 2000)
    monkeypatch.setattr("bot.queues.code_sends.CODE_SEND_LOCK_TTL_MS", 2000)
    for stage in ("processing.EVENTS", "delivery.MESSAGES", "code_sending.CODES"):
        module, name = stage.split(".")
        found = getattr(importlib.import_module(f"bot.worker.{module}"), name)
        short = replace(found, take=replace(found.take, ttl_ms=2000))
        monkeypatch.setattr(f"bot.worker.{stage}", short)
    stages = tuple(getattr(importlib.import_module(f"bot.worker.{m}"), n) for m, n in (
        ("code_sending", "CODES"), ("processing", "EVENTS"), ("delivery", "MESSAGES")))  # fmt: skip
    monkeypatch.setattr("bot.worker.crew.STAGES", stages)


def keep_working(app: Flask, stop: threading.Event) -> None:
    """A worker that, like the real one, carries on through a Redis outage, and while users
    keep typing (run_jobs() then finds work in every round: not a reason to stop serving)."""
    while not stop.is_set():
        try:
            run_jobs(app, threaded=True)
        except (redis.RedisError, StillPending):
            pass
        stop.wait(0.05)


def post_all(app: Flask, answered: dict[str, list[str]], rounds: int) -> None:
    """Every user says 'more <n>' rounds times; Zalo redelivers what got no 200."""
    client = app.test_client()
    for n in range(rounds):
        for user in USERS:
            event = text_event(user, f"more {n:02d}")
            while post_event(client, event).status_code != 200:
                time.sleep(0.1)
            answered[user].append(f"{n:02d}")


@pytest.mark.slow
def test_a_redis_restart_under_load_strands_no_user(
    aof_redis: EmbeddedRedis, short_leases: None
) -> None:
    app = toy(create_app({"REDIS_URL": aof_redis.url, "BOT_SANDBOX": "1", "LOG_LEVEL": "ERROR"}))
    client = app.test_client()
    for user in USERS:
        post_event(client, text_event(user, "toy"))
    answered: dict[str, list[str]] = {user: [] for user in USERS}
    stop = threading.Event()
    worker = threading.Thread(target=keep_working, args=(app, stop), daemon=True)
    poster = threading.Thread(target=post_all, args=(app, answered, 10))
    worker.start(), poster.start()
    wait_for(lambda: sum(map(len, answered.values())) >= 30)
    aof_redis.stop()  # under load: jobs are in flight, claimed users, held locks
    aof_redis.start()
    poster.join()
    services = services_of(app)

    def all_served() -> bool:
        sweep(services, force=True)
        return all(tags_replied(app, user) >= set(answered[user]) for user in USERS)

    try:
        wait_for(all_served, seconds=90)
    finally:
        stop.set()
        worker.join(10)
    assert services.redis.keys("inbox:*") == []


def tags_replied(app: Flask, user: str) -> set[str]:
    """The tags the bot answered for user."""
    return {line.split("tag=")[1] for line in bot_messages(app, user) if "tag=" in line}


def test_the_sweep_runs_once_per_interval_across_processes(app: Flask) -> None:
    services = services_of(app)
    assert sweep(services) is not None
    assert sweep(services) is None  # another process (here: the same) swept just now
