"""What the verification room's jobs use of a process: its connections and its senders."""

from __future__ import annotations

from typing import Protocol

from flask import current_app

from bot.connections import Connections
from bot.sms import SmsProvider
from bot.verification.service import Verifier
from bot.verification.zalo_codes import SandboxZaloCodeSender, ZnsCodeSender
from bot.zalo.outbound import Outbound


class VerificationParts(Connections, Protocol):
    """The connections, the verifier and the ways a code goes out."""

    @property
    def verifier(self) -> Verifier:
        """Phone verification: codes, accounts, limits."""

    @property
    def sms(self) -> SmsProvider:
        """The SMS provider of SMS_PROVIDER (console in sandbox)."""

    @property
    def zalo_codes(self) -> ZnsCodeSender | SandboxZaloCodeSender:
        """Where Zalo codes go: ZNS, or the sandbox phone inbox."""

    def outbound(self, oa_id: str) -> Outbound:
        """The OA's way out (UnservedOAError for an OA this deployment does not serve)."""


def current_parts() -> VerificationParts:
    """The parts of the running app (a job runs inside the worker's app context)."""
    found: VerificationParts = current_app.extensions["bot"]
    return found
