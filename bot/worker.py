"""The RQ worker process: jobs run inside the bot's app context (`python -m bot.worker`)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from rq import SimpleWorker, Worker
from rq.job import Job
from rq.queue import Queue
from rq.worker import BaseWorker

from bot.context_ids import set_correlation_id
from bot.services import QUEUE_NAMES, services_of

log = logging.getLogger(__name__)


class AppContextMixin:
    """Run every job inside app.app_context(), so jobs reach settings and services."""

    app: Flask

    def perform_job(self, job: Job, queue: Queue, *args: Any) -> bool:
        """Perform the job with the app context pushed and the job id on log lines."""
        set_correlation_id(f"job-{job.id}")
        try:
            with self.app.app_context():
                result: bool = super().perform_job(job, queue, *args)  # type: ignore[misc]
        finally:
            set_correlation_id("-")
        return result


class BotWorker(AppContextMixin, Worker):
    """Forking worker: each job in a child process, a crash cannot take the worker down."""


class BotSimpleWorker(AppContextMixin, SimpleWorker):
    """In-process worker: no fork per job, several times the throughput."""


def make_worker(app: Flask, simple: bool = False, **kwargs: Any) -> BaseWorker:
    """A worker on the bot's queues (priority order), bound to app."""
    services = services_of(app)
    cls: type[BotSimpleWorker | BotWorker] = BotSimpleWorker if simple else BotWorker
    queues = [services.queue(name) for name in QUEUE_NAMES]
    worker = cls(queues, connection=services.redis, **kwargs)
    worker.app = app
    return worker


def main() -> None:
    """Entry point of the Procfile's `worker` process: work forever, scheduler included."""
    from bot import create_app_or_exit

    app = create_app_or_exit()
    simple = services_of(app).settings.worker_class == "simple"
    worker = make_worker(app, simple=simple)
    log.info("worker starting on queues %s", ", ".join(QUEUE_NAMES))
    worker.work(with_scheduler=True, logging_level=logging.getLevelName(log.getEffectiveLevel()))


if __name__ == "__main__":
    main()
