"""FakeZalo's endpoints, as strict as Zalo about what they accept (ZALO_API.md)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from tests.fakes.zalo.records import (
    SentMessage,
    SentZns,
    now_ms,
    oauth_error,
    ok,
    reply,
    zalo_error,
)

if TYPE_CHECKING:
    from tests.fakes.zalo.server import FakeZalo

MAX_TEXT_UTF16_UNITS = 2000
ZNS_PHONE = re.compile(r"[1-9][0-9]{7,14}")
ZNS_DAILY_QUOTA = 500
MAX_TRACKING_ID_CHARS = 48
MAX_BUTTONS = 5
STATUS_WORDS = {-1: "Message not found", 0: "Not yet delivered", 1: "Delivered"}


def json_body(request: Request) -> dict[str, Any]:
    """The JSON object of a request (empty when it is not one)."""
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def utf16_units(text: str) -> int:
    """Length as Zalo's Java servers count it (the fake is as strict as the client)."""
    return len(text.encode("utf-16-le")) // 2


def valid_buttons(message: dict[str, Any]) -> bool:
    """No attachment, or 1-5 oa.query.* / oa.open.* buttons with a title and a payload."""
    if "attachment" not in message:
        return True
    try:
        buttons = message["attachment"]["payload"]["buttons"]
        template = message["attachment"]["type"] == "template"
    except (KeyError, TypeError):
        return False
    return (
        template
        and isinstance(buttons, list)
        and 0 < len(buttons) <= MAX_BUTTONS
        and all(
            isinstance(b, dict)
            and str(b.get("type", "")).startswith("oa.")
            and isinstance(b.get("title"), str)
            and 0 < len(b["title"]) <= 100
            and b.get("payload")
            for b in buttons
        )
    )


def valid_message(message: Any) -> bool:
    """A text of 1-2,000 characters (maybe with tap buttons), or a request_user_info form."""
    if isinstance(message, dict) and "text" in message:
        text = message["text"]
        fits = isinstance(text, str) and 0 < utf16_units(text) <= MAX_TEXT_UTF16_UNITS
        return fits and valid_buttons(message)
    try:
        payload = message["attachment"]["payload"]
        (element,) = payload["elements"]
        title, subtitle, image_url = element["title"], element["subtitle"], element["image_url"]
        form = payload["template_type"] == "request_user_info"
    except (KeyError, TypeError, ValueError):
        return False
    bounds = ((title, 1, 100), (subtitle, 0, 500), (image_url, 1, 2000))
    return form and all(isinstance(t, str) and low <= len(t) <= high for t, low, high in bounds)


def token_oa(fake: FakeZalo, request: Request) -> str:
    """The OA whose access token the request carries (called under the fake's lock)."""
    return fake.token_oa.get(request.headers.get("access_token", ""), "")


def send_message(fake: FakeZalo, request: Request) -> Response:
    """/v3.0/oa/message/cs: record a text or form; -201 when malformed, scripted user errors."""
    body = json_body(request)
    recipient = body.get("recipient")
    user_id = recipient.get("user_id") if isinstance(recipient, dict) else None
    if not (isinstance(user_id, str) and user_id and valid_message(body.get("message"))):
        return zalo_error(-201, "Parameters are invalid")
    with fake.lock:
        refused = fake.user_errors.get(user_id)
        if refused is not None:
            return zalo_error(refused, "Refused for this user (scripted)")
        sent = SentMessage(user_id, body["message"], fake.new_id(), token_oa(fake, request))
        fake.sent.append(sent)
    return ok({"message_id": sent.message_id, "user_id": user_id, "sent_time": now_ms()})


def user_detail(fake: FakeZalo, request: Request) -> Response:
    """/v3.0/oa/user/detail?data={"user_id": ...}: a registered profile, or a plain one."""
    try:
        user_id = json.loads(request.args.get("data", "")).get("user_id")
    except (ValueError, AttributeError):
        user_id = None
    if not isinstance(user_id, str) or not user_id:
        return zalo_error(-201, "Parameters are invalid")
    with fake.lock:
        profile = dict(fake.users.get(user_id, {"display_name": f"Zalo user {user_id[-4:]}"}))
    phone = profile.pop("phone", None)
    data = {"user_id": user_id, "user_is_follower": True, **profile}
    return ok(data | ({"shared_info": {"phone": phone}} if phone else {}))


def zns_problem(body: dict[str, Any]) -> tuple[int, str] | None:
    """What Zalo would refuse in a template request, if anything."""
    phone, template_id = body.get("phone"), body.get("template_id")
    tracking_id = body.get("tracking_id", "")
    if not (isinstance(phone, str) and ZNS_PHONE.fullmatch(phone)):
        return -108, "Phone number is invalid"
    if not (isinstance(template_id, str) and template_id):
        return -109, "Template is invalid"
    if not isinstance(body.get("template_data"), dict):
        return -201, "template_data must be an object"
    if not (isinstance(tracking_id, str) and len(tracking_id) <= MAX_TRACKING_ID_CHARS):
        return -201, "tracking_id must be at most 48 characters"
    if body.get("mode") not in (None, "development"):
        return -201, "mode must be 'development' when present"
    return None


