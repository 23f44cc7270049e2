"""Every error zalo_api raises, and what a caller may do about each."""

from __future__ import annotations

# Access token invalid (-216), expired or removed (-220), ZNS: access token invalid (-124).
TOKEN_EXPIRED_CODES = frozenset({-216, -220, -124})
# Per-minute rate limit (-32), Zalo's "unknown error, retry later" (-100).
RETRYABLE_CODES = frozenset({-32, -100})
# ZNS: the phone number has no Zalo account.
NO_ZALO_ACCOUNT_CODE = -118
# Zalo answers OAuth failures with codes of its own; this one stands in when none is given.
OAUTH_DEFAULT_CODE = -14002
HTTP_TOO_MANY_REQUESTS = 429
HTTP_SERVER_ERROR = 500

# What a failure means for the bot (ZALO_API.md, "Zalo error codes, sorted by what the bot
# does"): each ZaloError has one of these as its `fault`.
TOKEN, USER, OA, RATE, REQUEST, UNREACHABLE, OAUTH = (
    "token", "user", "oa", "rate", "request", "unreachable", "oauth"
)  # fmt: skip
# Faults of the bot, not of the message: sending is held (no message's retries are spent).
HELD_FAULTS = frozenset({TOKEN, OA, UNREACHABLE, OAUTH})
# This user cannot receive it (OA API, then ZNS): that message is not retried.
USER_CODES = {
    -213: "not_follower", -217: "blocked", -227: "banned_or_inactive", -230: "outside_window",
    -232: "outside_window", -244: "type_restricted", -218: "user_limit",
    -118: "no_zalo_account", -108: "invalid_phone", -114: "cannot_receive",
    -110: "app_version", -119: "cannot_receive", -139: "refused_template",
    -141: "refused_oa", -140: "not_eligible",
}  # fmt: skip
# The OA or the App cannot send at all (disabled, not granted, out of quota or money).
OA_CODES = frozenset(
    {-204, -205, -209, -212, -219, -223, -221, -224, -320, -321, -211,
     -115, -144, -135, -1351, -136, -137, -117, -120, -138, -131, -126, -127}
)  # fmt: skip
# Come back later: rate limits, Zalo's "unknown, retry later", the ZNS night window.
RATE_CODES = frozenset({-32, -100, -133})


class ZaloError(Exception):
    """Base of every error talking to Zalo; says whether a retry or a refresh can help."""

    @property
    def retryable(self) -> bool:
        """A later retry of the same call may succeed."""
        return False

    @property
    def token_expired(self) -> bool:
        """The access token must be refreshed, then the call retried once."""
        return False

    @property
    def permanent(self) -> bool:
        """Neither a retry nor a refresh can help."""
        return not (self.retryable or self.token_expired)

    @property
    def fault(self) -> str:
        """Whose fault, as the bot acts on it: one of TOKEN, USER, OA, RATE, REQUEST,
        UNREACHABLE, OAUTH (a request the bot got wrong, unless a subclass knows better)."""
        return REQUEST

    @property
    def held(self) -> bool:
        """The bot cannot send at all for now: hold every message, spend no retries."""
        return self.fault in HELD_FAULTS

    @property
    def reason(self) -> str:
        """A short name of the failure for counters (by reason)."""
        return self.fault


class ZaloNetworkError(ZaloError):
    """No answer: connection refused or reset, DNS failure, timeout."""

    @property
    def retryable(self) -> bool:
        """Always worth a retry."""
        return True

    @property
    def fault(self) -> str:
        """Zalo is out of reach."""
        return UNREACHABLE


class ZaloHTTPError(ZaloError):
    """An answer that is not 2xx, or a 2xx whose body is not Zalo's JSON."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body[:500]  # enough to diagnose; a whole HTML error page is not

    @property
    def retryable(self) -> bool:
        """5xx and 429 (the server may recover); anything else will be answered the same."""
        return self.status >= HTTP_SERVER_ERROR or self.status == HTTP_TOO_MANY_REQUESTS

    @property
    def fault(self) -> str:
        """5xx: Zalo is down; 429: slow down; anything else: our request."""
        if self.status >= HTTP_SERVER_ERROR:
            return UNREACHABLE
        return RATE if self.status == HTTP_TOO_MANY_REQUESTS else REQUEST


class ZaloAPIError(ZaloError):
    """Zalo answered with a non-zero `error` code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"Zalo error {code}: {message}")
        self.code = code
        self.message = message

    @property
    def retryable(self) -> bool:
        """Rate limit (-32) and unknown error (-100)."""
        return self.code in RETRYABLE_CODES

    @property
    def token_expired(self) -> bool:
        """-216, -220 (OA API) and -124 (ZNS)."""
        return self.code in TOKEN_EXPIRED_CODES

    @property
    def no_zalo_account(self) -> bool:
        """ZNS -118: the phone number has no Zalo account (offer SMS instead)."""
        return self.code == NO_ZALO_ACCOUNT_CODE

    @property
    def fault(self) -> str:
        """By the code's class in ZALO_API.md's table (an unknown code: our request)."""
        if self.token_expired:
            return TOKEN
        if self.code in USER_CODES:
            return USER
        if self.code in OA_CODES:
            return OA
        return RATE if self.code in RATE_CODES else REQUEST

    @property
    def reason(self) -> str:
        """The user's reason (blocked, outside_window, ...), else the fault and the code."""
        return USER_CODES.get(self.code) or f"{self.fault}_{abs(self.code)}"


class ZaloOAuthError(ZaloAPIError):
    """The OAuth endpoint refused a refresh (its body has error_name / error_description)."""

    def __init__(
        self, error_name: str, error_description: str, code: int = OAUTH_DEFAULT_CODE
    ) -> None:
        super().__init__(code, f"{error_name}: {error_description}")
        self.error_name = error_name
        self.error_description = error_description

    @property
    def retryable(self) -> bool:
        """A refused refresh token stays refused."""
        return False

    @property
    def token_expired(self) -> bool:
        """Another refresh cannot fix a refused refresh."""
        return False

    @property
    def fault(self) -> str:
        """The refresh was refused: nothing can be sent until it works."""
        return OAUTH


class ZaloTokenMissingError(ZaloError):
    """No token is stored yet: an operator must provide a first refresh token."""

    @property
    def fault(self) -> str:
        """Nothing can be sent until a token is provided."""
        return TOKEN


class ZaloRefreshBackoffError(ZaloError):
    """The token was refused, and the refresh backoff says not yet: sending is held."""

    def __init__(self, wait_seconds: float) -> None:
        super().__init__(f"token refused; next refresh in {wait_seconds:.1f}s")
        self.wait_seconds = wait_seconds

    @property
    def retryable(self) -> bool:
        """After the wait, a refresh is tried."""
        return True

    @property
    def fault(self) -> str:
        """The token."""
        return TOKEN


class ZaloRefreshBusyError(ZaloError):
    """Another refresher held the token lock for longer than we may wait."""

    @property
    def retryable(self) -> bool:
        """The other refresher finishes or its lock expires: try again later."""
        return True

    @property
    def fault(self) -> str:
        """A refresh is under way: the token is what stops sending now."""
        return TOKEN


class SignatureError(Exception):
    """A webhook call whose signature cannot be accepted."""


class MissingSignatureError(SignatureError):
    """No X-ZEvent-Signature header, or an empty one."""


class MalformedBodyError(SignatureError):
    """The body is not a JSON object with an app_id and a timestamp to sign."""


class BadSignatureError(SignatureError):
    """The signature does not match the body."""


class EventParseError(ValueError):
    """An event body that does not have the shape its event_name promises."""
