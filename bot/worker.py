"""The RQ worker process: jobs run inside the bot's app context (`python -m bot.worker`)."""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask
from prometheus_client import start_http_server
from rq import SimpleWorker, Worker
from rq.job import Job
from rq.queue import Queue
from rq.worker import BaseWorker

from bot.context_ids import set_correlation_id
from bot.metrics import JOB_FAILURES
from bot.scheduler import ParentBoundSchedulerMixin
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


class BotWorker(AppContextMixin, ParentBoundSchedulerMixin, Worker):
    """Forking worker: each job in a child process, a crash cannot take the worker down."""


class BotSimpleWorker(AppContextMixin, ParentBoundSchedulerMixin, SimpleWorker):
    """In-process worker: no fork per job, several times the throughput."""


def make_worker(app: Flask, simple: bool = False, **kwargs: Any) -> BaseWorker:
    """A worker on the bot's queues (priority order), bound to app."""
    services = services_of(app)
    cls: type[BotSimpleWorker | BotWorker] = BotSimpleWorker if simple else BotWorker
    queues = [services.queue(name) for name in QUEUE_NAMES]
    worker = cls(queues, connection=services.redis, **kwargs)
    worker.app = app
    worker.push_exc_handler(count_failure)  # type: ignore[no-untyped-call]
    return worker


def count_failure(job: Job, *exc_info: Any) -> bool:
    """Count a failed attempt by job function; True lets RQ's own handling go on."""
    JOB_FAILURES.labels((job.func_name or "?").rsplit(".", 1)[-1]).inc()
    return True


def main() -> None:
    """Entry point of the Procfile's `worker` process: work forever, scheduler included."""
    from bot import create_app_or_exit

    app = create_app_or_exit()
    simple = services_of(app).settings.worker_class == "simple"
    worker = make_worker(app, simple=simple)
    port = os.environ.get("WORKER_METRICS_PORT")
    if port:  # when the worker runs on another host than the web process
        start_http_server(int(port))
    log.info("worker starting on queues %s", ", ".join(QUEUE_NAMES))
    worker.work(with_scheduler=True, logging_level=logging.getLevelName(log.getEffectiveLevel()))


if __name__ == "__main__":
    main()
