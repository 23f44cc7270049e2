"""Personal data kept no longer than configured: audit entries past AUDIT_RETENTION_DAYS and
dead letters past UNVERIFIED_RETENTION_DAYS are dropped, once an hour by one process."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.services import Services
from bot.worker.dead_letters import DeadLetters

log = logging.getLogger(__name__)
RETENTION_INTERVAL_SECONDS = 3600
LOCK_KEY = "retention:lock"
DAY_SECONDS = 86400


@dataclass(frozen=True)
class Trimmed:
    """What one retention round dropped."""

    audit_entries: int
    dead_letters: int


def enforce_retention(services: Services, force: bool = False) -> Trimmed | None:
    """One round (None when another process ran one within the hour, unless force)."""
    client = services.redis
    if not force and not client.set(LOCK_KEY, "1", nx=True, ex=RETENTION_INTERVAL_SECONDS):
        return None
    settings = services.settings
    audit = services.audit.trim()
    dead = DeadLetters(client).trim(settings.unverified_retention_days * DAY_SECONDS)
    if audit or dead:
        log.info("retention: dropped %d audit entries and %d dead letters", audit, dead)
    return Trimmed(audit, dead)
