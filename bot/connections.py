"""A process's connections (settings, Redis, queues, HTTP session, OA registry), built once.

The stores and jobs of the lower rooms take `Connections`, the shape of what they use; the
parts built on top of it (`bot.services.Services`) satisfy it too.
"""

from __future__ import annotations

import os
import urllib.request
from dataclasses import dataclass
from typing import Protocol

import requests
import requests.adapters
from flask import current_app
from redis import Redis
from rq import Queue

from bot.config import Settings
from bot.oas import OARegistry
from bot.redis_client import ReplicaAck

# RQ queues, in priority order, for the work that is not a stage's (bot.worker.crew: events,
# replies and code sends have runners of their own): a code's delayed delivery check first (it
# may offer SMS while the code is valid), then the rest (portal callbacks, unlinks, data).
QUEUE_CODES = "codes"
QUEUE_BACKGROUND = "background"
QUEUE_NAMES = (QUEUE_CODES, QUEUE_BACKGROUND)
# Outbound connections kept per host: the sending threads (64), the code senders (32), the
# events stage's threads and the RQ worker's jobs.
HTTP_POOL_SIZE = 100


class Connections(Protocol):
    """What the stores and jobs below the pipeline use of a process."""

    @property
    def settings(self) -> Settings:
        """The process's settings."""

    @property
    def redis(self) -> Redis:
        """The Redis client."""

    @property
    def replica_ack(self) -> ReplicaAck:
        """Waits for a replica before an acknowledgement (Sentinel mode only)."""

    @property
    def http(self) -> requests.Session:
        """One HTTP session (connection pool) for every outbound call."""

    @property
    def registry(self) -> OARegistry:
        """The OAs this deployment serves."""

    def queue(self, name: str) -> Queue:
        """The queue called name (one of QUEUE_NAMES)."""


@dataclass(frozen=True, eq=False)  # a process's parts: compared and hashed by identity
class Wires:
    """The connections themselves: what every part of a process is built on."""

    settings: Settings
    redis: Redis
    replica_ack: ReplicaAck
    queues: dict[str, Queue]
    http: requests.Session
    registry: OARegistry

    @classmethod
    def build(cls, settings: Settings, client: Redis) -> Wires:
        """The connections of a process with these settings on this Redis client."""
        return cls(
            settings,
            client,
            # Sentinel means a replica exists: acknowledge only what it confirmed.
            ReplicaAck(client, enabled=bool(settings.redis_sentinels)),
            {name: Queue(name, connection=client, default_timeout=60) for name in QUEUE_NAMES},
            pooled_session(),
            OARegistry.from_settings(settings),
        )

    def queue(self, name: str) -> Queue:
        """The queue called name (one of QUEUE_NAMES)."""
        return self.queues[name]


def pooled_session() -> requests.Session:
    """One HTTP session (connection pool) for every outbound call of this process."""
    session = outbound_session()
    # Replies go out from many threads at once (bot.worker.delivery): keep a kept-alive
    # connection for each, instead of requests' 10 per host and a new one for the rest.
    adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=HTTP_POOL_SIZE)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def outbound_session() -> requests.Session:
    """A session that reads the environment's proxy and CA settings once, not on every call.

    requests looks up the proxy variables (walking all of os.environ) on every request: about
    a third of the CPU a reply costs the worker. Without any proxy variable set, the
    environment can only still change the CA bundle, which is read here once instead.
    """
    session = requests.Session()
    if not urllib.request.getproxies():
        session.trust_env = False
        session.verify = (
            os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        )
    return session


def current_connections() -> Connections:
    """The connections of the running app (a job runs inside the worker's app context)."""
    found: Connections = current_app.extensions["bot"]
    return found
