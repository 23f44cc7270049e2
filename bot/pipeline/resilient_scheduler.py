"""RQ's scheduler, made to outlive Redis outages and to take free locks within seconds.

A worker on gevent (bot.ops.cooperative) runs it in a greenlet of its own process, so it
lives and dies with the worker. A forking worker forks it, as RQ does; that process exits when
the worker dies, even by SIGKILL: it asks Linux for SIGTERM on its parent's death (prctl
PR_SET_PDEATHSIG; RQ's scheduler stops on SIGTERM and releases its locks), and every round
checks its parent, where prctl is not available.

RQ 3.0's scheduler process dies on the first Redis error, and a worker whose scheduler
could not take the locks at start (a dead worker's lock lasts 61 s) tries again only at its
10-minute maintenance: delayed retries then sat overdue for minutes. This one waits an
outage out, and looks for free locks every few seconds.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
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


def term_on_parent_death() -> None:
    """Ask Linux for SIGTERM when our parent dies (a no-op elsewhere)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class ResilientScheduler(RQScheduler):
    """A scheduler process that waits outages out and takes free locks within seconds."""

    connect: Callable[[], redis.Redis] | None = None
    # True: run in a thread (a greenlet) of the worker's process instead of a process.
    in_process = False
    _born = False
    _worker_pid = 0

    def start(self) -> Any:
        """Start the scheduler: in a thread of this process, or forked (noting whose child)."""
        self._worker_pid = os.getpid()
        if not self.in_process:
            return super().start()
        self._status = self.Status.STARTED
        thread = threading.Thread(target=self.work, name="scheduler", daemon=True)
        thread.start()
        state: Any = self  # RQ declares _process as a process; is_alive() is all it asks of it
        state._process = thread
        return thread

    def stop_thread(self, wait_seconds: float) -> None:
        """Ask the in-process scheduler to stop (it releases its locks) and wait for it."""
        self._stop_requested = True
        thread: Any = self._process
        if thread is not None:
            thread.join(wait_seconds)

    def orphaned(self) -> bool:
        """Whether the worker that forked this process has died (a kill -9 leaves us be)."""
        if self.in_process:
            return False
        return bool(self._worker_pid) and os.getppid() != self._worker_pid

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
        """Take the free locks; with auto_start, (re)start the process even with none (it
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
        if not self.in_process:  # signals belong to the worker in its own process
            self._install_signal_handlers()  # before asking for SIGTERM, so it stops cleanly
            term_on_parent_death()
        while not self._stop_requested and not self.orphaned():
            try:
                self.step()
            except OUTAGE_ERRORS as exc:
                log.warning("scheduler lost Redis (%s); waiting for it", type(exc).__name__)
                self._born, self.lock_acquisition_time = False, None
                wait_for_redis(self.connection, lambda: self._stop_requested or self.orphaned())
                continue
            time.sleep(self.interval)
        try:
            self.stop()
        except OUTAGE_ERRORS:
            log.warning("scheduler stopped without Redis: its locks expire by themselves")
