"""The signed POST to PORTAL_CALLBACK_URL on each verification success, sent by RQ.

Like Stripe's webhooks: the body is built and stored when the verification succeeds (in the
claim's own Lua step), so a retry sends the same bytes with the same `id`, never the
account's later state; the job carries only the event's opaque id. Each attempt is signed
`X-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, so a receiver refuses a
replay older than its tolerance and dedupes retries on `id`. Retries back off for about a
day; then the callback is set aside with the dead letters (`flask events dead`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from dataclasses import dataclass

import requests
from redis.client import Pipeline
from rq import Retry, get_current_job

from bot.connections import QUEUE_BACKGROUND, Connections, current_connections
from bot.keys import UserRef
from bot.masking import mask_user_id
from bot.queues.dead_entries import set_aside_job
from bot.verification.accounts import iso
from bot.verification.links import LinkStore, account_id_of

log = logging.getLogger(__name__)

# Backoff over about a day (24.4 h in all), then a dead letter.
RETRY_INTERVALS = [10, 60, 300, 900, 3600, 3 * 3600, 6 * 3600, 6 * 3600, 8 * 3600]
CALLBACK_JOB_OPTIONS = {
    "retry": Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
    "result_ttl": 0,
    "failure_ttl": 7 * 24 * 3600,
    "job_timeout": 60,
}
SIGNATURE_HEADER = "X-Signature"
# How a callback that failed for a day is listed with the dead letters: its name, and a
# reference to its stored body (never the body: it holds a phone number).
DEAD_LETTER_NAME = "portal_callback"
DEAD_LETTER_PREFIX = "callback:"
EVENT = "verification.approved"
# A stored body outlives its day of retries, so that a dead letter can still be read.
EVENT_TTL_SECONDS = 8 * 24 * 3600


class CallbackRetry(Exception):
    """The portal did not take the callback yet (network, 5xx, 408, 429): retry later."""


@dataclass(frozen=True)
class CallbackEvent:
    """A callback frozen at the verification's success: its id and its exact body."""

    event_id: str
    body: bytes


def callbacks_key(user: UserRef) -> str:
    """The user's callbacks waiting for delivery (id -> body): user_withdraw drops them."""
    return user.key("callbacks")


def signature_header(body: bytes, secret: str, timestamp: int) -> str:
    """`t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (what the portal recomputes)."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def new_event(
    links: LinkStore, user: UserRef, phone: str, channel: str, verified_at: int
) -> CallbackEvent:
    """SPEC's body, frozen now: account_id is the portal account (null for a Zalo user
    linked to none), user_id the Zalo user (null for a portal account linked to none)."""
    account_id = account_id_of(user)
    zalo_user = user.user_id if account_id is None else links.zalo_user_of(user.oa_id, account_id)
    event_id = "evt_" + secrets.token_hex(12)
    payload = {
        "id": event_id,
        "event": EVENT,
        "occurred_at": iso(verified_at),
        "account_id": account_id,
        "user_id": zalo_user,
        "phone": phone,
        "channel": channel,
        "verified_at": iso(verified_at),
    }
    return CallbackEvent(event_id, json.dumps(payload, separators=(",", ":")).encode())


def notify_portal(oa_id: str, user_id: str, event_id: str) -> str:
    """POST a stored callback (RQ job); raise CallbackRetry for RQ to retry transient failures
    while retries are left, then set it aside as a dead letter."""
    job = get_current_job()
    final = not (job is not None and job.retries_left)
    return deliver(current_connections(), UserRef(oa_id, user_id), event_id, final)


def deliver(services: Connections, user: UserRef, event_id: str, final: bool) -> str:
    """One attempt at a callback: delivered, refused (4xx), gone (withdrawn), or dead."""
    stored = services.redis.hget(callbacks_key(user), event_id)
    if stored is None:
        return "gone"  # the user withdrew, or long expired: nothing to tell
    body = stored if isinstance(stored, bytes) else stored.encode()
    try:
        status = post(services, body)
    except CallbackRetry as exc:
        if not final:
            raise
        set_aside(services, user, event_id, exc)
        return "dead"
    if status >= 400:
        log.error("portal refused the callback for %s: HTTP %s", mask_user_id(user.user_id), status)
        return "refused"
    services.redis.hdel(callbacks_key(user), event_id)  # delivered: the phone need not stay
    return "delivered"


def post(services: Connections, body: bytes) -> int:
    """POST body, signed now; the HTTP status, or CallbackRetry when it is worth retrying."""
    settings = services.settings
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature_header(body, settings.portal_callback_secret, int(time.time())),
    }
    try:
        answer = services.http.post(
            settings.portal_callback_url,
            data=body,
            headers=headers,
            timeout=settings.http_timeout_seconds,
        )
    except requests.RequestException as exc:
        raise CallbackRetry(type(exc).__name__) from None
    if answer.status_code >= 500 or answer.status_code in (408, 429):
        raise CallbackRetry(f"portal answered {answer.status_code}")
    return int(answer.status_code)


def set_aside(services: Connections, user: UserRef, event_id: str, error: Exception) -> None:
    """A callback that failed for a day: listed with the dead letters (its body kept)."""
    log.error(
        "callback %s for %s failed for a day, set aside: %s",
        event_id,
        mask_user_id(user.user_id),
        error,
    )
    reference = DEAD_LETTER_PREFIX + event_id
    set_aside_job(services.redis, user, reference, DEAD_LETTER_NAME, error)


def send_again(services: Connections, pipe: Pipeline, user: UserRef, reference: str) -> None:
    """A dead callback replayed by an operator: its stored body goes out again, retried
    as the first time (the job in the operator's transaction)."""
    event_id = reference.removeprefix(DEAD_LETTER_PREFIX)
    services.queue(QUEUE_BACKGROUND).enqueue(
        notify_portal,
        *user.as_args(),
        event_id,
        pipeline=pipe,
        description=user.job_description(notify_portal.__name__),
        **CALLBACK_JOB_OPTIONS,
    )
