"""Health and readiness probes."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from bot import create_app
from bot.ops.embedded_redis import free_port


def test_healthz_answers_ok(client: FlaskClient) -> None:
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json == {"status": "ok"}


def test_readyz_reports_redis_and_queue_depths(client: FlaskClient) -> None:
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json is not None
    assert answer.json["redis"] == "ok"
    assert set(answer.json["queues"]) == {"codes", "events", "messages", "background"}


def test_readyz_is_503_with_a_reason_when_redis_is_down(config: dict[str, Any]) -> None:
    app = create_app({**config, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.json is not None
    assert answer.json["reason"].startswith("redis unreachable")
    # Liveness does not depend on Redis.
    assert app.test_client().get("/healthz").status_code == 200
