"""The connections and shared parts of one bot process, handed to whoever needs them.

`Services` says what a process has; `bot.wiring.BotServices` says how each part is built.
Modules depend on this declaration only, so no module reaches up to the code that builds
(and imports) everything.
"""

from __future__ import annotations

import os
import urllib.request
from abc import ABC, abstractmethod
from functools import cached_property
from typing import TYPE_CHECKING

import redis
import requests
import requests.adapters
from flask import Flask, current_app
from rq import Queue

from bot.config import Settings
from bot.oas import OARegistry
from bot.redis_client import ReplicaAck

if TYPE_CHECKING:
    from bot.admin.admins import AdminDirectory
    from bot.admin.assets import AssetRegistry
    from bot.admin.audit import AuditLog
    from bot.conversation.engine import Engine
    from bot.conversation.store import ConversationStore
    from bot.pipeline.senders import Sender
    from bot.sms import SmsProvider
    from bot.verification.service import Verifier
    from bot.verification.zalo_codes import SandboxZaloCodeSender, ZnsCodeSender
    from bot.zalo.apps import AppSecrets
    from bot.zalo.outbound import Outbound
    from zalo_api.oa import OAClient
    from zalo_api.tokens import TokenManager
    from zalo_api.zns import ZNSClient

# RQ queues, in priority order, for the work that is not a stage's (bot.pipeline.crew: events,
# replies and code sends have runners of their own): a code's delayed delivery check first (it
# may offer SMS while the code is valid), then the rest (portal callbacks, unlinks, data).
QUEUE_CODES = "codes"
QUEUE_BACKGROUND = "background"
QUEUE_NAMES = (QUEUE_CODES, QUEUE_BACKGROUND)
# Outbound connections kept per host: the sending threads plus the code senders.
HTTP_POOL_SIZE = 48


class Services(ABC):
    """Settings, the Redis client, the queues, the HTTP session, and the parts built on them."""

    def __init__(self, settings: Settings, client: redis.Redis) -> None:
        self.settings = settings
        self.redis = client
        # Sentinel means a replica exists: acknowledge only what it confirmed.
        self.replica_ack = ReplicaAck(client, enabled=bool(settings.redis_sentinels))
        self.queues = {
            name: Queue(name, connection=client, default_timeout=60) for name in QUEUE_NAMES
        }

    def queue(self, name: str) -> Queue:
        """The queue called name (one of QUEUE_NAMES)."""
        return self.queues[name]

    @cached_property
    def http(self) -> requests.Session:
        """One HTTP session (connection pool) for every outbound call of this process."""
        session = outbound_session()
        # Replies go out from many threads at once (bot.pipeline.delivery): keep a kept-alive
        # connection for each, instead of requests' 10 per host and a new one for the rest.
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=HTTP_POOL_SIZE)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    @cached_property
    def registry(self) -> OARegistry:
        """The OAs this deployment serves (built once from the settings)."""
        return OARegistry.from_settings(self.settings)

    @abstractmethod
    def outbound(self, oa_id: str) -> Outbound:
        """The OA's way out (clients, token, sending state); UnservedOAError for an OA this
        deployment does not serve."""

    @property
    @abstractmethod
    def app_secrets(self) -> AppSecrets:
        """The keys that sign each known app's webhook events."""

    @property
    @abstractmethod
    def conversations(self) -> ConversationStore:
        """Conversation state and language preferences."""

    @property
    @abstractmethod
    def engine(self) -> Engine:
        """The conversation engine with every flow of the bot."""

    @property
    @abstractmethod
    def tokens(self) -> TokenManager:
        """The main OA's OAuth tokens, refreshed in one place."""

    @property
    @abstractmethod
    def oa(self) -> OAClient:
        """The main OA's OA API client (a user's messages go through their OA's outbound)."""

    @property
    @abstractmethod
    def zns(self) -> ZNSClient:
        """The main OA's ZNS client (a user's codes go through their OA's outbound)."""

    @property
    @abstractmethod
    def admins(self) -> AdminDirectory:
        """Who may run admin commands."""

    @property
    @abstractmethod
    def assets(self) -> AssetRegistry:
        """The linked App IDs and OAs."""

    @property
    @abstractmethod
    def audit(self) -> AuditLog:
        """The audit trail of admin commands."""

    @property
    @abstractmethod
    def verifier(self) -> Verifier:
        """Phone verification: codes, accounts, limits."""

    @property
    @abstractmethod
    def sms(self) -> SmsProvider:
        """The SMS provider of SMS_PROVIDER (console in sandbox)."""

    @property
    @abstractmethod
    def zalo_codes(self) -> ZnsCodeSender | SandboxZaloCodeSender:
        """Where Zalo codes go: ZNS, or the sandbox phone inbox."""

    @property
    @abstractmethod
    def sender(self) -> Sender:
        """Where replies go: Zalo, or the sandbox chat log."""


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


def services_of(app: Flask) -> Services:
    """The services attached to app by create_app."""
    found: Services = app.extensions["bot"]
    return found


def current_services() -> Services:
    """The services of the running app (request, CLI or job context)."""
    return services_of(current_app)
