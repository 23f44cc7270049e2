"""A loopback fake of Zalo (OA messages, user detail, OAuth v4, ZNS) that keeps state.

Speaks Zalo's formats at Zalo's paths on one threaded werkzeug server on 127.0.0.1, so the
real clients run unchanged. Error codes follow ZALO_API.md; the OAuth error codes are invented.
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

ENDPOINTS = {
    ("POST", "/v3.0/oa/message/cs"): "cs",
    ("GET", "/v3.0/oa/user/detail"): "user_detail",
    ("POST", "/message/template"): "zns",
    ("POST", "/v4/oa/access_token"): "oauth",
}
BAD_TOKEN_CODE = {"cs": -216, "user_detail": -216, "zns": -124}
MAX_TEXT_UTF16_UNITS = 2000
ZNS_PHONE = re.compile(r"[1-9][0-9]{7,14}")
ZNS_DAILY_QUOTA = 500


@dataclass(frozen=True)
class SentMessage:
    """A customer-service message the fake accepted: `message` is the object as received."""

    user_id: str
    message: dict[str, Any]
    message_id: str

    @property
    def text(self) -> str | None:
        """The text of a text message (None for request_user_info)."""
        text = self.message.get("text")
        return text if isinstance(text, str) else None


@dataclass(frozen=True)
class SentZns:
    """A template message the fake accepted."""

    phone: str
    template_id: str
    template_data: dict[str, Any]
    tracking_id: str
    mode: str | None
    msg_id: str


@dataclass(frozen=True)
class Scripted:
    """A failure to answer with: a Zalo error code (HTTP 200), an HTTP status, or both."""

    error: int | None
    http_status: int | None
    message: str


class ZaloRequestHandler(WSGIRequestHandler):
    """Keeps the headers werkzeug drops for having an underscore (Zalo's access_token and
    secret_key are such headers), and writes no access log."""

    def make_environ(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().make_environ()
        for key, value in self.headers.items():
            if "_" in key:
                environ["HTTP_" + key.upper().replace("-", "_")] = value
        return environ

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Do not log."""


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


