"""RQ's worker on gevent (bot.worker.gevent_patch): job timeouts and signals for greenlets.

RQ times jobs out with SIGALRM or by raising into an OS thread, and stops on SIGTERM from a
Python signal handler. On gevent every greenlet shares the main OS thread, so either would
raise in whichever greenlet happens to run (a sender, a runner). Here a timeout is raised in
the job's own greenlet, and a signal is handled in a greenlet of its own that tells the
work loop.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
from typing import Any

import gevent
import redis
from gevent import monkey
from rq.exceptions import StopRequested
from rq.timeouts import BaseDeathPenalty

log = logging.getLogger(__name__)


def cooperative() -> bool:
    """Whether this process runs on gevent (its threads are greenlets)."""
    return bool(monkey.is_module_patched("threading"))


class GreenletDeathPenalty(BaseDeathPenalty):
    """RQ's job timeout, raised in the greenlet that runs the job."""

    _timer: gevent.Timeout | None = None

    def setup_death_penalty(self) -> None:
        """Start the timeout (none when the timeout is not positive)."""
        if self._timeout <= 0:
            return
        message = f"Task exceeded maximum timeout value ({self._timeout} seconds)"
        self._timer = gevent.Timeout(self._timeout, self._exception(message))
        self._timer.start()

    def cancel_death_penalty(self) -> None:
        """Stop the timeout."""
        if self._timer is not None:
            self._timer.close()
            self._timer = None


class CooperativeSignalsMixin:
    """For the process's main worker: SIGTERM asks for a warm shutdown (the current jobs
    finish), a second one or SIGINT for a cold one, as RQ does with threads."""

    def _install_signal_handlers(self) -> None:
        """gevent's signal handlers on gevent, RQ's own otherwise."""
        if not cooperative():
            super()._install_signal_handlers()  # type: ignore[misc]
            return
        main = gevent.getcurrent()
        gevent.signal_handler(signal.SIGTERM, self._on_signal, main, signal.SIGTERM)
        gevent.signal_handler(signal.SIGINT, self._on_signal, main, signal.SIGINT)

    def _on_signal(self, main: Any, signum: int) -> None:
        """Warm shutdown first; cold on a repeat or on SIGINT. Runs in a greenlet of its own."""
        worker: Any = self
        if not redis_answers(worker.connection):
            stop_now(worker, signum)
        if signum == signal.SIGINT or worker._stop_requested:
            log.warning("cold shut down (signal %d)", signum)
            gevent.kill(main, SystemExit(1))
            return
        worker.handle_warm_shutdown_request()
        try:
            worker._shutdown()  # RQ: busy, a flag for after the job; idle, StopRequested
        except StopRequested as exc:
            gevent.kill(main, exc)


def redis_answers(client: redis.Redis) -> bool:
    """One PING, no retry: whether a job could still record what it did."""
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


def stop_now(worker: Any, signum: int) -> None:
    """Redis is gone: no job can finish (each ends by writing to Redis), and RQ's warm
    shutdown would wait in its reconnect loops for a Redis that may never come back (a
    `make run` whose embedded Redis is gone). Stop the scheduler if it is a child, and exit."""
    log.warning("stopping now (signal %d): Redis is unreachable, no job can finish", signum)
    scheduler = getattr(getattr(worker, "scheduler", None), "_process", None)
    pid = getattr(scheduler, "pid", None)  # a thread on gevent, a process otherwise
    if isinstance(pid, int):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    logging.shutdown()
    os._exit(0)
