"""Every route of a production app with every feature on is one the proxies pass to the world
or one they keep internal (tests/deploy/proxykit.py's lists, which test_proxies.py runs
through nginx and Caddy): a new endpoint must be placed, or a proxy would hide or expose it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter

from tests.deploy.proxykit import ELSEWHERE, INTERNAL, PUBLIC
from tests.production import production_bot

EVERY_FEATURE = {
    "PUBLIC_BASE_URL": "https://bot.example.com",
    "ADMIN_SESSION_SECRET": "admin-session-secret-0123456789abcdef",
    "ZALO_SITE_VERIFICATION": "MeVd6DceSpupfjWIxOznI1I4v7FuyZOgD3Gp",
    "PORTAL_API_KEY": "portal-key-routes-0123456789abcdef",
}
# Flask's own static route: the app keeps no files there (the admin page has its own).
NOWHERE = {"static"}


def endpoint(adapter: MapAdapter, method: str, path: str) -> str | None:
    """The endpoint a request reaches, or None."""
    try:
        found, _ = adapter.match(urlsplit(path).path, method=method)
    except HTTPException:
        return None
    return str(found)


def test_every_route_is_public_or_internal(config: dict[str, Any]) -> None:
    with production_bot(config, **EVERY_FEATURE) as (app, _zalo, _sms):
        adapter = app.url_map.bind("bot.example.com")
        public = {endpoint(adapter, method, path) for method, path in PUBLIC}
        internal = {endpoint(adapter, method, path) for method, path in INTERNAL}
        assert None not in public | internal  # each listed request reaches a route
        assert public.isdisjoint(internal)
        every = {rule.endpoint for rule in app.url_map.iter_rules()}
        assert every - NOWHERE == public | internal
        elsewhere = {endpoint(adapter, method, path) for method, path in ELSEWHERE}
        assert elsewhere.isdisjoint(public | internal)  # what no listener passes is no route
