"""Loopback fakes of the OA API and of a generic SMS gateway for the end-to-end benchmark.

Threaded (a thread per connection), HTTP/1.1 keep-alive, TCP_NODELAY, answering after a set
latency, as the real APIs do from Vietnam. Each arrival is noted with its time, so the
benchmark's users read their replies and codes from here. No import from tests/.

Requests are read by hand, not by http.server: its header parsing (the email package) and
Date header, with http.client's parsing on the users' side (bench.dialogues), cost this
process 0.78 ms of CPU per event on the cores the bot runs on; read by hand, 0.40.
"""

from __future__ import annotations

import json
import queue
import re
import sys
import threading
import time
from collections import defaultdict
from socketserver import StreamRequestHandler, ThreadingTCPServer
from typing import Any

CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")
APP_ID, OA_ID = "3608465249409039670", "3886132808788086450"
SECRETS = {"app": "bench-app-secret", "oa": "bench-oa-secret-key", "sms": "bench-sms-token"}
ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
NOT_POST = b"HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
LINE_LIMIT = 65536


class Arrivals:
    """What reached a fake, per recipient, as (time, text), for the users who wait on it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.boxes: dict[str, queue.SimpleQueue[tuple[float, str]]] = defaultdict(queue.SimpleQueue)
        self.count = 0
        # (recipient, call started, answered) of every call, for the trace (bench.trace).
        self.calls: list[tuple[str, float, float]] = []

    def box(self, recipient: str) -> queue.SimpleQueue[tuple[float, str]]:
        """The arrivals of one recipient."""
        with self.lock:
            return self.boxes[recipient]

    def add(self, recipient: str, text: str, started: float) -> None:
        """Note an arrival answered now, its call started at `started` (perf_counter)."""
        now = time.perf_counter()
        self.box(recipient).put((now, text))
        with self.lock:
            self.count += 1
            self.calls.append((recipient, started, now))


class Handler(StreamRequestHandler):
    """OA messages, OAuth and the SMS gateway on one port: POSTs with a Content-Length, as
    the bot's clients send them, one after another on a keep-alive connection."""

    disable_nagle_algorithm = True  # TCP_NODELAY: no 40 ms waits on small answers
    server: FakeServer

    def handle(self) -> None:
        """Read, wait the latency, record, answer; until the client closes."""
        while (request := self.read_request()) is not None:
            path, body = request
            started = time.perf_counter()
            time.sleep(self.server.latency_seconds)
            data = json.dumps(self.server.answer(path, body, started)).encode()
            self.wfile.write(ANSWER % len(data) + data)

    def read_request(self) -> tuple[str, bytes] | None:
        """The next request's path and body; None once the client closed (or sent no POST,
        answered 501 and closed)."""
        line = self.rfile.readline(LINE_LIMIT)
        if not line.strip():
            return None
        method, path, _version = line.split(b" ", 2)
        length = 0
        while (header := self.rfile.readline(LINE_LIMIT)).strip():
            name, _, value = header.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        body = self.rfile.read(length)
        if method != b"POST":
            self.wfile.write(NOT_POST)
            return None
        return path.decode(), body


class FakeServer(ThreadingTCPServer):
    """The fakes' server; `replies` per Zalo user, `codes` per phone."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, latency_seconds: float) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.latency_seconds = latency_seconds
        self.replies, self.codes = Arrivals(), Arrivals()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Base URL."""
        return f"http://127.0.0.1:{self.server_address[1]}"

    def answer(self, path: str, body: bytes, started: float) -> dict[str, Any]:
        """The API's answer, after noting what arrived."""
        if path.startswith("/v3.0/oa/message/cs"):
            sent = json.loads(body)
            user = sent["recipient"]["user_id"]
            self.replies.add(user, sent["message"].get("text", ""), started)
            return {"error": 0, "message": "Success", "data": {"message_id": "m", "user_id": user}}
        if path.startswith("/sms"):
            sent = json.loads(body)
            found = CODE.search(sent["text"])
            self.codes.add(sent["to"], found.group() if found else "", started)
            return {"id": sent.get("reference", "r")}
        tokens = {"access_token": "bench-access-2", "refresh_token": "bench-refresh-2"}
        return {**tokens, "expires_in": "90000"}

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client gone mid-request (a toy or a bot stopped) is no fault of the fake's."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()

    def env(self) -> dict[str, str]:
        """The bot's settings for talking to these fakes."""
        return {
            "ZALO_APP_ID": APP_ID,
            "ZALO_APP_SECRET": SECRETS["app"],
            "ZALO_OA_ID": OA_ID,
            "ZALO_OA_SECRET_KEY": SECRETS["oa"],
            "ZALO_ACCESS_TOKEN": "bench-access",
            "ZALO_REFRESH_TOKEN": "bench-refresh",
            "ZALO_OPENAPI_URL": self.url,
            "ZALO_OAUTH_URL": self.url,
            "ZALO_BUSINESS_URL": self.url,
            "SMS_PROVIDER": "http",
            "SMS_HTTP_URL": self.url + "/sms",
            "SMS_HTTP_TOKEN": SECRETS["sms"],
        }
