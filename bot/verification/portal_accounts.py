"""The pending verification of a portal account, as the portal API reports it.

The code itself lives in the code store like every code; this record adds what the portal
needs around it: the verification id, the number and channel (a check gives only the code),
when it expires, who asked (the API or a linked chat user) and whether the send failed.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import redis

from bot.keys import UserRef
from bot.queues.internal_events import notify_send_failed
from bot.verification.links import account_id_of

if TYPE_CHECKING:
    from bot.connections import Connections

# Long enough after a code expires for a late check to hear "expired", not "unknown".
KEEP_AFTER_EXPIRY_SECONDS = 24 * 3600
# A number ZNS said has no Zalo account: the next Zalo request is refused at once.
NO_ZALO_MEMORY_SECONDS = 24 * 3600
ORIGIN_API = "api"


@dataclass(frozen=True)
class Pending:
    """A code issued to a portal account: by the API or by its linked chat user (origin)."""

    verification_id: str
    phone: str
    channel: str
    expires_at: int
    origin: str  # "api", or the Zalo user id of the linked chat
    reference: str
    status: str = "pending"  # or "failed"
    reason: str = ""


class PortalVerifications:
    """Owns portal-ver:{oa:portal:<id>} (one pending record) and no-zalo:<phone>."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def record(
        self, user: UserRef, phone: str, channel: str, expires_at: int, origin: str, reference: str
    ) -> Pending:
        """A new code replaces the pending record with a fresh verification id."""
        new_id = "ver_" + secrets.token_hex(12)
        pending = Pending(new_id, phone, channel, expires_at, origin, reference)
        ttl = max(1, expires_at - self.now()) + KEEP_AFTER_EXPIRY_SECONDS
        self.client.set(user.key("portal-ver"), json.dumps(asdict(pending)), ex=ttl)
        return pending

    def get(self, user: UserRef) -> Pending | None:
        """The account's last verification, if one is still remembered."""
        found = self.client.get(user.key("portal-ver"))
        return Pending(**json.loads(found)) if found else None

    def finish(self, user: UserRef) -> None:
        """The code was used: nothing is pending any more."""
        self.client.delete(user.key("portal-ver"))

    def mark_failed(self, user: UserRef, reference: str, reason: str) -> Pending | None:
        """The send of the code with reference failed for good; the record, if it is that code."""
        pending = self.get(user)
        if pending is None or pending.reference != reference:
            return None
        failed = Pending(**{**asdict(pending), "status": "failed", "reason": reason})
        ttl = self.client.ttl(user.key("portal-ver"))
        self.client.set(user.key("portal-ver"), json.dumps(asdict(failed)), ex=max(1, int(ttl)))
        return failed

    def remember_no_zalo(self, phone: str) -> None:
        """ZNS answered -118 for this number."""
        self.client.set(f"no-zalo:{phone}", 1, ex=NO_ZALO_MEMORY_SECONDS)

    def has_no_zalo(self, phone: str) -> bool:
        """Whether ZNS recently said this number has no Zalo account."""
        return bool(self.client.exists(f"no-zalo:{phone}"))

    def now(self) -> int:
        """Redis's clock, so every process agrees on expiry."""
        seconds, _ = self.client.time()
        return int(seconds)


def report_send_failure(
    services: Connections, user: UserRef, channel: str, reason: str, reference: str
) -> None:
    """Tell whoever waits for a code that failed for good: the chat user, or the portal."""
    pending_store = PortalVerifications(services.redis)
    if account_id_of(user) is None:
        notify_send_failed(services, user, channel, reason, reference)
        return
    failed = pending_store.mark_failed(user, reference, reason)
    if reason == "no_zalo_account" and failed is not None:
        pending_store.remember_no_zalo(failed.phone)
    if failed is not None and failed.origin != ORIGIN_API:
        # A linked chat user asked: their dialogue tells them, in their inbox, in order.
        notify_send_failed(services, UserRef(user.oa_id, failed.origin), channel, reason, reference)
