"""The connections and shared objects of one bot process, built once and passed explicitly."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

import redis
import requests
from flask import Flask, current_app
from rq import Queue

from bot.config import Settings

if TYPE_CHECKING:
    from bot.admins import AdminDirectory
    from bot.apps import AppSecrets
    from bot.assets import AssetRegistry
    from bot.audit import AuditLog
    from bot.conversations import ConversationStore
    from bot.engine import Engine
    from bot.senders import Sender
    from bot.sms import SmsProvider
    from bot.verification import Verifier
    from bot.zalo_codes import SandboxZaloCodeSender, ZnsCodeSender
    from zalo_api.oa import OAClient
    from zalo_api.tokens import TokenManager
    from zalo_api.zns import ZNSClient

# Queues in priority order: inbound events first, then what users wait for, then the rest.
QUEUE_EVENTS = "events"
QUEUE_MESSAGES = "messages"
QUEUE_BACKGROUND = "background"
QUEUE_NAMES = (QUEUE_EVENTS, QUEUE_MESSAGES, QUEUE_BACKGROUND)


def connect_redis(url: str) -> redis.Redis:
    """One client (and pool) per process for state and queues alike.

    Bytes in, bytes out (decode_responses off) because RQ needs it and because state
    writes and enqueues share transactions.
    """
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=2,
        socket_timeout=5,
        health_check_interval=30,
    )


class Services:
    """Settings, the Redis client, the queues, and what is built from them on first use."""

    def __init__(self, settings: Settings, client: redis.Redis) -> None:
        self.settings = settings
        self.redis = client
        self.queues = {
            name: Queue(name, connection=client, default_timeout=60) for name in QUEUE_NAMES
        }

    def queue(self, name: str) -> Queue:
        """The queue called name (one of QUEUE_NAMES)."""
        return self.queues[name]

    @cached_property
    def http(self) -> requests.Session:
        """One HTTP session (connection pool) for every outbound call of this process."""
        return requests.Session()

    @cached_property
    def app_secrets(self) -> AppSecrets:
        """The keys that sign each known app's webhook events."""
        from bot.apps import AppSecrets

        return AppSecrets.from_settings(self.settings)

    @cached_property
    def conversations(self) -> ConversationStore:
        """Conversation state and language preferences."""
        from bot.conversations import ConversationStore

        return ConversationStore(self.redis, self.settings.conversation_idle_seconds)

    @cached_property
    def engine(self) -> Engine:
        """The conversation engine with every flow of the bot."""
        from bot.routing import build_engine

        return build_engine()

    @cached_property
    def tokens(self) -> TokenManager:
        """The OA's OAuth tokens, refreshed in one place."""
        from bot.zalo_clients import build_token_manager

        return build_token_manager(self)

    @cached_property
    def oa(self) -> OAClient:
        """The OA API client."""
        from bot.zalo_clients import build_oa_client

        return build_oa_client(self)

    @cached_property
    def zns(self) -> ZNSClient:
        """The ZNS client (Zalo codes)."""
        from bot.zalo_clients import build_zns_client

        return build_zns_client(self)

    @cached_property
    def admins(self) -> AdminDirectory:
        """Who may run admin commands."""
        from bot.admins import AdminDirectory

        return AdminDirectory(self.redis, self.settings)

    @cached_property
    def assets(self) -> AssetRegistry:
        """The linked App IDs and OAs."""
        from bot.assets import AssetRegistry

        return AssetRegistry(self.redis)

    @cached_property
    def audit(self) -> AuditLog:
        """The audit trail of admin commands."""
        from bot.audit import AuditLog

        return AuditLog(self.redis)

    @cached_property
    def verifier(self) -> Verifier:
        """Phone verification: codes, accounts, limits."""
        from bot.verification import Verifier

        return Verifier(self)

    @cached_property
    def sms(self) -> SmsProvider:
        """The SMS provider of SMS_PROVIDER (console in sandbox)."""
        from bot.sms import build_provider

        return build_provider(self.settings, self.redis, self.http)

    @cached_property
    def zalo_codes(self) -> ZnsCodeSender | SandboxZaloCodeSender:
        """Where Zalo codes go: ZNS, or the sandbox phone inbox."""
        from bot.zalo_codes import SandboxZaloCodeSender, ZnsCodeSender

        if self.settings.bot_sandbox:
            return SandboxZaloCodeSender(self.redis)
        return ZnsCodeSender(self.zns, self.settings)

    @cached_property
    def sender(self) -> Sender:
        """Where replies go: Zalo, or the sandbox chat log."""
        from bot.senders import SandboxSender, ZaloSender

        return SandboxSender(self.redis) if self.settings.bot_sandbox else ZaloSender(self.oa)


def build_services(settings: Settings) -> Services:
    """Create the process-wide services for these settings."""
    return Services(settings, connect_redis(settings.redis_url))


def services_of(app: Flask) -> Services:
    """The services attached to app by create_app."""
    found: Services = app.extensions["bot"]
    return found


def current_services() -> Services:
    """The services of the running app (request, CLI or job context)."""
    return services_of(current_app)
