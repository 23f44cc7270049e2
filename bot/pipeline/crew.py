"""What runs beside the main RQ worker in the worker process: the stage runners, helper
workers and the sweeper.

Each stage (codes, events, messages) has a runner of its own, so codes never wait behind
replies and a slow SMS gateway holds up nobody's replies. A SimpleWorker runs one job at a
time, so the main worker (signals, scheduler, every queue) also gets helpers, one per stage
queue, for the retried jobs of single users and the stage jobs the sweeper starts.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask
from rq.job import Job
from rq.queue import Queue
from rq.timeouts import TimerDeathPenalty

from bot.connections import QUEUE_CODES, QUEUE_EVENTS, QUEUE_MESSAGES
from bot.pipeline.codes import CODES
from bot.pipeline.cooperative import CooperativeSignalsMixin
from bot.pipeline.delivery import MESSAGES
from bot.pipeline.processing import EVENTS
from bot.pipeline.runner import Runner, Stage
from bot.pipeline.sweeper import SWEEP_INTERVAL_SECONDS, sweep
from bot.pipeline.worker import BotSimpleWorker, make_worker
from bot.services import services_of

log = logging.getLogger(__name__)

# Helpers run the RQ jobs of each stage (retries of one user's work, and stage jobs when no
# runner took a due user), so none waits behind another kind.
HELPERS = ((QUEUE_CODES,), (QUEUE_EVENTS,), (QUEUE_MESSAGES,))
# Each stage has a runner of its own, so codes, events and replies never wait on each other.
STAGES = (CODES, EVENTS, MESSAGES)
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


class CrewedWorker(CooperativeSignalsMixin, BotSimpleWorker):
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
    """The stage runners, the helper workers and the sweeper of one worker process."""

    def __init__(self, app: Flask, helpers: tuple[tuple[str, ...], ...] = HELPERS) -> None:
        self.app = app
        self.stopping = threading.Event()
        self.workers = [
            make_worker(app, simple=True, queue_names=q, cls=HelperWorker) for q in helpers
        ]
        self.threads: list[threading.Thread] = []

    def start(self, **work_options: Any) -> None:
        """Start the stage runners, every helper and the sweeper."""
        for stage in STAGES:
            self.threads.append(self._thread(f"{stage.name}-runner", self.run_stage, stage=stage))
        for n, worker in enumerate(self.workers):
            self.threads.append(self._thread(f"helper-{n}", worker.work, **work_options))
        self.threads.append(self._thread("sweeper", self.sweep_forever))

    def run_stage(self, stage: Stage) -> None:
        """Serve one stage until stopped, in a pool of its own, inside the app context."""
        services = services_of(self.app)
        pool = ThreadPoolExecutor(stage.threads, thread_name_prefix=stage.name)
        with self.app.app_context():
            Runner(services, stage, pool).run_forever(self.stopping)
        pool.shutdown(wait=True)

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
