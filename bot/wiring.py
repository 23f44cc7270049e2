"""The composition root: how each part of `Services` is built, and the bot's engine.

Only the entry points (app factory, worker, CLI) import this module; it may import anything.
"""

from __future__ import annotations

from dataclasses import replace

import redis

from bot.admin.admins import AdminDirectory
from bot.admin.assets import AssetRegistry
from bot.admin.audit import AuditLog
from bot.admin.served import LiveRegistry
from bot.config import Settings
from bot.connections import Wires
from bot.conversation.engine import Engine
from bot.conversation.flow import Flow
from bot.conversation.store import ConversationStore
from bot.metrics import SEND_CEILING, serve_oas
from bot.redis_client import connect_redis
from bot.services import Outbounds, Services
from bot.sms import build_provider
from bot.verification.service import Verifier
from bot.verification.zalo_codes import SandboxZaloCodeSender, ZnsCodeSender
from bot.worker.senders import SandboxSender, Sender, ZaloSender
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


def build_services(settings: Settings, client: redis.Redis | None = None) -> Services:
    """Build every part of a process with these settings, once."""
    SEND_CEILING.labels("sms").set(settings.sms_global_per_minute)
    SEND_CEILING.labels("zalo").set(settings.zns_global_per_minute)
    wires = Wires.build(settings, client or connect_redis(settings))
    serve_oas(oa.oa_id for oa in wires.registry.all())  # the configured ones (no Redis read)
    assets = AssetRegistry(wires.redis)
    # The OAs served now: the configured ones and those connected by OAuth (in Redis).
    wires = replace(wires, registry=LiveRegistry(wires.registry, assets))
    outbounds = Outbounds(wires)
    sandbox = settings.bot_sandbox
    zalo_codes: ZnsCodeSender | SandboxZaloCodeSender = (
        SandboxZaloCodeSender(wires.redis) if sandbox else ZnsCodeSender(outbounds.get, settings)
    )
    sender: Sender = SandboxSender(wires.redis) if sandbox else ZaloSender(outbounds.get)
    return Services(
        settings=wires.settings,
        redis=wires.redis,
        replica_ack=wires.replica_ack,
        queues=wires.queues,
        http=wires.http,
        registry=wires.registry,
        outbounds=outbounds,
        conversations=ConversationStore(wires.redis, settings.conversation_idle_seconds),
        engine=build_engine(),
        admins=AdminDirectory(wires.redis, settings, wires.registry.main.oa_id),
        assets=assets,
        audit=AuditLog(wires.redis, settings.audit_retention_days),
        verifier=Verifier(wires),
        sms=build_provider(settings, wires.redis, wires.http),
        zalo_codes=zalo_codes,
        sender=sender,
    )
