"""Accounts as the portal reads them: API answers, callbacks and the CLI share one shape."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.keys import UserRef
from bot.verification.accounts import Account

if TYPE_CHECKING:
    from bot.services import Services


def iso(epoch: float | None) -> str | None:
    """An epoch as ISO 8601 UTC (None stays None)."""
    return datetime.fromtimestamp(epoch, UTC).isoformat() if epoch else None


def account_json(account: Account, locked_for_seconds: int, now: float) -> dict[str, Any]:
    """The account as the portal reads it (API answers and callbacks alike)."""
    return {
        "user_id": account.user_id,
        "user_id_by_app": account.user_id_by_app,
        "phone": account.phone,
        "sms_verified": account.sms_verified_at is not None,
        "zalo_verified": account.zalo_verified_at is not None,
        "sms_verified_at": iso(account.sms_verified_at),
        "zalo_verified_at": iso(account.zalo_verified_at),
        "locked_until": iso(now + locked_for_seconds) if locked_for_seconds else None,
    }


def account_view(services: Services, any_id: str) -> dict[str, Any] | None:
    """The account of any_id as the portal reads it; a user locked out before ever verifying
    shows too (no phone, the lock's end). None when the bot knows nothing of any_id."""
    oa_id = services.settings.zalo_oa_id
    found = services.verifier.accounts.find(oa_id, any_id)
    account = found or Account(any_id, None, None, None, None)
    wait = services.verifier.codes.lock_wait_seconds(UserRef(oa_id, account.user_id), account.phone)
    if found is None and not wait:
        return None
    return account_json(account, wait, time.time())
