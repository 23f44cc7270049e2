"""A bare HTTP/1.1 server on loopback for the pooled calls' connection-level cases: it records
every request with the connection it came on, and answers as scripted (or not at all)."""

from __future__ import annotations

import socket
import ssl
import threading
from contextlib import suppress
from dataclasses import dataclass


@dataclass(frozen=True)
class Script:
    """How every request is answered: these bytes (None: never), then the connection closed
    or kept."""

    answer: bytes | None
    close: bool = False


def answer(status: int = 200, body: bytes = b'{"error": 0}', extra: str = "") -> bytes:
    """An HTTP/1.1 answer with a Content-Length (so the connection may be kept alive)."""
    head = f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\n{extra}\r\n"
    return head.encode() + body


class LoopbackServer:
    """One thread per connection; `requests` holds (connection number, request bytes)."""

    def __init__(self, script: Script, tls: ssl.SSLContext | None = None) -> None:
        self.script = script
        self.tls = tls
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.requests: list[tuple[int, bytes]] = []
        self.open: list[socket.socket] = []
        self.closed = threading.Event()  # set when a scripted close is done
        threading.Thread(target=self.accept, daemon=True).start()

    def url(self, path: str = "/x") -> str:
        """The URL of path on this server."""
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}{path}"

    def accept(self) -> None:
        """Serve each connection in a thread of its own until stop()."""
        with suppress(OSError):
            for number in range(1_000_000):
                conn, _ = self.listener.accept()
                self.open.append(conn)
                threading.Thread(target=self.serve, args=(conn, number), daemon=True).start()

    def serve(self, conn: socket.socket, number: int) -> None:
        """Read requests on conn and answer them as scripted."""
        with suppress(OSError), conn:  # a client that refuses the certificate, or stop()
            if self.tls:
                conn = self.tls.wrap_socket(conn, server_side=True)
            while request := read_request(conn):
                self.requests.append((number, request))
                if self.script.answer is None:
                    conn.recv(1)  # until the client gives up or stop()
                    return
                conn.sendall(self.script.answer)
                if self.script.close:
                    conn.close()
                    self.closed.set()
                    return

    def stop(self) -> None:
        """Stop accepting and close every connection (their threads end)."""
        with suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept()
        self.listener.close()
        for conn in self.open:
            with suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()


def read_request(conn: socket.socket) -> bytes:
    """One request (head and Content-Length body), or b"" when the client closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        block = conn.recv(65536)
        if not block:
            return b""
        data += block
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":")[1]) for line in head.lower().split(b"\r\n")
         if line.startswith(b"content-length:")),
        0,
    )  # fmt: skip
    while len(body) < length and (block := conn.recv(65536)):
        body += block
    return head + b"\r\n\r\n" + body
