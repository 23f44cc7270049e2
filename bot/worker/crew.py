"""What runs beside the RQ worker in the worker process: the stage runners and the sweeper.

Each stage (codes, events, messages) has a runner of its own, so codes never wait behind
replies and a slow SMS gateway holds up nobody's replies. The stages have no other engine:
the RQ worker itself runs only the background jobs (portal callbacks, unlinks, a Zalo code's
delivery check, data requests).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask

from bot.services import Services, services_of
from bot.worker.code_sending import CODES
from bot.worker.delivery import MESSAGES
from bot.worker.gevent_rq import CooperativeSignalsMixin
from bot.worker.handoff import register, unregister
from bot.worker.processing import EVENTS
from bot.worker.rq_jobs import BotSimpleWorker, make_worker
from bot.worker.runner import Pool, Runner, Stage
from bot.worker.sweeper import SWEEP_INTERVAL_SECONDS, sweep

log = logging.getLogger(__name__)

# Each stage has a runner of its own, so codes, events and replies never wait on each other.
STAGES = (CODES, EVENTS, MESSAGES)
STOP_WAIT_SECONDS = 30.0


class CrewedWorker(CooperativeSignalsMixin, BotSimpleWorker):
    """The process's RQ worker: starts its crew once the scheduler is started, stops it at
    teardown."""

    crew: Crew | None = None

    def _start_scheduler(self, *args: Any, **kwargs: Any) -> None:
        """Start the scheduler (RQ), then the crew."""
        super()._start_scheduler(*args, **kwargs)
        self.crew = Crew(self.app)
        self.crew.start()

    def teardown(self) -> None:
        """Let the runners finish their users, then RQ's own teardown."""
        if self.crew is not None:
            self.crew.stop()
        super().teardown()  # type: ignore[no-untyped-call]


class Crew:
    """The stage runners and the sweeper of one worker process."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start the stage runners and the sweeper."""
        for stage in STAGES:
            self.threads.append(self._thread(f"{stage.name}-runner", self.run_stage, stage=stage))
        self.threads.append(self._thread("sweeper", self.sweep_forever))

    def run_stage(self, stage: Stage) -> None:
        """Serve one stage until stopped, in a pool of its own, inside the app context."""
        services = services_of(self.app)
        pool = Pool(stage.threads, stage.name)
        runner = Runner(services, stage, pool)
        register(runner)  # the events stage hands users of this stage to it (bot.worker.handoff)
        try:
            with self.app.app_context():
                runner.run_forever(self.stopping)
        finally:
            unregister(runner)
        pool.shutdown()

    def _thread(self, name: str, target: Any, **kwargs: Any) -> threading.Thread:
        """A started daemon thread (a SIGKILLed process must not wait for it)."""
        thread = threading.Thread(target=target, kwargs=kwargs, name=name, daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        """Let every runner finish the users it serves, then wait for them."""
        self.stopping.set()
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


def serve_due(app: Flask) -> int:
    """Serve every user due now at each stage, in this thread; how many items (the chat CLI's
    worker, and tests). Stages in priority order, back to the first after each that had work:
    a code queued by an event goes out before that event's replies, as with the runners."""
    services = services_of(app)
    total = 0
    with app.app_context():
        while served := serve_first(services):
            total += served
    return total


def serve_first(services: Services) -> int:
    """Serve the first stage, in priority order, that has users due; the items (0: none due)."""
    for stage in STAGES:
        if served := Runner(services, stage).serve_due():
            return served
    return 0


def work_until_idle(app: Flask, max_rounds: int = 20) -> None:
    """The due users of each stage, then the queued background jobs (an RQ worker in burst
    mode), round after round until neither finds work (the chat CLI's in-process worker)."""
    for _ in range(max_rounds):
        served = serve_due(app)
        worker = make_worker(app)
        if not worker.work(burst=True, logging_level="WARNING") and not served:
            return
