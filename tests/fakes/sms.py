"""Loopback fakes of the four SMS gateways (generic JSON, eSMS, SpeedSMS, Twilio) on one port."""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

PROVIDERS = ("http", "esms", "speedsms", "twilio")
HTTP_PATH = "/sms"
ESMS_PATH = "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
SPEEDSMS_PATH = "/index.php/sms/send"
TWILIO_PATH = re.compile(r"/2010-04-01/Accounts/(?P<sid>[^/]+)/Messages\.json")
E164 = re.compile(r"\+[1-9]\d{6,14}")
# Stricter than the real eSMS on purpose: pins the national form (0912345678) we send for
# Vietnam, and international digits without '+' elsewhere.
ESMS_PHONE = re.compile(r"0\d{9}|(?!84)[1-9]\d{7,14}")
DIGITS_PHONE = re.compile(r"[1-9]\d{7,14}")
CODE_IN_TEXT = re.compile(r"(?<!\d)\d{6}(?!\d)")

Reply = tuple[int, Any]


@dataclass(frozen=True)
class SentSms:
    """A message a fake gateway accepted; `phone` is exactly what the gateway received."""

    provider: str
    phone: str
    text: str
    reference: str | None
    validity_seconds: int | None
    message_id: str

    @property
    def phone_e164(self) -> str:
        """The phone back in E.164, whatever the gateway's format."""
        if self.phone.startswith("+"):
            return self.phone
        return "+84" + self.phone[1:] if self.phone.startswith("0") else "+" + self.phone


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as received, for tests that check the wire format."""

    provider: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON (None when it is not JSON)."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def form(self) -> dict[str, str]:
        """The body as a form."""
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))

    def basic_auth(self) -> tuple[str, str] | None:
        """The (user, password) of an HTTP Basic Authorization header."""
        scheme, _, encoded = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        user, _, password = base64.b64decode(encoded).decode().partition(":")
        return user, password


@dataclass(frozen=True)
class Failure:
    """A scripted failure: an HTTP status, a provider error code, or both."""

    http_status: int | None
    code: str | None


class QuietHandler(WSGIRequestHandler):
    """No access log lines in the test output."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Do not log."""


