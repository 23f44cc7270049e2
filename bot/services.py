"""The connections and shared objects of one bot process, built once and passed explicitly."""

from __future__ import annotations

from dataclasses import dataclass

import redis
from flask import Flask, current_app
from rq import Queue

from bot.config import Settings

# Queues in priority order: inbound events first, then what users wait for, then the rest.
QUEUE_EVENTS = "events"
QUEUE_MESSAGES = "messages"
QUEUE_BACKGROUND = "background"
QUEUE_NAMES = (QUEUE_EVENTS, QUEUE_MESSAGES, QUEUE_BACKGROUND)


def connect_redis(url: str) -> redis.Redis:
    """One client (and pool) per process for state and queues alike.

    Bytes in, bytes out (decode_responses off) because RQ needs it and because the
    webhook enqueues inside the same pipeline that writes state.
    """
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=2,
        socket_timeout=5,
        health_check_interval=30,
    )


@dataclass
class Services:
    """Settings, the Redis client and the queues built from it."""

    settings: Settings
    redis: redis.Redis

    def __post_init__(self) -> None:
        self.queues = {
            name: Queue(name, connection=self.redis, default_timeout=60) for name in QUEUE_NAMES
        }

    def queue(self, name: str) -> Queue:
        """The queue called name (one of QUEUE_NAMES)."""
        return self.queues[name]


def build_services(settings: Settings) -> Services:
    """Create the process-wide services for these settings."""
    return Services(settings=settings, redis=connect_redis(settings.redis_url))


def services_of(app: Flask) -> Services:
    """The services attached to app by create_app."""
    found: Services = app.extensions["bot"]
    return found


def current_services() -> Services:
    """The services of the running app (request, CLI or job context)."""
    return services_of(current_app)
