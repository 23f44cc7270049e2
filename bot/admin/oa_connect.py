"""Connecting an OA without pasting tokens: the permission URL, then the callback's checks.

`start` keeps a single-use `state` (with its PKCE verifier) for ten minutes and gives the
URL of Zalo's permission page; `finish` takes that state back, buys the OA's first token pair
with the code, checks with the OA's profile that the pair belongs to the OA Zalo named, then
stores the pair and links the OA. Every refusal comes with words an operator can act on.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from dataclasses import dataclass

import redis

from bot.admin import sandbox_oauth
from bot.admin.parts import AdminParts
from bot.conversation.context import AuditEntry
from bot.texts import render
from bot.zalo.clients import oauth_client
from bot.zalo.token_status import SOURCE_OAUTH, TokenStatus
from bot.zalo.token_store import RedisTokenStorage
from zalo_api.connect import OAProfile, Pkce, oa_profile, permission_url
from zalo_api.errors import ZaloError, ZaloNetworkError, ZaloOAuthError
from zalo_api.oauth import TokenPair
from zalo_api.transport import Transport

log = logging.getLogger(__name__)
CALLBACK_PATH = "/oauth/zalo/callback"
# Sandbox: where the simulator plays Zalo's OAuth server (its permission page).
SANDBOX_OAUTH_PATH = "/simulator/zalo"
# Zalo's code lives 10 minutes; a state outliving it could only fail later.
STATE_TTL_SECONDS = 600
STATE_KEY = "oauth:state:{}"
# What Zalo's OAuth errors mean to an operator (ZALO_API.md, "OAuth"), by text key.
OAUTH_ADVICE = {
    -14002: "connect_app_inactive",
    -14004: "connect_bad_secret",
    -14005: "connect_code_used",
}


class ConnectError(Exception):
    """A connection refused, with what the operator should do: a text key (bot.texts.connecting)
    and its values; str() is the English text, for the CLI and the logs."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(render(key, "en", **params))
        self.key, self.params = key, params

    def said_in(self, lang: str) -> str:
        """The refusal in lang (the callback page speaks BOT_LANGUAGE)."""
        return render(self.key, lang, **self.params)


@dataclass(frozen=True)
class Connected:
    """An OA connected: its id and name, and through which App."""

    oa_id: str
    name: str
    app_id: str


def base_url(services: AdminParts) -> str:
    """PUBLIC_BASE_URL; in sandbox without it, this machine's `make run` address."""
    settings = services.settings
    base: str = settings.public_base_url.rstrip("/")
    if not base and settings.bot_sandbox:
        base = f"http://localhost:{os.environ.get('PORT') or '8000'}"
    if not base:
        raise ConnectError("connect_no_base_url")
    return base


def redirect_uri(services: AdminParts) -> str:
    """PUBLIC_BASE_URL + the callback route: the App's "Official Account Callback Url"."""
    return base_url(services) + CALLBACK_PATH


def oauth_base(services: AdminParts) -> str:
    """Zalo's OAuth server; in sandbox, the simulator's stand-in of its permission page."""
    if services.settings.bot_sandbox:
        return base_url(services) + SANDBOX_OAUTH_PATH
    return services.registry.urls.oauth


def start(services: AdminParts) -> str:
    """The permission URL to open; its state is good once, for ten minutes."""
    main = services.registry.main
    if not (main.app_id and (main.app_secret or services.settings.bot_sandbox)):
        raise ConnectError("connect_no_app")
    pkce, state = Pkce.new(), secrets.token_urlsafe(24)
    record = json.dumps({"app_id": main.app_id, "verifier": pkce.verifier})
    services.redis.set(STATE_KEY.format(state), record, ex=STATE_TTL_SECONDS)
    url = permission_url(
        oauth_base(services), main.app_id, redirect_uri(services), pkce.challenge, state
    )
    return url


