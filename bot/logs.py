"""Logging: one JSON object a line, a request or job id on each, phones masked."""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

from bot.masking import mask_phones_in

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(correlation_id)s %(message)s"

_correlation_id: ContextVar[str] = ContextVar("correlation_id", default="-")


def current_correlation_id() -> str:
    """The id of the request or job being handled, or '-' outside of both."""
    return _correlation_id.get()


def set_correlation_id(value: str) -> None:
    """Mark the log lines that follow (in this thread or task) with value."""
    _correlation_id.set(value)


# RQ attaches a failed job's arguments to its error line (extra=...), and the JSON
# formatter would write them out. Our jobs' arguments are opaque; drop them anyway.
DROPPED_EXTRAS = ("arguments", "kwargs")


class MaskingFilter(logging.Filter):
    """Render the message once, mask phone numbers in it, attach the correlation id."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drop it."""
        record.msg = mask_phones_in(record.getMessage())
        record.args = None
        record.correlation_id = current_correlation_id()
        for name in DROPPED_EXTRAS:
            record.__dict__.pop(name, None)
        return True


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    """Install one stderr handler on the root logger (idempotent)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_bot_handler", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._bot_handler = True  # type: ignore[attr-defined]
    handler.addFilter(MaskingFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter(JSON_FIELDS, rename_fields={"levelname": "level"}))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Requests' and urllib3's debug lines can carry URLs with tokens: keep them quiet.
    logging.getLogger("urllib3").setLevel(logging.WARNING)
