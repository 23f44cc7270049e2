"""POST /webhook through Flask's test client with correctly (and incorrectly) signed events."""

from __future__ import annotations

import dataclasses
import json
import threading
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client import REGISTRY

from bot import create_app
from bot.keys import UserRef
from bot.ops.embedded_redis import free_port
from bot.queues.inbox import INBOX, STAGE_EVENTS
from bot.queues.ready import ReadySet
from bot.services import services_of
from bot.verification.links import MIRRORED_KEY
from tests.helpers import (
    OA_ID,
    Dialogue,
    bot_messages,
    encode_event,
    post_event,
    run_jobs,
    stored_keys,
    text_event,
)
from tests.toyflow import toy_engine

FIXTURES = json.loads((Path(__file__).parent / "fixtures" / "zalo_events.json").read_text())


@pytest.fixture
def toy_app(app: Flask) -> Flask:
    """The app with the toy flow installed (same services for web and worker)."""
    app.extensions["bot"] = dataclasses.replace(services_of(app), engine=toy_engine())
    return app


def stored(rdb: redis.Redis) -> list[bytes]:
    """Keys written beyond start-up's (the asset registry, Redis's owner, the links' upgrade
    mark), RQ's bookkeeping and the webhook's telemetry (when the last unverified request
    came: no state of any user)."""
    skipped = (b"asset:", b"assets:", b"bot:owner", MIRRORED_KEY.encode(), b"webhook:")
    return sorted(k for k in stored_keys(rdb) if not k.startswith(skipped))


def queued_jobs(app: Flask) -> int:
    """Jobs waiting in every queue."""
    return sum(queue.count for queue in services_of(app).queues.values())


@pytest.mark.parametrize("header", [None, "", "mac=", "MAC=  "])
def test_missing_signature_is_200_and_nothing_happens(
    client: FlaskClient, rdb: redis.Redis, header: str | None
) -> None:
    headers = {} if header is None else {"X-ZEvent-Signature": header}
    answer = client.post("/webhook", data=encode_event(text_event()), headers=headers)
    assert (answer.status_code, answer.json) == (200, {"ok": True})  # Zalo's unsigned probe
    assert stored(rdb) == []


def test_wrong_signature_is_200_and_nothing_happens(client: FlaskClient, rdb: redis.Redis) -> None:
    answer = post_event(client, text_event(), secret="not-the-oa-secret")
    assert (answer.status_code, answer.json) == (200, {"ok": True})
    assert stored(rdb) == []


def test_tampered_body_is_200_and_nothing_happens(client: FlaskClient, rdb: redis.Redis) -> None:
    body = encode_event(text_event(text="menu"))
    good = post_event(client, body).request.headers["X-ZEvent-Signature"]
    rdb.flushall()
    tampered = body.replace(b'"menu"', b'"xac thuc"')
    answer = client.post("/webhook", data=tampered, headers={"X-ZEvent-Signature": good})
    assert answer.status_code == 200
    assert stored(rdb) == []


@pytest.mark.parametrize(
    "body", [b"{not json", b"[1, 2]", b"\xff\xfe", b"", b"[" * 5000, b'{"a":' * 3000]
)
def test_malformed_json_cannot_be_verified_so_is_200_and_ignored(
    client: FlaskClient, rdb: redis.Redis, body: bytes
) -> None:
    answer = client.post("/webhook", data=body, headers={"X-ZEvent-Signature": "0" * 64})
    assert (answer.status_code, answer.json) == (200, {"ok": True})
    assert stored(rdb) == []


def test_authentic_event_of_the_wrong_shape_is_200_counted_and_ignored(
    client: FlaskClient, rdb: redis.Redis
) -> None:
    event = text_event()
    event["sender"] = "not an object"
    before = ignored("unknown_shape")
    answer = post_event(client, event)
    assert answer.status_code == 200  # Zalo retries non-200 answers (SPEC §4)
    assert answer.json == {"ok": True, "ignored": "unknown shape"}
    assert ignored("unknown_shape") == before + 1
    assert stored(rdb) == []


def ignored(reason: str) -> float:
    """bot_events_ignored_total for one reason."""
    value = REGISTRY.get_sample_value("bot_events_ignored_total", {"reason": reason})
    return value or 0.0


def test_oversized_body_is_413(config: dict[str, Any], rdb: redis.Redis) -> None:
    app = create_app({**config, "WEBHOOK_MAX_BODY_BYTES": 2048})
    answer = post_event(app.test_client(), text_event(text="x" * 4096))
    assert answer.status_code == 413
    assert stored(rdb) == []


