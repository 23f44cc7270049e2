"""The client's address and scheme behind the reverse proxy: believed from the proxy only."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, request

from bot import create_app
from bot.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parent.parent
FORGED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}


def seen_by(app: Flask, peer: str, headers: dict[str, str]) -> str:
    """What a view of the app sees as the client: address, scheme and the forwarded route."""
    if "peer" not in app.view_functions:
        app.add_url_rule(
            "/peer",
            "peer",
            lambda: f"{request.remote_addr} {request.scheme} {','.join(request.access_route)}",
        )
    client = app.test_client()
    return client.get("/peer", headers=headers, environ_base={"REMOTE_ADDR": peer}).text


def test_the_proxy_on_loopback_tells_the_client_address_and_scheme(
    config: dict[str, Any],
) -> None:
    app = create_app(config)
    assert seen_by(app, "127.0.0.1", FORGED) == "203.0.113.7 https 203.0.113.7"
    assert seen_by(app, "::1", FORGED) == "203.0.113.7 https 203.0.113.7"


def test_anyone_else_cannot_pose_as_another_client(config: dict[str, Any]) -> None:
    app = create_app(config)
    # A client that reaches gunicorn directly: its claims are dropped, even from access_route.
    assert seen_by(app, "198.51.100.2", FORGED) == "198.51.100.2 http 198.51.100.2"
    # Behind the proxy, only the proxy's own (last) hop counts, not what the client sent it.
    chained = {"X-Forwarded-For": "127.0.0.1, 203.0.113.7", "X-Forwarded-Proto": "https"}
    assert seen_by(app, "127.0.0.1", chained).startswith("203.0.113.7 https")


def test_the_proxy_may_be_a_network(config: dict[str, Any]) -> None:
    app = create_app({**config, "FORWARDED_ALLOW_IPS": "10.0.0.0/8, fd00::/8"})
    assert seen_by(app, "10.1.2.3", FORGED) == "203.0.113.7 https 203.0.113.7"
    assert seen_by(app, "fd00::5", FORGED).startswith("203.0.113.7 https")
    assert seen_by(app, "127.0.0.1", FORGED) == "127.0.0.1 http 127.0.0.1"


def test_a_malformed_entry_stops_start_up() -> None:
    with pytest.raises(ConfigError, match="FORWARDED_ALLOW_IPS .* got '10.0.0.300'"):
        load_settings({"REDIS_URL": "redis://x", "FORWARDED_ALLOW_IPS": "127.0.0.1,10.0.0.300"})


def test_gunicorn_believes_the_same_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = str(ROOT / "gunicorn.conf.py")
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    assert runpy.run_path(conf)["forwarded_allow_ips"] == "127.0.0.1,::1"
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "172.30.57.1")
    assert runpy.run_path(conf)["forwarded_allow_ips"] == "172.30.57.1"
    defaults = load_settings({"REDIS_URL": "redis://x", "BOT_SANDBOX": "1"})
    assert defaults.forwarded_allow_ips == ("127.0.0.1", "::1")
