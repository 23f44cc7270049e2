"""Portal callbacks as Stripe sends webhooks: frozen bodies, `t=…,v1=…` signatures, the
README's receiver run against real callbacks, retries and dead letters (SPEC §4)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import requests
from flask import Flask
from jsonschema import Draft202012Validator, FormatChecker
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bot import create_app
from bot.keys import UserRef
from bot.services import services_of
from bot.verification.callback import deliver
from tests.helpers import (
    OA_ID,
    Dialogue,
    last_code,
    post_event,
    run_jobs,
    text_event,
    user_event,
)
from tests.openapi_check import BASE, REGISTRY

SECRET = "callback-secret-0123456789abcdef"
README = Path(__file__).resolve().parents[1] / "README.md"


def receiver() -> dict[str, Any]:
    """The README's receiver, extracted from README.md and run as it is written there."""
    text = README.read_text(encoding="utf-8")
    found = re.search(
        r"<!-- callback-receiver:begin -->\s*```python\n(.*?)```\s*<!-- callback-receiver:end -->",
        text,
        re.S,
    )
    assert found, "README.md lost its callback receiver"
    namespace: dict[str, Any] = {}
    exec(compile(found.group(1), "README.md", "exec"), namespace)  # noqa: S102 - our own README
    return namespace


def portal(httpserver: HTTPServer, answers: list[int] | None = None) -> list[Request]:
    """A loopback portal whose handler is the README's receiver; every request is kept."""
    check = receiver()
    received: list[Request] = []
    planned = iter(answers or [])

    def handler(request: Request) -> Response:
        received.append(request)
        status = next(planned, 0)
        if status:
            return Response("not now", status=status)
        event = check["verified_callback"](
            request.get_data(), request.headers.get("X-Signature", ""), SECRET
        )
        return Response("ok" if event else "refused", status=200 if event else 400)

    httpserver.expect_request("/hook", method="POST").respond_with_handler(handler)
    return received


def bot(config: dict[str, Any], httpserver: HTTPServer) -> Flask:
    """A sandbox bot that calls the loopback portal back."""
    hook = httpserver.url_for("/hook")
    return create_app({**config, "PORTAL_CALLBACK_URL": hook, "PORTAL_CALLBACK_SECRET": SECRET})


def verify(app: Flask, number: str, d: Dialogue) -> None:
    """Verify number by SMS in chat."""
    d.say("đổi số"), d.say(number), d.say("1")
    phone = "+84" + number[1:]
    assert "thành công" in d.say(last_code(app, phone))


def test_the_readme_receiver_takes_a_real_callback_and_refuses_its_replay(
    config: dict[str, Any], httpserver: HTTPServer
) -> None:
    received = portal(httpserver)
    app = bot(config, httpserver)
    verify(app, "0912345678", Dialogue(app))
    httpserver.check_assertions()
    assert [status for _, status in log_statuses(httpserver)] == [200]  # taken at once
    first = received[0]
    payload = json.loads(first.get_data())
    assert set(payload) == {
        "id", "event", "occurred_at", "account_id", "user_id", "phone", "channel", "verified_at",
    }  # fmt: skip
    assert payload["event"] == "verification.approved" and payload["id"].startswith("evt_")
    schema = {"$ref": f"{BASE}#/components/schemas/Callback"}
    validator = Draft202012Validator(schema, registry=REGISTRY, format_checker=FormatChecker())
    assert [e.message for e in validator.iter_errors(payload)] == []  # as documented
    assert (payload["account_id"], payload["user_id"], payload["phone"]) == (
        None, "u1", "+84912345678")  # fmt: skip
    assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64}", first.headers["X-Signature"])
    replay = requests.post(
        httpserver.url_for("/hook"),
        data=first.get_data(),
        headers={"X-Signature": first.headers["X-Signature"]},
        timeout=5,
    )
    assert replay.status_code == 400  # the same id again: refused
    tampered = first.get_data().replace(b"+84912345678", b"+84987654321")
    forged = requests.post(
        httpserver.url_for("/hook"),
        data=tampered,
        headers={"X-Signature": first.headers["X-Signature"]},
        timeout=5,
    )
    assert forged.status_code == 400
    t = str(int(time.time()))
    for header in ("t=²³,v1=00", f"t={t},v1=é", f"t={t}", "v1=", ""):  # refused, never a crash
        assert receiver()["verified_callback"](first.get_data(), header, SECRET) is None


def test_a_replay_older_than_five_minutes_is_refused_even_unseen(
    config: dict[str, Any], httpserver: HTTPServer
) -> None:
    received = portal(httpserver)
    app = bot(config, httpserver)
    verify(app, "0912345678", Dialogue(app))
    body, header = received[0].get_data(), received[0].headers["X-Signature"]
    check = receiver()  # a receiver that never saw it
    t = int(header.split(",")[0][2:])
    check["time"] = SimpleNamespace(time=lambda: t + 301)
    assert check["verified_callback"](body, header, SECRET) is None
    check["time"] = SimpleNamespace(time=lambda: t + 299)
    assert check["verified_callback"](body, header, SECRET)["phone"] == "+84912345678"


