"""X-ZEvent-Signature: sha256(app_id + raw body + timestamp + OA secret key), on the raw bytes."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from zalo_api import (
    BadSignatureError,
    MalformedBodyError,
    MissingSignatureError,
    SignatureError,
    compute_signature,
    sign,
    verify_signature,
)

SECRET = "secret"
BODY = '{"app_id":"1234","timestamp":"1700000000000","text":"chào"}'.encode()
# Computed outside Python:
#   printf '%s' '1234{"app_id":"1234","timestamp":"1700000000000","text":"chào"}1700000000000secret'
#   | sha256sum
BODY_DIGEST = "7766bd9ead814c5d12950833b6728dc4e00289e39bfe693488ad7e4390a73037"


def test_the_digest_is_plain_sha256_of_the_concatenation() -> None:
    by_hand = hashlib.sha256(b"1234" + BODY + b"1700000000000" + SECRET.encode()).hexdigest()
    assert by_hand == BODY_DIGEST
    assert compute_signature("1234", BODY, "1700000000000", SECRET) == BODY_DIGEST
    assert sign(BODY, SECRET) == BODY_DIGEST


@pytest.mark.parametrize(
    "header", [BODY_DIGEST, f"mac={BODY_DIGEST}", f"  mac={BODY_DIGEST} ", BODY_DIGEST.upper()]
)
def test_accepts_the_digest_with_or_without_mac_prefix(header: str) -> None:
    verify_signature(BODY, header, SECRET)


def test_every_fixture_vector_verifies(vectors: dict[str, Any]) -> None:
    secret = vectors["oa_secret_key"]
    for name, event in vectors["events"].items():
        raw = event["raw"].encode()
        assert sign(raw, secret) == event["signature"], name
        verify_signature(raw, event["signature"], secret)
        verify_signature(raw, "mac=" + event["signature"], secret)


def test_a_body_reserialised_by_a_json_library_fails(vectors: dict[str, Any]) -> None:
    event = vectors["events"]["user_send_text"]
    reserialised = json.dumps(json.loads(event["raw"])).encode()  # spaces, \\u escapes
    assert reserialised != event["raw"].encode()
    with pytest.raises(BadSignatureError):
        verify_signature(reserialised, event["signature"], vectors["oa_secret_key"])


def test_a_tampered_timestamp_fails(vectors: dict[str, Any]) -> None:
    event = vectors["events"]["user_send_text"]
    tampered = event["raw"].replace('"timestamp":"1795000000001"', '"timestamp":"1795000000002"')
    assert tampered != event["raw"]
    with pytest.raises(BadSignatureError):
        verify_signature(tampered.encode(), event["signature"], vectors["oa_secret_key"])


def test_a_tampered_text_or_another_secret_fails() -> None:
    with pytest.raises(BadSignatureError):
        verify_signature(BODY.replace(b"ch", b"Ch"), BODY_DIGEST, SECRET)
    with pytest.raises(BadSignatureError):
        verify_signature(BODY, BODY_DIGEST, "another-secret")


@pytest.mark.parametrize(
    "header", ["0" * 64, BODY_DIGEST[:-1], BODY_DIGEST + "0", "sha256=" + BODY_DIGEST, "é"]
)
def test_a_wrong_header_fails(header: str) -> None:
    with pytest.raises(BadSignatureError):
        verify_signature(BODY, header, SECRET)


@pytest.mark.parametrize("header", [None, "", "   ", "mac="])
def test_a_missing_header_has_its_own_error(header: str | None) -> None:
    with pytest.raises(MissingSignatureError):
        verify_signature(BODY, header, SECRET)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'"text"',
        b'{"timestamp":"1"}',
        b'{"app_id":"1"}',
        b'{"app_id":null,"timestamp":"1"}',
        b'{"app_id":"1","timestamp":1.5}',
        b'{"app_id":true,"timestamp":"1"}',
        b"\xff\xfe\xfa",
        b"[" * 100_000,
    ],
)
def test_a_malformed_body_has_its_own_error(body: bytes) -> None:
    with pytest.raises(MalformedBodyError):
        verify_signature(body, BODY_DIGEST, SECRET)


def test_numeric_app_id_and_timestamp_are_hashed_as_their_digits() -> None:
    body = b'{"app_id":1234,"timestamp":1700000000000}'
    expected = hashlib.sha256(b"1234" + body + b"1700000000000" + b"s").hexdigest()
    verify_signature(body, expected, "s")


def test_the_errors_share_one_base() -> None:
    for error in (MissingSignatureError, MalformedBodyError, BadSignatureError):
        assert issubclass(error, SignatureError)
