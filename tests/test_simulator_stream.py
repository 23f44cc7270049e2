"""The simulator's push (server-sent events), tap buttons and sandbox relink."""

from __future__ import annotations

import json
import threading
from typing import Any

from flask import Flask

from bot.admin.assets import AssetRegistry
from bot.admin.served import LiveRegistry
from bot.oas import SERVED, UNLINKED
from bot.services import services_of
from tests.helpers import OA_ID, run_jobs, wait_for


def events_of(raw: str) -> list[tuple[str, Any]]:
    """(name, data) of each server-sent event in raw."""
    found = []
    for block in raw.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields:
            found.append((fields["event"], json.loads(fields["data"])))
    return found


def snapshot(app: Flask, user: str = "u1", **headers: str) -> list[tuple[str, Any]]:
    """What a page gets on connecting (a stream that ends at once)."""
    answer = app.test_client().get(f"/simulator/api/stream?user={user}&seconds=0", headers=headers)
    assert answer.status_code == 200 and answer.mimetype == "text/event-stream"
    return events_of(answer.get_data(as_text=True))


def follow(app: Flask, user: str = "u1") -> None:
    """A new test user follows the OA; the worker sends the welcome."""
    assert app.test_client().post("/simulator/api/users", json={"user": user}).status_code == 200
    run_jobs(app)


def test_a_new_page_gets_the_chat_with_its_buttons_the_phones_and_the_assets(app: Flask) -> None:
    follow(app)
    events = dict(snapshot(app))
    welcome, menu = events["chat"]["lines"]
    assert welcome["payload"]["text"].startswith("Chào mừng bạn đến với Sandbox OA!")
    assert [b["payload"] for b in menu["payload"]["buttons"]][:3] == [
        "#verify",
        "#verify_zalo",
        "#status",
    ]
    assert events["chat"]["lang"] == "vi" and events["phones"] == {"phones": [], "pinned": None}
    assert {a["id"] for a in events["assets"]["assets"]} >= {OA_ID}


def test_a_reconnecting_page_resumes_after_the_last_event_it_got(app: Flask) -> None:
    follow(app)
    events = dict(snapshot(app, **{"Last-Event-ID": "1"}))
    assert len(events["chat"]["lines"]) == 1 and events["chat"]["next"] == 2


def test_replies_are_pushed_as_they_are_sent(app: Flask) -> None:
    follow(app)
    client = app.test_client()
    answer = client.get("/simulator/api/stream?user=u1&after=2&seconds=20", buffered=False)
    seen: list[str] = []

    def read() -> None:
        for chunk in answer.response:
            seen.append(chunk.decode() if isinstance(chunk, bytes) else chunk)
            if "Bạn nhập số điện thoại" in "".join(seen):
                break
        answer.close()

    reader = threading.Thread(target=read)
    reader.start()
    wait_for(lambda: "event: assets" in "".join(seen))  # the page is listening
    client.post(
        "/simulator/api/tap", json={"user": "u1", "title": "Xác thực", "payload": "#verify"}
    )
    run_jobs(app)
    reader.join(20)
    pushed = [data for name, data in events_of("".join(seen)) if name == "chat"]
    lines = [line for data in pushed for line in data["lines"]]
    assert lines[0] == {**lines[0], "from": "user", "kind": "tap", "payload": {"text": "Xác thực"}}
    # The question, then (in the same push, when the worker is quick) the share-phone card.
    texts = [line["payload"].get("text", "") for line in lines[1:]]
    assert any(text.startswith("Bạn nhập số điện thoại") for text in texts), texts


def test_relink_brings_back_an_unlinked_sandbox_oa_with_its_name(app: Flask) -> None:
    app.test_cli_runner().invoke(args=["assets", "unlink", "oa", OA_ID, "--yes"])
    client = app.test_client()
    assert client.post("/simulator/api/relink", json={"kind": "oa", "id": OA_ID}).json == {
        "relinked": True
    }
    oa = next(a for a in dict(snapshot(app))["assets"]["assets"] if a["id"] == OA_ID)
    assert oa["status"] == "linked" and oa["name"] == "Sandbox OA"
    refused = client.post("/simulator/api/relink", json={"kind": "oa", "id": "404"})
    assert refused.status_code == 400


def test_relinked_is_answered_once_another_process_serves_the_oa_again(app: Flask) -> None:
    services = services_of(app)
    app.test_cli_runner().invoke(args=["assets", "unlink", "oa", OA_ID, "--yes"])
    # Another process (its own registry) that looked at the OAs just before the relink.
    other = LiveRegistry(services.registry, AssetRegistry(services.redis))
    assert other.state(OA_ID) == UNLINKED
    relinked = app.test_client().post("/simulator/api/relink", json={"kind": "oa", "id": OA_ID})
    assert relinked.json == {"relinked": True}
    assert other.state(OA_ID) == SERVED  # a message typed now is answered, not ignored
