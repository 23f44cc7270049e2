"""Redis outages in a worker: wait with backoff, reconnect, go on; never exit for one.

RQ's work loop quits on any exception outside its dequeue call ("found an unhandled
exception, quitting"). This mixin catches the outage errors where they arise, waits until
Redis answers again, and puts back the job an outage interrupted, without spending one of
its retries: the outage was not the job's fault, and every bot job is safe to run again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import redis
from rq.job import Job
from rq.queue import Queue

from bot.queues.serial import UNRECORDED
from bot.redis_client import OUTAGE_ERRORS, wait_for_redis
from bot.worker.resilient_scheduler import ResilientScheduler

log = logging.getLogger(__name__)
# The in-process scheduler finishes its round (a second at most) and releases its locks.
SCHEDULER_STOP_SECONDS = 5.0


class OutageTolerantMixin:
    """For an RQ worker class: outages in the loop, in jobs and in the scheduler are waited out."""

    connection: redis.Redis
    executions: dict[str, Any]
    _stop_requested: bool
    _job_hit_outage = False
    # How the scheduler process builds its own client (set by make_worker; None: RQ's way).
    connect: Callable[[], redis.Redis] | None = None

    def survive(self, step: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run one step of the work loop; on an outage, wait for Redis and skip the step."""
        try:
            return step(*args, **kwargs)
        except OUTAGE_ERRORS as exc:
            log.warning("worker lost Redis (%s); waiting for it", type(exc).__name__)
            wait_for_redis(self.connection, lambda: self._stop_requested)
            return None

    def check_for_suspension(self, burst: bool) -> None:
        """RQ's suspension check, outage-tolerant."""
        self.survive(super().check_for_suspension, burst)  # type: ignore[misc]

    def run_maintenance_tasks(self) -> None:
        """RQ's maintenance, outage-tolerant (skipped steps run at the next loop)."""
        self.survive(super().run_maintenance_tasks)  # type: ignore[misc]

    def heartbeat(self, *args: Any, **kwargs: Any) -> None:
        """RQ's heartbeat, outage-tolerant."""
        self.survive(super().heartbeat, *args, **kwargs)  # type: ignore[misc]

    def execute_job(self, job: Job, queue: Queue) -> None:
        """Run the job; if an outage cut it short, put it back once Redis answers."""
        try:
            super().execute_job(job, queue)  # type: ignore[misc]
        except OUTAGE_ERRORS as exc:
            log.warning("job %s interrupted by a Redis outage (%s)", job.id, type(exc).__name__)
            self.put_back(job, queue)

    def handle_exception(self, job: Job, *exc_info: Any) -> None:
        """Note whether the job failed because Redis went away (RQ calls this first)."""
        self._job_hit_outage = isinstance(exc_info[1], OUTAGE_ERRORS)
        super().handle_exception(job, *exc_info)  # type: ignore[misc]

    def handle_job_failure(self, job: Job, queue: Queue, *args: Any, **kwargs: Any) -> None:
        """A failure caused by an outage puts the job back; any other goes to RQ's retries."""
        if not self._job_hit_outage:
            super().handle_job_failure(job, queue, *args, **kwargs)  # type: ignore[misc]
            return
        self._job_hit_outage = False
        self.put_back(job, queue)

    def put_back(self, job: Job, queue: Queue) -> None:
        """Wait for Redis, then requeue job at the front, its execution records dropped."""
        while wait_for_redis(self.connection, lambda: self._stop_requested):
            try:
                self.requeue(job, queue)
                return
            except OUTAGE_ERRORS:
                continue
        log.warning("stopping during an outage: job %s is left to RQ's maintenance", job.id)

    def requeue(self, job: Job, queue: Queue) -> None:
        """Enqueue job again at the front, then drop its executions of this worker (in that
        order: cut between the two, the job is queued and a stale record expires). What the
        job sent but could not record is recorded first, so that its rerun skips it."""
        UNRECORDED.settle()
        queue.enqueue_job(job, at_front=True)
        with self.connection.pipeline() as pipe:
            for execution in [e for e in self.executions.values() if e.job_id == job.id]:
                self.cleanup_execution(job, pipe, execution)  # type: ignore[attr-defined]
            pipe.execute()
        log.info("job %s requeued after the outage", job.id)

    def _start_scheduler(self, burst: bool = False, *args: Any, **kwargs: Any) -> None:
        """Always start the outage-tolerant scheduler process (non-burst): it takes the
        scheduler locks whenever they come free, instead of RQ's start only if they are free
        now and its retry at the 10-minute maintenance."""
        if burst:
            super()._start_scheduler(burst, *args, **kwargs)  # type: ignore[misc]
            return
        scheduler = ResilientScheduler.for_worker(self, *args)  # a thread: no fork of greenlets
        setattr(self, "scheduler", scheduler)  # noqa: B010 (RQ's attribute, typed by RQ)
        scheduler.start()

    def stop_scheduler(self) -> None:
        """Stop the scheduler: ours by its flag (a thread), RQ's own as RQ does."""
        scheduler = getattr(self, "scheduler", None)
        if isinstance(scheduler, ResilientScheduler):
            scheduler.stop_thread(SCHEDULER_STOP_SECONDS)
            return
        super().stop_scheduler()  # type: ignore[misc]
