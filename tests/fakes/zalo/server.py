"""FakeZalo: one threaded werkzeug server on 127.0.0.1 for the three Zalo base URLs."""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from tests.fakes.zalo.endpoints import HANDLERS
from tests.fakes.zalo.records import (
    BAD_TOKEN_CODE,
    ENDPOINTS,
    Scripted,
    SentMessage,
    SentZns,
    known,
    scripted_answer,
    zalo_error,
)


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


def serve(app: Callable[..., Iterable[bytes]]) -> tuple[BaseWSGIServer, threading.Thread]:
    """A threaded server for app on a free port of 127.0.0.1, serving in a daemon thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=ZaloRequestHandler)
    # A short poll keeps close() (server.shutdown) fast enough for a fake per test.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    return server, thread


class FakeZalo:
    """One server for the three base URLs; tokens, sent messages and scripts are its state."""

    def __init__(
        self,
        access_token: str | None = None,
        refresh_token: str | None = None,
        *,
        app_id: str = "3100000000000000031",
        app_secret: str = "fake-app-secret",
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
        self.failing: dict[str, Scripted] = {}  # endpoint -> its answer until stop_failing
        self.refusing_tokens = False  # every access token refused (as -216 / -124)
        self.refusing_oas: set[str] = set()  # the access tokens of these OAs refused
        self.no_zalo_phones: set[str] = set()
        self.users: dict[str, dict[str, str]] = {}
        self.sent: list[SentMessage] = []
        self.zns_sent: list[SentZns] = []
        # /message/status answers: per msg_id as a test set it, else the default (not yet).
        self.zns_statuses: dict[str, int] = {}
        self.zns_status_default = 0
        self.calls: Counter[str] = Counter()
        self.ids = itertools.count(1)
        self.errors: list[Exception] = []  # raised by handlers: bugs of the fake
        # The OA permission flow: codes granted (code -> OA, PKCE challenge), which OA each
        # token belongs to, and the OAs' names.
        self.grants: dict[str, tuple[str, str]] = {}
        self.token_oa: dict[str, str] = {}
        self.refresh_oa: dict[str, str] = {}
        self.oa_names: dict[str, str] = {oa_id: "Fake OA"}
        # The pair an operator seeds; the newest pair issued is always in these attributes.
        self.access_token, self.refresh_token = self.issue_pair(access_token, refresh_token)
        self.server, self.thread = serve(self.wsgi)

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:<port>."""
        return f"http://127.0.0.1:{self.server.server_port}"

    openapi_url = oauth_url = business_url = base_url

    def config(self) -> dict[str, str]:
        """The bot's settings for talking to this fake (its current token pair)."""
        with self.lock:
            access, refresh = self.access_token, self.refresh_token
        return {
            "ZALO_APP_ID": self.app_id,
            "ZALO_APP_SECRET": self.app_secret,
            "ZALO_OA_ID": self.oa_id,
            "ZALO_OA_SECRET_KEY": self.oa_secret_key,
            "ZALO_ACCESS_TOKEN": access,
            "ZALO_REFRESH_TOKEN": refresh,
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
        """Answer the next `times` calls to endpoint (cs, user_detail, zns, zns_status, oauth)
        so."""
        scripted = Scripted(error, http_status or (None if error else 500), message)
        with self.lock:
            self.scripts[known(endpoint)].extend([scripted] * times)

    def fail_always(
        self, endpoint: str, *, error: int | None = None, http_status: int | None = None
    ) -> None:
        """Answer every call to endpoint so until stop_failing(endpoint)."""
        scripted = Scripted(error, http_status or (None if error else 500), "failing (scripted)")
        with self.lock:
            self.failing[known(endpoint)] = scripted

    def stop_failing(self, endpoint: str) -> None:
        """Answer endpoint normally again."""
        with self.lock:
            self.failing.pop(known(endpoint), None)

    def refuse_tokens(self, refusing: bool = True, oa_id: str | None = None) -> None:
        """Refuse every access token (of oa_id's only, when given), old or new (a revoked
        app), until called with False; refreshes still work and issue new pairs."""
        with self.lock:
            if oa_id is None:
                self.refusing_tokens = refusing
            elif refusing:
                self.refusing_oas.add(oa_id)
            else:
                self.refusing_oas.discard(oa_id)

    def delay_next(self, endpoint: str, seconds: float, times: int = 1) -> None:
        """Sleep before answering the next `times` calls to endpoint (then answer normally)."""
        with self.lock:
            self.delays[known(endpoint)].extend([seconds] * times)

    def fail_user(self, user_id: str, error: int = -230) -> None:
        """Refuse every message to user_id (default: not interacted within 7 days)."""
        with self.lock:
            self.user_errors[user_id] = error

    def no_zalo_account(self, *phones: str) -> None:
        """ZNS to these phones ('84...' or '+84...') fails with -118."""
        with self.lock:
            self.no_zalo_phones.update(phone.lstrip("+") for phone in phones)

    def delivery_status(self, status: int, msg_id: str | None = None) -> None:
        """What /message/status says of msg_id (None: of every message not set one by one):
        1 delivered, 0 not yet."""
        with self.lock:
            if msg_id is None:
                self.zns_status_default = status
            else:
                self.zns_statuses[msg_id] = status

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

    def payloads(self, user_id: str | None = None) -> list[SentMessage]:
        """Every message sent (to user_id only, when given): texts and forms, oldest first."""
        with self.lock:
            return [m for m in self.sent if user_id is None or m.user_id == user_id]

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
            scripted = scripted or self.failing.get(endpoint)
            token = request.headers.get("access_token")
            refusing = self.refusing_tokens or self.token_oa.get(token or "") in self.refusing_oas
        time.sleep(delay)
        if scripted is not None:
            return scripted_answer(endpoint, scripted)
        if endpoint != "oauth" and (refusing or not self.token_valid(token)):
            return zalo_error(BAD_TOKEN_CODE[endpoint], "Access token is invalid")
        return HANDLERS[endpoint](self, request)

    def issue_pair(
        self, access: str | None = None, refresh: str | None = None, oa_id: str | None = None
    ) -> tuple[str, str]:
        """A new access token and a new single-use refresh token (random unless given), of
        oa_id (default: the main OA)."""
        access = access or secrets.token_urlsafe(24)
        refresh = refresh or secrets.token_urlsafe(32)
        with self.lock:
            self.access_tokens[access] = time.time() + self.token_lifetime_seconds
            self.refresh_tokens.add(refresh)
            self.token_oa[access] = self.refresh_oa[refresh] = oa_id or self.oa_id
            self.access_token, self.refresh_token = access, refresh
        return access, refresh

    def grant(self, oa_id: str, code_challenge: str, name: str | None = None) -> str:
        """An OA admin grants the App on Zalo's permission page: the code Zalo redirects with."""
        code = secrets.token_urlsafe(16)
        with self.lock:
            self.grants[code] = (oa_id, code_challenge)
            if name:
                self.oa_names[oa_id] = name
        return code

    def token_valid(self, token: str | None) -> bool:
        """Whether token was issued and is neither expired nor revoked."""
        with self.lock:
            return token is not None and self.access_tokens.get(token, 0.0) > time.time()

    def new_id(self) -> str:
        """A fresh message id."""
        with self.lock:
            return f"{next(self.ids):020x}"
