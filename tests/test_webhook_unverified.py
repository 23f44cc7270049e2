"""Requests that fail verification: 200 (Zalo's probe), nothing changed, counted, told."""

from __future__ import annotations

import logging
import time

import pytest
import redis
from flask import Flask
from prometheus_client import REGISTRY

from bot.web import unverified
from tests.helpers import Dialogue, bot_messages, encode_event, post_event, run_jobs, text_event


def unverified_count(reason: str) -> float:
    """bot_webhook_unverified_total for one reason."""
    value = REGISTRY.get_sample_value("bot_webhook_unverified_total", {"reason": reason})
    return value or 0.0


def probe(app: Flask) -> int:
    """What Zalo sends when the webhook URL is saved: an event without a valid signature."""
    body = encode_event(text_event("probe", "test"))
    return app.test_client().post("/webhook", data=body).status_code


@pytest.mark.parametrize(
    ("reason", "send"),
    [
        ("missing", lambda c: c.post("/webhook", data=encode_event(text_event()))),
        ("mismatch", lambda c: post_event(c, text_event(), secret="wrong")),
        ("unknown_app", lambda c: post_event(c, text_event(app_id="999"))),
        ("malformed", lambda c: c.post("/webhook", data=b"{", headers={"X-ZEvent-Signature": "0"})),
    ],
)
def test_each_kind_of_unverified_request_is_counted_by_reason(
    app: Flask, reason: str, send: object
) -> None:
    before = unverified_count(reason)
    answer = send(app.test_client())  # type: ignore[operator]
    assert answer.status_code == 200
    assert unverified_count(reason) == before + 1


def test_the_unsigned_probe_gets_200_and_no_reply(app: Flask) -> None:
    assert probe(app) == 200
    run_jobs(app)
    assert bot_messages(app, "probe") == []


def test_a_forged_event_does_not_mark_its_msg_id_seen(app: Flask) -> None:
    event = text_event("u1", "menu")
    assert post_event(app.test_client(), event, secret="forged").status_code == 200
    run_jobs(app)
    assert bot_messages(app, "u1") == []
    Dialogue(app, "u1").send(event)  # the authentic delivery of the same msg_id
    assert bot_messages(app, "u1") != []


def test_unverified_requests_are_logged_at_most_once_a_minute(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.web.unverified"):
        for _ in range(5):
            probe(app)
    lines = [r for r in caplog.records if "failed verification" in r.getMessage()]
    assert len(lines) == 1
    assert "ZALO_OA_SECRET_KEY" in lines[0].getMessage()


def test_readyz_says_when_the_last_minute_saw_only_unverified_requests(
    app: Flask, rdb: redis.Redis
) -> None:
    client = app.test_client()
    assert client.get("/readyz").json["webhook"]["only_unverified_last_minute"] is False
    probe(app)
    webhook = client.get("/readyz").json["webhook"]
    assert webhook["only_unverified_last_minute"] is True
    assert webhook["last_unverified_at"] >= int(time.time()) - 5
    assert client.get("/readyz").status_code == 200  # the balancer keeps sending probes here
    unverified.VERIFIED_CLOCK.written_at = 0.0  # this process wrote no "verified" yet
    post_event(client, text_event("u1", "menu"))
    assert client.get("/readyz").json["webhook"]["only_unverified_last_minute"] is False


def test_an_old_unverified_request_is_not_news(rdb: redis.Redis) -> None:
    rdb.set(unverified.UNVERIFIED_AT_KEY, int(time.time()) - 3600)
    assert unverified.webhook_health(rdb).only_unverified is False


def test_redis_down_still_answers_the_probe_200(app: Flask, rdb: redis.Redis) -> None:
    broken = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    unverified.note_unverified(broken, "missing")  # no exception escapes
    assert probe(app) == 200
