"""The customer portal's JSON API behind a Bearer key: accounts, assets, link codes, OpenAPI.

The Verify API (verifications and checks) is in bot/portal/verify_api.py.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from functools import cache, wraps
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, jsonify, request

from bot.portal.api_common import answer, error, json_body, oa_of
from bot.services import current_services
from bot.verification.accounts import iso
from bot.verification.links import valid_account_id
from bot.verification.views import account_view

OPENAPI_PATH = Path(__file__).with_name("openapi.json")

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
            response = jsonify(error="unauthorized", message="missing or wrong API key")
            response.headers["WWW-Authenticate"] = "Bearer"
            return response, 401
        return view(*args, **kwargs)

    return guarded


@blueprint.get("/accounts/<any_id>")
@require_api_key
def get_account(any_id: str) -> tuple[Response, int]:
    """An account by OA-scoped user id or app-scoped user_id_by_app (of the OA `?oa_id=`
    names, the main OA by default); 404 when unknown."""
    services = current_services()
    oa_id, refused = oa_of(services, request.args.get("oa_id"))
    if refused is not None:
        return answer(refused)
    view = account_view(services, any_id, oa_id)
    if view is None:
        return jsonify(error="unknown_account", message="the bot knows nothing of this id"), 404
    return jsonify(view), 200


@blueprint.get("/assets")
@require_api_key
def get_assets() -> tuple[Response, int]:
    """The registry of linked (and unlinked) App IDs and OAs."""
    assets = current_services().assets.all()
    return jsonify(assets=[asset.as_json() for asset in assets]), 200


@blueprint.post("/links")
@require_api_key
def create_link() -> tuple[Response, int]:
    """A link code for a portal account, and the OA chat the user sends it to."""
    payload = json_body()
    account_id = payload.get("account_id") if isinstance(payload, dict) else None
    if not valid_account_id(account_id):
        return answer(error(400, "bad_request", "account_id: 1-64 letters, digits or ._@:-"))
    services = current_services()
    oa_id, refused = oa_of(services, payload.get("oa_id"))  # a dict: account_id was valid
    if refused is not None:
        return answer(refused)
    ttl = services.settings.link_code_ttl_seconds
    code = services.verifier.links.issue(oa_id, account_id, ttl)
    expires_at = services.verifier.pending.now() + ttl
    body = {"code": code, "expires_at": iso(expires_at), "chat_url": f"https://zalo.me/{oa_id}"}
    return answer((201, body))


@cache
def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document (a file beside this module, read once)."""
    found: dict[str, Any] = json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))
    return found


@blueprint.get("/openapi.json")
def openapi() -> tuple[Response, int]:
    """The API's description: public, like any API reference (it holds no secret)."""
    return jsonify(openapi_document()), 200
