"""No phone, code or nonce in RQ's job arguments, nor in RQ's own log lines on any failure
path: a failed attempt, its retry, a timeout, a worker whose work horse dies."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from rq.job import Job

from bot.connections import QUEUE_CODES
from bot.pipeline.worker import make_worker
from bot.queues.codes import CodeSends
from bot.services import services_of
from tests import leakcheck
from tests.fakes.sms import FakeSmsGateways
from tests.helpers import run_jobs, wait_for
from tests.test_otp_jobs import ISSUED_NONCES, PHONE, USER, bot_for, request_code


@pytest.fixture
def gateways() -> Iterator[FakeSmsGateways]:
    """The SMS gateway fakes."""
    with FakeSmsGateways() as fake:
        yield fake


@pytest.fixture
def since() -> int:
    """Where this test's log lines (with their extra= fields) start in the leak check's list."""
    return len(leakcheck.RECORDS)


def assert_clean(since: int, code: str, *must_show: str) -> None:
    """RQ spoke about the failure, and no line names the phone, the code or the nonce."""
    text = "\n".join(leakcheck.RECORDS[since:])
    for expected in must_show:
        assert expected in text, f"the test did not exercise: {expected}"
    secrets = {code, ISSUED_NONCES[-1], PHONE, PHONE.lstrip("+")}
    assert leakcheck.leak_in(text, {code}, secrets - {code}) is None


def send_job_args(app: Flask) -> list[Any]:
    """The arguments of every send job RQ holds (queued, scheduled or failed)."""
    services = services_of(app)
    ids = [key.decode().removeprefix("rq:job:") for key in services.redis.keys("rq:job:*")]
    jobs = [job for job in Job.fetch_many(ids, connection=services.redis) if job is not None]
    return [job.args for job in jobs if job.func_name == "bot.verification.jobs.send_code"]


def queued_sends(app: Flask) -> list[bytes]:
    """The sends waiting in the codes stage's queue of the user."""
    services = services_of(app)
    return list(services.redis.lrange(CodeSends(services.redis, USER).key, 0, -1))


def assert_opaque(values: list[str], code: str) -> None:
    """No phone (with or without its +), code or nonce among values."""
    assert not {PHONE, ISSUED_NONCES[-1], code} & set(values)
    assert not any(PHONE.lstrip("+") in value or ISSUED_NONCES[-1] in value for value in values)


def test_send_jobs_carry_an_opaque_reference(
    config: dict[str, Any], gateways: FakeSmsGateways
) -> None:
    app = bot_for(config, gateways, "http")
    gateways.fail_next("http", http_status=500)  # the first attempt fails: RQ's job retries
    code = request_code(app)
    (queued,) = queued_sends(app)
    assert_opaque([queued.decode()], code)  # the codes stage's queue holds a reference too
    run_jobs(app, fast_forward=False)
    (args,) = send_job_args(app)
    assert_opaque([str(arg) for arg in args], code)
    run_jobs(app)
    assert gateways.last_code_to(PHONE) == code  # the reference still finds the code


def test_a_failed_and_retried_send_logs_no_phone_nor_nonce(
    config: dict[str, Any], gateways: FakeSmsGateways, since: int
) -> None:
    app = bot_for(config, gateways, "http")
    gateways.always_fail("http", http_status=500)
    code = request_code(app)
    run_jobs(app, log_level="INFO")
    assert len(gateways.requests) == 4
    assert_clean(since, code, "exception raised while executing", "for retry")


def test_a_timed_out_send_logs_no_phone_nor_nonce(
    config: dict[str, Any], gateways: FakeSmsGateways, since: int
) -> None:
    app = bot_for(config, gateways, "http", HTTP_TIMEOUT_SECONDS=10)
    gateways.fail_next("http", http_status=500)  # the first attempt fails: RQ's job retries
    code = request_code(app)
    run_jobs(app, fast_forward=False)
    services = services_of(app)
    (job,) = services.queue(QUEUE_CODES).scheduled_job_registry.get_job_ids()
    retry = Job.fetch(job, connection=services.redis)
    retry.timeout = 1  # the worker's death penalty cuts the slow retry short
    retry.save()
    gateways.timeout_next("http", 3.0)
    run_jobs(app, log_level="INFO")
    assert_clean(since, code, "JobTimeoutException")
    wait_for(lambda: gateways.last_code_to(PHONE) == code)  # the next retry delivered it


def test_a_killed_work_horse_logs_no_phone_nor_nonce(
    config: dict[str, Any], gateways: FakeSmsGateways, since: int
) -> None:
    app = bot_for(config, gateways, "http", HTTP_TIMEOUT_SECONDS=10)
    gateways.timeout_next("http", 5.0)  # the send hangs in the work horse...
    code = request_code(app)
    worker = make_worker(app, simple=False)

    def kill_the_horse() -> None:
        wait_for(lambda: len(gateways.requests) == 1 and worker.horse_pid > 0)
        os.kill(worker.horse_pid, signal.SIGKILL)  # ...which dies

    killer = threading.Thread(target=kill_the_horse)
    killer.start()
    worker.work(burst=True, logging_level="INFO")
    killer.join(30)
    assert_clean(since, code, "Work-horse terminated unexpectedly")
    assert len(queued_sends(app)) == 1  # still queued: the next runner sends it, its lease out
