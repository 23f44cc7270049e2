"""GET /oauth/zalo/callback: where Zalo's permission page sends the OA admin back."""

from __future__ import annotations

import logging

import redis
from flask import Blueprint, render_template_string, request

from bot.admin.oa_connect import CALLBACK_PATH, ConnectError, finish
from bot.services import current_services

log = logging.getLogger(__name__)
blueprint = Blueprint("oauth_callback", __name__)
PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}
h1{font-size:1.4rem}.ok{color:#05603a}.no{color:#b42318}</style></head>
<body><h1 class="{{ 'ok' if ok else 'no' }}">{{ title }}</h1><p>{{ detail }}</p></body></html>
"""


@blueprint.get(CALLBACK_PATH)
def callback() -> tuple[str, int]:
    """Finish a connection started by `flask oa connect`, and say what happened."""
    args = request.args
    try:
        connected = finish(
            current_services(), args.get("state", ""), args.get("code", ""), args.get("oa_id", "")
        )
    except ConnectError as exc:
        log.warning("OA connection refused: %s", exc)
        return page(False, "The OA was not connected", str(exc)), 400
    except redis.RedisError:
        return page(False, "The OA was not connected", "Redis is unavailable: try again."), 503
    name = connected.name or connected.oa_id
    detail = (
        f"{name} (OA {connected.oa_id}) granted App {connected.app_id}. Its tokens are stored "
        "and renewed by the bot; it is served from now on."
    )
    return page(True, "OA connected", detail), 200


def page(ok: bool, title: str, detail: str) -> str:
    """The small page the OA admin's browser shows (escaped)."""
    return render_template_string(PAGE, ok=ok, title=title, detail=detail)
