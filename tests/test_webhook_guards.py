"""Webhook input the signature cannot vouch for: odd timestamps and Unicode, big chunked
bodies, replays, unknown shapes, and apps speaking for an OA they do not serve."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from flask import Flask
from prometheus_client import REGISTRY
from werkzeug.serving import make_server

from bot import create_app
from tests.adminkit import ADMIN, EXTRA_APP, EXTRA_SECRET, OTHER_OA, admin_app
from tests.helpers import (
    OA_ID,
    Dialogue,
    bot_messages,
    encode_event,
    post_event,
    run_jobs,
    signed_headers,
    text_event,
    user_event,
)

FIXTURES = json.loads((Path(__file__).parent / "fixtures" / "zalo_events.json").read_text())


def ignored(reason: str) -> float:
    """bot_events_ignored_total for one reason."""
    return REGISTRY.get_sample_value("bot_events_ignored_total", {"reason": reason}) or 0.0


def user_keys(rdb: redis.Redis, user: str = "u1") -> list[bytes]:
    """Keys stored for one user."""
    return list(rdb.keys(f"*:{user}}}*"))


def test_flat_oa_send_consent_is_authentic_so_200_and_counted(
    config: dict[str, Any], rdb: redis.Redis
) -> None:
    fixture_app = {"ZALO_APP_ID": "1234567890123456789", "ZALO_OA_SECRET_KEY": "test-oa-secret"}
    # The fixture's timestamp is weeks old: accept old events here to see the shape rule.
    app = create_app({**config, **fixture_app, "WEBHOOK_MAX_AGE_SECONDS": str(10 * 365 * 86400)})
    vector = FIXTURES["events"]["oa_send_consent"]
    before = ignored("unknown")
    headers = {"X-ZEvent-Signature": vector["signature"]}
    answer = app.test_client().post("/webhook", data=vector["raw"].encode(), headers=headers)
    assert answer.status_code == 200
    assert ignored("unknown") == before + 1
    assert not rdb.keys("inbox:*")


@pytest.mark.parametrize("timestamp", ["²³", "1" * 5000, "-5", "12.5", "１２３"])
def test_odd_timestamps_are_400_not_500(app: Flask, rdb: redis.Redis, timestamp: str) -> None:
    answer = post_event(app.test_client(), text_event(timestamp=timestamp))
    assert answer.status_code == 400
    assert not rdb.keys("inbox:*")


@pytest.fixture
def live_url(config: dict[str, Any]) -> Iterator[str]:
    """The bot behind a real HTTP server (chunked bodies need one) with a 2 KiB limit."""
    app = create_app({**config, "WEBHOOK_MAX_BODY_BYTES": 2048})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/webhook"
    finally:
        server.shutdown()
        thread.join(10)


def chunks(body: bytes, size: int = 512) -> Iterator[bytes]:
    """body in pieces: requests then sends it chunked, without Content-Length."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


def test_a_chunked_body_over_the_limit_is_413(live_url: str, rdb: redis.Redis) -> None:
    body = encode_event(text_event(text="x" * 4096))
    answer = requests.post(live_url, data=chunks(body), headers=signed_headers(body), timeout=10)
    assert answer.status_code == 413
    assert not rdb.keys("inbox:*")


def test_a_chunked_body_within_the_limit_is_accepted(live_url: str, rdb: redis.Redis) -> None:
    body = encode_event(text_event(text="menu"))
    answer = requests.post(live_url, data=chunks(body), headers=signed_headers(body), timeout=10)
    assert answer.status_code == 200
    assert rdb.keys("inbox:*")


def test_a_captured_body_from_2017_is_acknowledged_and_ignored(
    app: Flask, rdb: redis.Redis
) -> None:
    before = ignored("too_old")
    answer = post_event(app.test_client(), text_event(timestamp="1500000000000"))
    assert answer.status_code == 200
    assert answer.json == {"ok": True, "ignored": "too old"}
    assert ignored("too_old") == before + 1
    assert user_keys(rdb) == []


def test_max_age_is_configurable(config: dict[str, Any], rdb: redis.Redis) -> None:
    app = create_app({**config, "WEBHOOK_MAX_AGE_SECONDS": "60"})
    two_minutes_ago = str(int((time.time() - 120) * 1000))
    answer = post_event(app.test_client(), text_event(timestamp=two_minutes_ago))
    assert answer.json == {"ok": True, "ignored": "too old"}
    one_second_ago = str(int((time.time() - 1) * 1000))
    assert post_event(app.test_client(), text_event(timestamp=one_second_ago)).json == {"ok": True}


