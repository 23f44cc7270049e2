"""zalo_api clients built from the bot's settings, sharing one HTTP session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.metrics import TOKEN_REJECTED
from bot.zalo.token_status import SOURCE_ENV, RecordingRefresher, TokenStatus
from bot.zalo.tokens import RedisRefreshBackoff, RedisRefreshLock, RedisTokenStorage
from zalo_api.errors import ZaloError
from zalo_api.oa import OAClient
from zalo_api.oauth import OAuthClient
from zalo_api.tokens import TokenManager
from zalo_api.zns import ZNSClient

if TYPE_CHECKING:
    from bot.services import Services

# Every reply asks for the access token: read it from Redis at most this often per process
# (a rotation by another process is still seen at once when Zalo refuses the old token, and
# an unlinked app's deleted tokens stop being used within this time).
TOKEN_REUSE_SECONDS = 2.0


def build_token_manager(services: Services) -> TokenManager:
    """Tokens in Redis, seeded once from ZALO_ACCESS_TOKEN / ZALO_REFRESH_TOKEN."""
    settings = services.settings
    storage = RedisTokenStorage(services.redis, settings.zalo_app_id)
    status = TokenStatus(services.redis, settings.zalo_app_id)
    app = services.assets.get("app", settings.zalo_app_id)
    if app is None or app.linked:  # an admin unlinked it: a restart must not bring tokens back
        if storage.seed(settings.zalo_access_token, settings.zalo_refresh_token):
            status.stored(SOURCE_ENV)
    oauth = OAuthClient(
        settings.zalo_oauth_url,
        settings.zalo_app_id,
        settings.zalo_app_secret,
        timeout=settings.http_timeout_seconds,
        session=services.http,
    )
    lock = RedisRefreshLock(services.redis, settings.zalo_app_id)
    refresher = RecordingRefresher(oauth, status)  # `flask zalo tokens show` reads its record
    return TokenManager(
        storage,
        refresher,
        lock,
        backoff=RedisRefreshBackoff(services.redis, settings.zalo_app_id),
        on_rejected=count_rejection,
        reuse_seconds=TOKEN_REUSE_SECONDS,
    )


def count_rejection(error: ZaloError) -> None:
    """Zalo refused a token just refreshed: counted (the sending state is the alert)."""
    TOKEN_REJECTED.inc()


def build_oa_client(services: Services) -> OAClient:
    """The OA API client."""
    settings = services.settings
    return OAClient(
        settings.zalo_openapi_url,
        services.tokens,
        timeout=settings.http_timeout_seconds,
        session=services.http,
    )


def build_zns_client(services: Services) -> ZNSClient:
    """The ZNS client."""
    settings = services.settings
    return ZNSClient(
        settings.zalo_business_url,
        services.tokens,
        timeout=settings.http_timeout_seconds,
        session=services.http,
    )
