"""Who is an admin, per OA: ADMIN_ZALO_IDS (the main OA's), plus ids added with
`flask admins add [--oa ID]` (kept in Redis, one set per OA)."""

from __future__ import annotations

import redis

from bot.config import Settings
from bot.keys import text

# Before admins were per OA, one set held them all: they were the main OA's admins.
GLOBAL_ADMINS_KEY = "admins"


def admins_key(oa_id: str) -> str:
    """The set of the ids added as admins of one OA."""
    return f"admins:{oa_id}"


class AdminDirectory:
    """Owns the admin sets; configuration ids are the main OA's admins whatever they say."""

    def __init__(self, client: redis.Redis, settings: Settings, main_oa: str) -> None:
        self.client = client
        self.main_oa = main_oa
        self.configured = frozenset(settings.admin_zalo_ids)

    def is_admin(self, user_id: str, oa_id: str = "") -> bool:
        """The one question every admin-only step asks (oa_id: the main OA when empty)."""
        oa_id = oa_id or self.main_oa
        if oa_id == self.main_oa and user_id in self.configured:
            return True
        return bool(self.client.sismember(admins_key(oa_id), user_id))

    def add(self, user_id: str, oa_id: str = "") -> bool:
        """Make user_id an admin of an OA (the main one by default); False if it already was."""
        return bool(self.client.sadd(admins_key(oa_id or self.main_oa), user_id))

    def remove(self, user_id: str, oa_id: str = "") -> bool:
        """Remove an admin added with add(); configured ones stay (change ADMIN_ZALO_IDS)."""
        return bool(self.client.srem(admins_key(oa_id or self.main_oa), user_id))

    def all(self, oa_id: str = "") -> list[tuple[str, str]]:
        """(user id, where from) of every admin of an OA (the main one by default)."""
        oa_id = oa_id or self.main_oa
        configured = sorted(self.configured) if oa_id == self.main_oa else []
        added = sorted(text(m) for m in self.client.smembers(admins_key(oa_id)))
        return [(i, "ADMIN_ZALO_IDS") for i in configured] + [
            (i, "added (flask admins add or the simulator's admin toggle)")
            for i in added
            if i not in configured
        ]

    def adopt_global_set(self) -> None:
        """Move the ids of the old global set to the main OA's set (once, atomically)."""
        if not self.client.exists(GLOBAL_ADMINS_KEY):
            return
        mine = admins_key(self.main_oa)
        with self.client.pipeline() as pipe:
            pipe.sunionstore(mine, [mine, GLOBAL_ADMINS_KEY])
            pipe.delete(GLOBAL_ADMINS_KEY)
            pipe.execute()
