"""The HTTP surface: webhook, health, metrics, site verification, OAuth callback, admin page,
simulator; it mounts the portal's API (bot.portal).

May import every room below it; never the entry points (bot.app, bot.wiring, bot.ops).
"""

from __future__ import annotations

from flask import Flask, Response, jsonify
from werkzeug.exceptions import RequestEntityTooLarge

from bot.portal import api, api_common, verify_api
from bot.services import services_of
from bot.web import health, metrics_http, oauth_callback, request_ids, site_verification, webhook


def register_blueprints(app: Flask) -> None:
    """Attach every HTTP route of the bot."""
    request_ids.install(app)
    api_common.install_json_errors(app)
    app.register_blueprint(health.blueprint)
    app.register_blueprint(metrics_http.blueprint)
    app.register_blueprint(webhook.blueprint)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(verify_api.blueprint)
    app.register_blueprint(site_verification.blueprint)
    app.register_blueprint(oauth_callback.blueprint)
    if services_of(app).settings.admin_session_secret:  # the admin page is opt-in
        from bot.web import admin

        app.register_blueprint(admin.blueprint)
    if services_of(app).settings.bot_sandbox:  # never served with real credentials
        from bot.web import simulator
        from bot.web.simulator import access
        from bot.web.simulator import portal_demo as portal_page

        access.install(app, services_of(app).settings.simulator_allow_remote)
        app.register_blueprint(simulator.blueprint)
        app.register_blueprint(portal_page.blueprint)
    app.register_error_handler(RequestEntityTooLarge, too_large)


def too_large(error: RequestEntityTooLarge) -> tuple[Response, int]:
    """Bodies over WEBHOOK_MAX_BODY_BYTES: a clear error, nothing read further."""
    return jsonify(error="body too large"), 413
