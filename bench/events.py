"""Signed Zalo events for the benchmarks."""

from __future__ import annotations

import json
import uuid

from bot.config import SANDBOX_APP_ID, SANDBOX_OA_ID, SANDBOX_OA_SECRET_KEY
from zalo_api.signature import sign


def text_body(
    user: str,
    text: str,
    app_id: str = SANDBOX_APP_ID,
    oa_id: str = SANDBOX_OA_ID,
    timestamp: int = 1795000000000,
) -> bytes:
    """A user_send_text body as Zalo sends it (compact JSON, ids as strings)."""
    event = {
        "app_id": app_id,
        "user_id_by_app": f"app-{user}",
        "event_name": "user_send_text",
        "timestamp": str(timestamp),
        "sender": {"id": user},
        "recipient": {"id": oa_id},
        "message": {"text": text, "msg_id": uuid.uuid4().hex},
    }
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()


def signed_headers(body: bytes, secret: str = SANDBOX_OA_SECRET_KEY) -> dict[str, str]:
    """The headers Zalo sends with body."""
    return {"X-ZEvent-Signature": sign(body, secret), "Content-Type": "application/json"}
