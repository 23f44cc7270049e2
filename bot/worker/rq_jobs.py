"""How background jobs run: an RQ worker on the bot's queues, each job inside the app context."""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from typing import Any, cast

from flask import Flask
from redis.client import PubSubWorkerThread
from rq import SimpleWorker
from rq.job import Job
from rq.queue import Queue
from rq.worker import BaseWorker

from bot.connections import QUEUE_NAMES
from bot.logs import set_correlation_id
from bot.metrics import JOB_FAILURES
from bot.redis_client import connect_redis
from bot.services import services_of
from bot.worker.gevent_rq import GreenletDeathPenalty, cooperative
from bot.worker.outages import OutageTolerantMixin

log = logging.getLogger(__name__)
# How long a stopping worker waits for RQ's pub/sub thread (RQ's own join waited as long).
UNSUBSCRIBE_WAIT_SECONDS = 1.0


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


class BotSimpleWorker(AppContextMixin, OutageTolerantMixin, SimpleWorker):
    """In-process worker: no fork per job (the process runs the stage runners beside it)."""

    def unsubscribe(self) -> None:
        """RQ's own, with the wait for the pub/sub thread bounded: redis-py 8.2's stop() joins
        it, and a thread that polled once more after the UNSUBSCRIBE waits out RQ's 60 s
        for a subscription that never comes (a stop, a deploy, held that long)."""
        thread = cast("PubSubWorkerThread | None", self.pubsub_thread)  # RQ types it None
        if thread is None or self.pubsub is None:
            return
        self.pubsub.unsubscribe()  # type: ignore[no-untyped-call]
        thread.stop(timeout=UNSUBSCRIBE_WAIT_SECONDS)
        self.pubsub.close()


def make_worker(
    app: Flask,
    queue_names: Sequence[str] = QUEUE_NAMES,
    cls: type[BotSimpleWorker] = BotSimpleWorker,
    **kwargs: Any,
) -> BaseWorker:
    """A worker on the bot's queues (priority order; or on queue_names), bound to app."""
    services = services_of(app)
    queues = [services.queue(name) for name in queue_names]
    worker = cls(queues, connection=services.redis, **kwargs)
    worker.app = app
    if cooperative():  # a job's timeout must hit the job's greenlet, not whichever runs
        worker.death_penalty_class = GreenletDeathPenalty
    # The scheduler process builds its own client the same way (Sentinel-aware).
    worker.connect = functools.partial(connect_redis, services.settings)
    worker.push_exc_handler(count_failure)  # type: ignore[no-untyped-call]
    return worker


def count_failure(job: Job, *exc_info: Any) -> bool:
    """Count a failed attempt by job function; True lets RQ's own handling go on."""
    JOB_FAILURES.labels((job.func_name or "?").rsplit(".", 1)[-1]).inc()
    return True
