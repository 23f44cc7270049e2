"""A user whose part of a batch failed gets a retried RQ job of their own; the batch goes on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from rq import Retry

from bot.keys import UserRef
from bot.queues.ready import ReadySet
from bot.services import Services

# While the user's own job holds them, batch jobs leave them be (the lease is pushed out).
HANDED_OVER_LEASE_MS = 10 * 60 * 1000


def hand_over(
    services: Services,
    ready: ReadySet,
    user: UserRef,
    job: Callable[[str, str], int],
    queue: str,
    retry: Retry,
    delay_seconds: int,
) -> None:
    """Take user out of the batches and give them job(oa_id, user_id), retried by RQ."""
    ready.defer(user, HANDED_OVER_LEASE_MS)
    services.queue(queue).enqueue_in(
        timedelta(seconds=delay_seconds),
        job,
        *user.as_args(),
        retry=retry,
        result_ttl=0,
        failure_ttl=24 * 3600,
        description=user.job_description(job.__name__),
    )
