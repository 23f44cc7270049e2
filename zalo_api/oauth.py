"""OAuth v4 for OA tokens: a code for the first pair, a (single-use) refresh token for the next."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests

from zalo_api.errors import ZaloOAuthError
from zalo_api.transport import DEFAULT_TIMEOUT_SECONDS, Transport

log = logging.getLogger(__name__)

ACCESS_TOKEN_PATH = "/v4/oa/access_token"
# When an answer has tokens but no readable expires_in: the shortest lifetime Zalo ever
# documented. Refusing the answer instead would lose the new refresh token (the old one
# is spent already).
FALLBACK_LIFETIME_SECONDS = 3600


@dataclass(frozen=True)
class TokenPair:
    """An access token, the refresh token that came with it, and when the access expires."""

    access_token: str
    refresh_token: str
    expires_at: float  # Unix time, seconds
    refreshed_at: float = 0.0  # when OAuth gave this pair (0: seeded, not refreshed here)

    def __repr__(self) -> str:
        """Never show tokens (tracebacks and logs print reprs)."""
        return f"TokenPair(expires_at={self.expires_at:.0f})"


class OAuthClient:
    """POST {oauth}/v4/oa/access_token, the App secret in the `secret_key` header."""

    def __init__(
        self,
        base_url: str,
        app_id: str,
        app_secret: str,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = base_url.rstrip("/") + ACCESS_TOKEN_PATH
        self.app_id = app_id
        self.app_secret = app_secret
        self.transport = Transport(timeout, session)
        self.clock = clock

    def __repr__(self) -> str:
        """The App id only: the secret stays out of logs."""
        return f"OAuthClient(app_id={self.app_id!r})"

    def refresh(self, refresh_token: str) -> TokenPair:
        """Spend refresh_token; store the returned pair before using its access token."""
        form = {
            "app_id": self.app_id,
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        }
        body = self.transport.request(
            "POST", self.url, data=form, headers={"secret_key": self.app_secret}
        )
        return token_pair(body, self.clock())

    def exchange_code(self, code: str, code_verifier: str) -> TokenPair:
        """The first pair of an OA that granted the App (a code is single use, 10 minutes).

        Zalo answers a refusal with HTTP 200 and no access_token: token_pair refuses it, so
        nothing is stored."""
        form = {
            "app_id": self.app_id,
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": code_verifier,
        }
        body = self.transport.request(
            "POST", self.url, data=form, headers={"secret_key": self.app_secret}
        )
        now = self.clock()
        return dataclasses.replace(token_pair(body, now), refreshed_at=now)


def token_pair(body: Mapping[str, Any], now: float) -> TokenPair:
    """The pair of a successful answer; expires_in is a string of seconds ("90000")."""
    access, refresh = body.get("access_token"), body.get("refresh_token")
    if not (isinstance(access, str) and access and isinstance(refresh, str) and refresh):
        raise ZaloOAuthError("invalid_response", "the answer has no access and refresh token")
    try:
        lifetime = int(str(body.get("expires_in")).strip())
    except ValueError:
        log.warning(
            "OAuth answer without a usable expires_in; assuming %ss", FALLBACK_LIFETIME_SECONDS
        )
        lifetime = FALLBACK_LIFETIME_SECONDS
    return TokenPair(access, refresh, now + lifetime)
