"""An event that fails every attempt is set aside; the user's later events go on."""

from __future__ import annotations

from typing import Any

import pytest
import redis
from flask import Flask
from prometheus_client import REGISTRY

from bot.admin.audit import AuditLog
from bot.keys import UserRef
from bot.worker import processing
from bot.worker.dead_letters import DeadLetters
from tests.helpers import (
    OA_ID,
    Dialogue,
    bot_messages,
    post_event,
    run_jobs,
    text_event,
    user_event,
)

POISON = b"poisoned event"


@pytest.fixture
def poisoned(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every attempt at an event whose body holds POISON fails (a bug, say); returns the
    list of failed attempts."""
    attempts: list[int] = []
    real = processing.run_event

    def run_event(services: Any, user: UserRef, raw: bytes, *args: Any) -> Any:
        if POISON in raw:
            attempts.append(1)
            raise RuntimeError("a bug")
        return real(services, user, raw, *args)

    monkeypatch.setattr(processing, "run_event", run_event)
    return attempts


def dead_lettered() -> float:
    """Events set aside so far."""
    return REGISTRY.get_sample_value("bot_events_dead_lettered_total") or 0.0


def test_a_failing_event_is_set_aside_and_the_next_ones_go_on(
    app: Flask, poisoned: list[int]
) -> None:
    before = dead_lettered()
    alice = Dialogue(app, "u1")
    client = app.test_client()
    assert post_event(client, text_event("u1", POISON.decode())).status_code == 200
    assert post_event(client, text_event("u1", "menu")).status_code == 200  # queued behind it
    run_jobs(app)  # the retries run too (fast-forwarded)
    assert len(poisoned) == 3
    assert dead_lettered() == before + 1
    assert alice.say("menu") != ""
    listed = app.test_cli_runner().invoke(args=["events", "dead"])
    assert listed.exit_code == 0
    assert "user_send_text" in listed.output and "RuntimeError" in listed.output
    assert "u1" not in listed.output.split("\t")[2]  # user ids are pseudonymised


def test_withdraw_deletes_the_users_dead_letters(
    app: Flask, rdb: redis.Redis, poisoned: list[int]
) -> None:
    Dialogue(app, "u1").send(text_event("u1", POISON.decode()))
    letters = DeadLetters(rdb)
    assert [d.user_id for d in letters.latest()] == ["u1"]
    Dialogue(app, "u1").send(user_event("user_withdraw", "u1"))
    assert letters.latest() == []
    assert not rdb.exists(UserRef(OA_ID, "u1").key("inbox-fails"))


def test_no_dead_letters_is_said(app: Flask) -> None:
    assert "no dead letters" in app.test_cli_runner().invoke(args=["events", "dead"]).output


def dead_ids(app: Flask) -> list[str]:
    """The ids `flask events dead` lists, newest first."""
    output = app.test_cli_runner().invoke(args=["events", "dead"]).output
    return [line.split("\t")[0] for line in output.splitlines() if "\t" in line]


def test_a_replayed_dead_letter_goes_through_the_pipeline_once_and_is_audited(
    app: Flask, rdb: redis.Redis, poisoned: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = Dialogue(app, "u1")
    alice.send(text_event("u1", POISON.decode()))
    [letter_id] = dead_ids(app)
    monkeypatch.undo()  # the bug is fixed: the real run_event again
    before = len(bot_messages(app, "u1"))
    runner = app.test_cli_runner()
    answer = runner.invoke(args=["events", "replay", letter_id])
    assert (answer.exit_code, answer.output.strip()) == (0, f"replayed {letter_id}")
    run_jobs(app)
    assert len(bot_messages(app, "u1")) > before  # handled now: the bot answered the event
    assert DeadLetters(rdb).latest() == []
    again = runner.invoke(args=["events", "replay", letter_id])  # a second replay: nothing
    assert again.exit_code == 1 and "no dead letter" in again.output
    entries = app.test_cli_runner().invoke(args=["events", "dead"]).output
    assert "no dead letters" in entries
    audit = [e for e in AuditLog(rdb).latest(20) if e.command.startswith("flask events replay")]
    assert [(e.step, e.result) for e in audit] == [("cli", "replayed")]
    assert "u1" not in audit[0].target and POISON.decode() not in audit[0].target


def test_dead_letters_are_removed_one_or_all(
    app: Flask, rdb: redis.Redis, poisoned: list[int]
) -> None:
    for user in ("u1", "u2", "u3"):
        Dialogue(app, user).send(text_event(user, POISON.decode() + user))
    first, *rest = dead_ids(app)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["events", "remove", first]).exit_code == 1  # not confirmed
    assert runner.invoke(args=["events", "remove", first, "--yes"]).exit_code == 0
    assert sorted(dead_ids(app)) == sorted(rest)
    assert runner.invoke(args=["events", "remove"]).exit_code == 2  # an id or --all
    removed = runner.invoke(args=["events", "remove", "--all", "--yes"])
    assert sorted(removed.output.split()[1::2]) == sorted(rest)
    assert DeadLetters(rdb).latest() == [] and len(poisoned) == 9  # nothing replayed
    removals = [e for e in AuditLog(rdb).latest(20) if e.command.startswith("flask events remove")]
    assert len(removals) == 3
