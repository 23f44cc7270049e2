"""The end-to-end benchmark's own HTTP parts: the loopback fakes and the users' connection."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from socketserver import StreamRequestHandler, TCPServer

import pytest

from bench.dialogues import Connection
from bench.fakes import FakeServer


@pytest.fixture
def fake() -> Iterator[FakeServer]:
    """The fakes at zero latency."""
    with FakeServer(0) as server:
        yield server


def test_fake_notes_replies_and_codes_on_one_kept_alive_connection(fake: FakeServer) -> None:
    """Two calls on one connection: each answered as Zalo or the gateway does, each noted."""
    port = fake.server_address[1]
    connection = Connection(port)
    message = {"recipient": {"user_id": "u1"}, "message": {"text": "xin chào"}}
    status = connection.post("/v3.0/oa/message/cs", json.dumps(message).encode(), {})
    kept = connection.sock
    sms = {"to": "+84900000001", "text": "Mã của bạn: 123456", "reference": "r1"}
    assert connection.post("/sms", json.dumps(sms, ensure_ascii=False).encode(), {}) == 200
    assert status == 200 and connection.sock is kept
    assert fake.replies.box("u1").get(timeout=5)[1] == "xin chào"
    assert fake.codes.box("+84900000001").get(timeout=5)[1] == "123456"
    connection.close()


def test_fake_answers_what_it_does_not_serve_with_501_and_closes(fake: FakeServer) -> None:
    """A GET is refused, not left hanging."""
    with socket.create_connection(("127.0.0.1", fake.server_address[1]), timeout=5) as sock:
        sock.sendall(b"GET /v3.0/oa/getoa HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = sock.makefile("rb").read()
    assert answer.startswith(b"HTTP/1.1 501 ")


def test_fake_answer_is_json_with_its_length(fake: FakeServer) -> None:
    """The answer's head and body as a client reads them."""
    body = json.dumps({"recipient": {"user_id": "u2"}, "message": {"text": "a"}}).encode()
    with socket.create_connection(("127.0.0.1", fake.server_address[1]), timeout=5) as sock:
        head = b"POST /v3.0/oa/message/cs HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % len(body)
        sock.sendall(head + body)
        reader = sock.makefile("rb")
        assert reader.readline() == b"HTTP/1.1 200 OK\r\n"
        headers = dict(
            line.rstrip(b"\r\n").split(b": ", 1) for line in iter(reader.readline, b"\r\n")
        )
        answer = json.loads(reader.read(int(headers[b"Content-Length"])))
    assert answer["error"] == 0 and answer["data"]["user_id"] == "u2"


class Closing(StreamRequestHandler):
    """Answers one request 200 with Connection: close, then closes."""

    def handle(self) -> None:
        while self.rfile.readline().strip():
            pass
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")


def test_connection_reconnects_after_an_answer_that_closes() -> None:
    """A server that ends the keep-alive does not fail the user's next post."""
    server = TCPServer(("127.0.0.1", 0), Closing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        connection = Connection(server.server_address[1])
        assert connection.post("/webhook", b"", {}) == 200
        assert connection.sock is None
        assert connection.post("/webhook", b"", {}) == 200
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
