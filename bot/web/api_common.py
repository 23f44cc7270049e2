"""What the portal API's views share: JSON bodies in, JSON answers and errors out."""

from __future__ import annotations

import time
from typing import Any

from flask import Response, jsonify, request

from bot.verification.views import iso

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
