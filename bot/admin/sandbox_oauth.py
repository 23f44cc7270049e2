"""Sandbox only: a local stand-in of Zalo's OA permission flow, so `flask oa connect` can be
followed to the end on one machine. The simulator's page plays Zalo's grant page (an OA
admin picks an OA and allows the App); its code is single use, lives ten minutes, and buys a
pair only with the PKCE verifier whose challenge it was granted with, as Zalo's does.
Nothing here leaves the machine, and no real token is ever made.
"""

from __future__ import annotations

import json
import secrets
import time

import redis

from zalo_api.connect import Pkce
from zalo_api.oauth import TokenPair

CODE_KEY = "sandbox:oauth-code:{}"
TOKEN_KEY = "sandbox:oauth-token:{}"
CODE_TTL_SECONDS = 600  # Zalo's code lives 10 minutes
TOKEN_LIFETIME_SECONDS = 90000  # Zalo's expires_in
# The OAs the pretend Zalo account administers: the sandbox's two served OAs (see
# bot.admin.seeding) and one not connected yet, to connect on the tour.
SANDBOX_NEW_OA_ID = "2000000000000000007"
SANDBOX_NEW_OA_NAME = "Demo OA mới"


class SandboxGrantError(Exception):
    """What Zalo would answer instead of a pair (the code used, expired or not this one's)."""


def grant(client: redis.Redis, oa_id: str, challenge: str, name: str) -> str:
    """The OA admin allowed the App: the code the redirect carries."""
    code = secrets.token_urlsafe(16)
    record = json.dumps({"oa_id": oa_id, "challenge": challenge, "name": name})
    client.set(CODE_KEY.format(code), record, ex=CODE_TTL_SECONDS)
    return code


def exchange(client: redis.Redis, code: str, verifier: str) -> TokenPair:
    """A pair for the code (once), when the verifier matches its challenge."""
    raw = client.getdel(CODE_KEY.format(code)) if code else None
    if raw is None:
        raise SandboxGrantError("the code was already used or has expired")
    record = json.loads(raw)
    if Pkce(verifier).challenge != record["challenge"]:
        raise SandboxGrantError("the code_verifier does not match the code_challenge")
    pair = TokenPair(
        "sandbox-access-" + secrets.token_urlsafe(12),
        "sandbox-refresh-" + secrets.token_urlsafe(12),
        time.time() + TOKEN_LIFETIME_SECONDS,
    )
    profile = json.dumps({"oa_id": record["oa_id"], "name": record["name"]})
    client.set(TOKEN_KEY.format(pair.access_token), profile, ex=TOKEN_LIFETIME_SECONDS)
    return pair


def profile(client: redis.Redis, access_token: str) -> tuple[str, str]:
    """(oa_id, name) of the OA a sandbox token belongs to, as getoa tells it."""
    raw = client.get(TOKEN_KEY.format(access_token))
    if raw is None:
        raise SandboxGrantError("access token is invalid")
    found = json.loads(raw)
    return str(found["oa_id"]), str(found["name"])
