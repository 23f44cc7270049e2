"""Who is signed in to the admin page: the session cookie, CSRF tokens, the login's checks.

The cookie holds a random session id signed with ADMIN_SESSION_SECRET (HttpOnly,
SameSite=Strict, Secure behind https, path /admin); Redis holds only its hash, with who signed
in and the session's CSRF token (bot.admin.web_login). A Zalo admin's session ends when they
stop being an admin. Forms before a session (the login) carry a signed token that must equal
the one in a short-lived cookie (double submit).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, redirect, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from werkzeug.security import check_password_hash
from werkzeug.wrappers import Response

from bot.admin.web_login import SESSION_TTL_SECONDS, AdminLogins, AdminSession
from bot.services import Services, current_services

COOKIE = "bot_admin"
LOGIN_COOKIE = "bot_admin_login"
COOKIE_PATH = "/admin"
LOGIN_FORM_SECONDS = 600
PASSWORD_WHO = "password"
# Wrong passwords allowed per client address in FAIL_WINDOW_SECONDS before a pause.
MAX_PASSWORD_FAILS = 10
FAIL_WINDOW_SECONDS = 900
View = TypeVar("View", bound=Callable[..., Any])


def signer(services: Services) -> URLSafeSerializer:
    """Signs the session cookie's value."""
    return URLSafeSerializer(services.settings.admin_session_secret, salt="admin-session")


def login_signer(services: Services) -> URLSafeTimedSerializer:
    """Signs the login form's CSRF token (good for ten minutes)."""
    return URLSafeTimedSerializer(services.settings.admin_session_secret, salt="admin-login")


def secure(services: Services) -> bool:
    """Cookies only over https when the deployment is reached by https."""
    return bool(services.settings.public_base_url.startswith("https://"))


def set_cookie(response: Response, name: str, value: str, max_age: int) -> None:
    """One of the page's cookies, as strict as a cookie gets."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=COOKIE_PATH,
        httponly=True,
        samesite="Strict",
        secure=secure(current_services()),
    )


def current_session() -> tuple[str, AdminSession] | None:
    """(session id, session) of the signed-in admin, or None."""
    services = current_services()
    try:
        session_id = str(signer(services).loads(request.cookies.get(COOKIE, "")))
    except BadSignature:
        return None
    found = AdminLogins(services.redis).find(session_id)
    if found is None:
        return None
    if found.who != PASSWORD_WHO and not services.admins.is_admin(found.who):
        return None  # no longer an admin: the session ends with the role
    return session_id, found


def signed_in(view: View) -> View:
    """The view needs a session (a page: to the login; JSON or a form: 401); a POST also needs
    the session's CSRF token."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        found = current_session()
        if found is None:
            if request.method == "GET" and not request.path.startswith("/admin/api/"):
                return redirect(url_for("admin.login"))
            abort(401)
        if request.method == "POST" and not same_token(request.form.get("csrf"), found[1].csrf):
            abort(403)
        return view(found[1], *args, **kwargs)

    return cast(View, guarded)


def same_token(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a form's token with the expected one."""
    return bool(given) and hmac.compare_digest(str(given), expected)


def start_session(who: str, to: str) -> Response:
    """Open a session for who and go to the page."""
    services = current_services()
    session_id, _ = AdminLogins(services.redis).open(who)
    response = redirect(to, code=303)
    set_cookie(response, COOKIE, signer(services).dumps(session_id), SESSION_TTL_SECONDS)
    response.delete_cookie(LOGIN_COOKIE, path=COOKIE_PATH)
    return response


def login_token() -> str:
    """A fresh login-form token (also set in LOGIN_COOKIE by the caller)."""
    return login_signer(current_services()).dumps(secrets.token_urlsafe(16))


def login_form_ok() -> bool:
    """The login form carries the token of its cookie, signed and fresh."""
    given, kept = request.form.get("csrf", ""), request.cookies.get(LOGIN_COOKIE, "")
    if not same_token(given, kept):
        return False
    try:
        login_signer(current_services()).loads(given, max_age=LOGIN_FORM_SECONDS)
    except BadSignature:
        return False
    return True


def password_ok(password: str) -> bool:
    """The password matches ADMIN_PASSWORD_HASH (wrong ones are counted per address)."""
    services = current_services()
    stored = services.settings.admin_password_hash
    key = f"admin-page:fails:{request.remote_addr or '-'}"
    if int(services.redis.get(key) or 0) >= MAX_PASSWORD_FAILS:
        return False
    if stored and password and check_password_hash(stored, password):
        return True
    with services.redis.pipeline(transaction=True) as pipe:
        pipe.set(key, 0, ex=FAIL_WINDOW_SECONDS, nx=True)  # the window starts at the first
        pipe.incr(key)
        pipe.execute()
    return False


def link_who(token: str) -> str | None:
    """The admin a one-time link token was sent to, if it is good and they still are one."""
    services = current_services()
    who = AdminLogins(services.redis).redeem(token)
    return who if who and services.admins.is_admin(who) else None
