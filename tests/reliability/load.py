"""Users verifying their phones through real web processes, as Zalo would drive them.

Each user sends a burst (verify, number, SMS) spread over the web processes, types the
code that reaches the phone, then asks for the status. A non-200 answer is delivered again
later, as Zalo does; a 200 is never repeated. The transcript of every user must equal the
reference user's (digits aside): shorter means an acknowledged event was lost, longer a
duplicated effect, different an order broken.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

import redis

from bot.keys import UserRef
from bot.sms.console import phone_inbox_key
from bot.web.sandbox_events import encode_event, signed_headers, text_event
from bot.worker.senders import sandbox_chat_key
from tests.helpers import OA_ID
from tests.leakcheck import remember

Connect = Callable[[], redis.Redis]
REPLY_WAIT_SECONDS = 45.0
REDELIVERY_PAUSE_SECONDS = 0.3  # Zalo waits longer; the test keeps the figures, not the pace


@dataclass
class Tally:
    """What the load saw: when the webhook refused, and how each user ended."""

    refused_at: list[float] = field(default_factory=list)
    transcripts: dict[str, list[str]] = field(default_factory=dict)
    codes_sent: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def seconds_refused(self) -> int:
        """Distinct wall-clock seconds in which some webhook call was refused."""
        return len({int(t) for t in self.refused_at})


def normalise(text: str) -> str:
    """A reply with its digits (codes, masked numbers, times) blanked."""
    return re.sub(r"\d+", "#", text)


def reading(connect: Connect, action: Callable[[redis.Redis], object]) -> object:
    """action on a fresh client, again and again while Redis is away (bounded)."""
    deadline = time.monotonic() + REPLY_WAIT_SECONDS
    while True:
        try:
            return action(connect())
        except redis.RedisError:
            assert time.monotonic() < deadline, "Redis stayed away"
            time.sleep(0.2)


class User:
    """One Zalo user and their phone."""

    def __init__(self, uid: str, phone_local: str, webs: list[str], connect: Connect) -> None:
        self.uid, self.local, self.webs, self.connect = uid, phone_local, webs, connect
        self.phone = "+84" + phone_local[1:]
        self.sent = 0

    def post(self, text: str, timestamp_ms: int, tally: Tally) -> None:
        """Deliver one event until a web process answers 200 (redelivering as Zalo does)."""
        body = encode_event(text_event(self.uid, text, timestamp=str(timestamp_ms)))
        while True:
            web = self.webs[self.sent % len(self.webs)]
            self.sent += 1
            request = urllib.request.Request(
                f"{web}/webhook", data=body, headers=signed_headers(body), method="POST"
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            with tally.lock:
                tally.refused_at.append(time.time())
            time.sleep(REDELIVERY_PAUSE_SECONDS)

    def replies(self) -> list[str]:
        """Every text the bot sent this user so far."""
        key = sandbox_chat_key(UserRef(OA_ID, self.uid))
        lines = reading(self.connect, lambda c: c.lrange(key, 0, -1))
        decoded = [json.loads(line) for line in lines]  # type: ignore[attr-defined]
        return [d["payload"].get("text", d["kind"]) for d in decoded if d["from"] == "bot"]

    def codes(self) -> list[str]:
        """The codes that reached the phone."""
        items = reading(self.connect, lambda c: c.lrange(phone_inbox_key(self.phone), 0, -1))
        texts = [json.loads(item)["text"] for item in items]  # type: ignore[attr-defined]
        return [m for t in texts for m in re.findall(r"(?<!\d)\d{6}(?!\d)", t)]

    def wait(self, condition: Callable[[], bool]) -> bool:
        """A bounded wait; False when it ran out."""
        deadline = time.monotonic() + REPLY_WAIT_SECONDS
        while not condition():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True

    def run(self, tally: Tally, expected_replies: int) -> None:
        """The whole dialogue; the transcript is recorded whatever happens."""
        try:
            now = int(time.time() * 1000)
            for step, text in enumerate(["xác thực", self.local, "1"]):
                self.post(text, now + step, tally)
            if self.wait(lambda: bool(self.codes())):
                code = self.codes()[-1]
                remember(code)
                self.post(code, now + 10, tally)
                self.wait(lambda: any("thành công" in r for r in self.replies()))
                before = len(self.replies())
                self.post("trạng thái", now + 20, tally)
                self.wait(lambda: len(self.replies()) > before)
            self.wait(lambda: len(self.replies()) >= expected_replies)
            time.sleep(0.5)  # a duplicate would show up in this moment
        finally:
            with tally.lock:
                tally.transcripts[self.uid] = [normalise(r) for r in self.replies()]
                tally.codes_sent[self.uid] = len(self.codes())


def phone_of(index: int) -> str:
    """A distinct valid VN mobile number (local form) per user."""
    return f"0912{index:06d}"


def run_users(users: list[User], expected_replies: int, tally: Tally) -> list[threading.Thread]:
    """Start every user's dialogue in a thread."""
    threads = [threading.Thread(target=u.run, args=(tally, expected_replies)) for u in users]
    for thread in threads:
        thread.start()
    return threads


@dataclass
class Figures:
    """The verdict on a loaded run, against the reference transcript."""

    seconds_503: int
    lost: int
    duplicated: int
    misordered: int
    duplicate_codes: int

    def line(self) -> str:
        """One line for the README."""
        return (
            f"seconds of 503s: {self.seconds_503}; events answered 200 then lost: {self.lost}; "
            f"duplicated effects: {self.duplicated} replies, {self.duplicate_codes} codes; "
            f"order broken: {self.misordered}"
        )


def judge(tally: Tally, reference: list[str]) -> Figures:
    """Compare every transcript with the reference."""
    lost = dup = order = 0
    for transcript in tally.transcripts.values():
        lost += max(0, len(reference) - len(transcript))
        dup += max(0, len(transcript) - len(reference))
        shared = min(len(reference), len(transcript))
        order += int(transcript[:shared] != reference[:shared])
    codes = sum(max(0, n - 1) for n in tally.codes_sent.values())
    return Figures(tally.seconds_refused(), lost, dup, order, codes)


def reference_transcript(webs: list[str], connect: Connect) -> list[str]:
    """The dialogue of one user alone, before any fault: what every user must see."""
    tally = Tally()
    User("reference", phone_of(999), webs, connect).run(tally, expected_replies=0)
    transcript = tally.transcripts["reference"]
    assert any("th\u00e0nh c\u00f4ng" in line for line in transcript), transcript
    return transcript


def differing(tally: Tally, reference: list[str]) -> dict[str, list[str]]:
    """The transcripts that differ from the reference, with the reference (for a failure)."""
    found = {u: t for u, t in tally.transcripts.items() if t != reference}
    return {"reference": reference, **found} if found else {}
