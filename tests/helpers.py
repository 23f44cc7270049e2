"""Helpers for tests: running RQ jobs with real workers."""

from __future__ import annotations

from flask import Flask
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from bot.services import services_of
from bot.worker import make_worker


def promote_scheduled(app: Flask) -> int:
    """Enqueue every scheduled job now (as if its delay had passed); return how many."""
    services = services_of(app)
    moved = 0
    for queue in services.queues.values():
        registry = ScheduledJobRegistry(queue=queue)
        for job_id in registry.get_job_ids():
            job = Job.fetch(job_id, connection=services.redis)
            registry.remove(job)
            queue.enqueue_job(job)
            moved += 1
    return moved


def run_jobs(app: Flask, fast_forward: bool = True, max_rounds: int = 50) -> int:
    """Run queued jobs with a SimpleWorker in burst mode until none is left.

    With fast_forward, jobs waiting for a delayed retry are run too, round after round,
    so retry-with-backoff paths are real but take no wall-clock time.
    """
    rounds = 0
    while rounds < max_rounds:
        rounds += 1
        make_worker(app, simple=True).work(burst=True)
        if not (fast_forward and promote_scheduled(app)):
            return rounds
    raise AssertionError(f"jobs still pending after {max_rounds} rounds")
