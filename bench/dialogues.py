"""Concurrent users going through the whole SMS dialogue against the running bot.

Each user posts a signed event to /webhook, waits for the bot's reply at the fake OA API
(and, after `1`, for the code at the fake SMS gateway), and types the next step; a new user
starts when one is verified. Every reply is timed from the webhook POST of its event.

Unpaced, the users are a closed loop: each types again the moment it is answered, so the
bot runs flat out and a reply's latency is users / events/s (Little's law), whatever the bot
spends of its own. Paced, each user types at most once per users / pace seconds (pace: the
events/s offered by all of them together): the bot is not saturated, and a reply's latency
is the API round trip plus what the bot spends of its own.
"""

from __future__ import annotations

import itertools
import queue
import random
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import BinaryIO

from bench.events import signed_headers, text_body
from bench.fakes import APP_ID, OA_ID, SECRETS, FakeServer

WAIT_SECONDS = 15.0
phones = itertools.count(1)


@dataclass
class Tally:
    """What the users saw (seconds)."""

    events: int = 0
    verified: int = 0
    failures: int = 0
    replies: list[float] = field(default_factory=list)
    codes: list[float] = field(default_factory=list)
    # (user, posted, answered 200) of every event, for the trace (bench.trace).
    posts: list[tuple[str, float, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Connection:
    """A keep-alive HTTP/1.1 connection to the webhook, its answers read by hand: http.client
    parses their headers with the email package, CPU spent on the cores the bot runs on."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock: socket.socket | None = None
        self.answers: BinaryIO | None = None

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        """POST body; the answer's status (its body read and dropped)."""
        if self.sock is None or self.answers is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.answers = self.sock.makefile("rb")
        lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        return self.read_answer(self.answers)

    def read_answer(self, answers: BinaryIO) -> int:
        """Read one answer; its status. A server that closes is reconnected next time."""
        status = answers.readline().split(b" ", 2)
        if len(status) < 2:
            self.close()
            raise ConnectionError("the webhook closed the connection")
        length, keep = 0, True
        while (header := answers.readline()).strip():
            name, _, value = header.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                keep = False
        answers.read(length)
        if not keep:
            self.close()
        return int(status[1])

    def close(self) -> None:
        """Drop the socket; the next post opens another."""
        if self.answers is not None:
            self.answers.close()
        if self.sock is not None:
            self.sock.close()
        self.sock = self.answers = None


class User:
    """One simulated Zalo user with a keep-alive connection to the webhook."""

    def __init__(self, port: int, fake: FakeServer, name: str, interval: float = 0.0) -> None:
        self.connection = Connection(port)
        self.fake, self.name, self.n = fake, name, 0
        self.stamp = int(time.time() * 1000)
        # Paced: seconds from one post to the next (0: at once); the first after a random
        # part of it, so that the users do not all type in the same instant.
        self.interval = interval
        self.next_post = time.perf_counter() + random.uniform(0, interval)

    def post(self, user: str, text: str, tally: Tally) -> float:
        """POST one signed user_send_text (paced: not before the user's next turn); the time
        it was posted."""
        if self.interval:
            time.sleep(max(0.0, self.next_post - time.perf_counter()))
            self.next_post = max(self.next_post + self.interval, time.perf_counter())
        self.stamp += 1  # Zalo's timestamps order a user's events
        body = text_body(user, text, APP_ID, OA_ID, timestamp=self.stamp)
        start = time.perf_counter()
        status = self.connection.post("/webhook", body, signed_headers(body, SECRETS["oa"]))
        if status != 200:
            raise RuntimeError(f"webhook answered {status}")
        with tally.lock:
            tally.posts.append((user, start, time.perf_counter()))
        return start

    def step(self, user: str, text: str, tally: Tally) -> str:
        """Post text and wait for the bot's reply; return it."""
        posted = self.post(user, text, tally)
        arrived, reply = self.fake.replies.box(user).get(timeout=WAIT_SECONDS)
        with tally.lock:
            tally.events += 1
            tally.replies.append(arrived - posted)
        return reply

    def dialogue(self, tally: Tally) -> None:
        """xác thực → number → 1 → the code from the gateway → verified."""
        self.n += 1
        user, number = f"{self.name}-{self.n}", next(phones)
        self.step(user, "xác thực", tally)
        self.step(user, f"09{number:08d}", tally)
        posted = self.post(user, "1", tally)
        arrived, code = self.fake.codes.box(f"+849{number:08d}").get(timeout=WAIT_SECONDS)
        replied, _ = self.fake.replies.box(user).get(timeout=WAIT_SECONDS)  # "code sent"
        with tally.lock:
            tally.events += 1
            tally.replies.append(replied - posted)
            tally.codes.append(arrived - posted)
        if "thành công" in self.step(user, code, tally):
            with tally.lock:
                tally.verified += 1


def drive(
    port: int, fake: FakeServer, users: int, seconds: float, pace: float | None = None
) -> tuple[Tally, float]:
    """users concurrent dialogues, started anew until seconds have passed (paced: offering
    pace events/s in all, else as fast as answered); (tally, elapsed)."""
    tally = Tally()
    deadline = time.perf_counter() + seconds
    interval = users / pace if pace else 0.0

    def run(n: int) -> None:
        person = User(port, fake, f"b{int(time.time())}u{n}", interval)
        while time.perf_counter() < deadline:
            try:
                person.dialogue(tally)
            except (queue.Empty, OSError, RuntimeError):
                with tally.lock:
                    tally.failures += 1
                return

    threads = [threading.Thread(target=run, args=(n,)) for n in range(users)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.perf_counter() - start
