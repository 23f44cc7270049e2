"""The webhook stores the event it parsed; the worker reads it back typed, never parsing Zalo's
body again (and still reads an item an earlier version stored as Zalo's body)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import redis
from flask import Flask

from bot.keys import UserRef
from bot.queues.inbox import INBOX, EventInbox
from tests.helpers import (
    OA_ID,
    bot_messages,
    encode_event,
    image_event,
    post_event,
    run_jobs,
    submit_info_event,
    text_event,
)
from zalo_api.events import parse_event
from zalo_api.stored import as_json, from_json


def inbox_items(rdb: redis.Redis, user: str = "u1") -> list[dict[str, Any]]:
    """What the user's inbox holds, decoded."""
    return [json.loads(raw) for raw in rdb.zrange(UserRef(OA_ID, user).key(INBOX), 0, -1)]


@pytest.mark.parametrize("make", [text_event, image_event, submit_info_event])
def test_the_inbox_holds_the_parsed_event(app: Flask, rdb: redis.Redis, make: Any) -> None:
    event = make("u1")
    assert post_event(app.test_client(), event).status_code == 200
    (item,) = inbox_items(rdb)
    assert item["event_type"] == type(parse_event(event)).__name__
    assert "sender" not in item and "recipient" not in item  # Zalo's shape is gone
    assert from_json(item) == parse_event(event)  # attachments and forms included
    assert as_json(from_json(item)) == item


def test_the_worker_does_not_parse_zalo_bodies(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(payload: Any) -> Any:
        raise AssertionError("the worker parsed a Zalo body again")

    monkeypatch.setattr("bot.worker.processing.parse_event", forbidden)
    post_event(app.test_client(), text_event("u1", "menu"))
    run_jobs(app)
    assert bot_messages(app)  # answered from the stored, parsed event


def test_an_item_stored_as_zalos_body_by_an_earlier_version_is_still_handled(
    app: Flask, rdb: redis.Redis
) -> None:
    event = text_event("u1", "menu")
    inbox = EventInbox(rdb, UserRef(OA_ID, "u1"))
    inbox.receive(event["message"]["msg_id"], int(event["timestamp"]), encode_event(event))
    run_jobs(app)
    assert bot_messages(app)
