"""The signed POST to PORTAL_CALLBACK_URL on each verification success, sent by RQ."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

import requests
from rq import Retry

from bot.keys import UserRef
from bot.masking import mask_user_id
from bot.services import Services, current_services
from bot.verification.links import account_id_of
from bot.verification.views import iso

log = logging.getLogger(__name__)

CALLBACK_JOB_OPTIONS = {
    "retry": Retry(max=6, interval=[10, 60, 300, 900, 3600, 3 * 3600]),
    "result_ttl": 0,
    "failure_ttl": 7 * 24 * 3600,
    "job_timeout": 60,
}
SIGNATURE_HEADER = "X-Signature"


class CallbackRetry(Exception):
    """The portal did not take the callback yet (network, 5xx, 408, 429): retry later."""


def signature(body: bytes, secret: str) -> str:
    """HMAC-SHA256 of the exact body, lowercase hex (what the portal recomputes)."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def callback_body(
    services: Services, user: UserRef, channel: str, verified_at: int
) -> dict[str, object] | None:
    """SPEC's body: account_id is the portal account (null for a Zalo user linked to none)."""
    account = services.verifier.accounts.get(user.oa_id, user.user_id)
    if account is None:
        return None
    account_id = account_id_of(user)
    zalo_user = (
        user.user_id
        if account_id is None
        else services.verifier.links.zalo_user_of(user.oa_id, account_id)
    )
    return {
        "event": "verification.approved",
        "account_id": account_id,
        "user_id": zalo_user,
        "phone": account.phone,
        "channel": channel,
        "verified_at": iso(verified_at),
    }


def notify_portal(oa_id: str, user_id: str, channel: str, verified_at: int) -> str:
    """POST the account's new state; raise CallbackRetry for RQ to retry transient failures."""
    services = current_services()
    settings = services.settings
    payload = callback_body(services, UserRef(oa_id, user_id), channel, verified_at)
    if payload is None:
        return "gone"  # withdrawn since: nothing to tell
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature(body, settings.portal_callback_secret),
    }
    try:
        answer = services.http.post(
            settings.portal_callback_url,
            data=body,
            headers=headers,
            timeout=settings.http_timeout_seconds,
        )
    except requests.RequestException as exc:
        raise CallbackRetry(type(exc).__name__) from exc
    if answer.status_code >= 500 or answer.status_code in (408, 429):
        raise CallbackRetry(f"portal answered {answer.status_code}")
    if answer.status_code >= 400:
        log.error(
            "portal refused the callback for %s: HTTP %s", mask_user_id(user_id), answer.status_code
        )
        return "refused"
    return "delivered"
