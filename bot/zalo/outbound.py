"""One OA's way out: its token manager, OA API and ZNS clients (its sending state, held or ok,
is `bot.zalo.sending.Sending` of its id)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.oas import OA, UNLINKED, OARegistry
from zalo_api.errors import OA as OA_FAULT
from zalo_api.errors import USER, ZaloError
from zalo_api.oa import OAClient
from zalo_api.tokens import TokenManager
from zalo_api.zns import ZNSClient


@dataclass(frozen=True)
class Outbound:
    """Everything that sends through one OA (built lazily, once per process and OA)."""

    oa: OA
    tokens: TokenManager
    api: OAClient
    zns: ZNSClient


class UnservedOAError(ZaloError):
    """A message for an OA this deployment does not serve: never sent through another OA's
    token; held (with this reason) until the OA is configured again."""

    def __init__(self, oa_id: str) -> None:
        super().__init__(f"OA {oa_id} is not served here (not configured nor connected)")

    @property
    def fault(self) -> str:
        """The OA cannot send from here."""
        return OA_FAULT


class UnlinkedOAError(ZaloError):
    """A message for an OA (or through an App) an admin unlinked: serving it stopped, so the
    message is dropped and counted (`oa_unlinked`), never held for a reconnection."""

    def __init__(self, oa_id: str) -> None:
        super().__init__(f"OA {oa_id} was unlinked: not served")

    @property
    def fault(self) -> str:
        """Dropped as a message the user cannot receive (counted by reason)."""
        return USER

    @property
    def reason(self) -> str:
        """What the refusals counter says."""
        return "oa_unlinked"


def unserved(registry: OARegistry, oa_id: str) -> ZaloError:
    """Why the registry has no OA of oa_id: unlinked (dropped), or unknown (held)."""
    if registry.state(oa_id) == UNLINKED:
        return UnlinkedOAError(oa_id)
    return UnservedOAError(oa_id)
