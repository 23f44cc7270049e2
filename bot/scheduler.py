"""RQ's scheduler, made to exit when the worker that forked it dies (even by SIGKILL).

RQ forks its scheduler from the worker and never tells it when the worker is gone: an
orphaned scheduler would go on holding the `rq:scheduler-lock:*` keys and moving due jobs
to queues no worker serves. Here the child asks Linux for SIGTERM on its parent's death
(RQ's scheduler stops on SIGTERM and releases its locks), and every heartbeat checks that
its parent is still the worker, as a fallback where prctl is not available.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
from typing import Any

from rq.defaults import DEFAULT_LOGGING_DATE_FORMAT, DEFAULT_LOGGING_FORMAT
from rq.scheduler import RQScheduler

log = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1


def term_on_parent_death() -> None:
    """Ask Linux for SIGTERM when our parent dies (a no-op elsewhere)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class ParentBoundScheduler(RQScheduler):
    """An RQScheduler whose forked process stops once the worker that started it is gone."""

    parent_pid: int | None = None  # the worker's pid, once it has forked the scheduler

    def start(self) -> Any:
        """Fork the scheduler process, remembering who its parent is."""
        self.parent_pid = os.getpid()
        return super().start()

    def work(self) -> None:
        """In the forked process: stop on the parent's death, then schedule as RQ does."""
        self._install_signal_handlers()  # before the request for SIGTERM, so it stops cleanly
        term_on_parent_death()
        self.stop_if_orphaned()  # the worker may have died before the request was made
        super().work()

    def heartbeat(self) -> None:
        """RQ's heartbeat, after checking that the worker is still there."""
        self.stop_if_orphaned()
        super().heartbeat()

    def orphaned(self) -> bool:
        """Whether this is the forked scheduler and the worker that forked it is gone."""
        forked = self.parent_pid is not None and os.getpid() != self.parent_pid
        return forked and os.getppid() != self.parent_pid

    def stop_if_orphaned(self) -> None:
        """Ask the work loop to stop (releasing the locks) when the worker is gone."""
        if not self._stop_requested and self.orphaned():
            log.warning("worker %s is gone: scheduler %s stops", self.parent_pid, os.getpid())
            self.request_stop()


class ParentBoundSchedulerMixin:
    """For Worker classes: RQ 3.0's _start_scheduler, with a ParentBoundScheduler."""

    scheduler: RQScheduler | None

    def _start_scheduler(
        self,
        burst: bool = False,
        logging_level: str | None = "INFO",
        date_format: str = DEFAULT_LOGGING_DATE_FORMAT,
        log_format: str = DEFAULT_LOGGING_FORMAT,
    ) -> None:
        """Start the scheduler as RQ does (locks, then a forked process), bound to us."""
        worker: Any = self
        self.scheduler = scheduler = ParentBoundScheduler(
            worker.queues,
            connection=worker.connection,
            logging_level=logging_level if logging_level is not None else worker.log.level,
            date_format=date_format,
            log_format=log_format,
            serializer=worker.serializer,
        )
        scheduler.acquire_locks()
        if not scheduler.acquired_locks:
            return
        if not burst:
            scheduler.start()
            return
        try:
            scheduler.register_birth()
            scheduler.enqueue_scheduled_jobs()
        finally:
            scheduler.release_locks()
            scheduler.register_death()
