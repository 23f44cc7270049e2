"""zalo_api clients built for one OA from the bot's settings, sharing one HTTP session."""

from __future__ import annotations

from bot.connections import Connections
from bot.metrics import TOKEN_REJECTED
from bot.oas import OA
from bot.zalo.outbound import Outbound
from bot.zalo.token_status import SOURCE_ENV, RecordingRefresher, TokenStatus
from bot.zalo.token_store import RedisRefreshBackoff, RedisRefreshLock, RedisTokenStorage
from zalo_api.errors import TOKEN, ZaloError
from zalo_api.oa import OAClient
from zalo_api.oauth import OAuthClient, TokenPair
from zalo_api.tokens import TokenManager, TokenRefresher
from zalo_api.zns import ZNSClient

# Every reply asks for the access token: read it from Redis at most this often per process
# (a rotation by another process is still seen at once when Zalo refuses the old token, and
# an unlinked app's deleted tokens stop being used within this time).
TOKEN_REUSE_SECONDS = 2.0


class ZaloCannotRefreshError(ZaloError):
    """Zalo refused an extra App's token and its App Secret is not configured: only an
    operator's new pair (`flask zalo tokens set --oa ID`) lets its OA send again."""

    @property
    def fault(self) -> str:
        """The token: the OA's sending is held until a pair is set."""
        return TOKEN


class NoSecretRefresher:
    """The refresher of an App whose secret this deployment does not have (ZALO_EXTRA_APPS)."""

    def __init__(self, oa: OA) -> None:
        self.oa = oa

    def refresh(self, refresh_token: str) -> TokenPair:
        """Never: say what the operator must do."""
        raise ZaloCannotRefreshError(
            f"App {self.oa.app_id} has no App Secret here, so its token cannot be refreshed;"
            f" set a new pair with `flask zalo tokens set --oa {self.oa.oa_id}`"
        )


def build_outbound(services: Connections, oa: OA, seed: bool) -> Outbound:
    """The OA's token manager, its OA API and ZNS clients (seed: the env tokens may be
    stored, as the main OA's linked App)."""
    tokens = build_token_manager(services, oa, seed)
    return Outbound(
        oa, tokens, build_oa_client(services, tokens), build_zns_client(services, tokens)
    )


def oauth_client(services: Connections, app_id: str, app_secret: str) -> OAuthClient:
    """Zalo's OAuth endpoint for one App, on the shared session."""
    settings = services.settings
    return OAuthClient(
        services.registry.urls.oauth,
        app_id,
        app_secret,
        timeout=settings.http_timeout_seconds,
        session=services.http,
    )


def build_token_manager(services: Connections, oa: OA, seed: bool) -> TokenManager:
    """Tokens in Redis per App and OA (zalo:tokens:{app_id}:oa_id); the main OA's seeded once
    from ZALO_ACCESS_TOKEN / ZALO_REFRESH_TOKEN (and adopted from the App-keyed layout)."""
    storage = token_storage(services, oa)
    status = TokenStatus(services.redis, oa.app_id, oa.oa_id)
    if seed:  # not when an admin unlinked the OA or its App: a restart must not revive them
        if storage.seed(*oa.first_tokens):
            status.stored(SOURCE_ENV)
    refresher: TokenRefresher = NoSecretRefresher(oa)
    if oa.can_refresh:
        refresher = oauth_client(services, oa.app_id, oa.app_secret)
    return TokenManager(
        storage,
        RecordingRefresher(refresher, status),  # `flask zalo tokens show` reads its record
        RedisRefreshLock(services.redis, oa.app_id, oa.oa_id),
        backoff=RedisRefreshBackoff(services.redis, oa.app_id, oa.oa_id),
        on_rejected=count_rejection,
        reuse_seconds=TOKEN_REUSE_SECONDS,
    )


def token_storage(services: Connections, oa: OA) -> RedisTokenStorage:
    """Where the OA's pair lives (the main OA's adopts an earlier release's App-keyed one)."""
    return RedisTokenStorage(services.redis, oa.app_id, oa.oa_id, legacy=oa.main)


def count_rejection(error: ZaloError) -> None:
    """Zalo refused a token just refreshed: counted (the sending state is the alert)."""
    TOKEN_REJECTED.inc()


def build_oa_client(services: Connections, tokens: TokenManager) -> OAClient:
    """The OA API client sending with tokens."""
    settings = services.settings
    return OAClient(
        services.registry.urls.openapi,
        tokens,
        timeout=settings.http_timeout_seconds,
        session=services.http,
    )


def build_zns_client(services: Connections, tokens: TokenManager) -> ZNSClient:
    """The ZNS client sending with tokens."""
    settings = services.settings
    return ZNSClient(
        services.registry.urls.business,
        tokens,
        timeout=settings.http_timeout_seconds,
        session=services.http,
    )
