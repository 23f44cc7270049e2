"""The one place where a gateway is called, and where its failures and HTTP statuses become
SmsErrors."""

from __future__ import annotations

import json as jsonlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
import urllib3

from bot.sms.base import SmsError, SmsPermanentError, SmsTransientError
from zalo_api.transport import Call, goes_direct, pooled_call

# The request cannot be built from our settings: retrying the same settings cannot help.
CONFIG_ERRORS = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    requests.exceptions.InvalidHeader,
)
# Request timeout and rate limiting are the only 4xx worth a retry.
RETRYABLE_4XX = (408, 429)


@dataclass(frozen=True)
class Answer:
    """A gateway's HTTP answer: its status and body."""

    status: int
    body: bytes

    @property
    def ok(self) -> bool:
        """A 2xx (a redirect is not followed, so a 3xx is no success either)."""
        return 200 <= self.status < 300


def post(
    session: requests.Session,
    provider: str,
    url: str,
    timeout: float,
    *,
    json: Any = None,
    data: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    auth: tuple[str, str] | None = None,
) -> Answer:
    """POST with a timeout (auth: HTTP basic); transport failures become SmsTransientError.

    Straight to the session's urllib3 pool when no proxy can apply, as the Zalo calls go
    (zalo_api.transport): requests' preparation cost a code sent by SMS about 1 ms of the
    worker's CPU."""
    sent = dict(headers or {})
    if auth is not None:
        sent.update(urllib3.util.make_headers(basic_auth=f"{auth[0]}:{auth[1]}"))
    call = Call("POST", url, sent, json, data, None)
    if goes_direct(session):
        return post_direct(session, provider, call, timeout)
    return post_through_requests(session, provider, call, timeout)


def post_direct(session: requests.Session, provider: str, call: Call, timeout: float) -> Answer:
    """The call on the session's pool (zalo_api.transport.pooled_call)."""
    # Only the exception type goes into our messages: the errors' own texts hold the URL,
    # which may carry an account id or a token in its query string.
    try:
        return Answer(*pooled_call(session, call, timeout))
    except (ValueError, urllib3.exceptions.LocationValueError) as exc:
        raise bad_settings(provider, exc) from exc
    except urllib3.exceptions.NewConnectionError as exc:  # urllib3 files it under timeouts
        raise network_error(provider, exc) from exc
    except urllib3.exceptions.TimeoutError as exc:
        raise timed_out(provider, timeout) from exc
    except urllib3.exceptions.HTTPError as exc:
        raise network_error(provider, exc) from exc


def post_through_requests(
    session: requests.Session, provider: str, call: Call, timeout: float
) -> Answer:
    """The call through requests (a proxy may apply)."""
    try:
        answer = session.post(
            call.url, json=call.json, data=call.data, headers=call.headers, timeout=timeout
        )
    except CONFIG_ERRORS as exc:
        raise bad_settings(provider, exc) from exc
    except requests.Timeout as exc:
        raise timed_out(provider, timeout) from exc
    except requests.RequestException as exc:
        raise network_error(provider, exc) from exc
    return Answer(answer.status_code, answer.content)


def timed_out(provider: str, timeout: float) -> SmsTransientError:
    """No answer within the timeout: the outcome is unknown, so a retry may send it."""
    return SmsTransientError(f"timed out after {timeout:g} s", provider=provider)


def network_error(provider: str, exc: Exception) -> SmsTransientError:
    """The gateway could not be reached or broke the connection (only the error's type)."""
    return SmsTransientError(f"network error ({type(exc).__name__})", provider=provider)


def bad_settings(provider: str, exc: Exception) -> SmsPermanentError:
    """The request cannot be built from our settings: retrying the same settings cannot help."""
    return SmsPermanentError(f"bad gateway settings ({type(exc).__name__})", provider=provider)


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


def json_object(answer: Answer) -> dict[str, Any] | None:
    """The body as a JSON object, or None (an HTML error page from a proxy, say)."""
    try:
        body = jsonlib.loads(answer.body)
    except (ValueError, RecursionError):
        return None
    return body if isinstance(body, dict) else None


def unreadable_reply(provider: str, status: int) -> SmsTransientError:
    """A 2xx we cannot read: the outcome is unknown, so let the caller retry."""
    return SmsTransientError(f"unreadable reply to HTTP {status}", provider=provider)
