"""The registry of App IDs and OAs linked to the Zalo Cloud Account (durable, with history)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis

from bot.keys import ScriptArgs, text, text_dict

KINDS = ("app", "oa")
INDEX_KEY = "assets:index"
# Bumped by every link and unlink: each process re-reads the served OAs when it changes
# (bot.admin.served), so a connect or an unlink is seen everywhere at once.
VERSION_KEY = "assets:version"
# KEYS: asset hash, version. ARGV: who, now. One of two concurrent unlinks wins; the other
# is told.
UNLINK = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'unknown' end
if status == 'unlinked' then return 'already' end
redis.call('HSET', KEYS[1], 'status', 'unlinked', 'unlinked_at', ARGV[2], 'unlinked_by', ARGV[1])
redis.call('INCR', KEYS[2])
return 'ok'
"""
# KEYS: asset hash. ARGV: now, who. The admin says the Cloud Account console step is done.
CONSOLE_DONE = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'unknown' end
if status ~= 'unlinked' then return 'linked' end
if redis.call('HEXISTS', KEYS[1], 'console_confirmed_at') == 1 then return 'already' end
redis.call('HSET', KEYS[1], 'console_confirmed_at', ARGV[1], 'console_confirmed_by', ARGV[2])
return 'ok'
"""


@dataclass(frozen=True)
class Asset:
    """An App ID or an OA, linked or unlinked (unlinked ones are kept, with who and when)."""

    kind: str
    asset_id: str
    name: str
    linked_since: int
    status: str
    unlinked_at: int | None = None
    unlinked_by: str | None = None
    # When an admin said the unlink was also done in the Zalo Cloud Account console.
    console_confirmed_at: int | None = None
    app_id: str = ""  # an OA connected by OAuth: the App it granted ("" for the others)

    @property
    def linked(self) -> bool:
        """Whether the asset is still linked."""
        return self.status == "linked"

    def as_json(self) -> dict[str, object]:
        """The portal API's view of the asset."""
        return {
            "kind": self.kind,
            "id": self.asset_id,
            "name": self.name,
            "linked_since": self.linked_since,
            "status": self.status,
            "unlinked_at": self.unlinked_at,
            "unlinked_by": self.unlinked_by,
            "console_confirmed_at": self.console_confirmed_at,
        }


def asset_key(kind: str, asset_id: str) -> str:
    """The hash of one asset."""
    return f"asset:{kind}:{asset_id}"


class AssetRegistry:
    """Owns asset:<kind>:<id> hashes and the assets:index sorted set (by linking time)."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self._unlink = client.register_script(UNLINK)
        self._console_done = client.register_script(CONSOLE_DONE)
        # (kind, id) -> (when read, unlinked?): every event asks, an unlink is rare.
        # Links and unlinks made through this object: this process sees its own at once.
        self.local_changes = 0

    def link(
        self,
        kind: str,
        asset_id: str,
        name: str | None = None,
        now: int | None = None,
        app_id: str = "",
    ) -> Asset:
        """Add (or re-link) an asset; its history of an earlier unlink is replaced, its name
        (and an OA's App) kept unless a new one is given."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        known = self.get(kind, asset_id)
        name = name or (known.name if known is not None else "") or f"{kind} {asset_id}"
        app_id = app_id or (known.app_id if known is not None else "")
        since = now or int(time.time())
        fields: dict[str, str | int] = {"name": name, "since": since, "status": "linked"}
        if app_id:
            fields["app"] = app_id
        with self.client.pipeline() as pipe:
            pipe.delete(asset_key(kind, asset_id))
            pipe.hset(asset_key(kind, asset_id), mapping=fields)  # type: ignore[arg-type]
            pipe.zadd(INDEX_KEY, {f"{kind}:{asset_id}": since})
            pipe.incr(VERSION_KEY)
            pipe.execute()
        self.local_changes += 1
        return Asset(kind, asset_id, name, since, "linked", app_id=app_id)

    def version(self) -> int:
        """The count of links and unlinks so far (what processes compare)."""
        return int(self.client.get(VERSION_KEY) or 0)

    def seed(
        self, kind: str, asset_id: str, name: str, now: int | None = None, app_id: str = ""
    ) -> bool:
        """Link an asset from configuration unless the registry already knows it."""
        if not asset_id or self.client.exists(asset_key(kind, asset_id)):
            return False
        self.link(kind, asset_id, name, now, app_id)
        return True

    def get(self, kind: str, asset_id: str) -> Asset | None:
        """One asset, linked or not."""
        data = self.client.hgetall(asset_key(kind, asset_id))
        return decode(kind, asset_id, text_dict(data)) if data else None

    def all(self, kind: str | None = None) -> list[Asset]:
        """Every asset (or every one of a kind), oldest link first."""
        members = [text(m) for m in self.client.zrange(INDEX_KEY, 0, -1)]
        pairs = [m.split(":", 1) for m in members]
        wanted = [(k, i) for k, i in pairs if kind is None or k == kind]
        with self.client.pipeline(transaction=False) as pipe:
            for k, i in wanted:
                pipe.hgetall(asset_key(k, i))
            found = pipe.execute()
        pairs_found = zip(wanted, found, strict=True)
        return [decode(k, i, text_dict(data)) for (k, i), data in pairs_found if data]

    def unlink(self, kind: str, asset_id: str, by: str) -> str:
        """'ok', 'already' (someone else was first) or 'unknown'; atomic."""
        args: ScriptArgs = [by, int(time.time())]
        result = text(self._unlink(keys=[asset_key(kind, asset_id), VERSION_KEY], args=args))
        self.local_changes += 1
        return result

    def rename(self, kind: str, asset_id: str, name: str) -> bool:
        """Give a known asset a readable name; False when the registry does not know it."""
        if not self.client.exists(asset_key(kind, asset_id)):
            return False
        self.client.hset(asset_key(kind, asset_id), "name", name)
        return True

    def confirm_console(self, kind: str, asset_id: str, by: str) -> str:
        """Record that the console unlink is done: 'ok', 'already', 'linked' or 'unknown'."""
        args: ScriptArgs = [int(time.time()), by]
        return text(self._console_done(keys=[asset_key(kind, asset_id)], args=args))

    def find(self, asset_id: str) -> list[Asset]:
        """The assets of any kind with this id."""
        return [a for a in (self.get(kind, asset_id) for kind in KINDS) if a is not None]


def decode(kind: str, asset_id: str, fields: dict[str, str]) -> Asset:
    """An asset from its hash."""
    unlinked_at = fields.get("unlinked_at")
    console_at = fields.get("console_confirmed_at")
    return Asset(
        kind,
        asset_id,
        fields.get("name", ""),
        int(fields.get("since", 0)),
        fields.get("status", "linked"),
        int(unlinked_at) if unlinked_at else None,
        fields.get("unlinked_by"),
        int(console_at) if console_at else None,
        fields.get("app", ""),
    )
