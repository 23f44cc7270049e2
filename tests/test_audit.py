"""The audit stream: who, command, step, target, result, time; in order, durable, bounded."""

from __future__ import annotations

from typing import Any

import pytest
import redis
from flask import Flask

from bot.admin.audit import MAX_ENTRIES, STREAM_KEY, AuditLog
from bot.conversation.context import AuditEntry
from tests.adminkit import ADMIN, EXTRA_APP, admin_app, audit_rows
from tests.helpers import Dialogue


@pytest.fixture
def audit(rdb: redis.Redis) -> AuditLog:
    """An empty audit log."""
    return AuditLog(rdb)


def entry(n: int, result: str = "ok") -> AuditEntry:
    """A distinguishable entry."""
    return AuditEntry(f"admin{n}", f"/cmd {n}", "entry", f"app:{n}", result)


def test_latest_returns_the_newest_oldest_first(audit: AuditLog) -> None:
    for n in range(15):
        audit.write(entry(n))
    latest = audit.latest(10)
    assert [e.who for e in latest] == [f"admin{n}" for n in range(5, 15)]
    assert [e.at for e in latest] == sorted(e.at for e in latest)
    last = latest[-1]
    assert (last.command, last.step, last.target, last.result) == (
        "/cmd 14",
        "entry",
        "app:14",
        "ok",
    )


def test_empty_log(audit: AuditLog) -> None:
    assert audit.latest() == []


def test_a_write_in_a_transaction_lands_only_with_it(audit: AuditLog, rdb: redis.Redis) -> None:
    with rdb.pipeline(transaction=True) as pipe:
        pipe.multi()
        audit.write(entry(1), pipe)
        assert rdb.xlen(STREAM_KEY) == 0
        pipe.execute()
    assert [e.who for e in audit.latest()] == ["admin1"]


def test_durable_no_expiry(audit: AuditLog, rdb: redis.Redis) -> None:
    audit.write(entry(1))
    assert rdb.type(STREAM_KEY) == b"stream" and rdb.ttl(STREAM_KEY) == -1


def test_bounded_the_oldest_entries_go(audit: AuditLog, rdb: redis.Redis) -> None:
    with rdb.pipeline(transaction=False) as pipe:
        for n in range(MAX_ENTRIES + 1000):
            audit.write(entry(n), pipe)
        pipe.execute()
    length = rdb.xlen(STREAM_KEY)
    # XADD MAXLEN ~ trims whole stream nodes (100 entries by default): never far above.
    assert MAX_ENTRIES <= length < MAX_ENTRIES + 200
    oldest = rdb.xrange(STREAM_KEY, count=1)[0][1]
    assert oldest[b"who"] != b"admin0"
    assert audit.latest(1)[0].who == f"admin{MAX_ENTRIES + 999}"


def test_a_dialogue_is_audited_with_every_field_in_order(config: dict[str, Any]) -> None:
    app: Flask = admin_app(config)
    admin = Dialogue(app, ADMIN)
    admin.say(f"/unlink app {EXTRA_APP}"), admin.say("confirm")
    Dialogue(app, "u2").say("/audit")
    rows = audit_rows(app)
    assert [set(r) for r in rows] == [{"at", "who", "command", "step", "target", "result"}] * 4
    assert [(r["who"], r["command"], r["step"], r["target"], r["result"]) for r in rows] == [
        (ADMIN, f"/unlink app {EXTRA_APP}", "entry", f"app:{EXTRA_APP}", "ok"),
        (ADMIN, "confirm", "admin_unlink:confirm", f"app:{EXTRA_APP}", "queued"),
        (ADMIN, "unlink", "worker", f"app:{EXTRA_APP}", "ok"),
        ("u2", "/audit", "entry", "", "refused"),
    ]
    times = [float(r["at"]) for r in rows]
    assert times == sorted(times) and times[0] > 1_600_000_000


def test_a_flood_of_refusals_never_evicts_admin_entries(audit: AuditLog, rdb: redis.Redis) -> None:
    audit.write(entry(1))
    with rdb.pipeline(transaction=False) as pipe:
        for n in range(10_400):  # 40 non-admin ids, 260 refused /audit each
            audit.write(AuditEntry(f"user{n % 40}", "/audit", "entry", "", "refused"), pipe)
        pipe.execute()
    assert [e.who for e in audit.latest(10)] == ["admin1"]
    assert len(audit.latest(5, refused=True)) == 5
    assert rdb.xlen(STREAM_KEY) == 1


def test_stored_text_is_one_line_without_control_characters(audit: AuditLog) -> None:
    forged = "/assets\n02/12 04:10 admin1 /unlink app 1 ok\r\x1b[2K\u2028\u202e\x00 end"
    audit.write(AuditEntry("u2\n", forged, "entry", "t\target", "refused"))
    (stored,) = audit.latest(1, refused=True)
    assert stored.command == "/assets 02/12 04:10 admin1 /unlink app 1 ok [2K end"
    assert stored.who == "u2" and stored.target == "t arget"


def test_a_forged_line_does_not_show_in_audit(config: dict[str, Any]) -> None:
    app: Flask = admin_app(config)
    Dialogue(app, "u2").say("/assets\n02/12 04:10 admin2 /unlink app 9 → ok")
    shown = Dialogue(app, ADMIN).say("/audit")
    assert "admin2 /unlink app 9" not in shown.replace("/assets ", "")
    assert not any(line.startswith("02/12 04:10 admin2") for line in shown.splitlines())
