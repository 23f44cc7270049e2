"""Connecting an OA: Zalo's OAuth v4 permission flow with PKCE, and the OA's profile.

The operator opens the permission URL, an OA admin grants the App on Zalo's page, and Zalo
redirects to our callback with a single-use `code` (10 minutes), the `oa_id` and our
`state`; the code and the PKCE verifier buy the OA's first token pair.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from zalo_api.transport import Transport, data_of

PERMISSION_PATH = "/v4/oa/permission"
PROFILE_PATH = "/v2.0/oa/getoa"
VERIFIER_BYTES = 32  # base64url of 32 bytes: the 43 characters PKCE asks for


def base64url(raw: bytes) -> str:
    """base64url without padding (RFC 7636)."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass(frozen=True)
class Pkce:
    """One request's PKCE verifier; Zalo gets only its challenge (S256 is implied)."""

    verifier: str

    def __repr__(self) -> str:
        """Never show the verifier."""
        return "Pkce(...)"

    @classmethod
    def new(cls) -> Pkce:
        """A fresh verifier (one per permission request)."""
        return cls(base64url(secrets.token_bytes(VERIFIER_BYTES)))

    @property
    def challenge(self) -> str:
        """base64url(SHA-256(verifier)), no padding."""
        return base64url(hashlib.sha256(self.verifier.encode()).digest())


def permission_url(
    oauth_base: str, app_id: str, redirect_uri: str, challenge: str, state: str
) -> str:
    """Zalo's OA permission page for this App, coming back to redirect_uri with state."""
    query = {
        "app_id": app_id,
        "redirect_uri": redirect_uri,
        "code_challenge": challenge,
        "state": state,
    }
    return f"{oauth_base.rstrip('/')}{PERMISSION_PATH}?{urlencode(query)}"


@dataclass(frozen=True)
class OAProfile:
    """What GET /v2.0/oa/getoa tells of the OA a token belongs to."""

    oa_id: str
    name: str
    raw: Mapping[str, Any]


def oa_profile(openapi_base: str, access_token: str, transport: Transport) -> OAProfile:
    """The profile of the token's OA (`oa_id`, which the docs spell `oaid`: both read)."""
    url = openapi_base.rstrip("/") + PROFILE_PATH
    body = transport.request("GET", url, headers={"access_token": access_token})
    data = data_of(body)
    oa_id = data.get("oa_id") or data.get("oaid")
    return OAProfile(str(oa_id or ""), str(data.get("name") or ""), data)
