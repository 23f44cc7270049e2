"""RQ's scheduler, made to outlive Redis outages and to take free locks within seconds.

It runs in a thread (a greenlet, bot.worker.gevent_patch) of the worker's own process, so it
lives and dies with the worker: a worker killed by `kill -9` leaves no scheduler behind.

RQ 3.0's scheduler dies on the first Redis error, and a worker whose scheduler could not
take the locks at start (a dead worker's lock lasts 61 s) tries again only at its 10-minute
maintenance: delayed retries then sat overdue for minutes. This one waits an outage out, and
looks for free locks every few seconds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import redis
from rq.scheduler import RQScheduler

from bot.redis_client import OUTAGE_ERRORS, wait_for_redis

log = logging.getLogger(__name__)
# A lock left by a dead scheduler expires after 61 s; a standby looks this often.
REACQUIRE_SECONDS = 5
PR_SET_PDEATHSIG = 1


class ResilientScheduler(RQScheduler):
    """A scheduler process that waits outages out and takes free locks within seconds."""

    connect: Callable[[], redis.Redis] | None = None
    _born = False

    def start(self) -> Any:
        """Start the scheduler in a thread of this process (RQ would fork one)."""
        self._status = self.Status.STARTED
        thread = threading.Thread(target=self.work, name="scheduler", daemon=True)
        thread.start()
        state: Any = self  # RQ declares _process as a process; is_alive() is all it asks of it
        state._process = thread
        return thread

    def stop_thread(self, wait_seconds: float) -> None:
        """Ask the scheduler to stop (it releases its locks) and wait for it."""
        self._stop_requested = True
        thread: Any = self._process
        if thread is not None:
            thread.join(wait_seconds)

    @classmethod
    def for_worker(cls, worker: Any, *args: Any) -> ResilientScheduler:
        """The scheduler of worker's queues (args: RQ's logging level, date and log format)."""
        names = ("logging_level", "date_format", "log_format")
        options = {k: v for k, v in zip(names, args, strict=False) if v is not None}
        scheduler = cls(worker.queues, connection=worker.connection, serializer=worker.serializer,
                        **options)  # fmt: skip
        scheduler.connect = getattr(worker, "connect", None)
        return scheduler

    @property
    def connection(self) -> redis.Redis:
        """A client of this process, built by the worker's factory (Sentinel-aware) if any."""
        state: Any = self  # RQ declares _connection as None: it is None or a client
        if state._connection is None:
            state._connection = self.connect() if self.connect else super().connection
        client: redis.Redis = state._connection
        return client

    @property
    def should_reacquire_locks(self) -> bool:
        """Whether to try for the locks not held: every few seconds, not every 10 minutes."""
        if self._queue_names == self.acquired_locks:
            return False
        acquired_at: datetime | None = getattr(self, "lock_acquisition_time", None)
        if acquired_at is None:
            return True
        elapsed = (datetime.now() - acquired_at).total_seconds()
        return bool(elapsed > REACQUIRE_SECONDS)

    def acquire_locks(self, auto_start: bool = False) -> set[str]:
        """Take the free locks; with auto_start, (re)start the thread even with none (it
        stands by and takes them when they come free)."""
        got: set[str] = super().acquire_locks(auto_start=False)
        process: Any = self._process
        if auto_start and (process is None or not process.is_alive()):
            self.start()
        return got

    def step(self) -> None:
        """One round: register, take free locks, heartbeat, move due jobs to their queues."""
        if not self._born:
            self.register_birth()
            self._born = True
        if self.should_reacquire_locks:
            self.acquire_locks()
        self.heartbeat()
        self.enqueue_scheduled_jobs()

    def work(self) -> None:
        """Schedule until asked to stop; an outage is waited out, then the locks looked for."""
        while not self._stop_requested:
            try:
                self.step()
            except OUTAGE_ERRORS as exc:
                log.warning("scheduler lost Redis (%s); waiting for it", type(exc).__name__)
                self._born, self.lock_acquisition_time = False, None
                wait_for_redis(self.connection, lambda: self._stop_requested)
                continue
            time.sleep(self.interval)
        try:
            self.stop()
        except OUTAGE_ERRORS:
            log.warning("scheduler stopped without Redis: its locks expire by themselves")
