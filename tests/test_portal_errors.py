"""The portal API never answers HTML: every refusal the engine can give has its JSON error,
Redis down is 503 `unavailable` with Retry-After, a bug is a JSON 500 with a correlation id."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from bot import create_app
from bot.ops.embedded_redis import EmbeddedRedis
from bot.portal import verify_api
from bot.portal.verify_api import REFUSALS, started
from bot.verification.service import REFUSAL_STATUS, SEND_STATUSES, SendOutcome
from tests.openapi_check import conforms
from tests.portalkit import ACCOUNT, AUTH, KEY, start_raw

ROOT = Path(__file__).parents[1]


def statuses_in_the_code() -> set[str]:
    """Every status the engine's code (and the portal's operations) can put in a SendOutcome."""
    found = set(REFUSAL_STATUS.values())
    for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "handlers").rglob("*.py")]:
        found |= set(re.findall(r'SendOutcome\(\s*"([a-z_]+)"', path.read_text()))
    lua = (ROOT / "bot" / "verification" / "codes_lua.py").read_text()
    issue = lua[: lua.index("return {'ok', 0}") + 20]  # the issue script's answers
    # 'stale' (the owner learnt at the number step changed) makes the engine read the facts
    # again: never an answer (tests/test_send_step.py).
    found |= set(re.findall(r"return \{'([a-z_]+)'", issue)) - {"ok", "stale"}
    return found


def test_every_status_the_engine_returns_is_listed() -> None:
    assert statuses_in_the_code() <= SEND_STATUSES


@pytest.mark.parametrize("status", sorted(SEND_STATUSES - {"sent"}))
def test_every_refusal_has_its_json_error(config: dict[str, Any], status: str) -> None:
    assert status in REFUSALS, f"no portal answer for {status!r}"
    app = create_app({**config, "PORTAL_API_KEY": KEY})
    with app.test_request_context("/api/v1/verifications"):
        code, body = started(ACCOUNT, "+84912345678", "sms", SendOutcome(status, 30))
    assert 400 <= code < 600 and body["error"] and body["message"]
    if body["error"] == "channel_unavailable":
        assert body["reason"] in ("sms_ceiling", "zalo_ceiling", "zalo_not_configured",
                                  "no_zalo_account")  # fmt: skip


def test_the_zalo_ceiling_is_503_channel_unavailable(config: dict[str, Any]) -> None:
    app = create_app({**config, "PORTAL_API_KEY": KEY, "ZNS_GLOBAL_PER_MINUTE": 1})
    assert start_raw(app, channel="zalo").status_code == 201
    body = {"account_id": "cz-2", "phone": "0987654321", "channel": "zalo"}
    answer = app.test_client().post("/api/v1/verifications", json=body, headers=AUTH)
    got = conforms("/api/v1/verifications", "post", answer)
    assert (answer.status_code, got["error"], got["reason"]) == (
        503,
        "channel_unavailable",
        "zalo_ceiling",
    )


@pytest.fixture
def stopped_redis(tmp_path: Path) -> EmbeddedRedis:
    """A redis-server the test stops."""
    return EmbeddedRedis(tmp_path).start()


def test_redis_down_is_503_unavailable_never_html(
    config: dict[str, Any], stopped_redis: EmbeddedRedis
) -> None:
    app = create_app({**config, "REDIS_URL": stopped_redis.url, "PORTAL_API_KEY": KEY})
    stopped_redis.stop()
    client = app.test_client()
    answers = [
        ("/api/v1/verifications", "post", start_raw(app)),
        ("/api/v1/verifications/check", "post",
         client.post("/api/v1/verifications/check", json={"account_id": ACCOUNT, "code": "123456"},
                     headers=AUTH)),
        ("/api/v1/links", "post",
         client.post("/api/v1/links", json={"account_id": ACCOUNT}, headers=AUTH)),
        ("/api/v1/accounts/{id}", "get", client.get(f"/api/v1/accounts/{ACCOUNT}", headers=AUTH)),
    ]  # fmt: skip
    for template, method, answer in answers:
        assert answer.status_code == 503 and answer.is_json, answer.get_data(as_text=True)
        assert conforms(template, method, answer)["error"] == "unavailable"
        assert int(answer.headers["Retry-After"]) > 0


def test_a_bug_is_a_json_500_with_a_correlation_id(
    config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app({**config, "PORTAL_API_KEY": KEY})
    app.testing = False  # as in production: the error handler answers, nothing propagates

    def broken(*args: Any) -> Any:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(verify_api, "start_verification", broken)
    answer = start_raw(app, headers={"X-Request-ID": "req-abc123"})
    body = conforms("/api/v1/verifications", "post", answer)
    assert (answer.status_code, body["error"], body["correlation_id"]) == (
        500,
        "internal",
        "req-abc123",
    )


def test_an_unknown_api_path_is_json_too(config: dict[str, Any]) -> None:
    app: Flask = create_app({**config, "PORTAL_API_KEY": KEY})
    answer = app.test_client().get("/api/v1/nothing-here", headers=AUTH)
    assert answer.status_code == 404 and answer.get_json()["error"] == "not_found"
