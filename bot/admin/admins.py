"""Who is an admin: ADMIN_ZALO_IDS, plus ids added with `flask admins add` (kept in Redis)."""

from __future__ import annotations

import redis

from bot.config import Settings
from bot.keys import text

ADMINS_KEY = "admins"


class AdminDirectory:
    """Owns the admins set; configuration ids are admins whatever the set says."""

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.client = client
        self.configured = frozenset(settings.admin_zalo_ids)

    def is_admin(self, user_id: str) -> bool:
        """The one question every admin-only step asks."""
        return user_id in self.configured or bool(self.client.sismember(ADMINS_KEY, user_id))

    def add(self, user_id: str) -> bool:
        """Make user_id an admin; False when it already was one."""
        return bool(self.client.sadd(ADMINS_KEY, user_id))

    def remove(self, user_id: str) -> bool:
        """Remove an admin added with add(); configured ones stay (change ADMIN_ZALO_IDS)."""
        return bool(self.client.srem(ADMINS_KEY, user_id))

    def all(self) -> list[tuple[str, str]]:
        """(user id, where from) of every admin."""
        added = sorted(text(m) for m in self.client.smembers(ADMINS_KEY))
        return [(i, "ADMIN_ZALO_IDS") for i in sorted(self.configured)] + [
            (i, "added (flask admins add or the simulator's admin toggle)")
            for i in added
            if i not in self.configured
        ]
