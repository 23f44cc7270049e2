"""GET /api/v1/assets: the registry for the customer portal, behind the Bearer key."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.adminkit import EXTRA_APP, admin_app
from tests.helpers import APP_ID, OA_ID

KEY = "portal-key-123-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture
def app(config: dict[str, Any]) -> Flask:
    """The sandbox bot with a portal key and a second app linked."""
    return admin_app(config, PORTAL_API_KEY=KEY)


def test_lists_every_asset_with_its_status(app: Flask) -> None:
    answer = app.test_client().get("/api/v1/assets", headers=AUTH)
    assert answer.status_code == 200
    assets = answer.get_json()["assets"]
    # Oldest link first; seeding may straddle a second on a busy machine, so compare sorted.
    assert sorted((a["kind"], a["id"], a["status"]) for a in assets) == [
        ("app", APP_ID, "linked"),
        ("app", EXTRA_APP, "linked"),
        ("oa", OA_ID, "linked"),
    ]
    (extra,) = [a for a in assets if a["id"] == EXTRA_APP]
    assert set(extra) == {
        "kind",
        "id",
        "name",
        "linked_since",
        "status",
        "unlinked_at",
        "unlinked_by",
        "console_confirmed_at",
    }
    assert extra["name"] == "Shop mini app" and isinstance(extra["linked_since"], int)


def test_an_unlinked_asset_is_listed_with_who_and_when(app: Flask) -> None:
    app.test_cli_runner().invoke(args=["assets", "unlink", "app", EXTRA_APP, "--yes"])
    assets = app.test_client().get("/api/v1/assets", headers=AUTH).get_json()["assets"]
    extra = next(a for a in assets if a["id"] == EXTRA_APP)
    assert extra["status"] == "unlinked" and extra["unlinked_by"] == "cli"
    assert extra["unlinked_at"] >= extra["linked_since"]
    assert extra["console_confirmed_at"] is None
    app.test_cli_runner().invoke(args=["assets", "console-done", "app", EXTRA_APP])
    assets = app.test_client().get("/api/v1/assets", headers=AUTH).get_json()["assets"]
    confirmed = next(a for a in assets if a["id"] == EXTRA_APP)["console_confirmed_at"]
    assert confirmed >= extra["unlinked_at"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": KEY}])
def test_without_the_key_it_is_401_and_shows_nothing(app: Flask, headers: dict[str, str]) -> None:
    answer = app.test_client().get("/api/v1/assets", headers=headers)
    assert answer.status_code == 401
    assert EXTRA_APP not in answer.get_data(as_text=True)


def test_without_a_configured_key_it_is_always_401(config: dict[str, Any]) -> None:
    app = admin_app(config)
    answer = app.test_client().get("/api/v1/assets", headers={"Authorization": "Bearer "})
    assert answer.status_code == 401
