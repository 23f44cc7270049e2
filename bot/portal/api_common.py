"""What the portal API's views share: JSON bodies in, JSON answers and errors out."""

from __future__ import annotations

import logging
import time
from typing import Any

import redis
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from bot.logs import current_correlation_id
from bot.services import Services
from bot.verification.accounts import iso

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
# Redis down: when a portal may ask again (a restart or a failover takes seconds).
UNAVAILABLE_RETRY_SECONDS = 5

# An answer before it becomes a response: (HTTP status, JSON body).
Answer = tuple[int, dict[str, Any]]


def json_body() -> Any:
    """The parsed JSON body, or None when it is missing, malformed or absurdly nested."""
    try:
        return request.get_json(force=True, silent=True)
    except RecursionError:
        return None


def error(status: int, code: str, message: str, **extra: Any) -> Answer:
    """A refusal: machine-readable `error`, a human `message`, and any fields SPEC adds."""
    return status, {"error": code, "message": message, **extra}


def oa_of(services: Services, given: Any) -> tuple[str, Answer | None]:
    """The OA a request is for: its `oa_id` when it names an OA served here, the main OA when
    it names none; else ("", the 400 to answer)."""
    if given is None or given == "":
        return services.registry.main.oa_id, None
    if not isinstance(given, str):
        return "", error(400, "bad_request", "oa_id must be a string")
    if services.registry.get(given) is None:
        return "", error(400, "unknown_oa", "this deployment serves no OA with this oa_id")
    return given, None


def answer(given: Answer) -> tuple[Response, int]:
    """The response of an answer; a `retry_after` also goes into the Retry-After header."""
    status, body = given
    response = jsonify(body)
    if isinstance(body.get("retry_after"), int):
        response.headers["Retry-After"] = str(body["retry_after"])
    return response, status


def locked_until(wait_seconds: int) -> str | None:
    """The end of a lock as ISO 8601 UTC (None when not locked)."""
    return iso(time.time() + wait_seconds) if wait_seconds else None


def install_json_errors(app: Flask) -> None:
    """Every answer under /api/ is JSON, whatever fails: Redis down is 503 `unavailable` with
    Retry-After, an HTTP error keeps its status, anything else is a 500 with the correlation
    id that finds its log line (SPEC §4: never an HTML page)."""

    @app.errorhandler(Exception)
    def json_error(exc: Exception) -> tuple[Response, int] | HTTPException:
        if request.path.startswith(API_PREFIX):
            return api_error(exc)
        if isinstance(exc, HTTPException):
            return exc  # Flask's own answer, as without this handler
        raise exc  # Flask's own 500 (logged; raised in tests), as without this handler


def api_error(exc: Exception) -> tuple[Response, int]:
    """The JSON answer of an exception under /api/."""
    if isinstance(exc, HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        return answer(error(exc.code or 500, code, exc.description or code))
    if isinstance(exc, redis.RedisError):
        log.warning("portal API: Redis unavailable (%s)", type(exc).__name__)
        message = "the service is briefly unavailable: try again"
        return answer(error(503, "unavailable", message, retry_after=UNAVAILABLE_RETRY_SECONDS))
    correlation_id = current_correlation_id()
    log.exception("portal API: unexpected error (correlation id %s)", correlation_id)
    message = "an unexpected error: quote the correlation_id when reporting it"
    return answer(error(500, "internal", message, correlation_id=correlation_id))
