"""The one place where HTTP answers become zalo_api errors."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlencode, urlsplit

import requests
import urllib3
from requests.utils import DEFAULT_CA_BUNDLE_PATH

from zalo_api.errors import (
    ZaloAPIError,
    ZaloError,
    ZaloHTTPError,
    ZaloNetworkError,
    ZaloOAuthError,
)
from zalo_api.jsontext import json_bytes, json_value

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


@dataclass(frozen=True)
class Call:
    """One API call as the caller asked for it (headers: a copy the transport may add to)."""

    method: str
    url: str
    headers: dict[str, str]
    json: Any
    data: Mapping[str, str] | None
    params: Mapping[str, str] | None

    @property
    def where(self) -> str:
        """What logs and errors name: never the query string or the headers."""
        return f"{self.method} {urlsplit(self.url).path}"


class Transport:
    """A requests.Session's connections with a timeout on every call and Zalo's error
    conventions. When no proxy can apply (the session ignores the environment and names
    none, as the bot's own does), calls go to the session's urllib3 pools directly: requests'
    preparation of each call cost the worker more CPU than the call itself (bench/profile.md)."""

    def __init__(
        self, timeout: float = DEFAULT_TIMEOUT_SECONDS, session: requests.Session | None = None
    ) -> None:
        self.timeout = timeout
        self.session = session or requests.Session()
        self.direct = goes_direct(self.session)

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
        call = Call(method, url, dict(headers), json, data, params)
        status, content = (self.call_direct if self.direct else self.call_session)(call)
        log.debug("%s answered HTTP %s", call.where, status)
        if not 200 <= status < 300:
            raise ZaloHTTPError(status, decoded(content))
        body = json_object(status, content)
        check_body(body)
        return body

    def call_session(self, call: Call) -> tuple[int, bytes]:
        """(status, body) through requests (a proxy may apply)."""
        try:
            answer = self.session.request(
                call.method, call.url, headers=call.headers, json=call.json, data=call.data,
                params=call.params, timeout=self.timeout,
            )  # fmt: skip
        except NETWORK_FAILURES as exc:
            raise ZaloNetworkError(f"{type(exc).__name__} on {call.where}") from exc
        except requests.RequestException as exc:
            raise ZaloError(f"cannot call {call.where}: {type(exc).__name__}") from exc
        return answer.status_code, answer.content

    def call_direct(self, call: Call) -> tuple[int, bytes]:
        """(status, body) from the session's urllib3 pool (pooled_call)."""
        try:
            return pooled_call(self.session, call, self.timeout)
        except (ValueError, urllib3.exceptions.LocationValueError) as exc:
            raise ZaloError(f"cannot call {call.where}: {type(exc).__name__}") from exc
        except urllib3.exceptions.HTTPError as exc:
            raise ZaloNetworkError(f"{type(exc).__name__} on {call.where}") from exc


def goes_direct(session: requests.Session) -> bool:
    """Whether no proxy can apply to session's calls (it ignores the environment and names
    none), so that they may go to its urllib3 pools directly (pooled_call)."""
    return not session.trust_env and not session.proxies


@dataclass(frozen=True)
class Outgoing:
    """A call as it goes on the wire: its URL (and split), the request target (path and
    query), the headers (Content-Type added) and the encoded body."""

    method: str
    url: str
    parts: SplitResult
    target: str
    headers: dict[str, str]
    body: bytes | None


# Sends an Outgoing with a timeout and answers (status, body): on the session's urllib3
# pools, or on geventhttpclient's in a gevent process (use_exchange).
Exchange = Callable[[requests.Session, Outgoing, float], tuple[int, bytes]]


def pooled_call(session: requests.Session, call: Call, timeout: float) -> tuple[int, bytes]:
    """(status, body) of call from a connection pool for its host, without requests'
    preparation of each call, which cost the worker more CPU than the call itself: the body
    encoded as requests does (JSON, or a form), no retry (as requests' adapter) and no
    redirect (a 3xx is the answer). ValueError for a URL that is not http(s); urllib3's
    errors otherwise (the gevent pools raise the same classes)."""
    return exchange(session, outgoing(call), timeout)


def outgoing(call: Call) -> Outgoing:
    """call encoded for the wire; ValueError for a URL that is not http(s)."""
    headers = call.headers
    parts = urlsplit(call.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("not an http(s) URL")
    body: bytes | None = None
    if call.json is not None:
        body = json_bytes(call.json)
        headers.setdefault("Content-Type", "application/json")
    elif call.data is not None:
        body = urlencode(call.data).encode()
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    target = parts.path or "/"
    query = "&".join(q for q in (parts.query, urlencode(call.params or {})) if q)
    target += f"?{query}" if query else ""
    return Outgoing(call.method, call.url, parts, target, headers, body)


def urllib3_exchange(session: requests.Session, out: Outgoing, timeout: float) -> tuple[int, bytes]:
    """(status, body) from the session's urllib3 pool for out's host."""
    answer = pool_for(session, out.url, out.parts).urlopen(
        out.method, out.target, body=out.body, headers=out.headers, retries=False,
        redirect=False, timeout=timeout,
    )  # fmt: skip
    return answer.status, answer.data


def pool_for(
    session: requests.Session, url: str, parts: SplitResult
) -> urllib3.connectionpool.HTTPConnectionPool:
    """The session's pool for url's host (parts: url split), verifying TLS as the session
    says."""
    adapter = session.get_adapter(url)
    manager: urllib3.PoolManager = adapter.poolmanager  # type: ignore[attr-defined]
    tls: dict[str, Any] = {}
    if parts.scheme == "https":
        verify = session.verify
        tls["cert_reqs"] = "CERT_REQUIRED" if verify else "CERT_NONE"
        if verify:
            tls["ca_certs"] = verify if isinstance(verify, str) else DEFAULT_CA_BUNDLE_PATH
    return manager.connection_from_host(parts.hostname, parts.port, parts.scheme, tls)


# Which pools pooled_call uses: the session's urllib3 ones, unless the process chose others
# (use_exchange: the gevent worker chooses geventhttpclient's, zalo_api.gevent_pools).
exchange: Exchange = urllib3_exchange


def use_exchange(chosen: Exchange) -> None:
    """Make chosen the exchange of every pooled_call of this process (chosen at start-up)."""
    global exchange
    exchange = chosen


def decoded(content: bytes) -> str:
    """A body as text (for errors)."""
    return content.decode("utf-8", errors="replace")


def json_object(status: int, content: bytes) -> dict[str, Any]:
    """The body as a JSON object, or ZaloHTTPError: a 2xx that is not Zalo's JSON."""
    try:
        body = json_value(content)
    except (ValueError, RecursionError) as exc:
        raise ZaloHTTPError(status, decoded(content)) from exc
    if not isinstance(body, dict):
        raise ZaloHTTPError(status, decoded(content))
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