class FakeSmsGateways:
    """One threaded loopback server speaking all four gateway formats at their real paths."""

    HTTP_TOKEN = "fake-http-token"
    ESMS_API_KEY = "fake-esms-api-key"
    ESMS_SECRET_KEY = "fake-esms-secret-key"
    ESMS_BRANDNAME = "FAKEBRAND"
    SPEEDSMS_TOKEN = "fake-speedsms-token"
    TWILIO_SID = "AC" + "0123456789abcdef" * 2
    TWILIO_TOKEN = "fake-twilio-token"
    TWILIO_FROM = "+15005550006"
    SECRETS = (HTTP_TOKEN, ESMS_API_KEY, ESMS_SECRET_KEY, SPEEDSMS_TOKEN, TWILIO_TOKEN)

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent: list[SentSms] = []
        self.requests: list[ReceivedRequest] = []
        self.once: dict[str, list[Failure]] = defaultdict(list)
        self.always: dict[str, Failure] = {}
        self.delays: dict[str, list[float]] = defaultdict(list)
        self.request_ids: set[str] = set()
        self.ids = itertools.count(1)
        self.server = make_server(
            "127.0.0.1", 0, self.wsgi, threaded=True, request_handler=QuietHandler
        )
        # A short poll interval keeps close() (server.shutdown) fast enough for per-test use.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:<port>, the base every gateway setting points at."""
        return f"http://127.0.0.1:{self.server.server_port}"

    def config_for(self, provider: str) -> dict[str, str]:
        """The environment variables that make the bot use this provider on this fake."""
        base = self.base_url
        return {
            "http": {"SMS_HTTP_URL": base + HTTP_PATH, "SMS_HTTP_TOKEN": self.HTTP_TOKEN},
            "esms": {
                "ESMS_URL": base,
                "ESMS_API_KEY": self.ESMS_API_KEY,
                "ESMS_SECRET_KEY": self.ESMS_SECRET_KEY,
                "ESMS_BRANDNAME": self.ESMS_BRANDNAME,
                "ESMS_SMS_TYPE": "2",
            },
            "speedsms": {"SPEEDSMS_URL": base, "SPEEDSMS_TOKEN": self.SPEEDSMS_TOKEN},
            "twilio": {
                "TWILIO_URL": base,
                "TWILIO_ACCOUNT_SID": self.TWILIO_SID,
                "TWILIO_AUTH_TOKEN": self.TWILIO_TOKEN,
                "TWILIO_FROM": self.TWILIO_FROM,
            },
        }[check(provider)] | {"SMS_PROVIDER": provider}

    def fail_next(
        self, provider: str, http_status: int | None = None, code: str | None = None
    ) -> None:
        """Answer the next request to provider with this failure (default HTTP 500)."""
        with self.lock:
            self.once[check(provider)].append(failure(http_status, code))

    def always_fail(
        self, provider: str, http_status: int | None = None, code: str | None = None
    ) -> None:
        """Answer every request to provider with this failure, until reset()."""
        with self.lock:
            self.always[check(provider)] = failure(http_status, code)

    def recover(self, provider: str) -> None:
        """Stop always_fail for provider (what was sent and asked stays recorded)."""
        with self.lock:
            self.always.pop(check(provider), None)

    def timeout_next(self, provider: str, seconds: float) -> None:
        """Sleep before answering the next request (which is then handled, and may be sent)."""
        with self.lock:
            self.delays[check(provider)].append(seconds)

    def reset(self) -> None:
        """Forget scripted failures and delays, sent messages, requests and eSMS RequestIds."""
        with self.lock:
            for table in (self.once, self.always, self.delays, self.request_ids):
                table.clear()
            self.sent.clear()
            self.requests.clear()

    def messages_to(self, phone_e164: str) -> list[SentSms]:
        """Accepted messages to this phone, oldest first, whatever the gateway's phone format."""
        with self.lock:
            return [sms for sms in self.sent if sms.phone_e164 == phone_e164]

    def last_code_to(self, phone_e164: str) -> str | None:
        """The 6-digit code in the last accepted message to this phone, if any."""
        messages = self.messages_to(phone_e164)
        found = CODE_IN_TEXT.search(messages[-1].text) if messages else None
        return found.group() if found else None

    def close(self) -> None:
        """Stop the server."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def __enter__(self) -> FakeSmsGateways:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """The WSGI entry point: route, record, apply the script, then answer."""
        request = Request(environ)
        provider = route(request.path)
        if provider is None or request.method != "POST":
            return Response("not found", 404)(environ, start_response)
        received = ReceivedRequest(
            provider, request.path, dict(request.headers), request.get_data()
        )
        with self.lock:
            self.requests.append(received)
            delay = self.delays[provider].pop(0) if self.delays[provider] else 0.0
            scripted = self.once[provider].pop(0) if self.once[provider] else None
            scripted = scripted or self.always.get(provider)
        time.sleep(delay)
        status, body = failure_reply(provider, scripted) if scripted else self.handle(received)
        payload = body if isinstance(body, str) else json.dumps(body)
        mimetype = "text/plain" if isinstance(body, str) else "application/json"
        return Response(payload, status, mimetype=mimetype)(environ, start_response)

    def handle(self, received: ReceivedRequest) -> Reply:
        """The gateway's own answer to a request that no script intercepted."""
        return HANDLERS[received.provider](self, received)

    def accept(self, sms: SentSms, request_id: str | None = None) -> bool:
        """Record an accepted message; False for an eSMS RequestId seen before."""
        with self.lock:
            if request_id and request_id in self.request_ids:
                return False
            if request_id:
                self.request_ids.add(request_id)
            self.sent.append(sms)
            return True

    def new_id(self, prefix: str = "") -> str:
        """A fresh message id."""
        return f"{prefix}{next(self.ids):032x}" if prefix else str(next(self.ids))


def route(path: str) -> str | None:
    """Which gateway a path belongs to."""
    paths = {HTTP_PATH: "http", ESMS_PATH: "esms", SPEEDSMS_PATH: "speedsms"}
    return paths.get(path) or ("twilio" if TWILIO_PATH.fullmatch(path) else None)


def check(provider: str) -> str:
    """The provider name, refused early when misspelt (a silent no-op would hide it)."""
    if provider not in PROVIDERS:
        raise ValueError(f"unknown provider {provider!r}; one of {PROVIDERS}")
    return provider


def failure(http_status: int | None, code: str | None) -> Failure:
    """A failure; with neither a status nor a code, an HTTP 500."""
    return Failure(500 if http_status is None and code is None else http_status, code)


def failure_reply(provider: str, scripted: Failure) -> Reply:
    """A scripted failure in the provider's own error shape."""
    code = scripted.code
    if code is None:
        return scripted.http_status or 500, "scripted failure"
    if provider == "http":
        return scripted.http_status or 400, {"error": code}
    if provider == "esms":
        return scripted.http_status or 200, {"CodeResult": code, "ErrorMessage": "scripted"}
    if provider == "speedsms":
        return scripted.http_status or 200, {"status": "error", "code": code, "message": "scripted"}
    status = scripted.http_status or (429 if code == "20429" else 400)
    return status, twilio_error(status, int(code), "scripted")


def http_gateway(fake: FakeSmsGateways, received: ReceivedRequest) -> Reply:
    """Generic JSON gateway: Bearer token; {"to" (E.164), "text", "reference"}."""
    if received.headers.get("Authorization") != f"Bearer {fake.HTTP_TOKEN}":
        return 401, {"error": "unauthorized"}
    body = received.json()
    to, text, reference = (
        body.get(name) if isinstance(body, dict) else None for name in ("to", "text", "reference")
    )
    if not (isinstance(to, str) and E164.fullmatch(to)):
        return 400, {"error": "'to' must be an E.164 number"}
    if not (isinstance(text, str) and text and isinstance(reference, str) and reference):
        return 400, {"error": "'text' and 'reference' are required"}
    message_id = fake.new_id()
    fake.accept(SentSms("http", to, text, reference, None, message_id))
    return 200, {"id": message_id}


