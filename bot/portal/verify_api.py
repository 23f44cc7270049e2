"""The portal's Verify API: POST /api/v1/verifications and /api/v1/verifications/check.

Every answer is JSON; every refusal has a machine-readable `error` and a `message`
(SPEC §4 lists the codes and statuses; bot/portal/openapi.json describes them).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from bot.conversation.textnorm import digits_only, to_ascii_digits
from bot.portal.api import require_api_key
from bot.portal.api_common import Answer, answer, error, json_body, locked_until, oa_of
from bot.portal.idempotency import MAX_KEY_LENGTH, IdempotencyStore, fingerprint
from bot.portal.operations import check_verification, start_verification
from bot.services import current_services
from bot.verification.accounts import iso
from bot.verification.links import portal_ref, valid_account_id
from bot.verification.phones import Problem, parse_phone
from bot.verification.service import CHANNELS, SendOutcome

blueprint = Blueprint("verify_api", __name__, url_prefix="/api/v1")

PHONE_ERRORS = {
    Problem.NOT_A_NUMBER: ("invalid_phone", "this is not a phone number"),
    Problem.INVALID: ("invalid_phone", "this phone number is not valid"),
    Problem.NOT_MOBILE: ("not_mobile", "this is not a mobile number"),
    Problem.REGION: ("region_not_allowed", "numbers of this region are not accepted"),
    Problem.OLD_PREFIX: ("old_prefix", "an old 11-digit number: use new_number"),
}
REFUSALS = {  # SendOutcome.status -> (HTTP status, error, message)
    "in_use": (409, "phone_in_use", "this number is verified by another account"),
    "locked": (423, "locked", "too many wrong codes: verification is locked"),
    "locked_mine": (423, "locked", "too many wrong codes: verification is locked"),
    "cooldown": (429, "cooldown", "a code was just sent: wait before asking again"),
    "limited": (429, "rate_limited", "too many codes for this number or account"),
    "numbers_limited": (429, "rate_limited", "too many different numbers for this account"),
    "sms_busy": (503, "channel_unavailable", "SMS is busy (global ceiling): try later"),
    "zalo_busy": (503, "channel_unavailable", "Zalo codes are busy (global ceiling): try later"),
    "zalo_unavailable": (503, "channel_unavailable", "Zalo codes are not configured"),
    "no_zalo_account": (503, "channel_unavailable", "this number has no Zalo account"),
}
REASONS = {
    "sms_busy": "sms_ceiling",
    "zalo_busy": "zalo_ceiling",
    "zalo_unavailable": "zalo_not_configured",
}


@blueprint.post("/verifications")
@require_api_key
def create_verification() -> tuple[Response, int]:
    """Send a code to a number by SMS or Zalo for a portal account (Idempotency-Key aware)."""
    payload = json_body()
    given = request.headers.get("Idempotency-Key", "").strip()
    if not given:
        return answer(start(payload))
    if len(given) > MAX_KEY_LENGTH:
        return answer(error(400, "bad_request", "Idempotency-Key is longer than 255 characters"))
    store = IdempotencyStore(current_services().redis)
    print_ = fingerprint(request.path, payload)
    kept = store.claim(given, print_)
    if kept is None:
        status, body = start(payload)
        store.finish(given, print_, status, body)
        return answer((status, body))
    if kept.problem == "reused":
        return answer(error(422, "idempotency_key_reused", "this key came with another body"))
    if kept.problem == "busy":
        return answer(error(409, "idempotency_in_progress", "the first request still runs"))
    assert kept.body is not None
    response, status = answer((kept.status, kept.body))
    response.headers["Idempotent-Replayed"] = "true"
    return response, status


def start(payload: Any) -> Answer:
    """Validate the body, then ask the engine for a code."""
    if not isinstance(payload, dict):
        return error(400, "bad_request", "the body must be a JSON object")
    account_id, phone, channel = (payload.get(k) for k in ("account_id", "phone", "channel"))
    if not valid_account_id(account_id):
        return error(400, "bad_request", "account_id: 1-64 letters, digits or ._@:-")
    if channel not in CHANNELS:
        return error(400, "bad_request", 'channel must be "sms" or "zalo"')
    if not isinstance(phone, str):
        return error(400, "bad_request", "phone must be a string")
    services = current_services()
    oa_id, refused = oa_of(services, payload.get("oa_id"))
    if refused is not None:
        return refused
    parsed = parse_phone(phone, services.settings.otp_allowed_regions)
    if parsed.e164 is None:
        return phone_error(parsed.problem, parsed.new_number)
    outcome = start_verification(services, account_id, parsed.e164, channel, oa_id)
    return started(account_id, parsed.e164, channel, outcome, oa_id)


def phone_error(problem: Problem | None, new_number: str | None) -> Answer:
    """400 with the specific reason (and the number to use now, for an old prefix)."""
    code, message = PHONE_ERRORS[problem or Problem.INVALID]
    if problem is not Problem.OLD_PREFIX or new_number is None:
        return error(400, code, message)
    allowed = current_services().settings.otp_allowed_regions
    return error(400, code, message, new_number=parse_phone(new_number, allowed).e164)


def started(
    account_id: str, phone: str, channel: str, outcome: SendOutcome, oa_id: str = ""
) -> Answer:
    """201 with the verification, or the refusal of SPEC §4."""
    services = current_services()
    if outcome.status != "sent":
        status, code, message = REFUSALS[outcome.status]
        wait = outcome.wait_seconds
        if status == 423:
            return error(status, code, message, locked_until=locked_until(wait))
        extra: dict[str, Any] = {"retry_after": wait} if wait or status == 429 else {}
        if code == "channel_unavailable":
            extra["reason"] = REASONS.get(outcome.status, outcome.status)
        return error(status, code, message, **extra)
    ref = portal_ref(oa_id or services.registry.main.oa_id, account_id)
    pending = services.verifier.pending.get(ref)
    body = {
        "verification_id": outcome.verification_id,
        "account_id": account_id,
        "phone": phone,
        "channel": channel,
        "status": "pending",
        "expires_at": iso(pending.expires_at) if pending else None,
        "attempts_left": services.verifier.codes.attempts_left(ref),
    }
    return 201, body


@blueprint.post("/verifications/check")
@require_api_key
def check() -> tuple[Response, int]:
    """Check the code the customer typed in the portal."""
    payload = json_body()
    if not isinstance(payload, dict) or not valid_account_id(payload.get("account_id")):
        return answer(error(400, "bad_request", "account_id: 1-64 letters, digits or ._@:-"))
    code = payload.get("code")
    compact = "".join(to_ascii_digits(code).split()) if isinstance(code, str) else ""
    if len(compact) != 6 or digits_only(compact) != compact:
        return answer(error(400, "bad_request", "code must be the 6 digits that were sent"))
    services = current_services()
    oa_id, refused = oa_of(services, payload.get("oa_id"))
    if refused is not None:
        return answer(refused)
    result = check_verification(services, payload["account_id"], compact, oa_id)
    if result.status == "no_pending":
        return answer(error(404, "no_pending_verification", "no code is waiting for a check"))
    if result.status == "in_use":
        return answer(error(409, "phone_in_use", "another account verified this number first"))
    body: dict[str, Any] = {
        "status": result.status,
        "attempts_left": result.attempts_left,
        "locked_until": locked_until(result.wait_seconds),
    }
    if result.reason:
        body["reason"] = result.reason
    return answer((200, body))
