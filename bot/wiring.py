"""The composition root: how each part of `Services` is built, and the bot's engine.

Only the entry points (app factory, worker, CLI) import this module; it may import anything.
"""

from __future__ import annotations

from functools import cached_property

import redis

from bot.admin.admins import AdminDirectory
from bot.admin.assets import AssetRegistry
from bot.admin.audit import AuditLog
from bot.config import Settings
from bot.conversation.engine import Engine
from bot.conversation.flow import Flow
from bot.conversation.store import ConversationStore
from bot.metrics import SEND_CEILING
from bot.pipeline.senders import SandboxSender, Sender, ZaloSender
from bot.redis_client import connect_redis
from bot.services import Services
from bot.sms import SmsProvider, build_provider
from bot.verification.service import Verifier
from bot.verification.zalo_codes import SandboxZaloCodeSender, ZnsCodeSender
from bot.zalo.apps import AppSecrets
from bot.zalo.clients import build_oa_client, build_token_manager, build_zns_client
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

    @cached_property
    def app_secrets(self) -> AppSecrets:
        """The keys that sign each known app's webhook events."""
        return AppSecrets.from_settings(self.settings)

    @cached_property
    def conversations(self) -> ConversationStore:
        """Conversation state and language preferences."""
        return ConversationStore(self.redis, self.settings.conversation_idle_seconds)

    @cached_property
    def engine(self) -> Engine:
        """The conversation engine with every flow of the bot."""
        return build_engine()

    @cached_property
    def tokens(self) -> TokenManager:
        """The OA's OAuth tokens, refreshed in one place."""
        return build_token_manager(self)

    @cached_property
    def oa(self) -> OAClient:
        """The OA API client."""
        return build_oa_client(self)

    @cached_property
    def zns(self) -> ZNSClient:
        """The ZNS client (Zalo codes)."""
        return build_zns_client(self)

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
        return ZnsCodeSender(self.zns, self.settings)

    @cached_property
    def sender(self) -> Sender:
        """Where replies go: Zalo, or the sandbox chat log."""
        return SandboxSender(self.redis) if self.settings.bot_sandbox else ZaloSender(self.oa)


def build_services(settings: Settings, client: redis.Redis | None = None) -> BotServices:
    """Create the process-wide services for these settings."""
    SEND_CEILING.labels("sms").set(settings.sms_global_per_minute)
    SEND_CEILING.labels("zalo").set(settings.zns_global_per_minute)
    return BotServices(settings, client or connect_redis(settings))