def send_zns(fake: FakeZalo, request: Request) -> Response:
    """/message/template: -108 bad phone, -118 no Zalo, -144 daily quota; else record it."""
    body = json_body(request)
    problem = zns_problem(body)
    if problem is not None:
        return zalo_error(*problem)
    with fake.lock:
        if body["phone"] in fake.no_zalo_phones:
            return zalo_error(-118, "Zalo account does not exist")
        if len(fake.zns_sent) >= ZNS_DAILY_QUOTA:
            return zalo_error(-144, "OA has exceeded the daily quota")
        sent = SentZns(
            fake.new_id(),
            token_oa(fake, request),
            phone=body["phone"],
            template_id=body["template_id"],
            template_data=body["template_data"],
            tracking_id=body.get("tracking_id", ""),
            mode=body.get("mode"),
        )
        fake.zns_sent.append(sent)
        remaining = ZNS_DAILY_QUOTA - len(fake.zns_sent)
    quota = {"dailyQuota": str(ZNS_DAILY_QUOTA), "remainingQuota": str(remaining)}
    return ok({"msg_id": sent.msg_id, "sent_time": now_ms(), "quota": quota})


def zns_status(fake: FakeZalo, request: Request) -> Response:
    """/message/status?message_id=: -1 for an id this OA did not send, else the status a test
    set for it (delivery_status), or the fake's default (0: not yet delivered)."""
    msg_id = request.args.get("message_id", "")
    if not msg_id:
        return zalo_error(-201, "message_id is required")
    with fake.lock:
        oa_id = token_oa(fake, request)
        sent = next((z for z in fake.zns_sent if z.msg_id == msg_id and z.oa_id == oa_id), None)
        status = -1 if sent is None else fake.zns_statuses.get(msg_id, fake.zns_status_default)
    data: dict[str, Any] = {"status": status, "message": STATUS_WORDS[status]}
    return ok(data | ({"delivery_time": now_ms()} if status == 1 else {}))


def refresh_pair(fake: FakeZalo, request: Request) -> Response:
    """/v4/oa/access_token: spend a refresh token (once), or a granted code with its PKCE
    verifier (once), for a new pair."""
    form = request.form
    if request.headers.get("secret_key") != fake.app_secret or form.get("app_id") != fake.app_id:
        return oauth_error(-14004, "Invalid app_id or secret_key")
    if form.get("grant_type") == "authorization_code":
        return exchange_code(fake, form.get("code", ""), form.get("code_verifier", ""))
    if form.get("grant_type") != "refresh_token":
        return oauth_error(-14003, "Invalid grant_type")
    with fake.lock:
        spent = form.get("refresh_token")
        if spent not in fake.refresh_tokens:
            return oauth_error(-14014, "Invalid refresh token")
        fake.refresh_tokens.discard(spent)
        access, refresh = fake.issue_pair(oa_id=fake.refresh_oa.get(spent, fake.oa_id))
    return pair_answer(fake, access, refresh)


def exchange_code(fake: FakeZalo, code: str, verifier: str) -> Response:
    """A code granted on the permission page: single use, and only with its verifier."""
    with fake.lock:
        grant = fake.grants.pop(code, None)
        if grant is None:
            return oauth_error(-14005, "Invalid code")
        oa_id, challenge = grant
        if challenge and pkce_challenge(verifier) != challenge:
            return oauth_error(-14005, "Invalid code verifier")
        access, refresh = fake.issue_pair(oa_id=oa_id)
    return pair_answer(fake, access, refresh)


def pkce_challenge(verifier: str) -> str:
    """S256, written out here rather than imported: the fake checks the client."""
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def pair_answer(fake: FakeZalo, access: str, refresh: str) -> Response:
    """The token answer, expires_in a string as Zalo sends it."""
    lifetime = str(fake.token_lifetime_seconds)
    return reply({"access_token": access, "refresh_token": refresh, "expires_in": lifetime})


def oa_profile(fake: FakeZalo, request: Request) -> Response:
    """/v2.0/oa/getoa: the profile of the token's OA (the docs' `oaid` spelling too)."""
    with fake.lock:
        oa_id = fake.token_oa.get(request.headers.get("access_token", ""), fake.oa_id)
        name = fake.oa_names.get(oa_id, f"OA {oa_id[-4:]}")
    return ok({"oaid": oa_id, "name": name, "description": "", "is_verified": True})


HANDLERS: dict[str, Callable[[FakeZalo, Request], Response]] = {
    "cs": send_message,
    "user_detail": user_detail,
    "zns": send_zns,
    "zns_status": zns_status,
    "oauth": refresh_pair,
    "getoa": oa_profile,
}
