"""The Procfile's `worker` process: the stage runners and the RQ worker, scheduler included."""

from __future__ import annotations

import logging
import os

from prometheus_client import start_http_server

from bot.app import create_app_or_exit
from bot.connections import QUEUE_NAMES
from bot.worker.crew import CrewedWorker
from bot.worker.rq_jobs import make_worker

log = logging.getLogger(__name__)
MAINTENANCE_SECONDS = 60


def main() -> None:
    """Entry point of the Procfile's `worker` process: work forever, scheduler included."""
    app = create_app_or_exit()
    # Maintenance (orphaned jobs back to their retries, a dead scheduler restarted) every
    # minute rather than RQ's ten. The crew (stage runners, sweeper) starts with the worker.
    worker = make_worker(app, cls=CrewedWorker, maintenance_interval=MAINTENANCE_SECONDS)
    port = os.environ.get("WORKER_METRICS_PORT")
    if port:  # when the worker runs on another host than the web process
        start_http_server(int(port))
    log.info("worker starting on queues %s", ", ".join(QUEUE_NAMES))
    worker.work(with_scheduler=True, logging_level=logging.getLevelName(log.getEffectiveLevel()))


if __name__ == "__main__":
    main()
