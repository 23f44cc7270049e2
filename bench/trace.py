"""One event's timeline from the webhook POST to the Zalo call, over a whole run.

No instrumentation in the bot: Redis's MONITOR stamps every command it executes (inside
scripts and transactions too) with its own clock, and each hop of an event is a command on
one of the user's keys. The fakes and the users stamp the rest. MONITOR costs Redis time, so
the traced run is slower than the untraced one: the report shows both.

Markers (first occurrence per event, in order, between the user's post and their next one):
posted → recorded (the webhook's script adds the event to inbox:{user}) → claimed (a runner
takes drainlock:{user}) → committed (the turn's transaction pushes to outbox:{user}) → reply
claimed (sendlock:{user} taken: by that transaction itself when it hands the user over,
bot.worker.handoff, else by a runner's claim) → Zalo call started (the fake has read the request)
→ Zalo answered (the fake answers) → send recorded (outbox:{user} popped). If the queues'
keys change, MARKERS is the one table to adjust.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import redis

# (command, key kind) → marker, in the order an event passes them.
MARKERS = {
    (b"ZADD", b"inbox"): "recorded",
    (b"SET", b"drainlock"): "claimed",
    (b"RPUSH", b"outbox"): "committed",
    (b"SET", b"sendlock"): "reply claimed",
}
SENT_MARKER = (b"LPOP", b"outbox")
ORDER = [
    "posted",
    "recorded",
    "claimed",
    "committed",
    "reply claimed",
    "Zalo call started",
    "Zalo answered",
    "send recorded",
]
# A MONITOR line: +<seconds.micros> [<db> <client>] "<COMMAND>" "<kind>:{<oa>:<user>}" ...
LINE = re.compile(rb'^\+(\d+\.\d+) \[[^\]]*\] "(\w+)" "(\w+):\{[^:}]*:([^}]*)\}"', re.MULTILINE)


@dataclass
class Stamps:
    """Wall-clock stamps per user and marker (seconds)."""

    by_user: dict[str, dict[str, list[float]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )

    def add(self, user: str, marker: str, at: float) -> None:
        """One stamp."""
        self.by_user[user][marker].append(at)


class Monitor:
    """Redis MONITOR's output, written raw to a file by a thread until stopped."""

    def __init__(self, redis_url: str, path: Path) -> None:
        kwargs = redis.Redis.from_url(redis_url).connection_pool.connection_kwargs
        self.address = (str(kwargs.get("host", "127.0.0.1")), int(kwargs.get("port", 6379)))
        self.path = path
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        """Copy MONITOR's stream to the file."""
        with socket.create_connection(self.address) as sock, self.path.open("wb") as out:
            sock.sendall(b"MONITOR\r\n")
            sock.settimeout(0.2)
            while not self.stopping.is_set():
                try:
                    chunk = sock.recv(1 << 20)
                except TimeoutError:
                    continue
                if not chunk:
                    break
                out.write(chunk)


@contextmanager
def monitored(redis_url: str, path: Path) -> Iterator[None]:
    """MONITOR written to path while the block runs."""
    monitor = Monitor(redis_url, path)
    monitor.thread.start()
    time.sleep(0.2)  # subscribed before the first command of interest
    try:
        yield
    finally:
        monitor.stopping.set()
        monitor.thread.join(5)


def redis_stamps(path: Path, stamps: Stamps) -> None:
    """The markers found in a MONITOR capture."""
    for match in LINE.finditer(path.read_bytes()):
        at, command, kind, user = match.groups()
        pair = (command.upper(), kind)
        marker = "send recorded" if pair == SENT_MARKER else MARKERS.get(pair)
        if marker is not None:
            stamps.add(user.decode(), marker, float(at))


def add_bench_stamps(
    stamps: Stamps,
    posts: list[tuple[str, float, float]],
    calls: list[tuple[str, float, float]],
    offset: float,
) -> list[float]:
    """The users' posts and the fake Zalo's calls, perf_counter + offset = wall clock;
    returns the webhook's answer times (seconds)."""
    for user, posted, _answered in posts:
        stamps.add(user, "posted", posted + offset)
    for user, started, answered in calls:
        stamps.add(user, "Zalo call started", started + offset)
        stamps.add(user, "Zalo answered", answered + offset)
    return [answered - posted for _user, posted, answered in posts]


def timelines(stamps: Stamps) -> list[dict[str, float]]:
    """Each event's markers: the first of each after the previous one, before the next post."""
    events = []
    for markers in stamps.by_user.values():
        posts = sorted(markers["posted"])
        for n, posted in enumerate(posts):
            end = posts[n + 1] if n + 1 < len(posts) else float("inf")
            line, last = {"posted": posted}, posted
            for marker in ORDER[1:]:
                # The user posts again the moment the reply arrives, often before the bot
                # has recorded the send: the last marker may fall after the next post.
                until = float("inf") if marker == ORDER[-1] else end
                found = [t for t in markers[marker] if last <= t < until]
                if not found:
                    break
                line[marker] = last = min(found)
            events.append(line)
    return events


def hop_table(events: list[dict[str, float]], webhook_answers: list[float]) -> list[str]:
    """Markdown rows: each hop's p50 / p95 in ms over the events that reached it."""
    rows = [f"| webhook answered (from posted) | {pct(webhook_answers, 0.5):.1f} | "
            f"{pct(webhook_answers, 0.95):.1f} | {len(webhook_answers)} |"]  # fmt: skip
    for before, after in zip(ORDER, ORDER[1:], strict=False):
        spans = [e[after] - e[before] for e in events if after in e]
        rows.append(f"| {before} → {after} | {pct(spans, 0.5):.1f} | {pct(spans, 0.95):.1f} | "
                    f"{len(spans)} |")  # fmt: skip
    own = [e["Zalo call started"] - e["posted"] for e in events if "Zalo call started" in e]
    rows.append(f"| **posted → Zalo call started (own overhead)** | {pct(own, 0.5):.1f} | "
                f"{pct(own, 0.95):.1f} | {len(own)} |")  # fmt: skip
    return rows


def pct(values: list[float], fraction: float) -> float:
    """A percentile in milliseconds (0 for none)."""
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0