def test_unknown_app_is_acknowledged_and_ignored(client: FlaskClient, rdb: redis.Redis) -> None:
    answer = post_event(client, text_event(app_id="999"))
    assert (answer.status_code, answer.json) == (200, {"ok": True})
    assert stored(rdb) == []


def test_every_fixture_event_is_accepted_with_its_published_signature(
    config: dict[str, Any], rdb: redis.Redis
) -> None:
    app = create_app(
        {**config, "ZALO_APP_ID": "1234567890123456789", "ZALO_OA_SECRET_KEY": "test-oa-secret"}
    )
    client = app.test_client()
    for name, vector in FIXTURES["events"].items():
        headers = {"X-ZEvent-Signature": vector["signature"]}
        answer = client.post("/webhook", data=vector["raw"].encode(), headers=headers)
        assert answer.status_code == 200, name
    prefixed = FIXTURES["events"]["user_send_text"]
    headers = {"X-ZEvent-Signature": "mac=" + prefixed["signature"]}
    assert (
        client.post("/webhook", data=prefixed["raw"].encode(), headers=headers).status_code == 200
    )


def test_echoes_and_receipts_never_reach_the_conversation(
    config: dict[str, Any], rdb: redis.Redis
) -> None:
    app = create_app(
        {**config, "ZALO_APP_ID": "1234567890123456789", "ZALO_OA_SECRET_KEY": "test-oa-secret"}
    )
    for name in ("oa_send_text", "user_received_message", "user_seen_message"):
        vector = FIXTURES["events"][name]
        headers = {"X-ZEvent-Signature": vector["signature"]}
        assert app.test_client().post("/webhook", data=vector["raw"].encode(), headers=headers)
    assert queued_jobs(app) == 0
    assert not rdb.keys("inbox:*")


def test_a_duplicate_delivered_ten_times_sends_one_reply(app: Flask) -> None:
    event = text_event(text="menu")
    client = app.test_client()
    for _ in range(10):
        assert post_event(client, event).status_code == 200
        run_jobs(app)
    assert len(bot_messages(app)) == 1


def test_duplicates_while_queued_queue_one_event_and_no_job(app: Flask, rdb: redis.Redis) -> None:
    event = text_event(text="menu")
    for _ in range(5):
        post_event(app.test_client(), event)
    assert rdb.zcard(UserRef(OA_ID, "u1").key(INBOX)) == 1
    assert rdb.zcard(ReadySet.key_of(STAGE_EVENTS)) == 1
    assert queued_jobs(app) == 0  # the events stage's runners take it: no RQ job per event


