"""At start-up: the bot's own app and OA, and any further app, enter the asset registry."""

from __future__ import annotations

import logging

import redis

from bot.services import Services

log = logging.getLogger(__name__)


def seed_registry(services: Services) -> None:
    """Register configured assets the registry does not know yet (never re-links one)."""
    settings = services.settings
    wanted = [("app", settings.zalo_app_id), ("oa", settings.zalo_oa_id)]
    wanted += [("app", entry.partition(":")[0]) for entry in settings.zalo_extra_apps]
    try:
        for kind, asset_id in wanted:
            if services.assets.seed(kind, asset_id, f"{kind.upper()} {asset_id}"):
                log.info("registered %s %s from configuration", kind, asset_id)
    except redis.RedisError as exc:
        # Start anyway: /readyz reports Redis, and the next start-up seeds.
        log.warning("could not seed the asset registry: %s", type(exc).__name__)
