"""The Zalo OA bot application: create_app() builds it from settings."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import RequestEntityTooLarge

from bot.cli import register_cli
from bot.config import ConfigError, load_settings
from bot.logs import configure_logging
from bot.seeding import seed_registry
from bot.services import build_services, services_of

__all__ = ["create_app", "create_app_or_exit"]


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then the environment, then test_config (variable names)."""
    settings = load_settings(overrides=test_config)
    configure_logging(settings.log_level, settings.log_format)
    app = Flask(__name__)
    # One byte over the limit, so the webhook tells a chunked body that is too large
    # (cut at limit + 1) from one of exactly the limit (bot.webhook_input.read_body).
    app.config["MAX_CONTENT_LENGTH"] = settings.webhook_max_body_bytes + 1
    services = build_services(settings)
    app.extensions["bot"] = services
    register_blueprints(app)
    register_cli(app)
    seed_registry(services)
    return app


def register_blueprints(app: Flask) -> None:
    """Attach every HTTP route of the bot."""
    from bot import health, metrics_http, portal, request_ids, site_verification, webhook

    request_ids.install(app)
    app.register_blueprint(health.blueprint)
    app.register_blueprint(metrics_http.blueprint)
    app.register_blueprint(webhook.blueprint)
    app.register_blueprint(portal.blueprint)
    app.register_blueprint(site_verification.blueprint)
    if services_of(app).settings.bot_sandbox:  # never served with real credentials
        from bot import simulator

        app.register_blueprint(simulator.blueprint)
    app.register_error_handler(RequestEntityTooLarge, too_large)


def too_large(error: RequestEntityTooLarge) -> tuple[Response, int]:
    """Bodies over WEBHOOK_MAX_BODY_BYTES: a clear error, nothing read further."""
    return jsonify(error="body too large"), 413


def create_app_or_exit() -> Flask:
    """create_app() for servers: a configuration error ends start-up with one line."""
    try:
        return create_app()
    except ConfigError as exc:
        sys.stderr.write(f"configuration error: {exc}\n")
        raise SystemExit(2) from None
