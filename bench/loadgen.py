"""A closed-loop HTTP load generator on raw keep-alive sockets, run in its own processes.

Each connection sends one request, waits for the whole answer, sends the next one. Bodies are
taken round-robin from a list prepared beforehand (for the webhook: distinct, signed events).
"""

from __future__ import annotations

import multiprocessing
import selectors
import socket
import time
from dataclasses import dataclass


@dataclass
class LoadResult:
    """Requests completed, errors, wall time and per-request latencies (seconds)."""

    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        """A latency percentile, in milliseconds."""
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        return 1000 * ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def request_bytes(host: str, path: str, body: bytes | None, headers: dict[str, str]) -> bytes:
    """One HTTP/1.1 keep-alive request."""
    method = "POST" if body is not None else "GET"
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")


def answer_complete(buffer: bytes) -> tuple[int, int] | None:
    """(status, total length) once a whole answer is in buffer, else None."""
    head_end = buffer.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    head = buffer[:head_end].decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    length = 0
    for line in head[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    total = head_end + 4 + length
    return (status, total) if len(buffer) >= total else None


def worker(port: int, requests: list[bytes], connections: int, seconds: float, out: object) -> None:
    """Drive `connections` sockets for `seconds`; put a LoadResult on the queue `out`."""
    selector = selectors.DefaultSelector()
    state: dict[socket.socket, list[object]] = {}
    index = 0
    for _ in range(connections):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(requests[index % len(requests)])
        index += 1
        state[sock] = [b"", time.perf_counter()]
        selector.register(sock, selectors.EVENT_READ)
    done, errors, latencies = 0, 0, []
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for key, _ in selector.select(timeout=0.5):
            sock = key.fileobj  # type: ignore[assignment]
            assert isinstance(sock, socket.socket)
            chunk = sock.recv(65536)
            buffer = state[sock][0] + chunk  # type: ignore[operator]
            complete = answer_complete(buffer)
            if complete is None:
                state[sock][0] = buffer
                continue
            status, total = complete
            now = time.perf_counter()
            latencies.append(now - state[sock][1])  # type: ignore[operator]
            done += 1
            errors += status >= 400
            sock.sendall(requests[index % len(requests)])
            index += 1
            state[sock] = [buffer[total:], now]
    elapsed = time.perf_counter() - start
    for sock in state:
        sock.close()
    out.put(LoadResult(done, errors, elapsed, latencies))  # type: ignore[attr-defined]


def run_load(
    port: int,
    requests: list[bytes],
    processes: int = 1,
    connections: int = 16,
    seconds: float = 5.0,
) -> LoadResult:
    """Load from separate processes (not this one); merged result."""
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    shares = [requests[i::processes] or requests for i in range(processes)]
    procs = [
        context.Process(target=worker, args=(port, share, connections, seconds, out))
        for share in shares
    ]
    for proc in procs:
        proc.start()
    results = [out.get() for _ in procs]
    for proc in procs:
        proc.join()
    return LoadResult(
        sum(r.requests for r in results),
        sum(r.errors for r in results),
        max(r.seconds for r in results),
        [lat for r in results for lat in r.latencies],
    )