def take_state(client: redis.Redis, state: str) -> dict[str, str]:
    """The state's record, deleted as it is read (a replayed callback finds nothing)."""
    raw = client.getdel(STATE_KEY.format(state)) if state else None
    if raw is None:
        raise ConnectError("connect_expired")
    record: dict[str, str] = json.loads(raw)
    return record


def finish(services: AdminParts, state: str, code: str, oa_id: str) -> Connected:
    """Check the callback, buy and check the pair, store it, link the OA; audited."""
    record = take_state(services.redis, state)
    if not code:
        raise ConnectError("connect_denied")
    app_id = record["app_id"]
    pair = exchange(services, code, record["verifier"])
    name = confirm_oa(services, pair, oa_id, app_id)
    main = services.registry.main
    legacy = (app_id, oa_id) == (main.app_id, main.oa_id)
    RedisTokenStorage(services.redis, app_id, oa_id, legacy=legacy).save(pair)
    TokenStatus(services.redis, app_id, oa_id).stored(SOURCE_OAUTH)  # for `zalo tokens show`
    known_app = services.assets.get("app", app_id)
    if known_app is None or not known_app.linked:  # granted again: the App serves again
        services.assets.link("app", app_id)
    services.assets.link("oa", oa_id, name or None, app_id=app_id)
    services.registry.invalidate()  # served from now on, here and (at once) everywhere
    entry = AuditEntry("oauth", "oa connect", "oauth", f"oa:{oa_id}", "connected")
    services.audit.write(entry)
    log.warning("OA %s connected through App %s; its tokens are stored", oa_id, record["app_id"])
    return Connected(oa_id, name, record["app_id"])


def exchange(services: AdminParts, code: str, verifier: str) -> TokenPair:
    """The OA's first pair, or ConnectError saying why not (nothing stored)."""
    if services.settings.bot_sandbox:  # the simulator granted it: nothing leaves the machine
        try:
            return sandbox_oauth.exchange(services.redis, code, verifier)
        except sandbox_oauth.SandboxGrantError as exc:
            raise ConnectError("connect_refused", reason=f"sandbox: {exc}") from exc
    main = services.registry.main
    oauth = oauth_client(services, main.app_id, main.app_secret)
    try:
        return oauth.exchange_code(code, verifier)
    except ZaloOAuthError as exc:
        advice = OAUTH_ADVICE.get(exc.code)
        if advice is not None:
            raise ConnectError(advice) from exc
        raise ConnectError("connect_refused", reason=exc.error_name) from exc
    except ZaloNetworkError as exc:
        raise ConnectError("connect_unreachable") from exc
    except ZaloError as exc:
        raise ConnectError("connect_refused", reason=str(exc)) from exc


def confirm_oa(services: AdminParts, pair: TokenPair, oa_id: str, app_id: str) -> str:
    """The OA's name, after checking that the pair is the named OA's, and that the OA is not
    configured for another App (its events come signed by that one)."""
    profile = read_profile(services, pair)
    if not oa_id or profile.oa_id != oa_id:
        raise ConnectError("connect_other_oa")
    configured = services.registry.configured.get(oa_id)
    if configured is not None and configured.app_id != app_id:
        raise ConnectError(
            "connect_other_app", oa_id=oa_id, configured=configured.app_id, app_id=app_id
        )
    return profile.name


def read_profile(services: AdminParts, pair: TokenPair) -> OAProfile:
    """GET getoa with the new token (in sandbox, the stand-in's record of the grant)."""
    settings = services.settings
    if settings.bot_sandbox:
        try:
            oa_id, name = sandbox_oauth.profile(services.redis, pair.access_token)
        except sandbox_oauth.SandboxGrantError as exc:
            raise ConnectError("connect_no_profile", reason=f"sandbox: {exc}") from exc
        return OAProfile(oa_id, name, {})
    transport = Transport(settings.http_timeout_seconds, services.http)
    try:
        return oa_profile(services.registry.urls.openapi, pair.access_token, transport)
    except ZaloError as exc:
        raise ConnectError("connect_no_profile", reason=str(exc)) from exc
