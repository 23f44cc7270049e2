"""Every error zalo_api raises, and what a caller may do about each."""

from __future__ import annotations

# Access token invalid (-216), expired or removed (-220), ZNS token invalid (-124).
TOKEN_EXPIRED_CODES = frozenset({-216, -220, -124})
# Per-minute rate limit (-32), Zalo's "unknown error, retry later" (-100).
RETRYABLE_CODES = frozenset({-32, -100})
NO_ZALO_ACCOUNT = -118


class ZaloError(Exception):
    """Base of every error talking to Zalo; says whether a retry can help."""

    @property
    def retryable(self) -> bool:
        """A later retry of the same call may succeed."""
        return False

    @property
    def token_expired(self) -> bool:
        """The access token must be refreshed first."""
        return False

    @property
    def permanent(self) -> bool:
        """Retrying cannot help (and no refresh would either)."""
        return not (self.retryable or self.token_expired)


class ZaloNetworkError(ZaloError):
    """No answer: connection refused, reset, timed out."""

    @property
    def retryable(self) -> bool:
        """Always worth a retry."""
        return True


class ZaloHTTPError(ZaloError):
    """An answer that is not 2xx, or a 2xx whose body is not Zalo's JSON."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body[:500]

    @property
    def retryable(self) -> bool:
        """5xx, 429 and unreadable 2xx bodies (the outcome is unknown) are retried."""
        return self.status >= 500 or self.status == 429 or 200 <= self.status < 300


class ZaloAPIError(ZaloError):
    """Zalo answered with a non-zero `error` code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"Zalo error {code}: {message}")
        self.code = code
        self.message = message

    @property
    def retryable(self) -> bool:
        """Rate limit and unknown errors."""
        return self.code in RETRYABLE_CODES

    @property
    def token_expired(self) -> bool:
        """Refresh the access token and retry once."""
        return self.code in TOKEN_EXPIRED_CODES

    @property
    def no_zalo_account(self) -> bool:
        """ZNS: the phone number has no Zalo account (offer SMS)."""
        return self.code == NO_ZALO_ACCOUNT


class ZaloOAuthError(ZaloAPIError):
    """The OAuth endpoint refused a refresh (error_name / error_description)."""

    def __init__(self, error_name: str, error_description: str, code: int = -14002) -> None:
        super().__init__(code, f"{error_name}: {error_description}")
        self.error_name = error_name
        self.error_description = error_description

    @property
    def token_expired(self) -> bool:
        """A refused refresh is not fixed by another refresh."""
        return False


class ZaloTokenMissingError(ZaloError):
    """No token is stored yet: set ZALO_ACCESS_TOKEN / ZALO_REFRESH_TOKEN."""


class SignatureError(Exception):
    """A webhook call whose signature cannot be accepted."""


class MissingSignatureError(SignatureError):
    """No X-ZEvent-Signature header."""


class MalformedBodyError(SignatureError):
    """The body is not a JSON object with string app_id and timestamp."""


class BadSignatureError(SignatureError):
    """The signature does not match the body."""


class EventParseError(ValueError):
    """An event body that does not have the shape its event_name promises."""
