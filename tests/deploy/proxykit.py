"""A loopback backend that records what a reverse proxy passes it, and requests to the proxy."""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Where the world may go, and where it may not (the proxy answers 404 itself).
# Every route of the app is in one of the first two (tests/deploy/test_routes.py says so).
PUBLIC = [
    ("POST", "/webhook"),
    ("GET", "/api/v1/accounts/u1"),
    ("GET", "/api/v1/assets"),
    ("POST", "/api/v1/verifications"),
    ("POST", "/api/v1/verifications/check"),
    ("POST", "/api/v1/links"),
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/oauth/zalo/callback?code=abc&state=xyz"),
    ("GET", "/zalo_verifierMeVd6DceSpupfjWIxOznI1I4v7FuyZOgD3Gp.html"),
]
INTERNAL = [
    ("GET", "/metrics"),
    ("GET", "/readyz"),
    ("GET", "/healthz"),
    ("GET", "/admin"),
    ("GET", "/admin/login"),
    ("POST", "/admin/login"),
    ("POST", "/admin/logout"),
    ("GET", "/admin/api/funnel"),
    ("POST", "/admin/connect"),
    ("POST", "/admin/dead"),
    ("GET", "/admin/static/admin.js"),
]
ELSEWHERE = [
    ("GET", "/"),
    ("GET", "/simulator"),
    ("POST", "/simulator/api/admin"),
    ("GET", "/webhook/x"),
    ("GET", "/api/v2/accounts/u1"),
    ("GET", "/zalo_verifier.html"),
    ("GET", "/administrator"),
]
# Internal routes in disguise: the proxies decode and normalise a path before matching it.
DISGUISED = [("GET", "/%6Detrics"), ("GET", "/webhook/../metrics"), ("GET", "/api/v1/../readyz")]

# What the backend was sent: method, path, headers (lower-case names).
Seen = tuple[str, str, dict[str, str]]


class Recorder(BaseHTTPRequestHandler):
    """Answers 200 to anything and notes the path and headers it was sent."""

    seen: list[Seen]

    def answer(self) -> None:
        """Record, drain the body, answer."""
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.seen.append((self.command, self.path, {k.lower(): v for k, v in self.headers.items()}))
        self.send_response(200)
        self.send_header("Content-Length", "7")
        self.end_headers()
        self.wfile.write(b"backend")

    do_GET = do_POST = answer

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@contextmanager
def backend() -> Iterator[tuple[int, list[Seen]]]:
    """(port, requests seen) of a recording backend on loopback, for the test's duration."""
    seen: list[Seen] = []
    handler = type("Handler", (Recorder,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def free_ports(count: int) -> list[int]:
    """Ports on loopback nothing listens on right now."""
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def wait_listening(port: int, seconds: float = 15.0) -> None:
    """Until something accepts connections on the loopback port."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@dataclass(frozen=True)
class Answer:
    """What the proxy answered."""

    status: int
    headers: dict[str, str]
    body: bytes


def ask(port: int, method: str, path: str, tls: bool = False) -> Answer:
    """One request to the proxy, posing as a client that claims another address."""
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the test's self-signed certificate
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            "127.0.0.1", port, timeout=10, context=context
        )
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    conn.request(method, path, body=b"{}" if method == "POST" else None, headers=headers)
    response = conn.getresponse()
    answer = Answer(response.status, dict(response.getheaders()), response.read())
    conn.close()
    return answer
