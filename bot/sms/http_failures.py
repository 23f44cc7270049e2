"""The one place where requests' failures and HTTP statuses become SmsErrors."""

from __future__ import annotations

from typing import Any

import requests

from bot.sms.base import SmsError, SmsPermanentError, SmsTransientError

# The request cannot be built from our settings: retrying the same settings cannot help.
CONFIG_ERRORS = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    requests.exceptions.InvalidHeader,
)
# Request timeout and rate limiting are the only 4xx worth a retry.
RETRYABLE_4XX = (408, 429)


def post(
    session: requests.Session, provider: str, url: str, timeout: float, **kwargs: Any
) -> requests.Response:
    """POST with a timeout; transport failures become SmsTransientError."""
    # Only the exception type goes into our message: requests' own text holds the URL,
    # which may carry an account id or a token in its query string.
    try:
        return session.post(url, timeout=timeout, **kwargs)
    except CONFIG_ERRORS as exc:
        raise SmsPermanentError(
            f"bad gateway settings ({type(exc).__name__})", provider=provider
        ) from exc
    except requests.Timeout as exc:
        raise SmsTransientError(f"timed out after {timeout:g} s", provider=provider) from exc
    except requests.RequestException as exc:
        raise SmsTransientError(f"network error ({type(exc).__name__})", provider=provider) from exc


def is_retryable_status(status: int, retryable_4xx: tuple[int, ...] = RETRYABLE_4XX) -> bool:
    """5xx and the given 4xx (408 and 429 by default) are worth a retry; others are not."""
    return status >= 500 or status in retryable_4xx


def status_error(
    provider: str,
    status: int,
    code: str | None = None,
    retryable_4xx: tuple[int, ...] = RETRYABLE_4XX,
) -> SmsError:
    """The error for a non-2xx answer, by HTTP status."""
    retry = is_retryable_status(status, retryable_4xx)
    kind = SmsTransientError if retry else SmsPermanentError
    return kind(f"HTTP {status}", provider=provider, code=code)


def json_object(response: requests.Response) -> dict[str, Any] | None:
    """The body as a JSON object, or None (an HTML error page from a proxy, say)."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def unreadable_reply(provider: str, status: int) -> SmsTransientError:
    """A 2xx we cannot read: the outcome is unknown, so let the caller retry."""
    return SmsTransientError(f"unreadable reply to HTTP {status}", provider=provider)
