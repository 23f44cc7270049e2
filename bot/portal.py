"""The customer portal's JSON API: /api/v1/accounts/<id>, behind a Bearer key."""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from flask import Blueprint, Response, jsonify, request

from bot.accounts import Account
from bot.keys import UserRef
from bot.services import Services, current_services

blueprint = Blueprint("portal", __name__, url_prefix="/api/v1")


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
    user = UserRef(oa_id, account.user_id)
    owner = bool(account.phone) and services.verifier.is_owner(user, account.phone or "")
    wait = services.verifier.codes.lock_wait_seconds(user, account.phone, owner)
    if found is None and not wait:
        return None
    return account_json(account, wait, time.time())


def require_api_key(view: Callable[..., Any]) -> Callable[..., Any]:
    """401 unless `Authorization: Bearer $PORTAL_API_KEY` (and always 401 when it is unset)."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        expected = current_services().settings.portal_api_key
        given = request.headers.get("Authorization", "")
        scheme, _, token = given.partition(" ")
        if (
            not expected
            or scheme.lower() != "bearer"
            or not hmac.compare_digest(token.strip().encode(), expected.encode())
        ):
            response = jsonify(error="missing or wrong API key")
            response.headers["WWW-Authenticate"] = "Bearer"
            return response, 401
        return view(*args, **kwargs)

    return guarded


@blueprint.get("/accounts/<any_id>")
@require_api_key
def get_account(any_id: str) -> tuple[Response, int]:
    """An account by OA-scoped user id or app-scoped user_id_by_app; 404 when unknown."""
    view = account_view(current_services(), any_id)
    if view is None:
        return jsonify(error="unknown account"), 404
    return jsonify(view), 200


@blueprint.get("/assets")
@require_api_key
def get_assets() -> tuple[Response, int]:
    """The registry of linked (and unlinked) App IDs and OAs."""
    assets = current_services().assets.all()
    return jsonify(assets=[asset.as_json() for asset in assets]), 200
