"""Jobs run in real RQ workers, inside the app context."""

from __future__ import annotations

from typing import Any

import redis
from flask import Flask
from rq import Retry

from bot.connections import QUEUE_BACKGROUND
from bot.services import current_services, services_of

FLAKY_KEY = "test:flaky-attempts"


def record_settings_language() -> str:
    """A job that needs the app context to answer."""
    services = current_services()
    services.redis.set("test:job-saw", services.settings.bot_language)
    return services.settings.bot_language


def flaky_twice() -> int:
    """Fails on the first two attempts, succeeds on the third."""
    attempts = int(current_services().redis.incr(FLAKY_KEY))
    if attempts < 3:
        raise ConnectionError("transient")
    return attempts


def test_job_reaches_settings_through_the_app_context(
    app: Flask, jobs: Any, rdb: redis.Redis
) -> None:
    services_of(app).queue(QUEUE_BACKGROUND).enqueue(record_settings_language)
    jobs()
    assert rdb.get("test:job-saw") == b"vi"


def test_delayed_retries_run_in_real_workers(app: Flask, jobs: Any, rdb: redis.Redis) -> None:
    queue = services_of(app).queue(QUEUE_BACKGROUND)
    job = queue.enqueue(flaky_twice, retry=Retry(max=3, interval=[5, 30]))
    rounds = jobs()
    assert int(rdb.get(FLAKY_KEY) or 0) == 3
    job.refresh()
    assert job.is_finished
    assert rounds >= 3  # each retry waited in the scheduled registry
