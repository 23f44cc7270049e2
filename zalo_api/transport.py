"""The one place where HTTP answers become zalo_api errors."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from zalo_api.errors import (
    ZaloAPIError,
    ZaloError,
    ZaloHTTPError,
    ZaloNetworkError,
    ZaloOAuthError,
)

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 10.0
# Failures of the network itself; other RequestExceptions (a malformed URL, say) are
# configuration mistakes that no retry fixes.
NETWORK_FAILURES = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


class Transport:
    """A requests.Session with a timeout on every call and Zalo's error conventions."""

    def __init__(
        self, timeout: float = DEFAULT_TIMEOUT_SECONDS, session: requests.Session | None = None
    ) -> None:
        self.timeout = timeout
        self.session = session or requests.Session()

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        json: Any = None,
        data: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """The JSON body of a successful call; ZaloNetworkError / HTTPError / APIError otherwise."""
        where = f"{method} {urlsplit(url).path}"  # never the query string or the headers
        try:
            answer = self.session.request(
                method,
                url,
                headers=dict(headers),
                json=json,
                data=data,
                params=params,
                timeout=self.timeout,
            )
        except NETWORK_FAILURES as exc:
            raise ZaloNetworkError(f"{type(exc).__name__} on {where}") from exc
        except requests.RequestException as exc:
            raise ZaloError(f"cannot call {where}: {type(exc).__name__}") from exc
        log.debug("%s answered HTTP %s", where, answer.status_code)
        if not 200 <= answer.status_code < 300:
            raise ZaloHTTPError(answer.status_code, answer.text)
        body = json_object(answer)
        check_body(body)
        return body


def json_object(answer: requests.Response) -> dict[str, Any]:
    """The body as a JSON object, or ZaloHTTPError: a 2xx that is not Zalo's JSON."""
    try:
        body = answer.json()
    except (ValueError, RecursionError) as exc:
        raise ZaloHTTPError(answer.status_code, answer.text) from exc
    if not isinstance(body, dict):
        raise ZaloHTTPError(answer.status_code, answer.text)
    return body


def check_body(body: Mapping[str, Any]) -> None:
    """Raise the error a 2xx body carries: an OAuth refusal, or a non-zero `error`."""
    code = error_code(body.get("error"))
    if "error_name" in body:  # OAuth's own shape (its `error` code is optional)
        description = str(body.get("error_description") or body.get("error_reason") or "")
        raise ZaloOAuthError(str(body["error_name"]), description, *([code] if code else []))
    if code:
        raise ZaloAPIError(code, str(body.get("message", "")))


def error_code(value: Any) -> int:
    """Zalo's `error` as an int (0: success); sometimes sent as a numeric string."""
    if value is None or value == "" or (isinstance(value, int | float) and value == 0):
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        return -1  # an error of a kind we cannot read is still an error


def data_of(body: Mapping[str, Any]) -> Mapping[str, Any]:
    """The `data` object of a success body (empty when absent or odd)."""
    data = body.get("data")
    return data if isinstance(data, Mapping) else {}


def text_or_none(value: Any) -> str | None:
    """A string field as str; a number (Zalo sends some phones as numbers) as its digits."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None
