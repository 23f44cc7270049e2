"""OAuth v4 for OA tokens: refresh a (single-use) refresh token into a new pair."""

from __future__ import annotations

import time
from dataclasses import dataclass

import requests

from zalo_api.errors import ZaloHTTPError, ZaloOAuthError
from zalo_api.transport import DEFAULT_TIMEOUT_SECONDS, Transport


@dataclass(frozen=True)
class TokenPair:
    """An access token, the refresh token that comes with it, and when the access expires."""

    access_token: str
    refresh_token: str
    expires_at: float

    def __repr__(self) -> str:
        """Never show tokens (tracebacks and logs print reprs)."""
        return f"TokenPair(expires_at={self.expires_at:.0f})"


class OAuthClient:
    """POST {oauth}/v4/oa/access_token with the App secret in the `secret_key` header."""

    def __init__(
        self,
        base_url: str,
        app_id: str,
        app_secret: str,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        session: requests.Session | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + "/v4/oa/access_token"
        self.app_id = app_id
        self.app_secret = app_secret
        self.transport = Transport(timeout, session)

    def refresh(self, refresh_token: str) -> TokenPair:
        """Spend refresh_token; the answer holds the next refresh token, to store at once."""
        form = {
            "app_id": self.app_id,
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        }
        body = self.transport.request(
            "POST", self.url, data=form, headers={"secret_key": self.app_secret}
        )
        if "access_token" not in body or "refresh_token" not in body:
            name = str(body.get("error_name", "invalid_response"))
            raise ZaloOAuthError(name, str(body.get("error_description", "")))
        try:
            lifetime = int(str(body.get("expires_in", "3600")))
        except ValueError:
            raise ZaloHTTPError(200, "expires_in is not a number") from None
        return TokenPair(
            str(body["access_token"]), str(body["refresh_token"]), time.time() + lifetime
        )
