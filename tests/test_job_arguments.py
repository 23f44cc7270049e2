"""No phone, code or nonce in a queued send, nor in the log lines on any failure path: a
failed attempt, its retry, a timeout."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from bot.queues.code_sends import CodeSends
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
    """The failure was logged, and no line names the phone, the code or the nonce."""
    text = "\n".join(leakcheck.RECORDS[since:])
    for expected in must_show:
        assert expected in text, f"the test did not exercise: {expected}"
    secrets = {code, ISSUED_NONCES[-1], PHONE, PHONE.lstrip("+")}
    assert leakcheck.leak_in(text, {code}, secrets - {code}) is None


def queued_sends(app: Flask) -> list[bytes]:
    """The sends waiting in the codes stage's queue of the user."""
    services = services_of(app)
    return list(services.redis.lrange(CodeSends(services.redis, USER).key, 0, -1))


def assert_opaque(values: list[str], code: str) -> None:
    """No phone (with or without its +), code or nonce among values."""
    assert not {PHONE, ISSUED_NONCES[-1], code} & set(values)
    assert not any(PHONE.lstrip("+") in value or ISSUED_NONCES[-1] in value for value in values)


def test_a_retried_send_waits_in_its_queue_as_an_opaque_reference(
    config: dict[str, Any], gateways: FakeSmsGateways
) -> None:
    app = bot_for(config, gateways, "http")
    gateways.fail_next("http", http_status=500)  # the first attempt fails: retried later
    code = request_code(app)
    (queued,) = queued_sends(app)
    assert_opaque([queued.decode()], code)  # the codes stage's queue holds a reference
    run_jobs(app, fast_forward=False)
    (retried,) = queued_sends(app)  # still at the head, its failure counted, no RQ job
    assert json.loads(retried)["f"] == 1
    assert_opaque([retried.decode()], code)
    assert not services_of(app).redis.keys("rq:job:*")
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
    assert_clean(since, code, "will retry", "failed for good")


def test_a_timed_out_send_logs_no_phone_nor_nonce(
    config: dict[str, Any], gateways: FakeSmsGateways, since: int
) -> None:
    app = bot_for(config, gateways, "http", HTTP_TIMEOUT_SECONDS=1)
    gateways.timeout_next("http", 3.0)  # the first attempt times out: retried later
    code = request_code(app)
    run_jobs(app, log_level="INFO")
    assert_clean(since, code, "will retry")
    wait_for(lambda: gateways.last_code_to(PHONE) == code)  # the retry delivered it
