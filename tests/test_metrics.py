"""/metrics counts what happened in a short scripted dialogue."""

from __future__ import annotations

import re

from flask import Flask

from tests.helpers import Dialogue, last_code, post_event, text_event


def sample(app: Flask, name: str, **labels: str) -> float:
    """The value of one sample of /metrics (0 when absent)."""
    text = app.test_client().get("/metrics").get_data(as_text=True)
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    pattern = re.escape(f"{name}{{{wanted}}}" if labels else name) + r" ([0-9.e+-]+)"
    found = re.search("^" + pattern + "$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def test_metrics_count_a_short_dialogue(app: Flask) -> None:
    before = {
        "events": sample(app, "bot_webhook_events_total", event="user_send_text"),
        "sms": sample(app, "bot_otp_sends_total", channel="sms", outcome="sent"),
        "verified": sample(app, "bot_verifications_total", channel="sms"),
        "lockouts": sample(app, "bot_verification_lockouts_total"),
        "dupes": sample(app, "bot_webhook_duplicates_total"),
        "badsig": sample(app, "bot_webhook_unverified_total", reason="mismatch"),
        "latency": sample(app, "bot_webhook_seconds_count"),
        "replies": sample(app, "bot_replies_total", outcome="sent"),
    }
    alice = Dialogue(app)
    alice.say("xác thực"), alice.say("0912345678"), alice.say("1")
    alice.say(last_code(app, "+84912345678"))
    repeated = text_event("u1", "menu")
    alice.send(repeated), alice.send(repeated)
    post_event(alice.client, text_event("u1", "x"), secret="wrong")

    assert sample(app, "bot_webhook_events_total", event="user_send_text") == before["events"] + 6
    assert sample(app, "bot_otp_sends_total", channel="sms", outcome="sent") == before["sms"] + 1
    assert sample(app, "bot_verifications_total", channel="sms") == before["verified"] + 1
    assert sample(app, "bot_verification_lockouts_total") == before["lockouts"]
    assert sample(app, "bot_webhook_duplicates_total") == before["dupes"] + 1
    assert sample(app, "bot_webhook_unverified_total", reason="mismatch") == (before["badsig"] + 1)
    assert sample(app, "bot_webhook_seconds_count") == before["latency"] + 7
    # ask phone + share form, method, code sent, verified, menu
    assert sample(app, "bot_replies_total", outcome="sent") == before["replies"] + 6


def test_queue_depths_and_due_users_are_exposed(app: Flask) -> None:
    post_event(app.test_client(), text_event("u1", "menu"))
    assert sample(app, "bot_queue_jobs", queue="background") == 0  # the stages have no RQ job
    assert sample(app, "bot_stage_users_due", stage="events") == 1


def test_responses_carry_a_request_id(app: Flask) -> None:
    answer = app.test_client().get("/healthz", headers={"X-Request-Id": "abc-123"})
    assert answer.headers["X-Request-Id"] == "abc-123"
    generated = app.test_client().get("/healthz", headers={"X-Request-Id": "bad id\\n"})
    assert re.fullmatch(r"[0-9a-f]{16}", generated.headers["X-Request-Id"])


def test_metrics_name_their_charset_once(app: Flask) -> None:
    answer = app.test_client().get("/metrics")
    assert answer.headers["Content-Type"].count("charset") == 1
