"""The portal API and the signed callback on each verification success."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest
from flask import Flask
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bot import create_app
from tests.helpers import Dialogue, last_code

KEY = "portal-key-123-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture
def portal_app(config: dict[str, Any]) -> Flask:
    """A sandbox bot with the portal API key set."""
    return create_app({**config, "PORTAL_API_KEY": KEY})


def verify(app: Flask, user: str = "u1") -> None:
    """Verify +84912345678 by SMS for user."""
    d = Dialogue(app, user)
    d.say("xác thực"), d.say("0912345678"), d.say("1")
    assert "thành công" in d.say(last_code(app, "+84912345678"))


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {KEY}"}]
)
def test_without_the_key_it_is_401(portal_app: Flask, headers: dict[str, str]) -> None:
    for path in ("/api/v1/accounts/u1", "/api/v1/assets"):
        answer = portal_app.test_client().get(path, headers=headers)
        assert answer.status_code == 401
        assert answer.headers["WWW-Authenticate"] == "Bearer"


def test_an_unset_key_refuses_everyone(app: Flask) -> None:
    assert app.test_client().get("/api/v1/accounts/u1", headers=AUTH).status_code == 401


def test_unknown_account_is_404(portal_app: Flask) -> None:
    assert portal_app.test_client().get("/api/v1/accounts/nobody", headers=AUTH).status_code == 404


def test_account_by_user_id_and_by_app_scoped_id(portal_app: Flask) -> None:
    verify(portal_app)
    client = portal_app.test_client()
    by_user = client.get("/api/v1/accounts/u1", headers=AUTH).json
    by_app = client.get("/api/v1/accounts/app-u1", headers=AUTH).json
    assert by_user == by_app
    assert by_user is not None
    assert set(by_user) == {
        "user_id", "user_id_by_app", "phone", "sms_verified", "zalo_verified",
        "sms_verified_at", "zalo_verified_at", "locked_until", "account_id", "zalo_user_id",
    }  # fmt: skip
    assert (by_user["account_id"], by_user["zalo_user_id"]) == (None, "u1")
    assert (by_user["user_id"], by_user["user_id_by_app"]) == ("u1", "app-u1")
    assert (by_user["phone"], by_user["sms_verified"], by_user["zalo_verified"]) == (
        "+84912345678",
        True,
        False,
    )
    assert by_user["sms_verified_at"].endswith("+00:00") and by_user["locked_until"] is None


def test_locked_accounts_show_until_when(portal_app: Flask) -> None:
    verify(portal_app)
    d = Dialogue(portal_app, "u1")
    d.say("xác thực"), d.say("1"), d.say("1")
    for _ in range(5):
        d.say("999999" if last_code(portal_app, "+84912345678") != "999999" else "888888")
    account = portal_app.test_client().get("/api/v1/accounts/u1", headers=AUTH).json
    assert account is not None and account["locked_until"] is not None


def test_a_user_locked_before_ever_verifying_shows_locked(portal_app: Flask) -> None:
    d = Dialogue(portal_app, "u2")
    d.say("xác thực"), d.say("0912345678"), d.say("1")
    wrong = f"{(int(last_code(portal_app, '+84912345678')) + 1) % 1_000_000:06d}"
    for _ in range(5):
        d.say(wrong)
    account = portal_app.test_client().get("/api/v1/accounts/u2", headers=AUTH).json
    assert account is not None and account["locked_until"] is not None
    assert account["phone"] is None and not account["sms_verified"]


def test_callback_is_signed_and_retried(config: dict[str, Any], httpserver: HTTPServer) -> None:
    received: list[Request] = []
    attempts = iter([500, 200])

    def handler(request: Request) -> Response:
        received.append(request)
        return Response("ok", status=next(attempts))

    httpserver.expect_request("/hook", method="POST").respond_with_handler(handler)
    app = create_app(
        {**config, "PORTAL_CALLBACK_URL": httpserver.url_for("/hook"),
         "PORTAL_CALLBACK_SECRET": "cb-secret"}
    )  # fmt: skip
    verify(app)
    assert len(received) == 2  # the 500 was retried
    body = received[-1].get_data()
    assert body == received[0].get_data()  # the same bytes, the same id
    t, v1 = (part.split("=", 1)[1] for part in received[-1].headers["X-Signature"].split(","))
    expected = hmac.new(b"cb-secret", t.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert v1 == expected
    payload = json.loads(body)
    assert set(payload) == {
        "id", "event", "occurred_at", "account_id", "user_id", "phone", "channel", "verified_at",
    }  # fmt: skip
    assert payload["event"] == "verification.approved" and payload["channel"] == "sms"
    assert (payload["account_id"], payload["user_id"]) == (None, "u1")  # linked to no account
    assert payload["phone"] == "+84912345678" and payload["verified_at"].endswith("+00:00")
