"""What the admin room's jobs and commands use of a process: its connections and records."""

from __future__ import annotations

from typing import Protocol

from flask import current_app

from bot.admin.admins import AdminDirectory
from bot.admin.assets import AssetRegistry
from bot.admin.audit import AuditLog
from bot.connections import Connections


class AdminParts(Connections, Protocol):
    """The connections, the admin sets, the linked assets and the audit trail."""

    @property
    def admins(self) -> AdminDirectory:
        """Who may run admin commands."""

    @property
    def assets(self) -> AssetRegistry:
        """The linked App IDs and OAs."""

    @property
    def audit(self) -> AuditLog:
        """The audit trail of admin commands."""


def current_parts() -> AdminParts:
    """The parts of the running app (a job runs inside the worker's app context)."""
    found: AdminParts = current_app.extensions["bot"]
    return found
