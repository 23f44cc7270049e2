"""The composition root: how each part of `Services` is built, and the bot's engine.

Only the entry points (app factory, worker, CLI) import this module; it may import anything.
"""

from __future__ import annotations

import threading
from functools import cached_property

import redis

from bot.admin.admins import AdminDirectory
from bot.admin.assets import AssetRegistry
from bot.admin.audit import AuditLog
from bot.admin.served import LiveRegistry
from bot.config import Settings
from bot.conversation.engine import Engine
from bot.conversation.flow import Flow
from bot.conversation.store import ConversationStore
from bot.metrics import SEND_CEILING
from bot.oas import OA, OARegistry
from bot.pipeline.senders import SandboxSender, Sender, ZaloSender
from bot.redis_client import connect_redis
from bot.services import Services
from bot.sms import SmsProvider, build_provider
from bot.verification.service import Verifier
from bot.verification.zalo_codes import SandboxZaloCodeSender, ZnsCodeSender
from bot.zalo.apps import AppSecrets
from bot.zalo.clients import build_outbound
from bot.zalo.outbound import Outbound, unserved
from handlers import (
    admin_commands,
    admin_unlink,
    basics,
    choices,
    link_account,
    unlink_guide,
    verify_code,
    verify_flow,
)
from zalo_api.oa import OAClient
from zalo_api.tokens import TokenManager
from zalo_api.zns import ZNSClient


def build_engine() -> Engine:
    """Every flow of the bot, with the routes that work everywhere."""
    flows: list[Flow] = [
        verify_flow.VERIFY,
        admin_commands.ADMIN_FLOW,
        admin_unlink.UNLINK_FLOW,
        unlink_guide.GUIDE,
        link_account.LINK,
    ]
    global_routes = [*basics.GLOBAL_ROUTES, *verify_code.GLOBAL_ROUTES]
    return Engine(
        flows,
        global_routes,
        idle=basics.idle,
        stale=basics.stale_choice,
        shortcut=choices.menu_number,
    )


class BotServices(Services):
    """Each part built on first use, so a process pays only for what it touches."""

    def __init__(self, settings: Settings, client: redis.Redis) -> None:
        super().__init__(settings, client)
        self.outbounds: dict[str, Outbound] = {}  # oa_id -> its outbound, built on first use
        self.outbound_guard = threading.Lock()  # the sending threads ask at once

    @cached_property
    def registry(self) -> OARegistry:
        """The served OAs: the configured ones and those connected at runtime (in Redis)."""
        return LiveRegistry(OARegistry.from_settings(self.settings), self.assets)

    def outbound(self, oa_id: str) -> Outbound:
        """The OA's way out, built once per process and OA (again when the OA changed, e.g.
        connected again); UnservedOAError (UnlinkedOAError) for an OA not served now."""
        oa = self.registry.get(oa_id)
        if oa is None:
            raise unserved(self.registry, oa_id)
        return self.outbound_of(oa)

    def outbound_of(self, oa: OA) -> Outbound:
        """The outbound of oa, served or not (the main OA's tokens for the CLI)."""
        oa_id = oa.oa_id
        found = self.outbounds.get(oa_id)
        if found is not None and found.oa == oa:
            return found
        with self.outbound_guard:
            found = self.outbounds.get(oa_id)
            if found is None or found.oa != oa:
                self.outbounds[oa_id] = found = build_outbound(self, oa)
            return found

    @cached_property
    def app_secrets(self) -> AppSecrets:
        """The keys that sign each known app's webhook events."""
        return AppSecrets.from_registry(self.registry)

    @cached_property
    def conversations(self) -> ConversationStore:
        """Conversation state and language preferences."""
        return ConversationStore(self.redis, self.settings.conversation_idle_seconds)

    @cached_property
    def engine(self) -> Engine:
        """The conversation engine with every flow of the bot."""
        return build_engine()

    @property
    def tokens(self) -> TokenManager:
        """The main OA's OAuth tokens, refreshed in one place."""
        return self.outbound_of(self.registry.main).tokens

    @property
    def oa(self) -> OAClient:
        """The main OA's OA API client."""
        return self.outbound_of(self.registry.main).api

    @property
    def zns(self) -> ZNSClient:
        """The main OA's ZNS client."""
        return self.outbound_of(self.registry.main).zns

    @cached_property
    def admins(self) -> AdminDirectory:
        """Who may run admin commands."""
        return AdminDirectory(self.redis, self.settings)

    @cached_property
    def assets(self) -> AssetRegistry:
        """The linked App IDs and OAs."""
        return AssetRegistry(self.redis)

    @cached_property
    def audit(self) -> AuditLog:
        """The audit trail of admin commands."""
        return AuditLog(self.redis, self.settings.audit_retention_days)

    @cached_property
    def verifier(self) -> Verifier:
        """Phone verification: codes, accounts, limits."""
        return Verifier(self)

    @cached_property
    def sms(self) -> SmsProvider:
        """The SMS provider of SMS_PROVIDER (console in sandbox)."""
        return build_provider(self.settings, self.redis, self.http)

    @cached_property
    def zalo_codes(self) -> ZnsCodeSender | SandboxZaloCodeSender:
        """Where Zalo codes go: ZNS, or the sandbox phone inbox."""
        if self.settings.bot_sandbox:
            return SandboxZaloCodeSender(self.redis)
        return ZnsCodeSender(self.outbound, self.settings)

    @cached_property
    def sender(self) -> Sender:
        """Where replies go: Zalo, or the sandbox chat log."""
        return SandboxSender(self.redis) if self.settings.bot_sandbox else ZaloSender(self.outbound)


def build_services(settings: Settings, client: redis.Redis | None = None) -> BotServices:
    """Create the process-wide services for these settings."""
    SEND_CEILING.labels("sms").set(settings.sms_global_per_minute)
    SEND_CEILING.labels("zalo").set(settings.zns_global_per_minute)
    return BotServices(settings, client or connect_redis(settings))
