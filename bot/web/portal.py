"""The customer portal's JSON API: /api/v1/accounts/<id>, behind a Bearer key."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, jsonify, request

from bot.services import current_services
from bot.verification.views import account_view

blueprint = Blueprint("portal", __name__, url_prefix="/api/v1")


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