def esms(fake: FakeSmsGateways, received: ReceivedRequest) -> Reply:
    """eSMS: CodeResult 100 accepted, 101 auth, 104 brandname, 108 phone, 124 duplicate."""
    body = received.json()
    if not isinstance(body, dict) or not isinstance(body.get("Content"), str):
        return 200, {"CodeResult": "99", "ErrorMessage": "bad request"}
    if (body.get("ApiKey"), body.get("SecretKey")) != (fake.ESMS_API_KEY, fake.ESMS_SECRET_KEY):
        return 200, {"CodeResult": "101", "ErrorMessage": "authorization failed"}
    if body.get("SmsType") == "2" and not body.get("Brandname"):
        return 200, {"CodeResult": "104", "ErrorMessage": "brandname missing"}
    phone = body.get("Phone")
    if not isinstance(phone, str) or not ESMS_PHONE.fullmatch(phone):
        return 200, {"CodeResult": "108", "ErrorMessage": "invalid phone"}
    request_id = str(body.get("RequestId") or "")
    sms_id = fake.new_id()
    sms = SentSms("esms", phone, body["Content"], request_id or None, None, sms_id)
    # Sandbox "1": validated, not sent, not charged (so not recorded either).
    if body.get("Sandbox") != "1" and not fake.accept(sms, request_id):
        return 200, {"CodeResult": "124", "ErrorMessage": "duplicate RequestId"}
    return 200, {"CodeResult": "100", "CountRegenerate": 0, "SMSID": sms_id}


def speedsms(fake: FakeSmsGateways, received: ReceivedRequest) -> Reply:
    """SpeedSMS: Basic token:x; {"to": ["84..."], "content", "sms_type"}."""
    if received.basic_auth() != (fake.SPEEDSMS_TOKEN, "x"):
        return 401, {"status": "error", "code": "401", "message": "unauthorized"}
    body = received.json()
    if (
        not isinstance(body, dict)
        or not body.get("content")
        or type(body.get("sms_type")) is not int
    ):
        return 200, {"status": "error", "code": "101", "message": "invalid parameters"}
    phones = body.get("to")
    if not isinstance(phones, list) or not phones:
        return 200, {"status": "error", "code": "101", "message": "invalid parameters"}
    invalid = [p for p in phones if not (isinstance(p, str) and DIGITS_PHONE.fullmatch(p))]
    if invalid:
        return 200, {"status": "error", "code": "105", "message": "invalid phone"}
    tran_id = int(fake.new_id())
    for phone in phones:
        fake.accept(SentSms("speedsms", phone, body["content"], None, None, str(tran_id)))
    data = {"tranId": tran_id, "totalSMS": len(phones), "totalPrice": 0, "invalidPhone": []}
    return 200, {"status": "success", "code": "00", "data": data}


def twilio_error(status: int, code: int, message: str) -> dict[str, Any]:
    """Twilio's error body."""
    more_info = f"https://www.twilio.com/docs/errors/{code}"
    return {"code": code, "message": message, "more_info": more_info, "status": status}


def twilio(fake: FakeSmsGateways, received: ReceivedRequest) -> Reply:
    """Twilio: Basic sid:token matching the path; form To (E.164), From, Body."""
    match = TWILIO_PATH.fullmatch(received.path)
    sid = match.group("sid") if match else ""
    if sid != fake.TWILIO_SID or received.basic_auth() != (sid, fake.TWILIO_TOKEN):
        return 401, twilio_error(401, 20003, "Authenticate")
    form = received.form()
    to, body, validity = form.get("To", ""), form.get("Body", ""), form.get("ValidityPeriod")
    if not E164.fullmatch(to):
        return 400, twilio_error(400, 21211 if to else 21604, "invalid or missing 'To'")
    if form.get("From") != fake.TWILIO_FROM:
        return 400, twilio_error(400, 21606 if form.get("From") else 21603, "bad 'From'")
    if not body:
        return 400, twilio_error(400, 21602, "Message body is required")
    if validity is not None and not (validity.isdigit() and 1 <= int(validity) <= 36000):
        return 400, twilio_error(400, 29999, "invalid ValidityPeriod (code invented)")
    sid_out = fake.new_id("SM")
    seconds = int(validity) if validity else None
    fake.accept(SentSms("twilio", to, body, None, seconds, sid_out))
    return 201, {"sid": sid_out, "status": "queued", "to": to, "account_sid": sid}


HANDLERS: dict[str, Callable[[FakeSmsGateways, ReceivedRequest], Reply]] = {
    "http": http_gateway,
    "esms": esms,
    "speedsms": speedsms,
    "twilio": twilio,
}
