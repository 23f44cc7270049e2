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
from bot.web import register_blueprints
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
    configure_logging(settings.log_level, settings.log_format)
    if settings.bot_sandbox:  # the first line, so a sandbox is never taken for production
        log.warning(SANDBOX_WARNING)
    app = Flask(__name__)
    # One byte over the limit, so the webhook tells a chunked body that is too large
    # (cut at limit + 1) from one of exactly the limit (bot.web.webhook_input.read_body).
    app.config["MAX_CONTENT_LENGTH"] = settings.webhook_max_body_bytes + 1
    services = build_services(settings)
    app.extensions["bot"] = services
    register_blueprints(app)
    register_cli(app)
    claim_redis(services.redis, settings)
    seed_registry(services)
    return app


def create_app_or_exit() -> Flask:
    """create_app() for servers: a configuration error ends start-up with one line."""
    try:
        return create_app()
    except ConfigError as exc:
        sys.stderr.write(f"configuration error: {exc}\n")
        raise SystemExit(2) from None
