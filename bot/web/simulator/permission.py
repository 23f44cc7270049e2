"""Sandbox only: the simulator plays Zalo's OA permission page (`flask oa connect` prints a
link here), so a newcomer follows the whole connect flow on one machine: pick an OA, allow
the App, and land on the bot's real callback with `code`, `oa_id` and `state`, as Zalo sends
them; "Deny" comes back without a code, as a refusal does."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import redirect, render_template_string, request
from werkzeug.wrappers.response import Response

from bot.admin import sandbox_oauth
from bot.admin.seeding import SANDBOX_SECOND_OA_ID, SANDBOX_SECOND_OA_NAME
from bot.services import current_services

PAGE = """<!DOCTYPE html>
<html lang="{{ lang }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ t.title }} (sandbox)</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}
h1{font-size:1.3rem}.note{color:#555;font-size:.9rem}label{display:block;margin:.4rem 0}
button{margin-right:.5rem;padding:.4rem 1rem}</style></head>
<body><h1>{{ t.title }} {{ app_id }}</h1>
<p class="note">{{ t.note }}</p>
<form method="post">
{% for oa in oas %}<label><input type="radio" name="oa_id" value="{{ oa.id }}"
{% if loop.first %}checked{% endif %}> {{ oa.name }} ({{ oa.id }})</label>{% endfor %}
{% for name, value in carried.items() %}
<input type="hidden" name="{{ name }}" value="{{ value }}">{% endfor %}
<p><button name="decision" value="allow">{{ t.allow }}</button>
<button name="decision" value="deny">{{ t.deny }}</button></p></form></body></html>
"""
# One language per page, BOT_LANGUAGE's, as the simulator's other pages.
WORDS = {
    "vi": {
        "title": "Cấp quyền cho ứng dụng",
        "note": "Sandbox: trang này đóng vai trang cấp quyền của Zalo "
        "(oauth.zaloapp.com/v4/oa/permission). Chọn OA mà bạn là quản trị viên, rồi bấm "
        "Cho phép.",
        "allow": "Cho phép",
        "deny": "Từ chối",
    },
    "en": {
        "title": "Grant access to app",
        "note": "Sandbox: this page stands in for Zalo's permission page "
        "(oauth.zaloapp.com/v4/oa/permission). Choose the OA whose admin you are, then allow.",
        "allow": "Allow",
        "deny": "Deny",
    },
}
CARRIED = ("app_id", "redirect_uri", "code_challenge", "state")


def pretend_oas() -> list[dict[str, str]]:
    """The OAs the pretend account administers: the sandbox's, and one to connect anew."""
    main = current_services().registry.main
    known = [
        (main.oa_id, main.name or "Sandbox OA"),
        (SANDBOX_SECOND_OA_ID, SANDBOX_SECOND_OA_NAME),
        (sandbox_oauth.SANDBOX_NEW_OA_ID, sandbox_oauth.SANDBOX_NEW_OA_NAME),
    ]
    return [{"id": oa_id, "name": name} for oa_id, name in known]


def permission_page() -> str:
    """GET: the grant page, carrying the permission URL's parameters."""
    carried = {name: request.args.get(name, "") for name in CARRIED}
    lang = current_services().settings.bot_language
    lang = lang if lang in WORDS else "vi"
    return render_template_string(
        PAGE, lang=lang, t=WORDS[lang], app_id=carried["app_id"], oas=pretend_oas(), carried=carried
    )


def permission_decision() -> Response | tuple[str, int]:
    """POST: back to the callback, with a code when allowed (Zalo's redirect)."""
    form = request.form
    callback = form.get("redirect_uri", "")
    names = {oa["id"]: oa["name"] for oa in pretend_oas()}
    oa_id = form.get("oa_id", "")
    if not callback.endswith("/oauth/zalo/callback") or oa_id not in names:
        return "redirect_uri or oa_id is not the sandbox's", 400
    query = {"oa_id": oa_id, "state": form.get("state", "")}
    if form.get("decision") == "allow":
        client = current_services().redis
        query["code"] = sandbox_oauth.grant(
            client, oa_id, form.get("code_challenge", ""), names[oa_id]
        )
    return redirect(f"{callback}?{urlencode(query)}")
