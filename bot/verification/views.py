"""Accounts as the portal reads them: API answers, callbacks and the CLI share one shape."""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING, Any

from bot.keys import UserRef
from bot.verification.accounts import Account, iso
from bot.verification.links import account_id_of, portal_ref, valid_account_id

if TYPE_CHECKING:
    from bot.verification.parts import VerificationParts


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


def account_view(
    services: VerificationParts, any_id: str, oa_id: str = ""
) -> dict[str, Any] | None:
    """The account of any_id as the portal reads it: a portal account_id, an OA-scoped user
    id or a user_id_by_app; a linked Zalo user shows their portal account. A user locked out
    before ever verifying shows too (no phone, the lock's end). None when nothing is known.
    oa_id: the OA whose accounts are read (the main OA when empty)."""
    oa_id = oa_id or services.registry.main.oa_id
    verifier = services.verifier
    portal = portal_ref(oa_id, any_id)
    if valid_account_id(any_id) and portal_known(services, portal):
        return portal_view(services, portal)
    if account_id_of(UserRef(oa_id, any_id)) is not None:
        return None  # the portal namespace is not a Zalo user id
    linked = verifier.links.account_of(UserRef(oa_id, any_id))
    if linked is None and (found := verifier.accounts.find(oa_id, any_id)) is not None:
        linked = verifier.links.account_of(UserRef(oa_id, found.user_id))
        any_id = found.user_id
    if linked is not None:
        return portal_view(services, portal_ref(oa_id, linked))
    return zalo_view(services, UserRef(oa_id, any_id))


def zalo_view(services: VerificationParts, user: UserRef) -> dict[str, Any] | None:
    """A Zalo user linked to no portal account (None when the bot knows nothing of them)."""
    verifier = services.verifier
    found = verifier.accounts.get(user.oa_id, user.user_id)
    account = found or Account(user.user_id, None, None, None, None)
    owner = bool(account.phone) and verifier.is_owner(user, account.phone or "")
    wait = verifier.codes.lock_wait_seconds(user, account.phone, owner)
    if found is None and not wait:
        return None
    return {**account_json(account, wait, time.time()), "account_id": None,
            "zalo_user_id": user.user_id}  # fmt: skip


def portal_view(services: VerificationParts, portal: UserRef) -> dict[str, Any]:
    """A portal account: its own record and locks, and the Zalo user linked to it."""
    verifier = services.verifier
    account_id = account_id_of(portal) or ""
    zalo_user = verifier.links.zalo_user_of(portal.oa_id, account_id)
    found = verifier.accounts.get(portal.oa_id, portal.user_id)
    record = found or Account(portal.user_id, None, None, None, None)
    own = verifier.accounts.get(portal.oa_id, zalo_user) if zalo_user else None
    owner = bool(record.phone) and verifier.is_owner(portal, record.phone or "")
    wait = verifier.codes.lock_wait_seconds(portal, record.phone, owner)
    shown = dataclasses.replace(
        record, user_id=zalo_user or "", user_id_by_app=own.user_id_by_app if own else None
    )
    view = account_json(shown, wait, time.time())
    return {**view, "user_id": zalo_user, "account_id": account_id, "zalo_user_id": zalo_user}


def portal_known(services: VerificationParts, portal: UserRef) -> bool:
    """Whether the bot has anything of this portal account: record, link, code or lock."""
    verifier = services.verifier
    account_id = account_id_of(portal) or ""
    return bool(
        verifier.accounts.get(portal.oa_id, portal.user_id)
        or verifier.links.zalo_user_of(portal.oa_id, account_id)
        or verifier.pending.get(portal)
        or verifier.codes.lock_wait_seconds(portal)
    )
