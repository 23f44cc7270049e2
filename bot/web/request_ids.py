"""A request id on every log line of a request, taken from X-Request-Id or made up."""

from __future__ import annotations

import re
import uuid

from flask import Flask, Response, request

from bot.logs import set_correlation_id

HEADER = "X-Request-Id"
# Accept a caller's id only when it is short and plain (it ends up in every log line).
SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def install(app: Flask) -> None:
    """Set the id before each request; echo it in the answer."""

    @app.before_request
    def take_request_id() -> None:
        given = request.headers.get(HEADER, "")
        set_correlation_id(given if SAFE_ID.fullmatch(given) else uuid.uuid4().hex[:16])

    @app.after_request
    def echo_request_id(response: Response) -> Response:
        from bot.logs import current_correlation_id

        response.headers[HEADER] = current_correlation_id()
        return response
