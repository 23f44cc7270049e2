"""Fixtures of the admin tests: a bot with two admins and a second app, and an admin's chat."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.adminkit import ADMIN, admin_app
from tests.helpers import Dialogue


@pytest.fixture
def app(config: dict[str, Any]) -> Flask:
    """The sandbox bot with admins and a second app linked."""
    return admin_app(config)


@pytest.fixture
def admin(app: Flask) -> Dialogue:
    """An admin (from ADMIN_ZALO_IDS) chatting with the bot."""
    return Dialogue(app, ADMIN)
