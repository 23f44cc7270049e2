"""A worker killed (SIGKILL) in the middle of sending a code: the next worker retries it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rq.registry import StartedJobRegistry

from bot.services import QUEUE_CODES, services_of
from tests.fakes.sms import FakeSmsGateways
from tests.helpers import run_jobs, wait_for
from tests.test_otp_jobs import CREDENTIALS, PHONE, bot_for, request_code

ROOT = Path(__file__).parents[2]


@pytest.fixture
def gateways() -> Iterator[FakeSmsGateways]:
    """The SMS gateway fakes."""
    with FakeSmsGateways() as fake:
        yield fake


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """The Procfile's worker process, for real."""
    # Its own process group: RQ's scheduler runs in a child process, which a SIGKILL of the
    # worker alone would leave running (it then wrote scheduler locks into later tests).
    return subprocess.Popen(
        [sys.executable, "-m", "bot.worker"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip


def test_a_killed_worker_leaves_one_code_to_the_next(
    config: dict[str, Any], gateways: FakeSmsGateways
) -> None:
    settings = {**config, **CREDENTIALS, **gateways.config_for("esms"), "HTTP_TIMEOUT_SECONDS": 10}
    app = bot_for(config, gateways, "esms", HTTP_TIMEOUT_SECONDS=10)
    gateways.timeout_next("esms", 3.0)  # the gateway is slow: the job is in flight
    code = request_code(app)
    env = {**os.environ, **{k: str(v) for k, v in settings.items()}, **gateways.config_for("esms")}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    worker = start_worker(env)
    try:
        wait_for(lambda: len(gateways.requests) == 1)  # the send is under way...
        os.killpg(worker.pid, signal.SIGKILL)  # ...when the worker (and its scheduler) dies
        worker.wait()
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    services = services_of(app)
    started = StartedJobRegistry(queue=services.queue(QUEUE_CODES))
    assert started.count == 1  # the job is orphaned, not lost
    # The next worker's maintenance finds the job abandoned once its heartbeat expires.
    started.cleanup(timestamp=time.time() + 3600)
    run_jobs(app)
    wait_for(lambda: len(gateways.requests) == 2)
    assert len(gateways.messages_to(PHONE)) == 1  # eSMS refused the retry's repeated RequestId
    assert gateways.last_code_to(PHONE) == code
