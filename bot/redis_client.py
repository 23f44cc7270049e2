"""The process's Redis client: one URL, or the primary Redis Sentinel names (follows failovers).

Also what a write must wait for before it is acknowledged when a replica exists.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import hiredis
import redis
from redis._parsers.encoders import Encoder
from redis.backoff import NoBackoff
from redis.client import Pipeline
from redis.commands.core import Script
from redis.connection import HiredisRespSerializer, PythonRespSerializer
from redis.retry import Retry
from redis.sentinel import Sentinel

from bot.config import Settings
from bot.keys import text
from bot.metrics import REDIS_OUTAGES, UNREPLICATED
from bot.redis_lean import LeanPool, LeanRedis, LeanSentinelPool

log = logging.getLogger(__name__)

# Errors that mean "Redis is away" (down, restarting, loading its AOF, failing over), as
# opposed to a bug. BusyLoadingError is a ConnectionError; a demoted primary's READONLY is
# turned into a ConnectionError by redis-py's Sentinel connections.
OUTAGE_ERRORS: tuple[type[Exception], ...] = (redis.ConnectionError, redis.TimeoutError)


class Packer:
    """Packs a command in one call of hiredis's C packer, which encodes str (UTF-8), int,
    float (as repr) and bytes itself: redis-py's own hiredis packer first walks every
    argument in Python, about a microsecond each, a tenth of the worker's CPU under load.
    Any other argument goes the stock way: a bytearray is packed, a bool or None raises
    redis-py's DataError."""

    def __init__(self) -> None:
        encoder = Encoder("utf-8", "strict", decode_responses=False)  # type: ignore[no-untyped-call]
        fallback = PythonRespSerializer(6000, encoder.encode)
        self.stock = HiredisRespSerializer(fallback.pack, encoder.encode)  # type: ignore[no-untyped-call]

    def pack(self, *args: Any) -> list[bytes]:
        """The command's bytes ('SCRIPT LOAD' and the like split into their words first)."""
        name = args[0]
        if (" " if isinstance(name, str) else b" ") in name:
            args = (*name.split(), *args[1:])
        try:
            return [hiredis.pack_command(args)]
        except TypeError:
            return self.stock.pack(*args)  # type: ignore[no-any-return]


CLIENT_OPTIONS: dict[str, Any] = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "health_check_interval": 30,
    # No blind re-sending: a MULTI/EXEC whose reply was lost may have been applied, and sending
    # it again would duplicate its effects. Callers re-run whole idempotent steps instead (the
    # webhook answers 503 and Zalo redelivers; a worker re-runs the interrupted job).
    "retry": Retry(NoBackoff(), 0),
    "command_packer": Packer(),
}
# A replica that has not confirmed a write within this long makes the webhook answer 503.
REPLICA_WAIT_MS = 1000
# How long a process trusts its last look at how many replicas the primary has.
REPLICA_COUNT_TTL_SECONDS = 5.0
ACK_PROBE_KEY = "bot:acked-writes"
BACKOFF_FIRST_SECONDS = 0.25
BACKOFF_MAX_SECONDS = 5.0


@functools.lru_cache(maxsize=1024)
def cached_script(client: redis.Redis, text: str) -> Script:
    """A script registered once per client (registering hashes its text every time)."""
    return client.register_script(text)


def run_script(
    script: Script, keys: Sequence[str], args: Sequence[Any], pipe: Pipeline | None = None
) -> Any:
    """Run a registered Lua script: by its SHA on the client (reloaded if Redis lost it), or
    by its text inside a pipeline.

    redis-py's own way inside a pipeline asks SCRIPT EXISTS before every execute: a round
    trip more on every commit. The text costs a few hundred bytes and can never meet NOSCRIPT
    halfway through a transaction.
    """
    if pipe is None:
        return script(keys=keys, args=args)
    return pipe.eval(text(script.script), len(keys), *keys, *args)


def sentinel_addresses(settings: Settings) -> list[tuple[str, int]]:
    """REDIS_SENTINELS as (host, port) pairs (validated by bot.config)."""
    pairs = [entry.rpartition(":") for entry in settings.redis_sentinels]
    return [(host, int(port)) for host, _, port in pairs]


def connect_redis(settings: Settings) -> redis.Redis:
    """One client (and pool) per process for state and queues alike.

    Bytes in, bytes out (decode_responses off) because RQ needs it and because state
    writes and enqueues share transactions. With Sentinel, every new connection asks the
    Sentinels where the primary is, so the client follows a failover by itself. Lean
    (bot.redis_lean): none of redis-py's per-command metrics and events.
    """
    if not settings.redis_sentinels:
        return LeanRedis.from_pool(LeanPool.from_url(settings.redis_url, **CLIENT_OPTIONS))
    password = settings.redis_sentinel_password or None
    sentinel = Sentinel(
        sentinel_addresses(settings),
        sentinel_kwargs={"password": password, "socket_connect_timeout": 1, "socket_timeout": 1},
        password=password,
        **CLIENT_OPTIONS,
    )
    primary: redis.Redis = sentinel.master_for(
        settings.redis_sentinel_master,
        redis_class=LeanRedis,
        connection_pool_class=LeanSentinelPool,
    )
    return primary


class ReplicaAck:
    """Before acknowledging, wait until a replica has the writes (Sentinel mode only)."""

    def __init__(self, client: redis.Redis, enabled: bool) -> None:
        self.client = client
        self.enabled = enabled
        self._replicas = 0
        self._checked_at = float("-inf")

    def replicas(self) -> int:
        """Replicas connected to the primary (looked up at most every few seconds)."""
        if time.monotonic() - self._checked_at > REPLICA_COUNT_TTL_SECONDS:
            info = self.client.info("replication")
            self._replicas = int(info.get("connected_slaves", 0))
            self._checked_at = time.monotonic()
        return self._replicas

    def confirm(self) -> bool:
        """True when a replica holds every write made so far, or when none is connected (the
        primary alone: durable as a single Redis with AOF, counted); False when a connected
        replica did not confirm in time."""
        if not self.enabled:
            return True
        if self.replicas() == 0:
            UNREPLICATED.inc()
            return True
        # WAIT counts the writes of its own connection: a write on the same connection, after
        # the caller's, makes it cover them all (replication is one ordered stream).
        with self.client.pipeline(transaction=False) as pipe:
            pipe.incr(ACK_PROBE_KEY)
            pipe.wait(1, REPLICA_WAIT_MS)
            acked = int(pipe.execute()[-1])
        if acked < 1:
            self._checked_at = float("-inf")  # maybe the replica left: look again next time
        return acked >= 1


def wait_for_redis(client: redis.Redis, stopping: Callable[[], bool] = lambda: False) -> bool:
    """Block until client answers PING (backoff doubling up to 5 s); False if asked to stop."""
    REDIS_OUTAGES.inc()
    delay = BACKOFF_FIRST_SECONDS
    while not stopping():
        try:
            client.ping()
            log.info("Redis answers again")
            return True
        except OUTAGE_ERRORS as exc:
            log.warning("Redis unreachable (%s); next try in %.2f s", type(exc).__name__, delay)
            time.sleep(delay)
            delay = min(delay * 2, BACKOFF_MAX_SECONDS)
    return False
