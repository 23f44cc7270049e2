"""GET /oauth/zalo/callback: where Zalo's permission page sends the OA admin back."""

from __future__ import annotations

import logging

import redis
from flask import Blueprint, render_template_string, request

from bot.admin.oa_connect import CALLBACK_PATH, ConnectError, finish
from bot.services import current_services
from bot.texts import render

log = logging.getLogger(__name__)
blueprint = Blueprint("oauth_callback", __name__)
PAGE = """<!DOCTYPE html>
<html lang="{{ lang }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}
h1{font-size:1.4rem}.ok{color:#05603a}.no{color:#b42318}</style></head>
<body><h1 class="{{ 'ok' if ok else 'no' }}">{{ title }}</h1><p>{{ detail }}</p>
{% if back %}<p><a id="back" href="{{ back }}">{{ back_words }}</a></p>{% endif %}</body></html>
"""


@blueprint.get(CALLBACK_PATH)
def callback() -> tuple[str, int]:
    """Finish a connection started by `flask oa connect`, and say what happened (in
    BOT_LANGUAGE: the OA admin who granted reads it)."""
    args, lang = request.args, current_services().settings.bot_language
    try:
        connected = finish(
            current_services(), args.get("state", ""), args.get("code", ""), args.get("oa_id", "")
        )
    except ConnectError as exc:
        log.warning("OA connection refused: %s", exc)
        return page(False, lang, exc.said_in(lang)), 400
    except redis.RedisError:
        return page(False, lang, render("connect_unavailable", lang)), 503
    detail = render(
        "connect_page_done",
        lang,
        name=connected.name or connected.oa_id,
        oa_id=connected.oa_id,
        app_id=connected.app_id,
    )
    return page(True, lang, detail, connected.oa_id), 200


def page(ok: bool, lang: str, detail: str, oa_id: str = "") -> str:
    """The small page the OA admin's browser shows (escaped); in the sandbox, a way back to
    the simulator (on the new OA when one was connected), so the tour goes on from here."""
    key = "connect_page_done_title" if ok else "connect_page_failed_title"
    sandbox = current_services().settings.bot_sandbox
    back = ("/simulator" + (f"?oa={oa_id}" if oa_id else "")) if sandbox else ""
    return render_template_string(
        PAGE,
        lang=lang,
        ok=ok,
        title=render(key, lang),
        detail=detail,
        back=back,
        back_words=render("connect_page_back", lang),
    )
