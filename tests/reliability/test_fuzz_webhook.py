"""10,000 random and malformed payloads at /webhook: no 500, no crash, nothing stored if refused."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import redis
from flask import Flask
from rq.registry import FailedJobRegistry

from bot.services import services_of
from tests.helpers import (
    OA_SECRET,
    encode_event,
    post_event,
    run_jobs,
    stored_keys,
    text_event,
    user_event,
)

FIXTURES = json.loads((Path(__file__).parents[1] / "fixtures" / "zalo_events.json").read_text())
FIXTURE_EVENTS = [json.loads(v["raw"]) for v in FIXTURES["events"].values()]
ODD_TEXT = ["", " ", "\u0000", "\ud7ff", "🙂" * 50, "x" * 3000, "\u202e", "Ｘác thực", "0" * 40]
ODD_VALUES: list[Any] = [None, True, 0, -1, 2**70, 1.5, "", [], {}, ["x"], {"id": None}, *ODD_TEXT]


def mutate(event: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Drop, retype or oddly fill one or two fields, at any depth."""
    result = json.loads(json.dumps(event))
    for _ in range(rng.randint(1, 2)):
        target = result
        while isinstance(target, dict) and target and rng.random() < 0.5:
            key = rng.choice(list(target))
            if isinstance(target[key], dict):
                target = target[key]
            else:
                break
        if not isinstance(target, dict) or not target:
            continue
        key = rng.choice(list(target))
        if rng.random() < 0.3:
            del target[key]
        else:
            target[key] = rng.choice(ODD_VALUES)
    return result


def payload(rng: random.Random) -> tuple[bytes, bool]:
    """A body and whether to sign it correctly."""
    kind = rng.random()
    if kind < 0.15:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 200))), rng.random() < 0.5
    if kind < 0.3:
        return json.dumps(rng.choice(ODD_VALUES)).encode(), rng.random() < 0.5
    base = dict(  # a copy: app_id is set below
        rng.choice(
            [
                *FIXTURE_EVENTS,
                text_event("fz", rng.choice(ODD_TEXT)),
                user_event("user_withdraw", "fz"),
            ]
        )
    )
    base["app_id"] = "1000000000000000001" if rng.random() < 0.8 else base["app_id"]
    return encode_event(mutate(base, rng) if kind < 0.9 else base), rng.random() < 0.8


def test_ten_thousand_payloads(app: Flask, rdb: redis.Redis) -> None:
    rng = random.Random(20261122)
    client = app.test_client()
    statuses: Counter[int] = Counter()
    for _ in range(10_000):
        body, signed = payload(rng)
        before = stored_keys(rdb) if rng.random() < 0.05 else None
        if signed:
            try:
                answer = post_event(client, body, secret=OA_SECRET)
            except Exception:  # sign() itself refuses a body without app_id / timestamp
                answer = client.post("/webhook", data=body, headers={"X-ZEvent-Signature": "x"})
        else:
            answer = client.post("/webhook", data=body, headers={"X-ZEvent-Signature": "0" * 64})
        statuses[answer.status_code] += 1
        assert answer.status_code in (200, 400, 413), (answer.status_code, body[:200])
        if before is not None and (answer.status_code != 200 or not signed):
            # Nothing written but the webhook's telemetry. (Keys may have expired meanwhile on
            # a slow run: not a write.)
            written = {k for k in stored_keys(rdb) - before if not k.startswith(b"webhook:")}
            assert written == set(), body[:200]
    assert statuses[200] > 5000 and statuses[400] > 50
    # Whatever was accepted goes through the workers without a crash.
    run_jobs(app)
    for queue in services_of(app).queues.values():
        assert FailedJobRegistry(queue=queue).count == 0, queue.name
