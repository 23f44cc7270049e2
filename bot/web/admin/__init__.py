"""The admin page (/admin): the funnel's charts, OAs and tokens, backlog, dead letters, audit.

Served when ADMIN_SESSION_SECRET is set (sandbox: always, on a fixed secret). Sign-in by a
one-time link an admin gets in chat (`/admin`), or by ADMIN_PASSWORD_HASH; never by the
portal key, and never without signing in (the sandbox too: the simulator's admin types
`/admin`). The charts are drawn in the browser by uPlot, served from this package.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from bot.admin import oa_connect
from bot.admin.web_login import AdminSession
from bot.services import current_services
from bot.web.admin import auth, overview
from bot.worker.replay import WEB, remove, replay

__all__ = ["blueprint"]

blueprint = Blueprint(
    "admin",
    __name__,
    url_prefix="/admin",
    template_folder="templates",
    static_folder="static",
)
# Scripts and styles of this package only (uPlot included): no CDN, no inline script.
CSP = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'"
# What the page says after an action (a fixed text per key: nothing from the query is shown).
NOTES = {
    "replayed": "Replayed: the event is back in its user's inbox.",
    "removed": "Removed.",
    "gone": "Nothing done: that dead letter was already replayed or removed.",
}


def audit_name(session: AdminSession) -> str:
    """How the admin appears in the audit."""
    return "admin page (password)" if session.who == auth.PASSWORD_WHO else session.who


@blueprint.after_request
def no_store(response: Response) -> Response:
    """Nothing of the page is cached or framed elsewhere."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"  # the login link's token stays here
    response.headers["Content-Security-Policy"] = CSP
    return response


@blueprint.get("")
@auth.signed_in
def page(session: AdminSession) -> str:
    """The page itself."""
    return render_page(session, NOTES.get(request.args.get("note", ""), ""))


def render_page(session: AdminSession, note: str = "", connect_error: str = "") -> str:
    """The page, with a note after an action or why connecting an OA did not start."""
    services = current_services()
    admin_entries, refused = overview.audit(services)
    return render_template(
        "admin.html",
        who=audit_name(session),
        csrf=session.csrf,
        oas=overview.oa_states(services),
        backlog=overview.backlog(services),
        dead=overview.dead_letters(services),
        audit=admin_entries,
        refused=refused,
        note=note,
        connect_error=connect_error,
        timezone=services.settings.bot_timezone,
    )


@blueprint.get("/api/funnel")
@auth.signed_in
def funnel(session: AdminSession) -> Response:
    """The funnel's counts for the charts (refreshed by the page)."""
    return jsonify(overview.funnel_data(current_services()))


@blueprint.get("/login")
def login() -> ResponseReturnValue:
    """The sign-in page: a one-time link's token (in the URL's fragment, posted by the page's
    script with a button, so link previews spend nothing), or the password form."""
    return login_page("", 200)


@blueprint.post("/login")
def login_post() -> ResponseReturnValue:
    """Redeem a link token or check the password; open a session."""
    if not auth.login_form_ok():
        return refuse_login("The form has expired: open the sign-in page again.", 403)
    token = request.form.get("token", "")
    if token:
        who = auth.link_who(token)
        if who is None:
            return refuse_login("This link was already used or has expired: type /admin again.")
        return auth.start_session(who, url_for("admin.page"))
    if auth.password_ok(request.form.get("password", "")):
        return auth.start_session(auth.PASSWORD_WHO, url_for("admin.page"))
    return refuse_login("Wrong password.")


def refuse_login(message: str, status: int = 401) -> ResponseReturnValue:
    """The sign-in page again, with why."""
    return login_page(message, status)


def login_page(error: str, status: int) -> Response:
    """The sign-in page with a fresh form token (also in its cookie)."""
    form_token = auth.login_token()
    has_password = bool(current_services().settings.admin_password_hash)
    body = render_template("login.html", csrf=form_token, has_password=has_password, error=error)
    response = Response(body, status=status)
    auth.set_cookie(response, auth.LOGIN_COOKIE, form_token, auth.LOGIN_FORM_SECONDS)
    return response


@blueprint.post("/logout")
@auth.signed_in
def logout(session: AdminSession) -> ResponseReturnValue:
    """End the session."""
    found = auth.current_session()
    if found is not None:
        from bot.admin.web_login import AdminLogins

        AdminLogins(current_services().redis).close(found[0])
    response = redirect(url_for("admin.login"), code=303)
    response.delete_cookie(auth.COOKIE, path=auth.COOKIE_PATH)
    return response


@blueprint.post("/dead")
@auth.signed_in
def dead_letter(session: AdminSession) -> ResponseReturnValue:
    """Replay or remove one dead letter (audited under the admin's name)."""
    short_id, action = request.form.get("id", ""), request.form.get("action", "")
    if action not in ("replay", "remove") or not short_id or short_id == "*":
        return Response("unknown dead letter or action", status=400)
    act = replay if action == "replay" else remove
    done = act(current_services(), short_id, who=audit_name(session), via=WEB)
    note = ("replayed" if action == "replay" else "removed") if done else "gone"
    return redirect(url_for("admin.page", note=note), code=303)


@blueprint.post("/connect")
@auth.signed_in
def connect_oa(session: AdminSession) -> ResponseReturnValue:
    """Start connecting an OA: to Zalo's permission page (its callback finishes the job)."""
    try:
        url = oa_connect.start(current_services())
    except oa_connect.ConnectError as exc:  # shown here, never echoed from a URL
        return render_page(session, connect_error=str(exc))
    if urlsplit(url).scheme not in ("https", "http"):
        return Response("bad permission URL", status=500)
    return redirect(url, code=303)
