"""A worker killed (SIGKILL): the next worker sends its code; its scheduler goes with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import psutil
import pytest
import redis

from bot.queues.code_sends import STAGE_CODES, CodeSends
from bot.queues.ready import ReadySet, member_of
from bot.services import services_of
from bot.worker.sweeper import sweep
from tests.fakes.sms import FakeSmsGateways
from tests.helpers import run_jobs, wait_for
from tests.processes import spawn
from tests.test_otp_jobs import CREDENTIALS, PHONE, USER, bot_for, request_code

ROOT = Path(__file__).parents[2]


@pytest.fixture
def gateways() -> Iterator[FakeSmsGateways]:
    """The SMS gateway fakes."""
    with FakeSmsGateways() as fake:
        yield fake


def worker_env(settings: dict[str, Any]) -> dict[str, str]:
    """The environment of a worker process configured by settings."""
    env = {**os.environ, **{k: str(v) for k, v in settings.items()}}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return env


def start_worker(env: dict[str, str]) -> AbstractContextManager[subprocess.Popen[bytes]]:
    """The Procfile's worker process, for real; the block's end kills what is left of it."""
    return spawn(
        [sys.executable, "-m", "bot.worker"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def test_a_killed_worker_leaves_one_code_to_the_next(
    config: dict[str, Any], gateways: FakeSmsGateways
) -> None:
    settings = {**config, **CREDENTIALS, **gateways.config_for("esms"), "HTTP_TIMEOUT_SECONDS": 10}
    app = bot_for(config, gateways, "esms", HTTP_TIMEOUT_SECONDS=10)
    gateways.timeout_next("esms", 3.0)  # the gateway is slow: the send is in flight
    code = request_code(app)
    with start_worker(worker_env(settings)) as worker:
        wait_for(lambda: len(gateways.requests) == 1)  # the send is under way...
        os.killpg(worker.pid, signal.SIGKILL)  # ...when the worker dies
        worker.wait()
    services = services_of(app)
    sends = CodeSends(services.redis, USER)
    assert services.redis.llen(sends.key) == 1  # the send is still queued, not lost
    # Nobody renews the dead runner's claim (the account's send lock): it runs out in seconds,
    # and the sweep finds the account due.
    wait_for(lambda: not services.redis.exists(sends.lock_key), seconds=10)
    services.redis.zadd(ReadySet(services.redis, STAGE_CODES).key, {member_of(USER): 0})
    assert sweep(services, force=True) is not None
    run_jobs(app)
    wait_for(lambda: len(gateways.requests) == 2)
    assert len(gateways.messages_to(PHONE)) == 1  # eSMS refused the retry's repeated RequestId
    assert gateways.last_code_to(PHONE) == code
    assert services.redis.llen(sends.key) == 0


def test_the_scheduler_of_a_killed_worker_goes_with_it(
    config: dict[str, Any], rdb: redis.Redis
) -> None:
    with start_worker(worker_env(config)) as worker:
        wait_for(lambda: rdb.keys("rq:scheduler-lock:*"))
        # On gevent the scheduler is a greenlet of the worker's own process: no child to
        # outlive it, whatever kills the worker.
        assert psutil.Process(worker.pid).children() == []
        os.kill(worker.pid, signal.SIGKILL)  # as the OOM killer or `kill -9` would
        worker.wait()
    lock = rdb.keys("rq:scheduler-lock:*")[0]
    assert 0 < rdb.ttl(lock) <= 61  # nobody renews it: it runs out for the next scheduler
