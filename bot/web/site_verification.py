"""Serves Zalo's domain verification file, so the webhook's domain can be verified as is."""

from __future__ import annotations

from flask import Blueprint, Response, abort

from bot.services import current_services

blueprint = Blueprint("site_verification", __name__)
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta property="zalo-platform-site-verification" content="{code}" />
</head>
<body>
There Is No Limit To What You Can Accomplish Using Zalo!
</body>
</html>
"""


@blueprint.get("/zalo_verifier<code>.html")
def verifier_file(code: str) -> Response:
    """`/zalo_verifier<code>.html` when code is ZALO_SITE_VERIFICATION; 404 for any other."""
    expected = current_services().registry.site_verification
    if not expected or code != expected:
        abort(404)
    return Response(PAGE.format(code=expected), mimetype="text/html")
