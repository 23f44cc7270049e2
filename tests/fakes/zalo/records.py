"""What FakeZalo records and how it answers: Zalo's success, error and OAuth shapes."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Response

ENDPOINTS = {
    ("POST", "/v3.0/oa/message/cs"): "cs",
    ("GET", "/v3.0/oa/user/detail"): "user_detail",
    ("POST", "/message/template"): "zns",
    ("GET", "/message/status"): "zns_status",
    ("POST", "/v4/oa/access_token"): "oauth",
    ("GET", "/v2.0/oa/getoa"): "getoa",
}
# What each endpoint answers to an unknown or expired access token.
BAD_TOKEN_CODE = {"cs": -216, "user_detail": -216, "zns": -124, "zns_status": -124, "getoa": -216}


@dataclass(frozen=True)
class SentMessage:
    """A customer-service message the fake accepted: `message` is the object as received."""

    user_id: str
    message: dict[str, Any]
    message_id: str
    oa_id: str = ""  # the OA of the access token it was sent with

    @property
    def text(self) -> str | None:
        """The text of a text message (None for request_user_info)."""
        text = self.message.get("text")
        return text if isinstance(text, str) else None


class SentZns(dict[str, Any]):
    """A template message the fake accepted: a dict of phone, template_id, template_data,
    tracking_id and mode (None when absent), whose keys read as attributes too."""

    def __init__(self, msg_id: str, oa_id: str = "", **fields: Any) -> None:
        super().__init__(fields)
        self.msg_id = msg_id  # an attribute, not a key: tests compare the request's fields
        self.oa_id = oa_id  # the OA of the access token it was sent with

    @property
    def phone(self) -> str:
        """As received: international digits without '+'."""
        return str(self["phone"])

    @property
    def template_id(self) -> str:
        """As received."""
        return str(self["template_id"])

    @property
    def template_data(self) -> dict[str, Any]:
        """As received."""
        data: dict[str, Any] = self["template_data"]
        return data

    @property
    def tracking_id(self) -> str:
        """As received ("" when absent)."""
        return str(self["tracking_id"])

    @property
    def mode(self) -> str | None:
        """ "development", or None."""
        mode: str | None = self["mode"]
        return mode


@dataclass(frozen=True)
class Scripted:
    """A failure to answer with: a Zalo error code (HTTP 200), an HTTP status, or both."""

    error: int | None
    http_status: int | None
    message: str


def known(endpoint: str) -> str:
    """The endpoint name, refused when misspelt (a silent no-op would hide it)."""
    if endpoint not in ENDPOINTS.values():
        raise ValueError(f"unknown endpoint {endpoint!r}; one of {sorted(ENDPOINTS.values())}")
    return endpoint


def reply(body: Any, status: int = 200) -> Response:
    """A JSON answer."""
    return Response(json.dumps(body, ensure_ascii=False), status, mimetype="application/json")


def zalo_error(code: int, message: str) -> Response:
    """Zalo's error shape: HTTP 200 and a non-zero `error`."""
    return reply({"error": code, "message": message})


def oauth_error(code: int, description: str, status: int = 200) -> Response:
    """OAuth's error shape: error_name / error_description, no tokens."""
    body = {"error": code, "error_name": "Invalid parameter", "error_description": description}
    return reply(body, status)


def ok(data: dict[str, Any]) -> Response:
    """Zalo's success shape."""
    return reply({"error": 0, "message": "Success", "data": data})


def scripted_answer(endpoint: str, scripted: Scripted) -> Response:
    """A scripted failure in the endpoint's own shape."""
    if scripted.error is None:
        return Response(scripted.message, scripted.http_status or 500, mimetype="text/plain")
    if endpoint == "oauth":
        return oauth_error(scripted.error, scripted.message, scripted.http_status or 200)
    body = {"error": scripted.error, "message": scripted.message}
    return reply(body, scripted.http_status or 200)


def now_ms() -> str:
    """Zalo's timestamps: milliseconds, as a string."""
    return str(int(time.time() * 1000))
