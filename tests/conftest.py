"""Fixtures every test module can use: a real redis-server, the app, a client, job runners."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from bot import create_app
from bot.ops.embedded_redis import EmbeddedRedis
from tests.helpers import run_jobs

pytest_plugins = ["tests.session_failures", "tests.leakcheck", "tests.leftovers"]


@pytest.fixture(scope="session")
def redis_server() -> Iterator[EmbeddedRedis]:
    """One real redis-server for the whole session, on a free loopback port, no persistence."""
    with tempfile.TemporaryDirectory(prefix="bot-test-redis-") as data_dir:
        with EmbeddedRedis(Path(data_dir), appendonly=False) as server:
            yield server


@pytest.fixture
def redis_url(redis_server: EmbeddedRedis) -> Iterator[str]:
    """The test Redis, flushed after each test."""
    yield redis_server.url
    redis.Redis.from_url(redis_server.url).flushall()


@pytest.fixture
def rdb(redis_url: str) -> redis.Redis:
    """A plain client on the test Redis, for assertions on what is stored."""
    return redis.Redis.from_url(redis_url)


@pytest.fixture
def config(redis_url: str) -> dict[str, Any]:
    """The test mapping given to create_app(); tests adjust it before using `app`."""
    return {"REDIS_URL": redis_url, "BOT_SANDBOX": "1", "LOG_FORMAT": "text"}


@pytest.fixture
def app(config: dict[str, Any]) -> Flask:
    """The bot, configured by the `config` mapping."""
    application = create_app(config)
    application.testing = True
    return application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Flask's test client for app."""
    return app.test_client()


@pytest.fixture
def jobs(app: Flask) -> Any:
    """Call jobs() to run every queued job with a real SimpleWorker in burst mode."""
    return lambda **kwargs: run_jobs(app, **kwargs)
