"""The app factory: create_app() builds the Flask app and its services from settings."""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from typing import Any

from flask import Flask

from bot.admin.redis_owner import claim_redis
from bot.admin.seeding import seed_registry
from bot.config import ConfigError, load_settings
from bot.logs import configure_logging
from bot.ops.cli import register_cli
from bot.ops.cli_kit import cli_log_level, in_cli
from bot.texts import use_overrides
from bot.texts.overrides import load_texts_file
from bot.web import register_blueprints
from bot.web.forwarded import TrustedProxyFix
from bot.wiring import build_services

__all__ = ["create_app", "create_app_or_exit"]
log = logging.getLogger(__name__)
SANDBOX_WARNING = (
    "SANDBOX MODE (BOT_SANDBOX=1): nothing reaches Zalo or an SMS gateway, anyone who reaches "
    "the simulator can make themselves admin; never for production"
)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then the environment, then test_config (variable names)."""
    settings = load_settings(overrides=test_config)
    configure_logging(cli_log_level(settings.log_level), settings.log_format)
    use_overrides(load_texts_file(settings.bot_texts_file))  # a bad file stops start-up first
    if settings.bot_sandbox and not in_cli():  # a server's first line: never taken for production
        log.warning(SANDBOX_WARNING)
    app = Flask(__name__)
    # One byte over the limit, so the webhook tells a chunked body that is too large
    # (cut at limit + 1) from one of exactly the limit (bot.web.webhook_input.read_body).
    app.config["MAX_CONTENT_LENGTH"] = settings.webhook_max_body_bytes + 1
    services = build_services(settings)
    app.extensions["bot"] = services
    register_blueprints(app)
    # Behind nginx or Caddy: the client's address and scheme, from the proxy only.
    proxied = TrustedProxyFix(app.wsgi_app, settings.forwarded_allow_ips)
    app.wsgi_app = proxied  # type: ignore[method-assign]
    register_cli(app)
    claim_redis(services.redis, settings)
    seed_registry(services)
    services.verifier.links.mirror_at_start()
    return app


def create_app_or_exit() -> Flask:
    """create_app() for servers: a configuration error ends start-up with one line."""
    try:
        return create_app()
    except ConfigError as exc:
        sys.stderr.write(f"configuration error: {exc}\n")
        raise SystemExit(2) from None
