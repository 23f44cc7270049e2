"""At start-up: the bot's own app and OA, and any further app, enter the asset registry;
the admins of the old global set become the main OA's."""

from __future__ import annotations

import logging
import time

import redis

from bot.admin.parts import AdminParts

log = logging.getLogger(__name__)
# Names earlier releases seeded: the variable an id came from. Replaced by readable ones.
OLD_SEED_NAMES = ("ZALO_APP_ID", "ZALO_OA_ID", "ZALO_EXTRA_APPS")
# Sandbox only: a second App of the pretend Cloud Account, so the tour can unlink one that
# this chat does not go through (the bot keeps answering, and the console step is recorded).
SANDBOX_SECOND_APP_ID = "1000000000000000003"
SANDBOX_SECOND_APP_NAME = "Demo mini app"
# Sandbox only: a second OA of the same App (one webhook key, its own users and name), as if
# connected with `flask oa connect`: the simulator switches between the two.
SANDBOX_SECOND_OA_ID = "2000000000000000005"
SANDBOX_SECOND_OA_NAME = "Demo OA chi nhánh"


def seed_names(services: AdminParts) -> list[tuple[str, str, str]]:
    """(kind, id, readable name) of every configured asset (admins rename with the CLI)."""
    settings = services.settings
    prefix = "Sandbox" if settings.bot_sandbox else "Bot"
    main = services.registry.main
    wanted = [
        ("app", main.app_id, f"{prefix} app"),
        ("oa", main.oa_id, main.name or f"{prefix} OA"),
    ]
    extra = [app.app_id for app in services.registry.extra_apps]
    wanted += [("app", app_id, f"Extra app {n}") for n, app_id in enumerate(extra, start=1)]
    if settings.bot_sandbox and not extra:
        wanted.append(("app", SANDBOX_SECOND_APP_ID, SANDBOX_SECOND_APP_NAME))
    return wanted


def seed_second_oa(services: AdminParts, now: int) -> None:
    """Sandbox: the App's second OA, granted to it (served like a connected OA)."""
    if services.settings.bot_sandbox and not services.registry.extra_apps:
        oa_id, name = SANDBOX_SECOND_OA_ID, SANDBOX_SECOND_OA_NAME
        app_id = services.registry.main.app_id
        if services.assets.seed("oa", oa_id, name, now, app_id=app_id):
            log.info("registered the sandbox's second OA %s", oa_id)


def seed_registry(services: AdminParts) -> None:
    """Register configured assets the registry does not know yet (never re-links one)."""
    # One start-up, one link time: the list order (oldest first, then by id) must not depend
    # on whether seeding straddled a second.
    now = int(time.time())
    try:
        services.admins.adopt_global_set()
        for kind, asset_id, name in seed_names(services):
            if services.assets.seed(kind, asset_id, name, now):
                log.info("registered %s %s from configuration", kind, asset_id)
                continue
            known = services.assets.get(kind, asset_id)
            if known is not None and known.name in OLD_SEED_NAMES:
                services.assets.rename(kind, asset_id, name)
        seed_second_oa(services, now)
    except redis.RedisError as exc:
        # Start anyway: /readyz reports Redis, and the next start-up seeds.
        log.warning("could not seed the asset registry: %s", type(exc).__name__)
