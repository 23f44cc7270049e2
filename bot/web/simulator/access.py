"""Who reaches the sandbox: `/` leads to the simulator, which answers this machine only
unless SIMULATOR_ALLOW_REMOTE=1 (anyone who reaches it can make themselves admin)."""

from __future__ import annotations

import ipaddress
import logging

from flask import Flask, Response, jsonify, redirect, request

log = logging.getLogger(__name__)
PREFIX = "/simulator"
REFUSED = "the simulator answers this machine only (SIMULATOR_ALLOW_REMOTE=1 shares it)"


def install(app: Flask, allow_remote: bool) -> None:
    """The redirect from `/`, and the loopback check of every simulator request."""
    app.add_url_rule("/", "sandbox_home", lambda: redirect(PREFIX))
    if not allow_remote:
        app.before_request(loopback_only)


def loopback_only() -> tuple[Response, int] | None:
    """Refuse a simulator request that came from another machine (or through a proxy)."""
    if not request.path.startswith(PREFIX) or is_local(request.remote_addr):
        return None
    log.warning("refused a simulator request from another machine: %s", REFUSED)
    return jsonify(error=REFUSED), 403


def is_local(remote_addr: str | None) -> bool:
    """A loopback peer that no proxy speaks for (a proxy on this machine relays others)."""
    if request.headers.get("X-Forwarded-For") or request.headers.get("Forwarded"):
        return False
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback
