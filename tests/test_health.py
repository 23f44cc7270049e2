"""Health and readiness probes."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from bot import create_app
from bot.ops.embedded_redis import free_port
from tests.helpers import post_event, text_event


def test_healthz_answers_ok(client: FlaskClient) -> None:
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json == {"status": "ok"}


def test_readyz_reports_redis_and_queue_depths(client: FlaskClient) -> None:
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json is not None
    assert answer.json["redis"] == "ok"
    assert set(answer.json["queues"]) == {"codes", "background"}  # RQ: the stages are "due"


def test_readyz_reports_the_users_due_at_each_stage(client: FlaskClient) -> None:
    before = client.get("/readyz").json
    assert before is not None and before["due"] == {"codes": 0, "events": 0, "messages": 0}
    for user in ("u1", "u2"):  # no worker runs: both wait to be processed
        assert post_event(client, text_event(user, "menu")).status_code == 200
    after = client.get("/readyz").json
    assert after is not None and after["due"] == {"codes": 0, "events": 2, "messages": 0}
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'bot_stage_users_due{stage="events"} 2.0' in metrics


def test_readyz_is_503_with_a_reason_when_redis_is_down(config: dict[str, Any]) -> None:
    app = create_app({**config, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.json is not None
    assert answer.json["reason"].startswith("redis unreachable")
    # Liveness does not depend on Redis.
    assert app.test_client().get("/healthz").status_code == 200