def test_twenty_concurrent_events_of_one_user_are_handled_one_at_a_time_in_order(
    toy_app: Flask,
) -> None:
    dialogue = Dialogue(toy_app)
    assert dialogue.say("toy") == "started"
    events = [text_event(text=f"more {i:02d}") for i in range(20)]  # increasing timestamps
    barrier = threading.Barrier(len(events))

    def deliver(event: dict[str, Any]) -> None:
        barrier.wait()
        assert post_event(toy_app.test_client(), event).status_code == 200

    threads = [threading.Thread(target=deliver, args=(e,)) for e in reversed(events)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run_jobs(toy_app)
    replies = bot_messages(toy_app)[1:]
    assert replies == [f"n={i + 1} tag={i:02d}" for i in range(20)]


def test_two_workers_never_handle_one_users_events_at_once(toy_app: Flask) -> None:
    dialogue = Dialogue(toy_app)
    dialogue.say("toy")
    for i in range(30):
        post_event(dialogue.client, text_event(text=f"more {i:02d}"))
    workers = [
        threading.Thread(target=run_jobs, args=(toy_app,), kwargs={"threaded": True})
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    run_jobs(toy_app)  # re-checks scheduled by a worker that found the inbox busy
    replies = bot_messages(toy_app)[1:]
    assert replies == [f"n={i + 1} tag={i:02d}" for i in range(30)]


def test_a_crash_in_a_handler_gives_one_apology_and_the_webhook_answers_200(
    toy_app: Flask,
) -> None:
    dialogue = Dialogue(toy_app)
    dialogue.say("toy")
    # Dialogue.send asserts the webhook answered 200.
    assert dialogue.send(text_event(text="boom")) == [
        "Xin lỗi, bên mình vừa gặp sự cố. Bạn thử lại sau ít phút nhé."
    ]
    # The dialogue was reset: 'more x' means nothing outside it.
    assert dialogue.say("more x").startswith("Xin lỗi, mình chưa hiểu ý bạn.\nMình có thể giúp")


def test_idle_timeout_restarts_politely(toy_app: Flask, rdb: redis.Redis) -> None:
    dialogue = Dialogue(toy_app)
    dialogue.say("toy")
    key = rdb.keys("conv:*")[0]
    stale = json.loads(rdb.get(key) or b"{}")
    stale["t"] -= 901
    rdb.set(key, json.dumps(stale))
    answer = dialogue.say("more a")
    assert answer.startswith("Lâu rồi bạn chưa trả lời nên phiên trước đã hết hạn")
    assert "Mình có thể giúp bạn" in answer


def test_state_is_readable_json_with_a_ttl(toy_app: Flask, rdb: redis.Redis) -> None:
    Dialogue(toy_app).say("toy")
    key = rdb.keys("conv:*")[0]
    assert key.decode().endswith(":u1}")
    assert json.loads(rdb.get(key) or b"{}")["s"] == "toy:counting"
    assert 0 < rdb.ttl(key) <= 900 + 24 * 3600


def test_language_choice_is_remembered(app: Flask) -> None:
    dialogue = Dialogue(app)
    assert dialogue.say("/lang en").startswith("Language set to English.\n\nHere is what")
    assert dialogue.say("hello").startswith("Hello! 👋\nHere is what I can do")


def test_withdraw_deletes_the_users_data(toy_app: Flask, rdb: redis.Redis) -> None:
    dialogue = Dialogue(toy_app)
    dialogue.say("toy")
    dialogue.say("/lang en")
    from tests.helpers import user_event

    dialogue.send(user_event("user_withdraw", "u1"))
    # Only the dedupe memory stays (digests of message ids): a replay must stay a replay.
    assert [k for k in rdb.keys("*u1}*")] == [f"seen:{{{OA_ID}:u1}}".encode()]


def test_redis_down_is_503_so_zalo_retries(config: dict[str, Any]) -> None:
    app = create_app({**config, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    answer = post_event(app.test_client(), text_event())
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "30"


def test_the_webhook_makes_no_outbound_http_call(
    app: Flask, rdb: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def forbidden(self: requests.Session, method: str, url: str, **kwargs: Any) -> Any:
        calls.append(url)
        raise AssertionError("outbound HTTP inside a webhook request")

    monkeypatch.setattr(requests.Session, "request", forbidden)
    client = app.test_client()
    for text in ("xac thuc", "menu", "/lang en"):
        assert post_event(client, text_event(text=text)).status_code == 200
    assert calls == []
    assert queued_jobs(app) == 0
    assert rdb.zcard(ReadySet.key_of(STAGE_EVENTS)) == 1


def commands_run(rdb: redis.Redis, action: Any) -> dict[str, int]:
    """The commands Redis ran (calls by name, scripts' inner commands included) during action.
    Redis 7 and Valkey count subcommands apart (`config|resetstat`): summed under the command."""
    rdb.config_resetstat()
    action()
    ran: dict[str, int] = {}
    for name, stats in rdb.info("commandstats").items():
        command = name.removeprefix("cmdstat_").partition("|")[0]
        ran[command] = ran.get(command, 0) + int(stats["calls"])
    return ran


def test_a_new_event_is_one_round_trip_that_enqueues_no_job(
    app: Flask, client: FlaskClient, rdb: redis.Redis
) -> None:
    post_event(client, text_event("warm-up"))
    run_jobs(app)
    ran = commands_run(rdb, lambda: post_event(client, text_event("u1", "hi")))
    assert ran.pop("evalsha") == 1 and ran.pop("config") == 1  # the script, and our resetstat
    # Inside it: the event, the user due in the ready set, a token for a waiting runner.
    assert "multi" not in ran and "exec" not in ran and ran.get("rpush") == 1
    assert "hset" not in ran and "lpush" not in ran  # no RQ job recorded
    again = commands_run(rdb, lambda: post_event(client, text_event("u2", "more")))
    assert again.get("rpush") == 1 and again.get("evalsha") == 1
    assert queued_jobs(app) == 0
    run_jobs(app)
    assert bot_messages(app, "u1") and bot_messages(app, "u2")  # the events runner served both
