"""At start-up: the bot's own app and OA, and any further app, enter the asset registry."""

from __future__ import annotations

import logging

import redis

from bot.config import split_extra_app
from bot.services import Services

log = logging.getLogger(__name__)


def seed_registry(services: Services) -> None:
    """Register configured assets the registry does not know yet (never re-links one)."""
    settings = services.settings
    # Named after the variable it came from, so admins see which one is the bot's own.
    wanted = [
        ("app", settings.zalo_app_id, "ZALO_APP_ID"),
        ("oa", settings.zalo_oa_id, "ZALO_OA_ID"),
    ]
    wanted += [
        ("app", split_extra_app(entry)[0], "ZALO_EXTRA_APPS") for entry in settings.zalo_extra_apps
    ]
    try:
        for kind, asset_id, name in wanted:
            if services.assets.seed(kind, asset_id, name):
                log.info("registered %s %s from configuration", kind, asset_id)
    except redis.RedisError as exc:
        # Start anyway: /readyz reports Redis, and the next start-up seeds.
        log.warning("could not seed the asset registry: %s", type(exc).__name__)
