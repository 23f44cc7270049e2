"""The sandbox's two OAs of one App: the simulator switches between them, and `flask oa
connect` is followed to the end against the simulator's stand-in of Zalo's permission page."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

from bot import create_app
from bot.admin.sandbox_oauth import SANDBOX_NEW_OA_ID, SANDBOX_NEW_OA_NAME
from bot.admin.seeding import SANDBOX_SECOND_OA_ID, SANDBOX_SECOND_OA_NAME
from bot.services import services_of
from tests.helpers import OA_ID, bot_messages, run_jobs


@pytest.fixture
def app(config: dict[str, Any]) -> Flask:
    """The sandbox bot (`make run` without credentials)."""
    return create_app(config)


def say(app: Flask, oa_id: str, user: str, text: str) -> int:
    """The simulator's composer, on the page of oa_id."""
    client = app.test_client()
    answer = client.post(f"/simulator/api/say?oa={oa_id}", json={"user": user, "text": text})
    run_jobs(app)
    return answer.status_code


def test_the_simulator_switches_between_the_two_oas_of_the_app(app: Flask) -> None:
    page = app.test_client().get(f"/simulator?oa={SANDBOX_SECOND_OA_ID}").get_data(as_text=True)
    assert f'data-oa-id="{SANDBOX_SECOND_OA_ID}"' in page
    assert f"{SANDBOX_SECOND_OA_NAME} ({SANDBOX_SECOND_OA_ID})" in page and f"({OA_ID})" in page
    assert say(app, SANDBOX_SECOND_OA_ID, "u1", "menu") == 200
    assert bot_messages(app, "u1", SANDBOX_SECOND_OA_ID)  # answered in the second OA
    assert bot_messages(app, "u1", OA_ID) == []  # the same id in the first OA: another person
    assert say(app, OA_ID, "u1", "menu") == 200
    assert bot_messages(app, "u1", OA_ID)
    unknown = app.test_client().get("/simulator?oa=9999").get_data(as_text=True)
    assert f'data-oa-id="{OA_ID}"' in unknown  # an OA not served: the main one


def test_connect_is_followed_to_the_end_on_one_machine(app: Flask) -> None:
    printed = app.test_cli_runner().invoke(args=["oa", "connect"])
    assert printed.exit_code == 0, printed.output
    url = next(w for w in printed.output.split() if "/v4/oa/permission?" in w)
    parts = urlsplit(url)
    assert parts.path == "/simulator/zalo/v4/oa/permission"  # the stand-in, on this machine
    client = app.test_client()
    grant_page = client.get(f"{parts.path}?{parts.query}").get_data(as_text=True)
    assert SANDBOX_NEW_OA_NAME in grant_page
    assert "Cho phép" in grant_page and "Allow" not in grant_page  # one language, BOT_LANGUAGE's
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    form = {**query, "oa_id": SANDBOX_NEW_OA_ID, "decision": "allow"}
    back = client.post(parts.path, data=form)
    assert back.status_code == 302
    location = urlsplit(back.headers["Location"])
    assert location.path == "/oauth/zalo/callback"
    assert set(parse_qs(location.query)) == {"code", "oa_id", "state"}
    done = client.get(f"{location.path}?{location.query}")
    page = done.get_data(as_text=True)
    assert done.status_code == 200 and SANDBOX_NEW_OA_NAME in page and "Đã kết nối OA" in page
    assert f'href="/simulator?oa={SANDBOX_NEW_OA_ID}"' in page  # the tour goes on from here
    replayed = client.get(f"{location.path}?{location.query}")
    assert replayed.status_code == 400  # the state is single use
    served = services_of(app).registry.get(SANDBOX_NEW_OA_ID)
    assert served is not None and served.name == SANDBOX_NEW_OA_NAME
    assert say(app, SANDBOX_NEW_OA_ID, "u9", "menu") == 200
    assert bot_messages(app, "u9", SANDBOX_NEW_OA_ID)


def test_a_denied_grant_connects_nothing(app: Flask) -> None:
    printed = app.test_cli_runner().invoke(args=["oa", "connect"])
    parts = urlsplit(next(w for w in printed.output.split() if "/v4/oa/permission?" in w))
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    form = {**query, "oa_id": SANDBOX_NEW_OA_ID, "decision": "deny"}
    back = app.test_client().post(parts.path, data=form)
    location = urlsplit(back.headers["Location"])
    done = app.test_client().get(f"{location.path}?{location.query}")
    assert done.status_code == 400 and "chưa cấp quyền" in done.get_data(as_text=True)
    assert services_of(app).registry.get(SANDBOX_NEW_OA_ID) is None
