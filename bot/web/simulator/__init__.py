"""The simulator page (sandbox mode only): chat with the bot as a Zalo user in a browser."""

from __future__ import annotations

from typing import Any

import redis
from flask import Blueprint, Response, current_app, jsonify, render_template, request

from bot.web.simulator import permission
from bot.web.simulator.playground import Playground, PlaygroundError, Posted, check_user_id

__all__ = ["blueprint", "Playground"]

blueprint = Blueprint(
    "simulator",
    __name__,
    url_prefix="/simulator",
    template_folder="templates",
    static_folder="static",
)


def playground() -> Playground:
    """The playground of the running app, for the OA the page chose (`?oa=`)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return Playground(app, request.args.get("oa", ""))


def body() -> dict[str, Any]:
    """The JSON body of a POST; JSON only, so a plain cross-site form cannot post here."""
    if not request.is_json:
        raise PlaygroundError("send JSON (Content-Type: application/json)")
    try:
        found = request.get_json(silent=True)
    except RecursionError:  # absurdly nested JSON
        found = None
    if not isinstance(found, dict):
        raise PlaygroundError("the body must be a JSON object")
    return found


def field(data: dict[str, Any], name: str) -> str:
    """A text field of the body ('' when absent)."""
    value = data.get(name, "")
    if not isinstance(value, str):
        raise PlaygroundError(f"{name} must be text")
    return value


def posted(result: Posted) -> tuple[Response, int]:
    """Relay what the webhook answered (the page shows it when it is not a 200)."""
    return jsonify(webhook_status=result.status, webhook=result.body), 200 if result.ok else 502


@blueprint.errorhandler(PlaygroundError)
def refused(error: PlaygroundError) -> tuple[Response, int]:
    """Bad input from the page: a clear message."""
    return jsonify(error=str(error)), 400


@blueprint.errorhandler(redis.RedisError)
def redis_down(error: redis.RedisError) -> tuple[Response, int]:
    """Redis is down: say so rather than fail with a 500."""
    return jsonify(error=f"Redis is not reachable ({type(error).__name__})"), 503


@blueprint.get("")
def page() -> str:
    """The simulator itself."""
    place = playground()
    app_id = place.services.registry.main.app_id
    return render_template("simulator.html", oa_id=place.oa_id, app_id=app_id, oas=place.oas())


@blueprint.get("/api/users")
def users() -> Response:
    """The test users and whether each is an admin."""
    place = playground()
    return jsonify(users=[{"id": u, "admin": place.is_admin(u)} for u in place.users()])


@blueprint.post("/api/users")
def create_user() -> tuple[Response, int]:
    """A new test user, who follows the OA."""
    return posted(playground().create_user(field(body(), "user")))


@blueprint.post("/api/say")
def say() -> tuple[Response, int]:
    """The user types a message."""
    data = body()
    return posted(playground().say(field(data, "user"), field(data, "text")))


@blueprint.post("/api/share")
def share() -> tuple[Response, int]:
    """The user shares their phone number (answer to the bot's request)."""
    data = body()
    return posted(playground().share_phone(field(data, "user"), field(data, "phone")))


@blueprint.get("/api/chat")
def chat() -> Response:
    """The chat log of a user from line `after`, and whether the user is an admin."""
    place = playground()
    user = request.args.get("user", "")
    after = request.args.get("after", "0")
    start = int(after) if after.isascii() and after.isdigit() else 0
    lines = place.chat(user, start)
    return jsonify(lines=lines, next=start + len(lines), **place.user_view(user))


@blueprint.get("/api/stream")
def stream() -> Response:
    """Server-sent events: new chat lines, the phone panel, the assets (push, not polling)."""
    from bot.web.simulator.stream import STREAM_SECONDS
    from bot.web.simulator.stream import stream as events

    place = playground()
    user = check_user_id(request.args.get("user", ""))
    resume = request.headers.get("Last-Event-ID") or request.args.get("after", "0")
    after = int(resume) if resume.isascii() and resume.isdigit() else 0
    wanted = request.args.get("seconds", "")
    number = wanted.isascii() and wanted.isdigit()
    seconds = min(float(wanted), STREAM_SECONDS) if number else STREAM_SECONDS
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    # No request context inside: the stream needs only Redis, and outlives the view.
    return Response(
        events(place, user, after, seconds), mimetype="text/event-stream", headers=headers
    )


@blueprint.post("/api/tap")
def tap() -> tuple[Response, int]:
    """The user taps a button under a bot message (its payload goes to the webhook)."""
    data = body()
    return posted(
        playground().tap(field(data, "user"), field(data, "title"), field(data, "payload"))
    )


@blueprint.post("/api/relink")
def relink() -> Response:
    """Sandbox: use an unlinked asset again."""
    data = body()
    return jsonify(relinked=playground().relink(field(data, "kind"), field(data, "id")))


@blueprint.get("/api/phones")
def phones() -> Response:
    """Every sandbox phone and the SMS and Zalo messages it received; with ?user=, the
    newest message to that user's numbers (pinned above the chat)."""
    place = playground()
    user = request.args.get("user", "")
    pinned = place.pinned(user) if user else None
    return jsonify(phones=place.phone_list(), pinned=pinned)


@blueprint.post("/api/admin")
def admin() -> Response:
    """Make the user an admin or not."""
    data = body()
    return jsonify(admin=playground().set_admin(field(data, "user"), data.get("admin") is True))


blueprint.add_url_rule(
    "/zalo/v4/oa/permission", "zalo_permission", permission.permission_page, methods=["GET"]
)
blueprint.add_url_rule(
    "/zalo/v4/oa/permission", "zalo_grant", permission.permission_decision, methods=["POST"]
)


@blueprint.post("/api/reset")
def reset() -> tuple[Response, int]:
    """Start the user over."""
    return posted(playground().reset(field(body(), "user")))
