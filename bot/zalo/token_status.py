"""What operators see of each OA's tokens: when the pair was stored and by whom, the last
refresh and its result, and whether the OA has a usable token at all (/readyz)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis

from bot.keys import text_dict
from zalo_api.errors import ZaloAPIError, ZaloError
from zalo_api.oauth import TokenPair
from zalo_api.tokens import TokenRefresher

# Running processes learn of a pair set by an operator here (and by the version's change):
# their 2 s token cache (bot.zalo.clients.TOKEN_REUSE_SECONDS) may be dropped at once.
TOKENS_CHANGED_CHANNEL = "zalo:tokens-changed"
SOURCE_ENV, SOURCE_CLI, SOURCE_REFRESH, SOURCE_OAUTH = "env", "cli", "refresh", "oauth"


def token_scope(app_id: str, oa_id: str) -> str:
    """The part of every token key naming one OA of one App: '{app_id}:oa_id' (the App as
    the hash tag, so an App's keys stay together; two OAs of one App never share a pair)."""
    return f"{{{app_id}}}:{oa_id}"


def status_key(app_id: str, oa_id: str) -> str:
    """The status hash of one OA's tokens (zalo:token-status:{app_id}:oa_id)."""
    return f"zalo:token-status:{token_scope(app_id, oa_id)}"


def legacy_status_key(app_id: str) -> str:
    """Where the status lived while tokens were keyed by App alone (the main OA's, then)."""
    return f"zalo:token-status:{{{app_id}}}"


def mask_token(token: str) -> str:
    """'…' and the last 4 characters, with the length: enough to tell two tokens apart."""
    if not token:
        return "(none)"
    return f"…{token[-4:]} ({len(token)} chars)" if len(token) > 12 else f"… ({len(token)} chars)"


def describe_error(exc: BaseException) -> str:
    """An error as the status shows it: its kind and Zalo's code, never a token or message."""
    code = f" {exc.code}" if isinstance(exc, ZaloAPIError) else ""
    return f"{type(exc).__name__}{code}"


@dataclass(frozen=True)
class Status:
    """The recorded history of an app's tokens (0 / '' where nothing happened yet)."""

    stored_at: float = 0.0
    source: str = ""
    version: int = 0
    refresh_at: float = 0.0
    refresh_result: str = ""  # "ok" or the error's kind and code
    refresh_refused: bool = False  # the refresh token itself was refused: a new pair is needed


class TokenStatus:
    """Owns zalo:token-status:{app_id}:oa_id: a durable hash, like the tokens themselves."""

    def __init__(self, client: redis.Redis, app_id: str, oa_id: str) -> None:
        self.client = client
        self.app_id = app_id
        self.key = status_key(app_id, oa_id)

    def read(self) -> Status:
        """The recorded status (all empty before anything was recorded)."""
        found = text_dict(self.client.hgetall(self.key))
        return Status(
            stored_at=float(found.get("stored_at") or 0),
            source=found.get("source", ""),
            version=int(found.get("version") or 0),
            refresh_at=float(found.get("refresh_at") or 0),
            refresh_result=found.get("refresh_result", ""),
            refresh_refused=found.get("refresh_refused") == "1",
        )

    def stored(self, source: str, pipe: redis.client.Pipeline | None = None) -> None:
        """A pair was stored (seeded from env, set by an operator, or rotated)."""
        target = pipe if pipe is not None else self.client
        fields = {"stored_at": f"{time.time():.3f}", "source": source, "refresh_refused": "0"}
        target.hset(self.key, mapping=fields)  # type: ignore[arg-type]
        if source == SOURCE_CLI:
            target.hincrby(self.key, "version", 1)

    def refreshed(self, result: str, refused: bool = False) -> None:
        """A refresh ran: 'ok' or what failed (refused: the refresh token is dead)."""
        fields = {"refresh_at": f"{time.time():.3f}", "refresh_result": result}
        fields["refresh_refused"] = "1" if refused else "0"
        if result == "ok":
            fields |= {"stored_at": fields["refresh_at"], "source": SOURCE_REFRESH}
        self.client.hset(self.key, mapping=fields)  # type: ignore[arg-type]


class RecordingRefresher:
    """A TokenRefresher (OAuthClient) whose every refresh is recorded in the status."""

    def __init__(self, inner: TokenRefresher, status: TokenStatus) -> None:
        self.inner = inner
        self.status = status

    def refresh(self, refresh_token: str) -> TokenPair:
        """Spend the refresh token through inner; record the outcome either way."""
        try:
            pair = self.inner.refresh(refresh_token)
        except ZaloError as exc:
            self.record(describe_error(exc), refused=not exc.retryable)
            raise
        self.record("ok")
        return pair

    def record(self, result: str, refused: bool = False) -> None:
        """Record, never failing the refresh itself (the pair matters more than its history)."""
        try:
            self.status.refreshed(result, refused)
        except redis.RedisError:
            pass


def token_state(pair: TokenPair | None, status: Status, now: float) -> str:
    """ok, missing (nothing stored), expired (no refresh token, access expired) or refused
    (the refresh token was refused: an operator must set a new pair)."""
    if pair is None or not (pair.access_token or pair.refresh_token):
        return "missing"
    if status.refresh_refused:
        return "refused"
    if not pair.refresh_token and pair.expires_at <= now:
        return "expired"
    return "ok"
