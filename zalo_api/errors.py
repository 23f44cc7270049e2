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


class ZaloNetworkError(ZaloError):
    """No answer: connection refused or reset, DNS failure, timeout."""

    @property
    def retryable(self) -> bool:
        """Always worth a retry."""
        return True


class ZaloHTTPError(ZaloError):
    """An answer that is not 2xx, or a 2xx whose body is not Zalo's JSON."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body[:500]  # enough to diagnose; a whole HTML error page is not

    @property
    def retryable(self) -> bool:
        """5xx and 429 (the server may recover); anything else will be answered the same."""
        return self.status >= 500 or self.status == HTTP_TOO_MANY_REQUESTS


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


class ZaloTokenMissingError(ZaloError):
    """No token is stored yet: an operator must provide a first refresh token."""


class ZaloRefreshBusyError(ZaloError):
    """Another refresher held the token lock for longer than we may wait."""

    @property
    def retryable(self) -> bool:
        """The other refresher finishes or its lock expires: try again later."""
        return True


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