def test_a_replay_after_user_withdraw_has_no_effect(app: Flask, rdb: redis.Redis) -> None:
    dialogue = Dialogue(app)
    captured = text_event(text="menu")
    assert dialogue.send(captured) != []
    dialogue.send(user_event("user_withdraw", "u1"))
    assert post_event(app.test_client(), captured).status_code == 200
    run_jobs(app)
    assert bot_messages(app) == []  # the withdraw deleted the chat; the replay wrote nothing
    assert not rdb.exists(f"conv:{{{OA_ID}:u1}}")


def test_dedupe_memory_outlasts_the_max_age(config: dict[str, Any], rdb: redis.Redis) -> None:
    five_days = 5 * 24 * 3600
    app = create_app({**config, "WEBHOOK_MAX_AGE_SECONDS": str(five_days)})
    assert post_event(app.test_client(), text_event()).status_code == 200
    assert rdb.ttl(f"seen:{{{OA_ID}:u1}}") > five_days


@pytest.fixture
def extra_app(config: dict[str, Any]) -> Flask:
    """A bot with admins and an extra app serving OTHER_OA."""
    return admin_app(config)


def test_an_extra_app_cannot_speak_for_the_main_oa(extra_app: Flask, rdb: redis.Redis) -> None:
    before = ignored("app_not_serving_oa")
    event = text_event(ADMIN, "/assets", app_id=EXTRA_APP, oa_id=OA_ID)
    answer = post_event(extra_app.test_client(), event, secret=EXTRA_SECRET)
    assert answer.status_code == 200
    assert ignored("app_not_serving_oa") == before + 1
    run_jobs(extra_app)
    assert bot_messages(extra_app, ADMIN) == []
    assert user_keys(rdb, ADMIN) == []


def test_an_admin_id_through_another_oa_is_not_an_admin(extra_app: Flask) -> None:
    event = text_event(ADMIN, "/assets", app_id=EXTRA_APP, oa_id=OTHER_OA)
    assert post_event(extra_app.test_client(), event, secret=EXTRA_SECRET).status_code == 200
    run_jobs(extra_app)
    answer = "\n".join(bot_messages(extra_app, ADMIN, oa_id=OTHER_OA))
    assert answer and EXTRA_APP not in answer and "Shop mini app" not in answer


def test_an_extra_app_without_an_oa_serves_none(config: dict[str, Any], rdb: redis.Redis) -> None:
    app = create_app({**config, "ZALO_EXTRA_APPS": f"{EXTRA_APP}:{EXTRA_SECRET}"})
    event = text_event("x1", "menu", app_id=EXTRA_APP, oa_id=OA_ID)
    assert post_event(app.test_client(), event, secret=EXTRA_SECRET).status_code == 200
    assert user_keys(rdb, "x1") == []


def surrogate_bodies() -> dict[str, bytes]:
    """Signed-to-be bodies carrying a lone surrogate, escaped or as raw bytes."""
    # A refused admin command is audited with its text: the text reaches Redis.
    plain = encode_event(text_event(text="/assets SURROGATE"))
    return {
        "escaped in text": plain.replace(b"SURROGATE", b"\\ud800"),
        "raw bytes in text": plain.replace(b"SURROGATE", b"\xed\xa0\x80"),
        "in msg_id": encode_event(text_event(text="menu", msg_id="m-\\udfff")).replace(
            b"\\\\udfff", b"\\udfff"
        ),
    }


@pytest.mark.parametrize("kind", ["escaped in text", "raw bytes in text", "in msg_id"])
def test_a_lone_surrogate_is_cleaned_and_the_user_answered(app: Flask, kind: str) -> None:
    body = surrogate_bodies()[kind]
    answer = app.test_client().post("/webhook", data=body, headers=signed_headers(body))
    assert answer.status_code == 200
    run_jobs(app)
    assert bot_messages(app) != []  # handled, not stuck at commit
    assert Dialogue(app).say("menu") != ""  # and the next event goes on


def test_a_lone_surrogate_in_the_sender_id_is_not_a_500(app: Flask) -> None:
    body = encode_event(text_event("u-SURROGATE", "menu")).replace(b"SURROGATE", b"\\ud800")
    answer = app.test_client().post("/webhook", data=body, headers=signed_headers(body))
    assert answer.status_code == 200
    run_jobs(app)
    assert bot_messages(app, "u-\ufffd") != []
