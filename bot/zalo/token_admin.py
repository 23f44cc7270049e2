"""Tokens as operators manage them, per OA: set a new pair, see each OA's state."""

from __future__ import annotations

import time

from bot.connections import Connections
from bot.oas import OARegistry
from bot.zalo.token_status import (
    SOURCE_CLI,
    TOKENS_CHANGED_CHANNEL,
    TokenStatus,
    token_state,
)
from bot.zalo.token_store import RedisRefreshLock, RedisTokenStorage
from zalo_api.oauth import TokenPair


def oa_apps(registry: OARegistry) -> dict[str, str]:
    """oa_id -> the App it granted (its tokens are kept per App and OA), main OA first."""
    return {oa.oa_id: oa.app_id for oa in registry.all()}


def storage_of(services: Connections, oa_id: str, app_id: str) -> RedisTokenStorage:
    """Where the tokens of oa_id through app_id live (the main OA adopts the old layout)."""
    main = services.registry.main
    legacy = (oa_id, app_id) == (main.oa_id, main.app_id)
    return RedisTokenStorage(services.redis, app_id, oa_id, legacy=legacy)


def set_pair(services: Connections, app_id: str, oa_id: str, pair: TokenPair) -> int:
    """Store an operator's pair as a refresh stores a rotated one (durable, under the refresh
    lock, so no refresher in flight overwrites it with a pair of the old refresh token) and
    tell running processes; the new version of the OA's tokens."""
    client = services.redis
    storage, status = storage_of(services, oa_id, app_id), TokenStatus(client, app_id, oa_id)
    storage.adopt_legacy()  # else an old pair would be adopted over this one later
    with RedisRefreshLock(client, app_id, oa_id)():
        with client.pipeline(transaction=True) as pipe:
            pipe.set(storage.key, storage.encode(pair))
            status.stored(SOURCE_CLI, pipe)
            pipe.publish(TOKENS_CHANGED_CHANNEL, app_id)
            pipe.execute()
    return status.read().version


def token_states(services: Connections) -> dict[str, str]:
    """The state of every served OA that needs a token: the main OA and every OA connected by
    OAuth always (one relinked after an unlink has none until connected again), an extra
    app's configured OA once tokens were stored for it; an unlinked OA is not served, so it
    needs none (the caller built the main OA's outbound first: building it seeds the env
    tokens)."""
    registry = services.registry
    states: dict[str, str] = {}
    now = time.time()
    for oa in registry.all():
        oa_id, app_id = oa.oa_id, oa.app_id
        pair = storage_of(services, oa_id, app_id).load()
        if pair is None and not oa.main and oa_id in registry.configured:
            continue
        status = TokenStatus(services.redis, app_id, oa_id).read()
        states[oa_id] = token_state(pair, status, now)
    return states
