"""A runner's pool bookkeeping: users served in its threads are counted by the runner's own
thread; an outage there is raised once and the user given back, a bug is logged and counted 0,
and collect() waits for the first user served (or for all).

Real threads (this process is not patched), real Redis; users are claimed from the events
stage's ready set, served by a stand-in for the stage's work.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import redis
from flask import Flask

from bot.keys import UserRef
from bot.queues.inbox import DRAIN_LOCK, STAGE_EVENTS
from bot.queues.ready import ReadySet, member_of
from bot.queues.serial import Drained
from bot.services import Services, services_of
from bot.worker.processing import EVENTS
from bot.worker.runner import Pool, Runner
from tests.helpers import OA_ID, bot_messages, post_event, run_jobs, text_event, wait_for
from tests.test_webhook import toy_engine


@pytest.fixture
def pool() -> Iterator[Pool]:
    """Two threads, ended after the test."""
    pool = Pool(2, "test")
    yield pool
    pool.shutdown()


def due(app: Flask, *users: str) -> None:
    """Each user has an event queued and is due at the events stage (the toy flow's)."""
    app.extensions["bot"] = dataclasses.replace(services_of(app), engine=toy_engine())
    for user in users:
        post_event(app.test_client(), text_event(user, "toy"))


def started(
    app: Flask, pool: Pool, serve: Callable[[Services, UserRef, Drained | None], int]
) -> Runner:
    """A runner of the events stage serving with serve, its due users claimed and started."""
    stage = dataclasses.replace(EVENTS, serve=serve, threads=2)
    runner = Runner(services_of(app), stage, pool)
    runner.claim_and_start(runner.room())
    return runner


def test_an_outage_in_a_pool_thread_is_raised_once_and_the_user_given_back(
    app: Flask, rdb: redis.Redis, pool: Pool
) -> None:
    due(app, "o1")

    def cut_short(services: Services, user: UserRef, taken: Drained | None) -> int:
        raise redis.ConnectionError("Redis went away mid-event")

    runner = started(app, pool, cut_short)
    with pytest.raises(redis.ConnectionError):
        runner.collect(timeout=None, every=True)
    runner.collect(timeout=None, every=True)  # raised once: nothing more to say
    assert runner.served == 0 and runner.busy == 0 and runner.running == 0
    runner.give_back()
    user = UserRef(OA_ID, "o1")
    assert not rdb.exists(user.key(DRAIN_LOCK))  # free and due now, not after its lease
    score = rdb.zscore(ReadySet(rdb, STAGE_EVENTS).key, member_of(user))
    assert score is not None and score <= time.time() * 1000
    run_jobs(app)
    assert bot_messages(app, "o1") == ["started"]


def test_a_runner_serves_again_at_once_a_user_an_outage_cut_short_in_its_pool(
    app: Flask, pool: Pool
) -> None:
    due(app, "r1")
    calls: list[str] = []

    def flaky(services: Services, user: UserRef, taken: Drained | None) -> int:
        calls.append(user.user_id)
        if len(calls) == 1:
            raise redis.ConnectionError("Redis went away mid-event")
        return EVENTS.serve(services, user, taken)

    minute = dataclasses.replace(EVENTS.take, ttl_ms=60_000)  # a lease no test waits out
    stage = dataclasses.replace(EVENTS, serve=flaky, threads=2, take=minute)
    runner = Runner(services_of(app), stage, pool)
    stop = threading.Event()

    def run() -> None:
        with app.app_context():
            runner.run_forever(stop)

    thread = threading.Thread(target=run)
    thread.start()
    try:  # given back, not left to their lease: claimed and served again at once
        wait_for(lambda: runner.served == 1)
    finally:
        stop.set()
        thread.join()
    assert calls == ["r1", "r1"] and runner.busy == 0
    run_jobs(app)
    assert bot_messages(app, "r1") == ["started"]


def test_a_bug_in_a_pool_thread_is_logged_and_counted_nothing(
    app: Flask, pool: Pool, caplog: pytest.LogCaptureFixture
) -> None:
    due(app, "b1", "b2")

    def buggy(services: Services, user: UserRef, taken: Drained | None) -> int:
        if user.user_id == "b1":
            raise ValueError("a bug")
        return 1

    with caplog.at_level(logging.ERROR, logger="bot.worker.runner"):
        runner = started(app, pool, buggy)
        runner.collect(timeout=None, every=True)
    assert runner.served == 1 and runner.busy == 0 and runner.running == 0
    [record] = caplog.records
    assert record.exc_info is not None and isinstance(record.exc_info[1], ValueError)


def test_collect_waits_for_the_first_user_served_or_for_all(app: Flask, pool: Pool) -> None:
    due(app, "quick", "slow")
    release = threading.Event()

    def serve(services: Services, user: UserRef, taken: Drained | None) -> int:
        if user.user_id == "slow":
            release.wait()
        return 1

    runner = started(app, pool, serve)
    try:
        runner.collect(timeout=30)  # "quick" is served; "slow" waits for release
        assert runner.served == 1 and runner.running == 1 and runner.busy == 1
        runner.collect(timeout=0)  # nobody else served yet, and no wait
        assert runner.served == 1
    finally:
        release.set()
    runner.collect(timeout=None, every=True)
    assert runner.served == 2 and runner.running == 0 and runner.busy == 0
