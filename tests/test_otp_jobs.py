"""Code delivery jobs against loopback fakes of every SMS gateway: retries, idempotency."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from bot import create_app
from bot.conversation.context import Context
from bot.keys import UserRef
from bot.ops.embedded_redis import free_port
from bot.queues.code_sends import queue_code_now
from bot.queues.inbox import dedupe_digest
from bot.services import services_of
from bot.verification.codes import derive_code, reference_of
from tests.fakes.sms import PROVIDERS, FakeSmsGateways
from tests.helpers import run_jobs, wait_for

PHONE = "+84912345678"
USER = UserRef("9876543210987654321", "u1")
HASH_KEY = "test-otp-hash-key-0123456789"
ISSUED_NONCES: list[str] = []  # the nonce of every code request_code() asked for
CREDENTIALS = {
    "BOT_SANDBOX": "0",
    "ZALO_APP_ID": "1234567890123456789",
    "ZALO_APP_SECRET": "app-secret",
    "ZALO_OA_ID": USER.oa_id,
    "ZALO_OA_SECRET_KEY": "oa-secret",
    "OTP_HASH_KEY": HASH_KEY,
    "ZNS_OTP_TEMPLATE_ID": "otp-template",
    "OTP_RESEND_COOLDOWN_SECONDS": 0,
    "HTTP_TIMEOUT_SECONDS": 2,
}


@pytest.fixture
def gateways() -> Iterator[FakeSmsGateways]:
    """The four SMS gateways on one loopback server."""
    with FakeSmsGateways() as fake:
        yield fake


def bot_for(
    config: dict[str, Any], gateways: FakeSmsGateways, provider: str, **extra: Any
) -> Flask:
    """A production-mode bot whose SMS go to the fake gateway (Zalo is not reached here)."""
    nowhere = f"http://127.0.0.1:{free_port()}"
    zalo = {"ZALO_OPENAPI_URL": nowhere, "ZALO_BUSINESS_URL": nowhere, "ZALO_OAUTH_URL": nowhere}
    return create_app({**config, **CREDENTIALS, **zalo, **gateways.config_for(provider), **extra})


def request_code(app: Flask, channel: str = "sms") -> str:
    """Ask for a code as the dialogue does; queue its send; return the expected code."""
    services = services_of(app)
    ctx = Context(user=USER, lang="vi", parts=services)
    outcome = services.verifier.request_code(ctx, PHONE, channel)
    assert outcome.status == "sent", outcome
    queue_code_now(services, ctx.codes)
    nonce = services.redis.hget(USER.key("otp"), "n").decode()  # type: ignore[union-attr]
    ISSUED_NONCES.append(nonce)
    return derive_code(HASH_KEY, nonce)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_each_provider_delivers_the_code(
    config: dict[str, Any], gateways: FakeSmsGateways, provider: str
) -> None:
    app = bot_for(config, gateways, provider)
    code = request_code(app)
    run_jobs(app)
    assert gateways.last_code_to(PHONE) == code
    assert len(gateways.messages_to(PHONE)) == 1


def test_esms_gets_the_idempotency_key_as_request_id(
    config: dict[str, Any], gateways: FakeSmsGateways
) -> None:
    app = bot_for(config, gateways, "esms")
    request_code(app)
    run_jobs(app)
    sent = gateways.requests[-1].json()
    assert sent["RequestId"].startswith("otp-") and len(sent["RequestId"]) <= 50
    assert sent["RequestId"] == gateways.sent[-1].reference


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_transient_failure_is_retried_with_the_same_code(
    config: dict[str, Any], gateways: FakeSmsGateways, provider: str
) -> None:
    app = bot_for(config, gateways, provider)
    gateways.fail_next(provider, http_status=503)
    code = request_code(app)
    run_jobs(app)
    assert len(gateways.requests) == 2
    assert [m.text for m in gateways.messages_to(PHONE)] and gateways.last_code_to(PHONE) == code


def test_a_timed_out_send_retried_never_sends_a_second_code(
    config: dict[str, Any], gateways: FakeSmsGateways
) -> None:
    app = bot_for(config, gateways, "twilio", HTTP_TIMEOUT_SECONDS=0.3)
    gateways.timeout_next("twilio", 1.0)  # handled (sent!) after the client gave up
    code = request_code(app)
    run_jobs(app)
    wait_for(lambda: len(gateways.messages_to(PHONE)) == 2)  # Twilio has no idempotency key...
    codes = {m.text for m in gateways.messages_to(PHONE)}
    assert len(codes) == 1 and code in codes.pop()  # ...but both carry the same code


def test_esms_duplicate_request_id_counts_as_sent(
    config: dict[str, Any], gateways: FakeSmsGateways
) -> None:
    app = bot_for(config, gateways, "esms", HTTP_TIMEOUT_SECONDS=0.3)
    gateways.timeout_next("esms", 1.0)
    request_code(app)
    run_jobs(app)
    wait_for(lambda: len(gateways.requests) == 2)
    assert len(gateways.messages_to(PHONE)) == 1  # the retry was refused as a duplicate
    assert reported_failures(app) == []  # and that is not a failure to report


def reported_failures(app: Flask) -> list[str]:
    """Failures the send jobs reported to the user's conversation (its inbox's history)."""
    seen = {key.decode() for key in services_of(app).redis.zrange(USER.key("seen"), 0, -1)}
    return [n for n in ISSUED_NONCES if dedupe_digest(f"failed:{reference_of(n)}") in seen]


def test_a_permanent_failure_is_not_retried_and_is_reported(
    config: dict[str, Any], gateways: FakeSmsGateways
) -> None:
    app = bot_for(config, gateways, "esms")
    gateways.fail_next("esms", code="103")  # low balance
    request_code(app)
    run_jobs(app)
    assert len(gateways.requests) == 1
    assert len(reported_failures(app)) == 1


def test_the_last_transient_failure_is_reported(
    config: dict[str, Any], gateways: FakeSmsGateways
) -> None:
    app = bot_for(config, gateways, "http")
    gateways.always_fail("http", http_status=500)
    request_code(app)
    run_jobs(app)
    assert len(gateways.requests) == 4  # the first attempt and three retries
    assert len(reported_failures(app)) == 1


def test_a_replaced_code_is_not_sent(config: dict[str, Any], gateways: FakeSmsGateways) -> None:
    app = bot_for(config, gateways, "http")
    request_code(app)
    newer = request_code(app)
    run_jobs(app)
    assert len(gateways.messages_to(PHONE)) == 1
    assert gateways.last_code_to(PHONE) == newer


def test_the_reference_is_a_hash_not_the_nonce(
    config: dict[str, Any], gateways: FakeSmsGateways
) -> None:
    app = bot_for(config, gateways, "http")
    request_code(app)
    job_nonce = ISSUED_NONCES[-1]
    run_jobs(app)
    assert gateways.sent[-1].reference == reference_of(job_nonce)
    assert job_nonce not in json.dumps(gateways.requests[-1].json())
