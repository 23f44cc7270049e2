"""Which kind of run owns a Redis: a sandbox's state (admins, assets, tokens, users) is never
seen by a production start, and a sandbox never writes into production's Redis.

The first start on an empty Redis claims it for its kind; a start of the other kind refuses,
with one line naming the Redis setting. A Redis that a sandbox used before the claim existed
is known by the sandbox's assets in the registry.
"""

from __future__ import annotations

import logging

import redis

from bot.admin.assets import INDEX_KEY, asset_key
from bot.config import SANDBOX_APP_ID, SANDBOX_OA_ID, ConfigError, Settings
from bot.keys import text

log = logging.getLogger(__name__)
OWNER_KEY = "bot:owner"
SANDBOX, PRODUCTION = "sandbox", "production"

# KEYS: owner, sandbox app, sandbox OA, asset index. ARGV: the kind starting. Returns the owner.
CLAIM = """
local owner = redis.call('GET', KEYS[1])
if owner then return owner end
if redis.call('EXISTS', KEYS[2], KEYS[3]) > 0 then
  owner = 'sandbox'
elseif redis.call('EXISTS', KEYS[4]) == 1 then
  owner = 'production'
else
  owner = ARGV[1]
end
redis.call('SET', KEYS[1], owner)
return owner
"""


def claim_redis(client: redis.Redis, settings: Settings) -> None:
    """Claim Redis for this kind of run, or raise ConfigError when the other kind owns it.

    Unreachable, it is checked by the next start (as seeding is): /readyz reports Redis."""
    mine = SANDBOX if settings.bot_sandbox else PRODUCTION
    keys = [OWNER_KEY, asset_key("app", SANDBOX_APP_ID), asset_key("oa", SANDBOX_OA_ID), INDEX_KEY]
    try:
        owner = text(client.eval(CLAIM, len(keys), *keys, mine))
    except redis.RedisError as exc:
        log.warning("could not check who owns Redis: %s", type(exc).__name__)
        return
    if owner != mine:
        raise ConfigError(refusal(settings, owner))


def refusal(settings: Settings, owner: str) -> str:
    """The one line that stops a start on the other kind's Redis."""
    where = "REDIS_SENTINELS" if settings.redis_sentinels else "REDIS_URL"
    if owner == SANDBOX:
        return (
            f"{where} holds a sandbox's data (BOT_SANDBOX=1 ran on it): give production a Redis "
            "or database of its own, or empty this one (FLUSHDB) first"
        )
    return (
        f"{where} holds production data: a sandbox (BOT_SANDBOX=1) needs a Redis of its own "
        "(make run without REDIS_URL starts one)"
    )
