"""Shared pieces of the admin tests: a bot with admins and a second app, and audit readers."""

from __future__ import annotations

from typing import Any

from flask import Flask

from bot import create_app
from bot.admin.audit import REFUSED_KEY, STREAM_KEY
from bot.keys import text_dict
from bot.services import services_of
from tests.helpers import Dialogue

ADMIN = "admin1"
ADMIN2 = "admin2"
# A second app of the Cloud Account, serving a second OA: its events are signed with its
# own OA secret key.
EXTRA_APP = "3000000000000000003"
EXTRA_SECRET = "extra-app-oa-secret"
OTHER_OA = "4000000000000000004"


def admin_app(config: dict[str, Any], **overrides: Any) -> Flask:
    """A sandbox bot with two admins, a second app configured (seeded at start-up with the
    others), and that app given a name (a rename keeps its link time, so the registry's order
    does not depend on the clock)."""
    app = create_app(
        {
            **config,
            "ADMIN_ZALO_IDS": f"{ADMIN},{ADMIN2}",
            "ZALO_EXTRA_APPS": f"{EXTRA_APP}:{EXTRA_SECRET}:{OTHER_OA}",
            **overrides,
        }
    )
    # Renamed in the registry itself: a CLI rename would be audited, and the tests read the
    # audit from its first entry.
    assert services_of(app).assets.rename("app", EXTRA_APP, "Shop mini app")
    return app


def audit_rows(app: Flask) -> list[dict[str, str]]:
    """Every audit entry, admin actions and refusals together, oldest first (field -> value)."""
    client = services_of(app).redis
    rows = client.xrange(STREAM_KEY) + client.xrange(REFUSED_KEY)
    rows.sort(key=lambda row: tuple(int(part) for part in row[0].split(b"-")))
    return [text_dict(fields) for _, fields in rows]


def audit_steps(app: Flask) -> list[tuple[str, str, str, str, str]]:
    """(who, command, step, target, result) of every audit entry, oldest first."""
    return [(r["who"], r["command"], r["step"], r["target"], r["result"]) for r in audit_rows(app)]


def asset_status(app: Flask, kind: str, asset_id: str) -> str | None:
    """linked / unlinked / None (unknown)."""
    asset = services_of(app).assets.get(kind, asset_id)
    return asset.status if asset else None


def say_all(d: Dialogue, *texts: str) -> str:
    """Say each text in turn; return the last answer."""
    answers = [d.say(t) for t in texts]
    return answers[-1]


def all_linked(app: Flask) -> bool:
    """Whether nothing was unlinked."""
    return all(asset.linked for asset in services_of(app).assets.all())
