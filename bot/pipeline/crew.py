"""Several RQ workers in one worker process, one per kind of work, and the sweeper.

A SimpleWorker runs one job at a time: a code stuck on a 10-second SMS gateway would hold up
every reply behind it. So the process's main worker (signals, scheduler, every queue) gets
helpers in threads: one that only processes events, one that only delivers replies, and a
few that only send codes, which therefore never wait behind replies.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask
from rq.job import Job
from rq.queue import Queue
from rq.timeouts import TimerDeathPenalty

from bot.pipeline.sweeper import SWEEP_INTERVAL_SECONDS, sweep
from bot.pipeline.worker import BotSimpleWorker, make_worker
from bot.services import QUEUE_CODES, QUEUE_EVENTS, QUEUE_MESSAGES, services_of

log = logging.getLogger(__name__)

HELPERS = ((QUEUE_EVENTS,), (QUEUE_MESSAGES,), *[(QUEUE_CODES,)] * 4)
# An idle helper looks at its stop flag this often (RQ's blocking dequeue does not).
STOP_POLL_SECONDS = 2
STOP_WAIT_SECONDS = 30.0


class HelperWorker(BotSimpleWorker):
    """A SimpleWorker in a thread: signals and remote commands go to the main worker."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self) -> None:
        """Signals reach the main thread only; the crew stops helpers by their flag."""

    def subscribe(self) -> None:
        """Remote commands are the main worker's."""

    def unsubscribe(self) -> None:
        """Nothing to unsubscribe from."""

    def dequeue_job_and_maintain_ttl(
        self, timeout: int | None, max_idle_time: int | None = None
    ) -> tuple[Job, Queue] | None:
        """Wait for a job in short slices, so that a stop request is seen while idle."""
        while not self._stop_requested:
            found: tuple[Job, Queue] | None = super().dequeue_job_and_maintain_ttl(
                timeout, max_idle_time=STOP_POLL_SECONDS
            )
            if found is not None:
                return found
        return None


class CrewedWorker(BotSimpleWorker):
    """The process's main worker: starts its crew once the scheduler is forked, stops it at
    teardown.

    The order matters: a child forked while helpers wait in BLMOVE inherits their sockets,
    and if this process is then SIGKILLed, the orphaned scheduler keeps them open and Redis
    hands the next jobs to the dead waits.
    """

    crew: Crew | None = None

    def _start_scheduler(self, *args: Any, **kwargs: Any) -> None:
        """Fork the scheduler (RQ), then start the helpers."""
        super()._start_scheduler(*args, **kwargs)
        self.crew = Crew(self.app)
        self.crew.start(logging_level=logging.getLevelName(self.log.getEffectiveLevel()))

    def teardown(self) -> None:
        """Let the helpers finish their jobs, then RQ's own teardown."""
        if self.crew is not None:
            self.crew.stop()
        super().teardown()  # type: ignore[no-untyped-call]


class Crew:
    """The helper workers and the sweeper of one worker process, in threads."""

    def __init__(self, app: Flask, helpers: tuple[tuple[str, ...], ...] = HELPERS) -> None:
        self.app = app
        self.stopping = threading.Event()
        self.workers = [
            make_worker(app, simple=True, queue_names=q, cls=HelperWorker) for q in helpers
        ]
        self.threads: list[threading.Thread] = []

    def start(self, **work_options: Any) -> None:
        """Start every helper and the sweeper."""
        for n, worker in enumerate(self.workers):
            self.threads.append(self._thread(f"helper-{n}", worker.work, **work_options))
        self.threads.append(self._thread("sweeper", self.sweep_forever))

    def _thread(self, name: str, target: Any, **kwargs: Any) -> threading.Thread:
        """A started daemon thread (a SIGKILLed process must not wait for it)."""
        thread = threading.Thread(target=target, kwargs=kwargs, name=name, daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        """Let every helper finish its job (warm shutdown), then wait for them."""
        self.stopping.set()
        for worker in self.workers:
            worker._stop_requested = True
        for thread in self.threads:
            thread.join(STOP_WAIT_SECONDS)

    def sweep_forever(self) -> None:
        """Sweep every few seconds until stopped; a failed sweep (Redis away) is retried."""
        services = services_of(self.app)
        while not self.stopping.wait(SWEEP_INTERVAL_SECONDS):
            try:
                with self.app.app_context():
                    sweep(services)
            except Exception as exc:  # Redis restarting: the next round tries again
                log.warning("sweep failed: %s", exc)
