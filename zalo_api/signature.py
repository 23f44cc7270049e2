"""The X-ZEvent-Signature of webhook calls: sha256(app_id + raw body + timestamp + OA secret)."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from zalo_api.errors import BadSignatureError, MalformedBodyError, MissingSignatureError

MAC_PREFIX = "mac="
SIGNED_FIELDS = ("app_id", "timestamp")


def compute_signature(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """Lowercase hex SHA-256 (not HMAC) of app_id + raw_body + timestamp + oa_secret_key."""
    digest = hashlib.sha256()
    for part in (app_id.encode(), raw_body, timestamp.encode(), oa_secret_key.encode()):
        digest.update(part)
    return digest.hexdigest()


def signed_fields(raw_body: bytes) -> tuple[str, str]:
    """The app_id and timestamp of the body, as text."""
    try:
        payload: Any = json.loads(raw_body)
    except (ValueError, RecursionError) as exc:  # RecursionError: absurdly nested JSON
        raise MalformedBodyError("body is not JSON") from exc
    if not isinstance(payload, dict):
        raise MalformedBodyError("body is not a JSON object")
    found = []
    for name in SIGNED_FIELDS:
        value = payload.get(name)
        # Zalo sends strings; an integer (older payloads) reads the same in the raw body.
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise MalformedBodyError(f"body has no text field {name}")
        found.append(str(value))
    return found[0], found[1]


def sign(raw_body: bytes, oa_secret_key: str) -> str:
    """The signature Zalo sends with this body (tests and the simulator sign with it)."""
    app_id, timestamp = signed_fields(raw_body)
    return compute_signature(app_id, raw_body, timestamp, oa_secret_key)


def verify_signature(raw_body: bytes, header_value: str | None, oa_secret_key: str) -> None:
    """Return if header_value (with or without 'mac=') signs raw_body; raise SignatureError."""
    given = (header_value or "").strip()
    if given[: len(MAC_PREFIX)].lower() == MAC_PREFIX:
        given = given[len(MAC_PREFIX) :].strip()
    if not given:
        raise MissingSignatureError("missing X-ZEvent-Signature")
    expected = sign(raw_body, oa_secret_key)
    # Constant time over bytes: a header with non-ASCII characters must fail, not crash.
    if not hmac.compare_digest(given.lower().encode("utf-8", "replace"), expected.encode()):
        raise BadSignatureError("signature does not match the body")
