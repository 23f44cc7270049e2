"""The sandbox's portal demo page: the seed's form, built only on the public portal API.

The page calls /api/v1 with the Bearer key like any portal would (sandbox only, so the key
may be shown); this module serves the page and, for "link my Zalo", a QR code of chat_url
drawn here (segno), since nothing may be fetched from the internet.
"""

from __future__ import annotations

import io

import segno
from flask import Blueprint, Response, abort, current_app, render_template, request

from bot.services import services_of
from bot.web.simulator.portal_texts import PAGE, page_words

blueprint = Blueprint("simulator_portal", __name__, url_prefix="/simulator/portal")
QR_MAX_CHARS = 200


@blueprint.get("")
def page() -> str:
    """The portal demo: verify a number, link my Zalo."""
    settings = services_of(current_app).settings
    lang = settings.bot_language if settings.bot_language in PAGE else "vi"
    page_text, script_text = page_words(lang)
    return render_template(
        "portal.html",
        api_key=settings.portal_api_key,
        oa_id=services_of(current_app).registry.main.oa_id,
        lang=lang,
        t=page_text,
        words={**script_text, "link_send": page_text["link_send"]},
    )


@blueprint.get("/qr.svg")
def qr() -> Response:
    """A QR code of `data` (the chat URL the API answered) as SVG."""
    data = request.args.get("data", "")
    if not data or len(data) > QR_MAX_CHARS:
        abort(400)
    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="svg", scale=5, border=2)
    return Response(out.getvalue(), mimetype="image/svg+xml")