class FakeZalo:
    """One server for the three base URLs; tokens, sent messages and scripts are its state."""

    def __init__(
        self,
        app_id: str = "3100000000000000031",
        app_secret: str = "fake-app-secret",
        *,
        oa_id: str = "3200000000000000032",
        oa_secret_key: str = "fake-oa-secret-key",
        token_lifetime_seconds: int = 90000,
    ) -> None:
        self.app_id, self.app_secret = app_id, app_secret
        self.oa_id, self.oa_secret_key = oa_id, oa_secret_key
        self.token_lifetime_seconds = token_lifetime_seconds
        self.lock = threading.RLock()
        self.access_tokens: dict[str, float] = {}  # token -> expiry (Unix time)
        self.refresh_tokens: set[str] = set()  # issued and not spent yet
        self.scripts: dict[str, list[Scripted]] = defaultdict(list)
        self.delays: dict[str, list[float]] = defaultdict(list)
        self.user_errors: dict[str, int] = {}
        self.no_zalo_phones: set[str] = set()
        self.users: dict[str, dict[str, str]] = {}
        self.sent: list[SentMessage] = []
        self.zns_sent: list[SentZns] = []
        self.calls: Counter[str] = Counter()
        self.ids = itertools.count(1)
        self.errors: list[Exception] = []  # raised by handlers: bugs of the fake
        self.access_token, self.refresh_token = self.issue_pair()  # what an operator seeds
        self.server = make_server(
            "127.0.0.1", 0, self.wsgi, threaded=True, request_handler=ZaloRequestHandler
        )
        # A short poll keeps close() (server.shutdown) fast enough for a fake per test.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:<port>."""
        return f"http://127.0.0.1:{self.server.server_port}"

    openapi_url = oauth_url = business_url = base_url

    def config(self) -> dict[str, str]:
        """The bot's settings for talking to this fake."""
        return {
            "ZALO_APP_ID": self.app_id,
            "ZALO_APP_SECRET": self.app_secret,
            "ZALO_OA_ID": self.oa_id,
            "ZALO_OA_SECRET_KEY": self.oa_secret_key,
            "ZALO_ACCESS_TOKEN": self.access_token,
            "ZALO_REFRESH_TOKEN": self.refresh_token,
            "ZALO_OPENAPI_URL": self.openapi_url,
            "ZALO_OAUTH_URL": self.oauth_url,
            "ZALO_BUSINESS_URL": self.business_url,
        }

    def fail_next(
        self,
        endpoint: str,
        *,
        error: int | None = None,
        http_status: int | None = None,
        message: str = "scripted failure",
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls to endpoint (cs, user_detail, zns, oauth) so."""
        scripted = Scripted(error, http_status or (None if error else 500), message)
        with self.lock:
            self.scripts[known(endpoint)].extend([scripted] * times)

    def delay_next(self, endpoint: str, seconds: float, times: int = 1) -> None:
        """Sleep before answering the next `times` calls to endpoint (then answer normally)."""
        with self.lock:
            self.delays[known(endpoint)].extend([seconds] * times)

    def fail_user(self, user_id: str, error: int = -230) -> None:
        """Refuse every message to user_id (default: not interacted within 7 days)."""
        with self.lock:
            self.user_errors[user_id] = error

    def no_zalo_account(self, *phones: str) -> None:
        """ZNS to these phones ('84...') fails with -118."""
        with self.lock:
            self.no_zalo_phones.update(phones)

    def add_user(self, user_id: str, display_name: str, phone: str | None = None) -> None:
        """A profile for user/detail; phone: what the user shared with the OA."""
        with self.lock:
            self.users[user_id] = {"display_name": display_name} | (
                {"phone": phone} if phone else {}
            )

    def expire_access_token(self, token: str | None = None) -> None:
        """Make token (default: every access token issued so far) invalid from now on."""
        with self.lock:
            for issued in [token] if token else list(self.access_tokens):
                self.access_tokens.pop(issued, None)

    def revoke_refresh_tokens(self) -> None:
        """Every unspent refresh token stops working (as after about three months)."""
        with self.lock:
            self.refresh_tokens.clear()

    def messages_to(self, user_id: str) -> list[str]:
        """The texts sent to user_id, oldest first."""
        return [m.text for m in self.payloads(user_id) if m.text is not None]

    def payloads(self, user_id: str) -> list[SentMessage]:
        """Every message sent to user_id (texts and request_user_info), oldest first."""
        with self.lock:
            return [m for m in self.sent if m.user_id == user_id]

    @property
    def refresh_calls(self) -> int:
        """How many times the OAuth endpoint was called (accepted or not)."""
        with self.lock:
            return self.calls["oauth"]

    def check(self) -> None:
        """Re-raise the first error a handler raised (a bug in the fake)."""
        with self.lock:
            if self.errors:
                raise self.errors[0]

    def close(self) -> None:
        """Stop the server (again: no-op)."""
        if self.thread.is_alive():
            self.server.shutdown()
            self.server.server_close()
            self.thread.join()

    def __enter__(self) -> FakeZalo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """The WSGI entry point: route, then answer (a crash is recorded for check())."""
        request = Request(environ)
        endpoint = ENDPOINTS.get((request.method, request.path))
        try:
            response = self.respond(endpoint, request) if endpoint else Response("", 404)
        except Exception as exc:  # reported by check(), not lost in a server thread
            with self.lock:
                self.errors.append(exc)
            response = Response("fake crashed", 500)
        return response(environ, start_response)

    def respond(self, endpoint: str, request: Request) -> Response:
        """Count the call, apply the script, check the token, then answer as Zalo would."""
        with self.lock:
            self.calls[endpoint] += 1
            delay = self.delays[endpoint].pop(0) if self.delays[endpoint] else 0.0
            scripted = self.scripts[endpoint].pop(0) if self.scripts[endpoint] else None
        time.sleep(delay)
        if scripted is not None:
            return scripted_answer(endpoint, scripted)
        if endpoint != "oauth" and not self.token_valid(request.headers.get("access_token")):
            return zalo_error(BAD_TOKEN_CODE[endpoint], "Access token is invalid")
        return HANDLERS[endpoint](self, request)

    def issue_pair(self) -> tuple[str, str]:
        """A new access token and a new single-use refresh token."""
        access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(32)
        with self.lock:
            self.access_tokens[access] = time.time() + self.token_lifetime_seconds
            self.refresh_tokens.add(refresh)
            self.access_token, self.refresh_token = access, refresh
        return access, refresh

    def token_valid(self, token: str | None) -> bool:
        """Whether token was issued and is neither expired nor revoked."""
        with self.lock:
            return token is not None and self.access_tokens.get(token, 0.0) > time.time()

    def new_id(self) -> str:
        """A fresh message id."""
        with self.lock:
            return f"{next(self.ids):020x}"


def known(endpoint: str) -> str:
    """The endpoint name, refused when misspelt (a silent no-op would hide it)."""
    if endpoint not in ENDPOINTS.values():
        raise ValueError(f"unknown endpoint {endpoint!r}; one of {sorted(ENDPOINTS.values())}")
    return endpoint


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


def json_body(request: Request) -> dict[str, Any]:
    """The JSON object of a request (empty when it is not one)."""
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def utf16_units(text: str) -> int:
    """Length as Zalo's Java servers count it (the fake is as strict as the client)."""
    return len(text.encode("utf-16-le")) // 2


def valid_message(message: Any) -> bool:
    """A text of 1-2,000 characters, or a request_user_info form with one element."""
    if isinstance(message, dict) and "text" in message:
        text = message["text"]
        return isinstance(text, str) and 0 < utf16_units(text) <= MAX_TEXT_UTF16_UNITS
    try:
        payload = message["attachment"]["payload"]
        (element,) = payload["elements"]
        title, subtitle, image_url = element["title"], element["subtitle"], element["image_url"]
        form = payload["template_type"] == "request_user_info"
    except (KeyError, TypeError, ValueError):
        return False
    bounds = ((title, 1, 100), (subtitle, 0, 500), (image_url, 1, 2000))
    return form and all(isinstance(t, str) and low <= len(t) <= high for t, low, high in bounds)


def send_message(fake: FakeZalo, request: Request) -> Response:
    """/v3.0/oa/message/cs: record a text or form; -201 when malformed, scripted user errors."""
    body = json_body(request)
    recipient = body.get("recipient")
    user_id = recipient.get("user_id") if isinstance(recipient, dict) else None
    if not (isinstance(user_id, str) and user_id and valid_message(body.get("message"))):
        return zalo_error(-201, "Parameters are invalid")
    with fake.lock:
        refused = fake.user_errors.get(user_id)
    if refused is not None:
        return zalo_error(refused, "Refused for this user (scripted)")
    sent = SentMessage(user_id, body["message"], fake.new_id())
    with fake.lock:
        fake.sent.append(sent)
    return ok({"message_id": sent.message_id, "user_id": user_id, "sent_time": now_ms()})


def user_detail(fake: FakeZalo, request: Request) -> Response:
    """/v3.0/oa/user/detail?data={"user_id": ...}: a registered profile, or a plain one."""
    try:
        user_id = json.loads(request.args.get("data", "")).get("user_id")
    except (ValueError, AttributeError):
        user_id = None
    if not isinstance(user_id, str) or not user_id:
        return zalo_error(-201, "Parameters are invalid")
    with fake.lock:
        profile = dict(fake.users.get(user_id, {"display_name": f"Zalo user {user_id[-4:]}"}))
    phone = profile.pop("phone", None)
    data = {"user_id": user_id, "user_is_follower": True, **profile}
    return ok(data | ({"shared_info": {"phone": phone}} if phone else {}))


def zns_problem(body: dict[str, Any]) -> tuple[int, str] | None:
    """What Zalo would refuse in a template request, if anything."""
    phone, template_id = body.get("phone"), body.get("template_id")
    tracking_id = body.get("tracking_id", "")
    if not (isinstance(phone, str) and ZNS_PHONE.fullmatch(phone)):
        return -108, "Phone number is invalid"
    if not (isinstance(template_id, str) and template_id):
        return -109, "Template is invalid"
    if not isinstance(body.get("template_data"), dict):
        return -201, "template_data must be an object"
    if not (isinstance(tracking_id, str) and len(tracking_id) <= 48):
        return -201, "tracking_id must be at most 48 characters"
    if body.get("mode") not in (None, "development"):
        return -201, "mode must be 'development' when present"
    return None


def send_zns(fake: FakeZalo, request: Request) -> Response:
    """/message/template: -108 bad phone, -118 no Zalo, -144 daily quota; else record it."""
    body = json_body(request)
    problem = zns_problem(body)
    if problem is not None:
        return zalo_error(*problem)
    with fake.lock:
        if body["phone"] in fake.no_zalo_phones:
            return zalo_error(-118, "Zalo account does not exist")
        if len(fake.zns_sent) >= ZNS_DAILY_QUOTA:
            return zalo_error(-144, "OA has exceeded the daily quota")
        sent = SentZns(
            phone=body["phone"],
            template_id=body["template_id"],
            template_data=body["template_data"],
            tracking_id=body.get("tracking_id", ""),
            mode=body.get("mode"),
            msg_id=fake.new_id(),
        )
        fake.zns_sent.append(sent)
        remaining = ZNS_DAILY_QUOTA - len(fake.zns_sent)
    quota = {"dailyQuota": str(ZNS_DAILY_QUOTA), "remainingQuota": str(remaining)}
    return ok({"msg_id": sent.msg_id, "sent_time": now_ms(), "quota": quota})


def refresh_tokens(fake: FakeZalo, request: Request) -> Response:
    """/v4/oa/access_token: spend a refresh token (once) for a new pair."""
    form = request.form
    if request.headers.get("secret_key") != fake.app_secret or form.get("app_id") != fake.app_id:
        return oauth_error(-14001, "Invalid app_id or secret_key")
    if form.get("grant_type") != "refresh_token":
        return oauth_error(-14003, "Invalid grant_type")
    with fake.lock:
        known_token = form.get("refresh_token") in fake.refresh_tokens
        if known_token:
            fake.refresh_tokens.discard(form["refresh_token"])
            access, refresh = fake.issue_pair()
    if not known_token:
        return oauth_error(-14014, "Invalid refresh token")
    lifetime = str(fake.token_lifetime_seconds)  # a string, as Zalo sends it
    return reply({"access_token": access, "refresh_token": refresh, "expires_in": lifetime})


HANDLERS: dict[str, Callable[[FakeZalo, Request], Response]] = {
    "cs": send_message,
    "user_detail": user_detail,
    "zns": send_zns,
    "oauth": refresh_tokens,
}
