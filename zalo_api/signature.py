"""The X-ZEvent-Signature of webhook calls: sha256(app_id + raw body + timestamp + OA secret)."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from zalo_api.errors import BadSignatureError, MalformedBodyError, MissingSignatureError

MAC_PREFIX = "mac="


def compute_signature(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """Lowercase hex SHA-256 (not HMAC) of the concatenation, over the raw bytes."""
    digest = hashlib.sha256()
    digest.update(app_id.encode())
    digest.update(raw_body)
    digest.update(timestamp.encode())
    digest.update(oa_secret_key.encode())
    return digest.hexdigest()


def signed_fields(raw_body: bytes) -> tuple[str, str]:
    """app_id and timestamp as they appear in the body (strings; ints tolerated)."""
    try:
        payload: Any = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedBodyError("body is not JSON") from exc
    if not isinstance(payload, dict):
        raise MalformedBodyError("body is not a JSON object")
    fields = []
    for name in ("app_id", "timestamp"):
        value = payload.get(name)
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise MalformedBodyError(f"body has no {name}")
        fields.append(str(value))
    return fields[0], fields[1]


def sign(raw_body: bytes, oa_secret_key: str) -> str:
    """The signature Zalo would send with this body (tests and the simulator sign with it)."""
    app_id, timestamp = signed_fields(raw_body)
    return compute_signature(app_id, raw_body, timestamp, oa_secret_key)


def verify_signature(raw_body: bytes, header_value: str | None, oa_secret_key: str) -> None:
    """Raise unless header_value is the signature of raw_body (with or without 'mac=')."""
    if not header_value or not header_value.strip():
        raise MissingSignatureError("missing X-ZEvent-Signature")
    given = header_value.strip()
    if given.lower().startswith(MAC_PREFIX):
        given = given[len(MAC_PREFIX) :]
    expected = sign(raw_body, oa_secret_key)
    if not hmac.compare_digest(given.lower().encode(), expected.encode()):
        raise BadSignatureError("signature does not match")
