"""Signed Zalo events for the benchmarks."""

from __future__ import annotations

import time

from bot.config import SANDBOX_APP_ID, SANDBOX_OA_ID
from bot.web.sandbox_events import encode_event, signed_headers, text_event

__all__ = ["BASE_MS", "signed_headers", "text_body"]
# Event timestamps start now: the webhook ignores events older than WEBHOOK_MAX_AGE_SECONDS.
BASE_MS = int(time.time() * 1000)


def text_body(
    user: str,
    text: str,
    app_id: str = SANDBOX_APP_ID,
    oa_id: str = SANDBOX_OA_ID,
    timestamp: int = BASE_MS,
) -> bytes:
    """A user_send_text body as Zalo sends it (compact JSON, ids as strings)."""
    event = text_event(user, text, app_id=app_id, oa_id=oa_id, timestamp=str(timestamp))
    return encode_event(event)