def test_a_retried_callback_carries_the_first_number(
    config: dict[str, Any], httpserver: HTTPServer
) -> None:
    received = portal(httpserver, answers=[500])  # the first callback fails
    app = bot(config, httpserver)
    d = Dialogue(app)
    d.say("xác thực"), d.say("0912345678"), d.say("1")
    code = last_code(app, "+84912345678")
    post_event(d.client, text_event(d.user, code))
    run_jobs(app, fast_forward=False)  # X verified; its callback failed, a retry is scheduled
    assert len(received) == 1
    verify(app, "0987654321", d)  # then Y, and now the retry for X runs too
    bodies = [json.loads(r.get_data()) for r in received]
    assert len(bodies) == 3
    x_first, *rest = bodies
    (x_retry,) = [b for b in rest if b["id"] == x_first["id"]]
    (y,) = [b for b in rest if b["id"] != x_first["id"]]
    assert x_first["phone"] == x_retry["phone"] == "+84912345678"
    assert y["phone"] == "+84987654321"
    first_bytes = received[0].get_data()
    assert any(r.get_data() == first_bytes for r in received[1:])  # the same bytes


def test_a_user_who_withdraws_takes_the_waiting_callback_with_them(
    config: dict[str, Any], httpserver: HTTPServer
) -> None:
    received = portal(httpserver, answers=[500])
    app = bot(config, httpserver)
    d = Dialogue(app)
    d.say("xác thực"), d.say("0912345678"), d.say("1")
    post_event(d.client, text_event(d.user, last_code(app, "+84912345678")))
    run_jobs(app, fast_forward=False)  # the first attempt failed; a retry waits
    event_id = json.loads(received[0].get_data())["id"]
    post_event(d.client, user_event("user_withdraw", "u1"))
    run_jobs(app, fast_forward=False)
    with app.app_context():  # the retry finds nothing to send: the phone is gone too
        assert deliver(services_of(app), UserRef(OA_ID, "u1"), event_id, final=False) == "gone"
    assert len(received) == 1


def test_a_callback_failing_for_a_day_is_a_dead_letter(
    config: dict[str, Any], httpserver: HTTPServer
) -> None:
    portal(httpserver, answers=[503] * 20)
    app = bot(config, httpserver)
    d = Dialogue(app)
    d.say("xác thực"), d.say("0912345678"), d.say("1")
    post_event(d.client, text_event(d.user, last_code(app, "+84912345678")))
    run_jobs(app, fast_forward=False)
    services = services_of(app)
    event_id = json.loads(httpserver.log[0][0].get_data())["id"]
    with app.app_context():  # the last retry: no retry is left after it
        assert deliver(services, UserRef(OA_ID, "u1"), event_id, final=True) == "dead"
    listed = app.test_cli_runner().invoke(args=["events", "dead"])
    assert "portal_callback" in listed.output and "CallbackRetry" in listed.output
    assert "912345678" not in listed.output


def test_a_dead_callback_replayed_goes_out_again_with_its_first_bytes(
    config: dict[str, Any], httpserver: HTTPServer
) -> None:
    received = portal(httpserver, answers=[503, 503])  # then the portal takes it
    app = bot(config, httpserver)
    d = Dialogue(app)
    d.say("xác thực"), d.say("0912345678"), d.say("1")
    post_event(d.client, text_event(d.user, last_code(app, "+84912345678")))
    run_jobs(app, fast_forward=False)
    event_id = json.loads(received[0].get_data())["id"]
    with app.app_context():
        assert deliver(services_of(app), UserRef(OA_ID, "u1"), event_id, final=True) == "dead"
    cli = app.test_cli_runner()
    replayed = cli.invoke(args=["events", "replay", "--all"])
    assert replayed.exit_code == 0 and "replayed" in replayed.output, replayed.output
    run_jobs(app, fast_forward=False)
    assert len(received) == 3 and received[2].get_data() == received[0].get_data()
    assert log_statuses(httpserver)[-1][1] == 200  # the README's receiver took it
    assert "portal_callback" not in cli.invoke(args=["events", "dead"]).output
    assert "09xx xxx 678" in d.say("trạng thái")  # nothing odd was put in the user's inbox


def test_the_retries_back_off_over_about_a_day() -> None:
    from bot.verification.callback import CALLBACK_JOB_OPTIONS

    retry = CALLBACK_JOB_OPTIONS["retry"]
    intervals = list(retry.intervals)  # type: ignore[attr-defined]
    assert intervals == sorted(intervals) and 20 * 3600 <= sum(intervals) <= 30 * 3600


def log_statuses(httpserver: HTTPServer) -> list[tuple[str, int]]:
    """(path, status) of every request the loopback portal answered."""
    return [(request.path, response.status_code) for request, response in httpserver.log]
