"""Serve the due users of one stage (events, messages, codes) from a pool of threads.

A runner claims as many due users as it has free threads, serves each in one thread (each
user's items in order, under their lock), and when nobody is due waits on the stage's wake
list for an arrival instead of polling. The worker process keeps one runner per stage for as
long as it lives (bot.worker.crew): the stages have no other engine. `serve_due` serves
whoever is due now, inline, and returns (the chat CLI's worker, tests). The events stage
may also hand a user it just queued replies or codes for straight to this process's runner of
that stage (hand_off(), bot.worker.handoff): no claim, no wake-up.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.keys import UserRef
from bot.queues.ready import ReadySet, Taken
from bot.queues.serial import UNRECORDED, Drained, TakeSpec
from bot.redis_client import OUTAGE_ERRORS, wait_for_redis
from bot.services import Services

log = logging.getLogger(__name__)

# Longest wait on the wake list: a lease that ran out (a lost worker's users) is due again
# without any arrival, and this is how soon an idle runner looks.
WAKE_WAIT_SECONDS = 1.0
# Once Redis answers after an outage, claims wait this long: every process's lease keeper
# (retrying every 0.1 s) first takes back the locks of work still under way that ran out
# while Redis was away, so that no runner claims a user another worker is still serving.
AFTER_OUTAGE_SECONDS = 0.5
# Users claimed at a time by a one-thread stage, served one after the other.
INLINE_CLAIM = 16
# Every thread kept for a user being handed over and none serving yet: they start in a moment.
KEPT_WAIT_SECONDS = 0.005
# Woken by the first user served, a runner waits this long (under gevent: one turn of the
# event loop) before it claims, so that users served in the same moment free their threads
# too and one claim (a Redis round trip) fills them all.
SETTLE_SECONDS = 0.0001


@dataclass(frozen=True)
class Stage:
    """What a runner needs to know of one stage."""

    name: str
    # Serve one claimed user, going on from their lock and first batch taken in the claim
    # (None: take them itself); returns items handled. Failures of the user's own make the
    # user due again later (a retry) inside; only outages escape.
    serve: Callable[[Services, UserRef, Drained | None], int]
    threads: int
    # What a claim takes of each user: their lock, first batch and extra reads. The lease in
    # the ready set lasts as long as the lock: a lost claim frees both at once.
    take: TakeSpec


class Pool:
    """A fixed set of long-lived daemon threads running the calls put on their queue.

    Cheaper than a ThreadPoolExecutor (no Future per call, no thread-count upkeep per submit):
    a runner learns of its finished users from serve_kept(), not from futures.
    """

    def __init__(self, size: int, name: str) -> None:
        self.calls: queue.SimpleQueue[tuple[Callable[..., object], tuple[Any, ...]] | None] = (
            queue.SimpleQueue()
        )
        self.threads = [
            threading.Thread(target=self.work, name=f"{name}_{n}", daemon=True) for n in range(size)
        ]
        for thread in self.threads:
            thread.start()

    def submit(self, call: Callable[..., object], *args: Any) -> None:
        """Run call(*args) in the first free thread."""
        self.calls.put((call, args))

    def work(self) -> None:
        """Run the queued calls until shut down (a call must not raise: serve_kept() does not)."""
        while (queued := self.calls.get()) is not None:
            call, args = queued
            call(*args)

    def shutdown(self) -> None:
        """Let the threads finish the calls queued, then end them."""
        for _ in self.threads:
            self.calls.put(None)
        for thread in self.threads:
            thread.join()


class Runner:
    """Claims due users of one stage and serves them in a pool (or inline, one by one)."""

    def __init__(self, services: Services, stage: Stage, pool: Pool | None = None) -> None:
        self.services = services
        self.stage = stage
        self.pool = pool
        self.ready = ReadySet(services.redis, stage.name)
        # Shared with the threads that hand users over (hand_off()) and the pool's threads,
        # which say here when a user is served.
        self.guard = threading.Condition(threading.Lock())
        self.running = 0  # users started in the pool, not yet served
        self.finished: list[int] = []  # items of each user served in the pool, not yet counted
        self.outage: BaseException | None = None  # one that cut a pool thread short, to raise
        self.busy = 0  # pool threads serving a user, or kept for one about to start
        self.closed = False  # stopped: nothing more starts in the pool
        self.served = 0
        # Users whose serving an outage cut short: given back once Redis answers.
        self.interrupted: list[Taken] = []

    def serve_due(self) -> int:
        """Serve until nobody is due now, then return the count (an outage is raised once Redis
        answers again, the users it cut short given back)."""
        try:
            while self.claim_and_start(self.room()):
                self.collect(timeout=None, every=True)
        except OUTAGE_ERRORS:
            wait_for_redis(self.services.redis)
            time.sleep(AFTER_OUTAGE_SECONDS)
            self.give_back()
            raise
        return self.served

    def run_forever(self, stop: threading.Event) -> None:
        """Serve until stop is set; outages are waited out."""
        while not stop.is_set():
            try:
                self.round()
                self.give_back()
            except OUTAGE_ERRORS as exc:
                log.warning("%s runner lost Redis (%s); waiting", self.stage.name, exc)
                wait_for_redis(self.services.redis, stop.is_set)
                stop.wait(AFTER_OUTAGE_SECONDS)
        with self.guard:
            self.closed = True
        self.collect(timeout=None, every=True)

    def give_back(self) -> None:
        """Release the users an outage cut short (their locks, if still ours) and make them
        due now: nobody waits out a lease because Redis went away (a failover, a restart)."""
        UNRECORDED.settle()  # first: what was sent is not sent again
        if self.interrupted:
            self.ready.give_back(self.interrupted, self.stage.take.lock)
            self.interrupted = []

    def round(self) -> None:
        """Claim for the free threads; wait for a thread or for an arrival when none is due."""
        self.collect(timeout=0)
        room = self.room()
        if room == 0:
            self.collect(timeout=WAKE_WAIT_SECONDS)
            time.sleep(SETTLE_SECONDS)
            return
        if len(self.claim_and_start(room)) < room:  # nobody else is due now
            self.ready.wait_for_arrival(WAKE_WAIT_SECONDS)

    def room(self) -> int:
        """How many users to claim now: one per free thread, kept for them (inline: a batch,
        served in turn)."""
        return INLINE_CLAIM if self.pool is None else self.book(self.stage.threads)

    def book(self, wanted: int) -> int:
        """Keep up to wanted free pool threads for users about to start; how many (none once
        stopped). A kept thread is freed by unbook() or when its user is served."""
        with self.guard:
            kept = 0 if self.closed else max(0, min(wanted, self.stage.threads - self.busy))
            self.busy += kept
            return kept

    def unbook(self, count: int) -> None:
        """Free pool threads kept for users that did not come."""
        with self.guard:
            self.busy -= count

    def claim_and_start(self, room: int) -> list[Taken]:
        """Claim up to room users and start serving them; the threads kept for more are freed."""
        users: list[Taken] = []
        try:
            users = self.claim(room)
        finally:
            if self.pool is not None:
                self.unbook(room - len(users))
        self.start(users)
        return users

    def claim(self, limit: int) -> list[Taken]:
        """Up to limit due users, leased, each with their lock and first batch."""
        stage = self.stage
        if len(UNRECORDED):  # sent before an outage, not yet removed: not to be claimed again
            UNRECORDED.settle()
        return self.ready.take(limit, stage.take.ttl_ms, stage.take)

    def start(self, users: list[Taken]) -> None:
        """Serve each user: in the pool, or inline when there is none."""
        for n, taken in enumerate(users):
            if self.pool is not None:
                self.submit(taken)
                continue
            try:
                self.served += self.serve(taken)
            except OUTAGE_ERRORS:
                self.interrupted += users[n + 1 :]  # claimed, never started: theirs to give back
                raise

    def submit(self, taken: Taken) -> bool:
        """Serve a user in the pool, on a thread kept for them (book()); False once stopped."""
        with self.guard:
            if self.closed or self.pool is None:
                return False
            self.running += 1
        self.pool.submit(self.serve_kept, taken)
        return True

    def hand_off(self, taken: Taken) -> None:
        """Serve a user another thread of this process took for this stage (its lock, lease
        and first batch, bot.worker.handoff) as if claimed here, on a thread book() kept;
        once stopped, give them back (due now to any runner)."""
        if self.submit(taken):
            return
        self.unbook(1)
        try:
            self.ready.give_back([taken], self.stage.take.lock)
        except OUTAGE_ERRORS:  # their lease runs out instead, and they are due again
            log.warning("%s runner could not give back a user handed over", self.stage.name)

    def serve_kept(self, taken: Taken) -> None:
        """serve() in a pool thread; its thread freed and its count (or outage) left for
        collect() once done. Anything but an outage is a bug: logged here, counted 0."""
        count = 0
        outage = None
        try:
            count = self.serve(taken)
        except OUTAGE_ERRORS as exc:
            outage = exc
        except Exception:  # serve() retries a user's own failures
            log.exception("%s runner: serving a user failed", self.stage.name)
        finally:
            with self.guard:
                self.busy -= 1
                self.running -= 1
                self.finished.append(count)
                self.outage = self.outage or outage
                self.guard.notify_all()

    def serve(self, taken: Taken) -> int:
        """Serve one claimed user; an outage leaves them to give_back()."""
        try:
            return self.stage.serve(self.services, taken.user, taken.drained)
        except OUTAGE_ERRORS:
            self.interrupted.append(taken)
            raise

    def collect(self, timeout: float | None, every: bool = False) -> None:
        """Count the finished users (waiting up to timeout for one, or for all if every); an
        outage in a pool thread is raised here, once."""
        with self.guard:
            if self.running and timeout != 0:
                self.guard.wait_for(self.all_done if every else self.one_done, timeout)
            finished, self.finished = self.finished, []
            outage, self.outage = self.outage, None
            idle = not self.running
        self.served += sum(finished)
        if outage is not None:
            raise outage
        if timeout and idle and not finished:  # every thread kept for a hand-off: not a loop
            time.sleep(KEPT_WAIT_SECONDS)  # that starves them

    def one_done(self) -> bool:
        """A user served since the last count (under the guard)."""
        return bool(self.finished)

    def all_done(self) -> bool:
        """Nobody left serving in the pool (under the guard)."""
        return not self.running
