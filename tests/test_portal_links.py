"""Linking a Zalo user to a portal account: the code in chat, and what the portal then sees."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from typing import Any

import pytest
from flask import Flask
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bot import create_app
from bot.keys import UserRef
from bot.services import services_of
from bot.verification.links import LINK_CODE
from tests.helpers import OA_ID, Dialogue, follow_event, last_code, run_jobs, user_event
from tests.openapi_check import conforms
from tests.portalkit import ACCOUNT, AUTH, KEY, PHONE, account, check, start, wrong_code
from tests.production import own_database, production_bot


@pytest.fixture
def portal_app(config: dict[str, Any]) -> Flask:
    """A sandbox bot with the portal API key set."""
    return create_app({**config, "PORTAL_API_KEY": KEY})


def link_code(app: Flask, account_id: str = ACCOUNT) -> str:
    """POST /api/v1/links; the code (the answer checked against the document)."""
    answer = app.test_client().post("/api/v1/links", json={"account_id": account_id}, headers=AUTH)
    assert answer.status_code == 201
    body = conforms("/api/v1/links", "post", answer)
    assert body["chat_url"] == f"https://zalo.me/{OA_ID}"
    code: str = body["code"]
    return code


def linked(app: Flask, user: str = "u1", account_id: str = ACCOUNT) -> Dialogue:
    """A chat user who sent the link code of account_id."""
    d = Dialogue(app, user)
    assert "cz-…123" in d.say(link_code(app, account_id))
    return d


def verify_in_chat(d: Dialogue, app: Flask) -> str:
    """Verify +84912345678 by SMS in chat; the success reply."""
    d.say("xác thực"), d.say("0912345678"), d.say("1")
    return d.say(last_code(app, PHONE))


def test_a_link_code_is_8_unambiguous_characters(portal_app: Flask) -> None:
    codes = {link_code(portal_app, f"acct-{n}") for n in range(20)}
    assert len(codes) == 20 and all(LINK_CODE.match(code) for code in codes)


def test_sending_the_code_links_and_offers_to_verify(portal_app: Flask) -> None:
    d = Dialogue(portal_app, "u1")
    reply = d.say(link_code(portal_app))
    assert "cz-…123" in reply and "xác thực" in reply and ACCOUNT not in reply
    shown = account(portal_app)
    assert (shown["account_id"], shown["zalo_user_id"], shown["user_id"]) == (ACCOUNT, "u1", "u1")
    assert account(portal_app, "u1")["account_id"] == ACCOUNT


@pytest.mark.parametrize("form", ["liên kết {}", "lien ket {}", "link {}", "{} ", "LINK {}"])
def test_the_code_after_the_keyword_or_alone_any_case(portal_app: Flask, form: str) -> None:
    code = link_code(portal_app)
    typed = form.format(code.lower() if form.startswith("lien") else code)
    assert "cz-…123" in Dialogue(portal_app, "u1").say(typed)


def test_the_keyword_alone_says_where_the_code_comes_from(portal_app: Flask) -> None:
    assert "mã liên kết 8 ký tự" in Dialogue(portal_app, "u1").say("liên kết")


def test_a_code_works_once_and_a_new_one_replaces_it(portal_app: Flask) -> None:
    first = link_code(portal_app)
    second = link_code(portal_app)
    assert "không đúng" in Dialogue(portal_app, "u1").say(first)  # replaced
    assert "cz-…123" in Dialogue(portal_app, "u1").say(second)
    assert "không đúng" in Dialogue(portal_app, "u2").say(second)  # used


def test_guessing_link_codes_is_capped(portal_app: Flask) -> None:
    d = Dialogue(portal_app, "u1")
    replies = [d.say("liên kết AB7K9MXQ") for _ in range(5)]
    assert "còn 4 lần thử" in replies[0] and "quá nhiều lần" in replies[4]
    # Even the right code is refused now: guessing cannot go on.
    assert "quá nhiều lần" in d.say(link_code(portal_app))
    assert account(portal_app) is None  # not linked: the bot knows nothing of it yet
    assert "cz-…123" in Dialogue(portal_app, "u2").say(link_code(portal_app))


def test_parallel_guesses_cannot_pass_the_cap(portal_app: Flask) -> None:
    store = services_of(portal_app).verifier.links  # what the chat handler calls
    ref = UserRef(OA_ID, "u1")
    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(store.redeem(ref, "ZZ22ZZ22").status))
        for _ in range(30)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("wrong") == 4 and results.count("locked") == 26


def test_a_linked_users_chat_verification_belongs_to_the_portal_account(
    config: dict[str, Any], httpserver: HTTPServer
) -> None:
    received: list[Request] = []
    attempts = iter([503, 200])

    def handler(request: Request) -> Response:
        received.append(request)
        return Response("ok", status=next(attempts))

    httpserver.expect_request("/hook", method="POST").respond_with_handler(handler)
    app = create_app(
        {**config, "PORTAL_API_KEY": KEY, "PORTAL_CALLBACK_URL": httpserver.url_for("/hook"),
         "PORTAL_CALLBACK_SECRET": "cb-secret"}
    )  # fmt: skip
    d = linked(app)
    assert "thành công" in verify_in_chat(d, app)
    shown = account(app)  # the portal API
    assert (shown["phone"], shown["sms_verified"], shown["zalo_user_id"]) == (PHONE, True, "u1")
    assert account(app, "u1") == shown  # by the Zalo id too: the same account
    status = d.say("trạng thái")  # the chat
    assert "09xx xxx 678" in status and "cz-…123" in status
    cli = app.test_cli_runner().invoke(args=["verification", "status", ACCOUNT])  # the CLI
    assert json.loads(cli.output) == shown
    assert len(received) == 2  # the callback: the 503 was retried
    body = received[-1].get_data()
    t, v1 = (part.split("=", 1)[1] for part in received[-1].headers["X-Signature"].split(","))
    assert v1 == hmac.new(b"cb-secret", t.encode() + b"." + body, hashlib.sha256).hexdigest()
    payload = json.loads(body)
    assert (payload["event"], payload["account_id"], payload["user_id"]) == (
        "verification.approved", ACCOUNT, "u1")  # fmt: skip
    assert (payload["phone"], payload["channel"]) == (PHONE, "sms")


def test_a_portal_verification_shows_in_chat_and_is_signed_back(
    config: dict[str, Any], httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    app = create_app(
        {**config, "PORTAL_API_KEY": KEY, "PORTAL_CALLBACK_URL": httpserver.url_for("/hook"),
         "PORTAL_CALLBACK_SECRET": "cb-secret"}
    )  # fmt: skip
    d = linked(app)
    start(app), run_jobs(app)
    assert check(app, last_code(app, PHONE))["status"] == "approved"
    run_jobs(app)
    (request, _), *_ = httpserver.log
    payload = json.loads(request.get_data())
    assert (payload["account_id"], payload["user_id"], payload["phone"]) == (ACCOUNT, "u1", PHONE)
    assert "09xx xxx 678" in d.say("trạng thái")


def test_wrong_codes_in_chat_and_portal_count_together(portal_app: Flask) -> None:
    d = linked(portal_app)
    d.say("xác thực"), d.say("0912345678"), d.say("1")
    wrong = wrong_code(portal_app)
    for _ in range(2):
        d.say(wrong)
    assert check(portal_app, wrong)["attempts_left"] == 2  # one account, one count


def test_linking_again_moves_the_link(portal_app: Flask) -> None:
    first = linked(portal_app, "u1")
    linked(portal_app, "u2")
    assert account(portal_app)["zalo_user_id"] == "u2"
    assert "cz-…123" not in first.say("trạng thái")
    linked(portal_app, "u2", "cz-200456")  # u2 moves to another account
    assert account(portal_app) is None  # nothing left of cz-100123: no link, no record
    assert account(portal_app, "cz-200456")["zalo_user_id"] == "u2"


def test_linking_loses_no_verified_number(portal_app: Flask) -> None:
    d = Dialogue(portal_app, "u1")
    assert "thành công" in verify_in_chat(d, portal_app)
    linked(portal_app, "u1")
    own = services_of(portal_app).verifier.accounts.get(OA_ID, "u1")
    assert own is not None and own.phone == PHONE  # the user's own record stays
    answer = portal_app.test_client().post(
        "/api/v1/verifications",
        json={"account_id": ACCOUNT, "phone": "0912345678", "channel": "sms"},
        headers=AUTH,
    )
    assert answer.status_code == 409  # still one phone, one account


def test_withdraw_drops_the_link(portal_app: Flask) -> None:
    d = linked(portal_app)
    d.send(user_event("user_withdraw", "u1"))
    assert account(portal_app) is None and account(portal_app, "u1") is None
    d.send(follow_event("u1"))
    assert "cz-…123" not in d.say("trạng thái")


def test_the_demo_page_and_its_qr_code_are_sandbox_only(
    portal_app: Flask, config: dict[str, Any]
) -> None:
    client = portal_app.test_client()
    assert "portal.js" in client.get("/simulator/portal").get_data(as_text=True)
    qr = client.get("/simulator/portal/qr.svg", query_string={"data": f"https://zalo.me/{OA_ID}"})
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    assert client.get("/simulator/portal/qr.svg").status_code == 400
    with production_bot(own_database(config)) as (app, _zalo, _sms):
        assert app.test_client().get("/simulator/portal").status_code == 404
