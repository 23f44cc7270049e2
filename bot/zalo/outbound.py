"""One OA's way out: its token manager, OA API and ZNS clients, and its sending state."""

from __future__ import annotations

from dataclasses import dataclass

from bot.oas import OA
from bot.zalo.sending import Sending
from zalo_api.errors import OA as OA_FAULT
from zalo_api.errors import ZaloError
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
    sending: Sending


class UnservedOAError(ZaloError):
    """A message for an OA this deployment does not serve: never sent through another OA's
    token; held (with this reason) until the OA is configured again."""

    def __init__(self, oa_id: str) -> None:
        super().__init__(f"OA {oa_id} is neither ZALO_OA_ID nor in ZALO_EXTRA_APPS")

    @property
    def fault(self) -> str:
        """The OA cannot send from here."""
        return OA_FAULT
