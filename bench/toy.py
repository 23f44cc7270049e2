"""A stateless one-process toy of the bot: the baseline the end-to-end figures are held to.

One process, no Redis, nothing durable: a threaded webhook checks the signature, answers 200
and hands the reply to a pool of threads that POST it to the same fake OA API (and the code
to the same fake gateway). The dialogue's state lives in a dict. What it cannot do (survive a
restart, order a user's sends, retry) is what the bot's own overhead buys.
"""

from __future__ import annotations

import json
import multiprocessing
import secrets
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

from bench.fakes import SECRETS
from bench.servers import wait_http
from bot.ops.embedded_redis import free_port
from zalo_api.errors import SignatureError
from zalo_api.signature import verify_signature

# As many sending threads as the bot's delivery runner has (bot.worker.crew).
SEND_THREADS = 32


class Toy:
    """The dialogue in memory: user → number, user → code; replies sent from a pool."""

    def __init__(self, api_url: str) -> None:
        self.api_url = api_url
        self.numbers: dict[str, str] = {}
        self.codes: dict[str, str] = {}
        self.pool = ThreadPoolExecutor(SEND_THREADS)
        self.local = threading.local()

    def session(self) -> requests.Session:
        """One keep-alive session per sending thread."""
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        session: requests.Session = self.local.session
        return session

    def post(self, path: str, body: dict[str, Any]) -> None:
        """One API call (the access token and the gateway's token as the bot sends them)."""
        headers = {"access_token": "toy", "Authorization": f"Bearer {SECRETS['sms']}"}
        self.session().post(self.api_url + path, json=body, headers=headers, timeout=10)

    def reply(self, user: str, text: str) -> None:
        """A customer-service text, sent from the pool."""
        body = {"recipient": {"user_id": user}, "message": {"text": text}}
        self.pool.submit(self.post, "/v3.0/oa/message/cs", body)

    def handle(self, user: str, text: str) -> None:
        """One step of xác thực → number → 1 → code."""
        if text == "xác thực":
            self.reply(user, "Số điện thoại của bạn?")
        elif text.startswith("09"):
            self.numbers[user] = "+84" + text[1:]
            self.reply(user, "1. SMS  2. Zalo")
        elif text == "1":
            code = f"{secrets.randbelow(10**6):06d}"
            self.codes[user] = code
            sms = {"to": self.numbers[user], "text": f"Ma xac thuc: {code}", "reference": user}
            self.pool.submit(self.post, "/sms", sms)
            self.reply(user, "Đã gửi mã")
        elif self.codes.pop(user, None) == text:
            self.reply(user, "Xác thực thành công")
        else:
            self.reply(user, "Sai mã")


class Webhook(BaseHTTPRequestHandler):
    """POST /webhook: signature, JSON, 200; GET /healthz."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: ToyServer

    def log_message(self, format: str, *args: Any) -> None:
        """No access log."""

    def do_GET(self) -> None:
        """Alive."""
        self.answer(b"ok")

    def do_POST(self) -> None:
        """Check, parse, hand over, answer."""
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            verify_signature(raw, self.headers.get("X-ZEvent-Signature"), SECRETS["oa"])
        except SignatureError:
            self.answer(b"{}")
            return
        event = json.loads(raw)
        self.server.toy.handle(event["sender"]["id"], event["message"]["text"])
        self.answer(b'{"ok":true}')

    def answer(self, data: bytes) -> None:
        """200 with data."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class ToyServer(ThreadingHTTPServer):
    """The toy's webhook."""

    daemon_threads = True
    request_queue_size = 256

    def __init__(self, port: int, api_url: str) -> None:
        super().__init__(("127.0.0.1", port), Webhook)
        self.toy = Toy(api_url)


def serve(port: int, api_url: str) -> None:
    """The toy's process: serve until terminated."""
    ToyServer(port, api_url).serve_forever()


@contextmanager
def toy_process(api_url: str) -> Iterator[tuple[int, int]]:
    """The toy in a process of its own (as the bot's web is); (port, pid)."""
    port = free_port()
    process = multiprocessing.get_context("fork").Process(target=serve, args=(port, api_url))
    process.start()
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz")
        assert process.pid is not None
        yield port, process.pid
    finally:
        process.terminate()
        process.join(10)
