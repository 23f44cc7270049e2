"""X-Forwarded-For and -Proto, believed only from the proxies of FORWARDED_ALLOW_IPS."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING

from werkzeug.middleware.proxy_fix import ProxyFix

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# Headers a client could send to pose as another address, scheme or host.
FORWARDED_HEADERS = (
    "HTTP_FORWARDED",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PREFIX",
)


def networks_of(entries: Iterable[str]) -> tuple[Network, ...] | None:
    """The trusted networks of FORWARDED_ALLOW_IPS entries; None when `*` trusts every peer."""
    entries = tuple(entries)
    if "*" in entries:
        return None
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


class TrustedProxyFix:
    """ProxyFix (one hop) for requests from a trusted proxy; from anyone else, the forwarding
    headers are dropped, so nothing downstream can be told another client address."""

    def __init__(self, app: WSGIApplication, allowed: Iterable[str]) -> None:
        self.app = app
        self.fixed = ProxyFix(app, x_for=1, x_proto=1)
        self.networks = networks_of(allowed)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Rewrite the client address and scheme when the peer may set them."""
        if self.trusts(environ.get("REMOTE_ADDR") or ""):
            return self.fixed(environ, start_response)
        for name in FORWARDED_HEADERS:
            environ.pop(name, None)
        return self.app(environ, start_response)

    def trusts(self, peer: str) -> bool:
        """A peer in the allowed networks; a Unix socket has no address and is trusted (as
        gunicorn trusts it): only local processes can reach one."""
        if self.networks is None or not peer:
            return True
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(address in network for network in self.networks)
