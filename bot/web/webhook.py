"""POST /webhook: verify, parse, record, answer. The engine runs later, in a worker."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import redis
from flask import Blueprint, Response, jsonify, request

from bot.keys import UserRef
from bot.metrics import (
    BAD_REQUESTS,
    BUSY,
    DUPLICATES,
    EVENTS,
    IGNORED,
    SIGNATURE_FAILURES,
    WEBHOOK_LATENCY,
)
from bot.queues.inbox import Receipt, record_event
from bot.services import Services, current_services
from zalo_api.errors import (
    BadSignatureError,
    EventParseError,
    MalformedBodyError,
    MissingSignatureError,
)
from zalo_api.events import Event, UserEvent, parse_event
from zalo_api.signature import verify_signature

log = logging.getLogger(__name__)
blueprint = Blueprint("webhook", __name__)
SIGNATURE_HEADER = "X-ZEvent-Signature"
RETRY_AFTER_SECONDS = "30"


def answer(status: int, **body: Any) -> tuple[Response, int]:
    """A small JSON answer."""
    return jsonify(body), status


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
    """The checks in order: signature header, JSON, known app, signature, event shape."""
    header = request.headers.get(SIGNATURE_HEADER)
    if not header:
        SIGNATURE_FAILURES.labels("missing").inc()
        return answer(401, error=f"missing {SIGNATURE_HEADER}")
    raw = request.get_data(cache=False)
    payload = load_object(raw)
    if payload is None:
        BAD_REQUESTS.labels("json").inc()
        return answer(400, error="body is not a JSON object")
    secret = services.app_secrets.secret_for(str(payload.get("app_id")))
    if secret is None:
        IGNORED.labels("unknown_app").inc()
        return answer(200, ok=True, ignored="unknown app")
    try:
        verify_signature(raw, header, secret)
        event = parse_event(payload)
    except BadSignatureError:
        SIGNATURE_FAILURES.labels("mismatch").inc()
        return answer(401, error="bad signature")
    except MissingSignatureError:  # a header that is only 'mac='
        SIGNATURE_FAILURES.labels("missing").inc()
        return answer(401, error=f"missing {SIGNATURE_HEADER}")
    except (MalformedBodyError, EventParseError) as exc:
        BAD_REQUESTS.labels("shape").inc()
        return answer(400, error=str(exc))
    EVENTS.labels(event.event_name).inc()
    return dispatch(services, event, raw)


def load_object(raw: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or None."""
    try:
        loaded = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: absurdly nested JSON
        return None
    return loaded if isinstance(loaded, dict) else None


def dispatch(services: Services, event: Event, raw: bytes) -> tuple[Response, int]:
    """Echoes, receipts and unknown events stop here; user events go to the inbox."""
    if not isinstance(event, UserEvent):  # OA echoes, receipts, unknown events
        IGNORED.labels(type(event).__name__.lower()).inc()
        return answer(200, ok=True)
    user = UserRef(event.oa_id, event.user_id)
    timestamp_ms = int(event.timestamp) if event.timestamp.isdigit() else 0
    receipt = record_event(services, user, event.dedupe_key, timestamp_ms, raw)
    if receipt in (Receipt.DUPLICATE, Receipt.DUPLICATE_KICK):
        DUPLICATES.inc()
    if not services.replica_ack.confirm():
        # Recorded on the primary only: a failover now would lose it. Zalo redelivers a
        # non-200, and the dedupe set makes the redelivery count once.
        return unavailable("no replica confirmed the event")
    return answer(200, ok=True)
