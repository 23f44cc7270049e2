"""POST /webhook: verify, parse, record, answer. The engine runs later, in a worker."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import redis
from flask import Blueprint, Response, request

from bot.keys import UserRef
from bot.metrics import (
    BAD_REQUESTS,
    BUSY,
    DUPLICATES,
    EVENTS,
    IGNORED,
    WEBHOOK_LATENCY,
)
from bot.oas import UNLINKED, App
from bot.queues.inbox import Receipt, record_event, stored
from bot.services import Services, current_services
from bot.web.unverified import VERIFIED_CLOCK, note_unverified
from bot.web.webhook_input import clean_text, parse_timestamp, read_body
from zalo_api.errors import (
    BadSignatureError,
    EventParseError,
    MalformedBodyError,
    MissingSignatureError,
)
from zalo_api.events import Event, UserEvent, parse_event
from zalo_api.jsontext import json_bytes
from zalo_api.models import Receipt as MessageReceipt
from zalo_api.signature import verify_signature

log = logging.getLogger(__name__)
blueprint = Blueprint("webhook", __name__)
SIGNATURE_HEADER = "X-ZEvent-Signature"
RETRY_AFTER_SECONDS = "30"


def answer(status: int, **body: Any) -> tuple[Response, int]:
    """A small JSON answer (written as the inbox writes events: jsonify costs 4 % of the
    web's CPU per event)."""
    return Response(json_bytes(body), status, mimetype="application/json"), status


@blueprint.post("/webhook")
def webhook() -> tuple[Response, int]:
    """Receive one Zalo event."""
    started = time.perf_counter()
    try:
        return receive(current_services())
    except redis.RedisError as exc:
        return unavailable(f"webhook cannot reach Redis: {type(exc).__name__}")
    finally:
        WEBHOOK_LATENCY.observe(time.perf_counter() - started)


def unavailable(reason: str) -> tuple[Response, int]:
    """503 with Retry-After: Zalo delivers the event again later."""
    BUSY.inc()
    log.error("%s", reason)
    response, status = answer(503, error="temporarily unavailable, retry later")
    response.headers["Retry-After"] = RETRY_AFTER_SECONDS
    return response, status


def receive(services: Services) -> tuple[Response, int]:
    """The checks in order: signature header, size, JSON, known app, signature, input, shape.

    Whatever fails verification changes nothing and is answered 200: Zalo saves a webhook URL
    only after an unsigned probe got 200 (SPEC §4), and an attacker learns nothing either.
    """
    header = request.headers.get(SIGNATURE_HEADER)
    if not header:
        return unverified(services, "missing")
    raw = read_body(request, services.settings.webhook_max_body_bytes)
    if raw is None:
        return answer(413, error="body too large")
    payload = load_object(raw)
    if payload is None:  # no app_id to pick a key by: it cannot be verified
        return unverified(services, "malformed")
    app = services.registry.app(str(payload.get("app_id")))
    if app is None:
        return unverified(services, "unknown_app")
    try:
        verify_signature(raw, header, app.secret)
    except BadSignatureError:
        return unverified(services, "mismatch")
    except MissingSignatureError:  # a header that is only 'mac='
        return unverified(services, "missing")
    except MalformedBodyError:  # no app_id or timestamp to hash
        return unverified(services, "malformed")
    VERIFIED_CLOCK.tick(services.redis)
    return authentic(services, app, payload, raw)


def unverified(services: Services, reason: str) -> tuple[Response, int]:
    """Acknowledge a request that failed verification, count it and do nothing else."""
    note_unverified(services.redis, reason)
    return answer(200, ok=True)


def authentic(
    services: Services, app: App, payload: dict[str, Any], raw: bytes
) -> tuple[Response, int]:
    """A signed body: check what the signature cannot vouch for, then parse and dispatch."""
    timestamp_ms = parse_timestamp(payload.get("timestamp"))
    if timestamp_ms is None:
        BAD_REQUESTS.labels("timestamp").inc()
        return answer(400, error="timestamp must be milliseconds as digits")
    payload, cleaned = clean_text(payload)
    if cleaned:  # lone surrogates could not be stored (nor sent back to Zalo)
        BAD_REQUESTS.labels("surrogates_cleaned").inc()
    try:
        event = parse_event(payload)
    except EventParseError:
        # Authentic but of a shape we do not know: Zalo retries non-200 answers and may
        # switch the webhook off, so acknowledge it and count it.
        IGNORED.labels("unknown_shape").inc()
        return answer(200, ok=True, ignored="unknown shape")
    EVENTS.labels(event.event_name).inc()
    if too_old(services, timestamp_ms):
        IGNORED.labels("too_old").inc()
        return answer(200, ok=True, ignored="too old")
    return dispatch(services, app, event, timestamp_ms)


def too_old(services: Services, timestamp_ms: int) -> bool:
    """Whether the event is older than WEBHOOK_MAX_AGE_SECONDS (a replayed capture)."""
    max_age_ms = services.settings.webhook_max_age_seconds * 1000
    return timestamp_ms < time.time() * 1000 - max_age_ms


def load_object(raw: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or None."""
    try:
        loaded = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: absurdly nested JSON
        return None
    return loaded if isinstance(loaded, dict) else None


def count_delivery(services: Services, app: App, event: Event) -> None:
    """A ZNS receipt of one of our Zalo codes (its tracking_id) counts it delivered, once
    (when it comes through the App of a served OA)."""
    if isinstance(event, MessageReceipt) and event.tracking_id:
        if event.event_name == "user_received_message" and event.oa_id:
            if services.registry.serves(app.app_id, event.oa_id):
                services.verifier.funnel.receipt(event.tracking_id)


def not_served(services: Services, app: App, oa_id: str) -> str | None:
    """Why an event of app for oa_id is not served (None: it is). The OA must be served now
    and have granted this App (SPEC §8): an unlinked OA or App is acknowledged and ignored."""
    if services.registry.serves(app.app_id, oa_id):
        return None
    return "unlinked" if services.registry.state(oa_id) == UNLINKED else "app_not_serving_oa"


def dispatch(services: Services, app: App, event: Event, timestamp_ms: int) -> tuple[Response, int]:
    """Echoes, receipts and unknown events stop here; user events go to the inbox, parsed."""
    if not isinstance(event, UserEvent):  # OA echoes, receipts, unknown events
        count_delivery(services, app, event)
        IGNORED.labels(type(event).__name__.lower()).inc()
        return answer(200, ok=True)
    why = not_served(services, app, event.oa_id)
    if why is not None:
        IGNORED.labels(why).inc()
        return answer(200, ok=True, ignored=why.replace("_", " "))
    user = UserRef(event.oa_id, event.user_id)
    receipt = record_event(services, user, event.dedupe_key, timestamp_ms, stored(event))
    if receipt in (Receipt.DUPLICATE, Receipt.DUPLICATE_WAKE):
        DUPLICATES.inc()
    if not services.replica_ack.confirm():
        # Recorded on the primary only: a failover now would lose it. Zalo redelivers a
        # non-200, and the dedupe set makes the redelivery count once.
        return unavailable("no replica confirmed the event")
    return answer(200, ok=True)
