"""Retention: nothing about a number never verified outlives UNVERIFIED_RETENTION_DAYS, no
audit entry outlives AUDIT_RETENTION_DAYS."""

from __future__ import annotations

import time
from typing import Any

import pytest
import redis
from flask import Flask

from bot import create_app
from bot.admin.audit import REFUSED_KEY, STREAM_KEY
from bot.config import ConfigError, load_settings
from bot.conversation.context import AuditEntry
from bot.keys import UserRef
from bot.services import services_of
from bot.verification.links import MIRRORED_KEY
from bot.worker.dead_letters import INDEX_KEY, DeadLetters
from bot.worker.retention import enforce_retention
from bot.worker.sweeper import sweep
from tests.helpers import OA_ID, Dialogue, run_jobs, stored_keys
from tests.portalkit import KEY, start

DAY = 86400
# Records every deployment has from its first start, whatever its users did.
REGISTRY = (b"asset:", b"assets:index", b"assets:version")


def old_entry(rdb: redis.Redis, stream: str, days_ago: float, who: str) -> None:
    """An audit entry written days_ago (its stream id is its time)."""
    at = time.time() - days_ago * DAY
    fields = {"at": f"{at:.3f}", "who": who, "command": "/unlock", "step": "entry",
              "target": "", "result": "ok"}  # fmt: skip
    rdb.xadd(stream, fields, id=f"{int(at * 1000)}-0")  # type: ignore[arg-type]


def whos(rdb: redis.Redis, stream: str) -> list[str]:
    """The actors of a stream's entries, oldest first."""
    return [fields[b"who"].decode() for _, fields in rdb.xrange(stream)]


def test_the_retentions_are_settings_with_sane_bounds(config: dict[str, Any]) -> None:
    settings = load_settings({}, config)
    assert (settings.unverified_retention_days, settings.audit_retention_days) == (30, 365)
    with pytest.raises(ConfigError, match="UNVERIFIED_RETENTION_DAYS must be at least 2"):
        load_settings({}, {**config, "UNVERIFIED_RETENTION_DAYS": "1"})
    with pytest.raises(ConfigError, match="AUDIT_RETENTION_DAYS must be greater than 0"):
        load_settings({}, {**config, "AUDIT_RETENTION_DAYS": "0"})


def test_audit_entries_past_the_retention_go_on_write_and_in_the_sweep(
    config: dict[str, Any], rdb: redis.Redis
) -> None:
    app = create_app({**config, "AUDIT_RETENTION_DAYS": "30"})
    for days_ago, who in ((400, "admin-a"), (45, "admin-b"), (20, "admin-c")):
        old_entry(rdb, STREAM_KEY, days_ago, who)
    old_entry(rdb, REFUSED_KEY, 31, "stranger")
    # No admin acts for a while: the worker's sweep trims both streams.
    assert sweep(services_of(app), force=True) is not None
    assert whos(rdb, STREAM_KEY) == ["admin-c"] and whos(rdb, REFUSED_KEY) == []
    assert enforce_retention(services_of(app)) is None  # once an hour, by one process

    stricter = create_app({**config, "AUDIT_RETENTION_DAYS": "10"})
    services_of(stricter).audit.write(AuditEntry("admin-d", "/assets", "entry", "", "ok"))
    assert whos(rdb, STREAM_KEY) == ["admin-d"]  # trimmed on write


def test_dead_letters_past_the_unverified_retention_go(app: Flask, rdb: redis.Redis) -> None:
    letters = DeadLetters(rdb)
    for user, body in (("u-old", b'{"message":{"text":"0912345678"}}'), ("u-new", b"{}")):
        with rdb.pipeline(transaction=True) as pipe:
            letters.set_aside(pipe, UserRef(OA_ID, user), body, ValueError("boom"))
            pipe.execute()
    old_id = DeadLetters.entry_id(UserRef(OA_ID, "u-old"), b'{"message":{"text":"0912345678"}}')
    rdb.zadd(INDEX_KEY, {old_id: time.time() - 31 * DAY})  # set aside 31 days ago
    trimmed = enforce_retention(services_of(app), force=True)
    assert trimmed is not None and trimmed.dead_letters == 1
    assert [d.user_id for d in letters.latest()] == ["u-new"]


def test_a_number_never_verified_leaves_only_records_that_expire(
    config: dict[str, Any], rdb: redis.Redis
) -> None:
    app = create_app({**config, "PORTAL_API_KEY": KEY})
    chat = Dialogue(app, "u1")
    chat.say("xác thực")
    chat.say("0912345678")
    chat.say("1")  # a code is sent and never typed
    start(app, "0987654321")  # the portal's customer never types theirs either
    run_jobs(app)
    settings = services_of(app).settings
    limit = min(2 * DAY, settings.unverified_retention_days * DAY)
    for key in stored_keys(rdb):
        # The funnel's per-day counts hold numbers of steps, nothing of a person; bot:owner
        # says whether this Redis is a sandbox's, links:mirrored that its links were upgraded.
        if key.startswith((*REGISTRY, b"rq:", b"funnel:", b"bot:owner", MIRRORED_KEY.encode())):
            continue
        assert 0 < rdb.ttl(key) <= limit, key
