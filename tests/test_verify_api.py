"""Contract tests of the Verify API: every status and error body of SPEC §4, on the chat's rules."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from bot import create_app
from tests.helpers import Dialogue, last_code, phone_codes, run_jobs, wait_for
from tests.openapi_check import conforms
from tests.portalkit import (
    ACCOUNT,
    AUTH,
    KEY,
    PHONE,
    account,
    check,
    check_raw,
    start,
    start_raw,
    wrong_code,
)


@pytest.fixture
def portal_app(config: dict[str, Any]) -> Flask:
    """A sandbox bot with the portal API key set."""
    return create_app({**config, "PORTAL_API_KEY": KEY})


def bot_with(config: dict[str, Any], **extra: Any) -> Flask:
    """A sandbox bot with the key and extra settings."""
    return create_app({**config, "PORTAL_API_KEY": KEY, **extra})


@pytest.mark.parametrize(
    "path", ["/api/v1/verifications", "/api/v1/verifications/check", "/api/v1/links"]
)
def test_every_post_needs_the_key(portal_app: Flask, path: str) -> None:
    answer = portal_app.test_client().post(path, json={"account_id": ACCOUNT})
    assert answer.status_code == 401 and answer.headers["WWW-Authenticate"] == "Bearer"
    assert conforms(path, "post", answer)["error"] == "unauthorized"


def test_the_whole_flow_by_sms(portal_app: Flask) -> None:
    started = start(portal_app)
    assert started["verification_id"].startswith("ver_")
    assert (started["account_id"], started["phone"], started["channel"]) == (ACCOUNT, PHONE, "sms")
    assert (started["status"], started["attempts_left"]) == ("pending", 5)
    run_jobs(portal_app)
    wrong = check(portal_app, wrong_code(portal_app))
    assert wrong == {"status": "wrong", "attempts_left": 4, "locked_until": None}
    assert check(portal_app, last_code(portal_app, PHONE))["status"] == "approved"
    shown = account(portal_app)
    assert (shown["account_id"], shown["phone"], shown["sms_verified"]) == (ACCOUNT, PHONE, True)
    assert (shown["user_id"], shown["zalo_user_id"]) == (None, None)
    again = check_raw(portal_app, last_code(portal_app, PHONE))  # single use
    assert again.status_code == 404
    assert (
        conforms("/api/v1/verifications/check", "post", again)["error"] == "no_pending_verification"
    )


def test_spaces_and_full_width_digits_are_tolerated(portal_app: Flask) -> None:
    start(portal_app), run_jobs(portal_app)
    code = last_code(portal_app, PHONE)
    typed = " ".join(chr(0xFF10 + int(d)) for d in code)
    assert check(portal_app, typed)["status"] == "approved"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"account_id": ACCOUNT, "phone": "hello", "channel": "sms"}, "invalid_phone"),
        ({"account_id": ACCOUNT, "phone": "0912", "channel": "sms"}, "invalid_phone"),
        ({"account_id": ACCOUNT, "phone": "024 3825 3456", "channel": "sms"}, "not_mobile"),
        (
            {"account_id": ACCOUNT, "phone": "+1 415 555 2671", "channel": "sms"},
            "region_not_allowed",
        ),
        ({"account_id": ACCOUNT, "phone": "0912345678", "channel": "fax"}, "bad_request"),
        ({"account_id": "", "phone": "0912345678", "channel": "sms"}, "bad_request"),
        ({"account_id": "a b", "phone": "0912345678", "channel": "sms"}, "bad_request"),
        ({"account_id": ACCOUNT + "\n", "phone": "0912345678", "channel": "sms"}, "bad_request"),
        ({"account_id": ACCOUNT, "phone": 912345678, "channel": "sms"}, "bad_request"),
        (["not", "an", "object"], "bad_request"),
    ],
)
def test_bad_requests_are_400_with_the_reason(portal_app: Flask, body: Any, error: str) -> None:
    answer = portal_app.test_client().post("/api/v1/verifications", json=body, headers=AUTH)
    assert answer.status_code == 400
    assert conforms("/api/v1/verifications", "post", answer)["error"] == error
    assert phone_codes(portal_app, PHONE) == []


def test_identifiers_are_matched_whole(portal_app: Flask) -> None:
    client = portal_app.test_client()
    for path, body in [
        ("/api/v1/verifications/check", {"account_id": ACCOUNT + "\n", "code": "123456"}),
        ("/api/v1/links", {"account_id": ACCOUNT + "\n"}),
    ]:
        answer = client.post(path, json=body, headers=AUTH)
        assert (answer.status_code, answer.get_json()["error"]) == (400, "bad_request")


def test_a_number_in_use_and_a_locked_one_keep_their_precise_errors(
    config: dict[str, Any],
) -> None:
    app = bot_with(config, OTP_RESEND_COOLDOWN_SECONDS=0)
    for name in ("u1", "u2"):  # two accounts gang up on 0912 345 678 in chat
        d = Dialogue(app, name)
        d.say("xác thực"), d.say("0912345678"), d.say("1")
        for _ in range(5):
            d.say(wrong_code(app))
    locked = start_raw(app)
    assert (locked.status_code, locked.get_json()["error"]) == (423, "locked")
    assert locked.get_json()["locked_until"]


def test_more_than_three_numbers_an_hour_is_429(portal_app: Flask) -> None:
    for n in range(3):
        assert start(portal_app, phone=f"098765432{n}")["status"] == "pending"
    again = start_raw(portal_app, phone="0987654320")  # re-entered: not a new number
    assert again.status_code == 201
    answer = start_raw(portal_app, phone="0987654329")
    body = conforms("/api/v1/verifications", "post", answer)
    assert (answer.status_code, body["error"]) == (429, "rate_limited")
    assert 3500 < body["retry_after"] <= 3600 and answer.headers["Retry-After"]


def test_malformed_json_is_400(portal_app: Flask) -> None:
    for path in ("/api/v1/verifications", "/api/v1/verifications/check", "/api/v1/links"):
        answer = portal_app.test_client().post(path, data=b"{nope", headers=AUTH)
        assert answer.status_code == 400 and answer.get_json()["error"] == "bad_request"


def test_an_old_prefix_names_the_new_number(portal_app: Flask) -> None:
    answer = start_raw(portal_app, phone="0163 123 4567")
    body = conforms("/api/v1/verifications", "post", answer)
    assert (answer.status_code, body["error"], body["new_number"]) == (
        400,
        "old_prefix",
        "+84331234567",
    )


def test_a_number_verified_in_chat_is_409_for_the_portal(portal_app: Flask) -> None:
    d = Dialogue(portal_app, "u1")
    d.say("xác thực"), d.say("0912345678"), d.say("1")
    assert "thành công" in d.say(last_code(portal_app, PHONE))
    answer = start_raw(portal_app)
    assert answer.status_code == 409
    assert conforms("/api/v1/verifications", "post", answer)["error"] == "phone_in_use"


def test_five_wrong_codes_lock_the_account_not_the_number(portal_app: Flask) -> None:
    start(portal_app), run_jobs(portal_app)
    wrong = wrong_code(portal_app)
    answers = [check(portal_app, wrong) for _ in range(5)]
    assert [a["attempts_left"] for a in answers[:4]] == [4, 3, 2, 1]
    assert answers[4]["status"] == "locked" and answers[4]["locked_until"]
    refused = start_raw(portal_app)
    assert refused.status_code == 423
    assert conforms("/api/v1/verifications", "post", refused)["locked_until"]
    d = Dialogue(portal_app, "u9")  # one account alone never locks the number for others
    d.say("xác thực"), d.say("0912345678")
    assert "Đã gửi mã" in d.say("1")


def test_a_second_code_within_the_cooldown_is_429(portal_app: Flask) -> None:
    start(portal_app)
    answer = start_raw(portal_app)
    body = conforms("/api/v1/verifications", "post", answer)
    assert (answer.status_code, body["error"]) == (429, "cooldown")
    assert 0 < body["retry_after"] <= 60 and answer.headers["Retry-After"] == str(
        body["retry_after"]
    )


def test_send_limits_are_429_rate_limited(config: dict[str, Any]) -> None:
    app = bot_with(config, OTP_SENDS_PER_PHONE_HOUR=1, OTP_RESEND_COOLDOWN_SECONDS=0)
    start(app)
    answer = start_raw(app)
    body = conforms("/api/v1/verifications", "post", answer)
    assert (answer.status_code, body["error"]) == (429, "rate_limited")
    assert int(answer.headers["Retry-After"]) > 0


def test_the_sms_ceiling_is_503_channel_unavailable(config: dict[str, Any]) -> None:
    app = bot_with(config, SMS_GLOBAL_PER_MINUTE=1)
    start(app)
    answer = start_raw(app, phone="0987654321")
    body = conforms("/api/v1/verifications", "post", answer)
    assert (answer.status_code, body["error"], body["reason"]) == (
        503,
        "channel_unavailable",
        "sms_ceiling",
    )
    assert "Retry-After" in answer.headers


def test_zalo_without_a_template_is_503(config: dict[str, Any]) -> None:
    app = bot_with(config, ZNS_OTP_TEMPLATE_ID="")
    answer = start_raw(app, channel="zalo")
    body = conforms("/api/v1/verifications", "post", answer)
    assert (answer.status_code, body["reason"]) == (503, "zalo_not_configured")


def test_an_expired_code_is_expired(config: dict[str, Any], rdb: Any) -> None:
    app = bot_with(config, OTP_SMS_TTL_SECONDS=1)
    start(app), run_jobs(app)
    code = last_code(app, PHONE)
    wait_for(lambda: not rdb.keys("otp:*"))  # the code's TTL ran out (a wait, not a timing check)
    answer = check(app, code)
    assert answer["status"] == "expired" and answer["attempts_left"] == 5


def test_check_without_a_pending_code_is_404(portal_app: Flask) -> None:
    answer = check_raw(portal_app, "123456", account_id="cz-unknown")
    assert answer.status_code == 404
    assert answer.get_json()["error"] == "no_pending_verification"


@pytest.mark.parametrize("code", ["12345", "abcdef", "1234567", ""])
def test_check_of_a_malformed_code_is_400_and_not_counted(portal_app: Flask, code: str) -> None:
    start(portal_app)
    answer = check_raw(portal_app, code)
    assert answer.status_code == 400
    assert conforms("/api/v1/verifications/check", "post", answer)["error"] == "bad_request"


def test_idempotency_key_returns_the_first_answer_and_sends_once(
    portal_app: Flask, jobs: Any
) -> None:
    key = {"Idempotency-Key": "order-42"}
    first = start_raw(portal_app, headers=key)
    second = start_raw(portal_app, headers=key)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.get_json() == second.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    run_jobs(portal_app)
    assert len(phone_codes(portal_app, PHONE)) == 1
    other_body = start_raw(portal_app, phone="0987654321", headers=key)
    assert other_body.status_code == 422
    assert (
        conforms("/api/v1/verifications", "post", other_body)["error"] == "idempotency_key_reused"
    )


def test_a_refusal_that_passes_with_time_is_not_kept(portal_app: Flask) -> None:
    start(portal_app)  # starts the cooldown
    key = {"Idempotency-Key": "retry-me"}
    assert start_raw(portal_app, headers=key).status_code == 429
    assert "Idempotent-Replayed" not in start_raw(portal_app, headers=key).headers


def test_openapi_document_is_valid_and_public(portal_app: Flask) -> None:
    from openapi_spec_validator import validate

    answer = portal_app.test_client().get("/api/v1/openapi.json")
    assert answer.status_code == 200
    document = answer.get_json()
    validate(document)
    assert document["openapi"].startswith("3.1")
    assert {"/api/v1/verifications", "/api/v1/verifications/check", "/api/v1/links",
            "/api/v1/accounts/{id}"} <= set(document["paths"])  # fmt: skip
