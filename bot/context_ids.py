"""The id that ties log lines together: the HTTP request id or the RQ job id."""

from __future__ import annotations

from contextvars import ContextVar

_correlation_id: ContextVar[str] = ContextVar("correlation_id", default="-")


def current_correlation_id() -> str:
    """The id of the request or job being handled, or '-' outside of both."""
    return _correlation_id.get()


def set_correlation_id(value: str) -> None:
    """Mark the log lines that follow (in this thread or task) with value."""
    _correlation_id.set(value)
