"""The parts of one bot process, built once (by `bot.wiring.build_services`) into a frozen value.

The pipeline, the web views and the CLI take `Services`; the rooms below them take only what
they use (`bot.connections.Connections`, or their own `parts` shapes), so nothing below the
pipeline imports this module and no import closes a circle.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import Flask, current_app

from bot.admin.admins import AdminDirectory
from bot.admin.assets import AssetRegistry
from bot.admin.audit import AuditLog
from bot.connections import Connections, Wires
from bot.conversation.engine import Engine
from bot.conversation.store import ConversationStore
from bot.oas import OA, UNLINKED
from bot.sms import SmsProvider
from bot.verification.service import Verifier
from bot.verification.zalo_codes import SandboxZaloCodeSender, ZnsCodeSender
from bot.zalo.clients import build_outbound
from bot.zalo.outbound import Outbound, unserved
from bot.zalo.token_admin import token_states

if TYPE_CHECKING:  # the pipeline's senders are built by bot.wiring; only their shape is here
    from bot.worker.senders import Sender


class Outbounds:
    """Each served OA's way out (clients and token), built on first use."""

    def __init__(self, wires: Connections) -> None:
        self.wires = wires
        self.built: dict[str, Outbound] = {}  # oa_id -> its outbound
        self.guard = threading.Lock()  # the sending threads ask at once

    def get(self, oa_id: str) -> Outbound:
        """The OA's way out, built once per process and OA (again when the OA changed, e.g.
        connected again); UnservedOAError (UnlinkedOAError) for an OA not served now."""
        oa = self.wires.registry.get(oa_id)
        if oa is None:
            raise unserved(self.wires.registry, oa_id)
        return self.of(oa)

    def of(self, oa: OA) -> Outbound:
        """The outbound of oa, served or not (the main OA's tokens for the CLI)."""
        found = self.built.get(oa.oa_id)
        if found is not None and found.oa == oa:
            return found
        with self.guard:
            found = self.built.get(oa.oa_id)
            if found is None or found.oa != oa:
                # A restart must not revive the env tokens of an unlinked OA (or of its App).
                seed = oa.main and self.wires.registry.state(oa.oa_id) != UNLINKED
                self.built[oa.oa_id] = found = build_outbound(self.wires, oa, seed)
            return found


@dataclass(frozen=True, eq=False)  # a process's parts: compared and hashed by identity
class Services(Wires):
    """The connections, and every part built on them."""

    outbounds: Outbounds
    conversations: ConversationStore  # conversation state and language preferences
    engine: Engine  # the conversation engine with every flow of the bot
    admins: AdminDirectory  # who may run admin commands
    assets: AssetRegistry  # the linked App IDs and OAs
    audit: AuditLog  # the audit trail of admin commands
    verifier: Verifier  # phone verification: codes, accounts, limits
    sms: SmsProvider  # the SMS provider of SMS_PROVIDER (console in sandbox)
    zalo_codes: ZnsCodeSender | SandboxZaloCodeSender  # ZNS, or the sandbox phone inbox
    sender: Sender  # where replies go: Zalo, or the sandbox chat log

    def outbound(self, oa_id: str) -> Outbound:
        """The OA's way out; UnservedOAError for an OA this deployment does not serve."""
        return self.outbounds.get(oa_id)


def token_states_of(services: Services) -> dict[str, str]:
    """The token state of every served OA that needs one (see token_states)."""
    services.outbounds.of(services.registry.main)  # building it seeds the env tokens
    return token_states(services)


def served_oas(services: Services) -> list[str]:
    """The ids of the OAs served now, the main one first (whose sending states are shown)."""
    return [oa.oa_id for oa in services.registry.all()]


def services_of(app: Flask) -> Services:
    """The services attached to app by create_app."""
    found: Services = app.extensions["bot"]
    return found


def current_services() -> Services:
    """The services of the running app (request, CLI or job context)."""
    return services_of(current_app)
