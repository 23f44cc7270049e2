"""Helpers of the portal API tests: the key, a bot with it, and short calls."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.test import TestResponse

from tests.helpers import last_code
from tests.openapi_check import conforms

KEY = "portal-key-123-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {KEY}"}
ACCOUNT = "cz-100123"
PHONE = "+84912345678"


def start(app: Flask, phone: str = "0912345678", channel: str = "sms", **extra: Any) -> Any:
    """POST /api/v1/verifications; the JSON, checked against the OpenAPI document."""
    return conforms("/api/v1/verifications", "post", start_raw(app, phone, channel, **extra))


def start_raw(
    app: Flask, phone: str = "0912345678", channel: str = "sms", headers: Any = None, **extra: Any
) -> TestResponse:
    """POST /api/v1/verifications; the response itself."""
    body = {"account_id": ACCOUNT, "phone": phone, "channel": channel, **extra}
    return app.test_client().post(
        "/api/v1/verifications", json=body, headers={**AUTH, **(headers or {})}
    )


def check_raw(app: Flask, code: str, account_id: str = ACCOUNT) -> TestResponse:
    """POST /api/v1/verifications/check; the response."""
    body = {"account_id": account_id, "code": code}
    return app.test_client().post("/api/v1/verifications/check", json=body, headers=AUTH)


def check(app: Flask, code: str, account_id: str = ACCOUNT) -> Any:
    """POST /api/v1/verifications/check; the JSON, checked against the document."""
    return conforms("/api/v1/verifications/check", "post", check_raw(app, code, account_id))


def account(app: Flask, any_id: str = ACCOUNT) -> Any:
    """GET /api/v1/accounts/<id>; the JSON (None for a 404)."""
    answer = app.test_client().get(f"/api/v1/accounts/{any_id}", headers=AUTH)
    conforms("/api/v1/accounts/{id}", "get", answer)
    return answer.get_json() if answer.status_code == 200 else None


def wrong_code(app: Flask, phone: str = PHONE) -> str:
    """A code that is not the one delivered last."""
    return f"{(int(last_code(app, phone)) + 1) % 1_000_000:06d}"
