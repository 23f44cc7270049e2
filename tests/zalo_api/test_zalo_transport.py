"""The one request method: every kind of failure becomes its zalo_api error, cause chained."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import urllib3
from pytest_httpserver import HTTPServer

from zalo_api import ZaloAPIError, ZaloError, ZaloHTTPError, ZaloNetworkError, ZaloOAuthError
from zalo_api.transport import Transport

HEADERS = {"access_token": "t"}


def direct_session() -> requests.Session:
    """A session no proxy can apply to (as the bot's own): calls go to its pools directly."""
    session = requests.Session()
    session.trust_env = False
    return session


@pytest.fixture(params=["through requests", "direct"])
def transport(request: pytest.FixtureRequest) -> Transport:
    """Either way of calling: through requests (a proxy may apply), or the pools directly."""
    return Transport(timeout=5, session=direct_session() if request.param == "direct" else None)


def call(httpserver: HTTPServer, transport: Transport) -> dict[str, Any]:
    """POST /x on the test server."""
    return transport.request("POST", httpserver.url_for("/x"), json={}, headers=HEADERS)


def test_a_success_body_is_returned(httpserver: HTTPServer, transport: Transport) -> None:
    httpserver.expect_request("/x", method="POST").respond_with_json({"error": 0, "data": {}})
    assert call(httpserver, transport) == {"error": 0, "data": {}}


@pytest.mark.parametrize(("error", "code"), [(-32, -32), ("-216", -216), ("oops", -1)])
def test_a_non_zero_error_is_an_api_error(
    httpserver: HTTPServer, error: Any, code: int, transport: Transport
) -> None:
    body = {"error": error, "message": "from Zalo"}
    httpserver.expect_request("/x").respond_with_json(body)
    with pytest.raises(ZaloAPIError) as caught:
        call(httpserver, transport)
    assert (caught.value.code, caught.value.message) == (code, "from Zalo")


@pytest.mark.parametrize(("status", "retryable"), [(500, True), (503, True), (404, False)])
def test_a_non_2xx_answer_is_an_http_error(
    httpserver: HTTPServer, status: int, retryable: bool, transport: Transport
) -> None:
    httpserver.expect_request("/x").respond_with_data("broken", status=status)
    with pytest.raises(ZaloHTTPError) as caught:
        call(httpserver, transport)
    assert (caught.value.status, caught.value.body, caught.value.retryable) == (
        status,
        "broken",
        retryable,
    )


@pytest.mark.parametrize("body", ["<html>proxy</html>", "[1, 2]", "{"])
def test_a_2xx_that_is_not_a_json_object_is_an_http_error(
    httpserver: HTTPServer, body: str, transport: Transport
) -> None:
    httpserver.expect_request("/x").respond_with_data(body, content_type="application/json")
    with pytest.raises(ZaloHTTPError) as caught:
        call(httpserver, transport)
    assert caught.value.status == 200 and caught.value.permanent


def test_an_oauth_refusal_is_an_oauth_error(httpserver: HTTPServer, transport: Transport) -> None:
    body = {"error": -14014, "error_name": "Invalid parameter", "error_description": "Bad token"}
    httpserver.expect_request("/x").respond_with_json(body)
    with pytest.raises(ZaloOAuthError) as caught:
        call(httpserver, transport)
    assert (caught.value.code, caught.value.error_name) == (-14014, "Invalid parameter")
    assert caught.value.error_description == "Bad token"


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(4)
        yield int(sock.getsockname()[1])


def test_a_refused_connection_is_a_network_error(closed_port: int, transport: Transport) -> None:
    url = f"http://127.0.0.1:{closed_port}/v3.0/oa/user/detail?data=secret-ish"
    with pytest.raises(ZaloNetworkError) as caught:
        transport.request("GET", url, headers=HEADERS)
    refused = (requests.ConnectionError, urllib3.exceptions.NewConnectionError)
    assert isinstance(caught.value.__cause__, refused)
    assert caught.value.retryable
    assert "/v3.0/oa/user/detail" in str(caught.value) and "secret-ish" not in str(caught.value)


def test_a_server_that_never_answers_hits_the_timeout(
    silent_server: int, transport: Transport
) -> None:
    transport.timeout = 0.2
    with pytest.raises(ZaloNetworkError) as caught:
        transport.request("GET", f"http://127.0.0.1:{silent_server}/", headers={})
    # urllib3's pools say ReadTimeoutError; the gevent worker's (test_gevent_pools) cannot tell
    # a connect from a read timeout and raise their base class.
    timed_out = (requests.Timeout, urllib3.exceptions.TimeoutError)
    assert isinstance(caught.value.__cause__, timed_out)


def test_a_malformed_url_is_a_permanent_error_not_a_network_one(transport: Transport) -> None:
    with pytest.raises(ZaloError) as caught:
        transport.request("GET", "openapi.zalo.me/no-scheme", headers={})
    assert not isinstance(caught.value, ZaloNetworkError) and caught.value.permanent


class RecordingSession(requests.Session):
    """A session that remembers the keyword arguments of every request."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[dict[str, Any]] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        self.seen.append(kwargs)
        return super().request(method, url, *args, **kwargs)


def test_every_call_goes_through_the_given_session_with_the_timeout(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request("/x").respond_with_json({"error": 0})
    session = RecordingSession()
    transport = Transport(timeout=3.5, session=session)
    call(httpserver, transport)
    call(httpserver, transport)
    assert [kwargs["timeout"] for kwargs in session.seen] == [3.5, 3.5]
    assert session.seen[0]["headers"] == HEADERS


def test_both_ways_send_the_same_json_form_and_query(
    httpserver: HTTPServer, transport: Transport
) -> None:
    body = {"text": "Xin chào", "n": 1}
    httpserver.expect_request(
        "/j", method="POST", query_string="a=1&b=x+y", json=body
    ).respond_with_json({"error": 0, "data": {"ok": 1}})
    httpserver.expect_request(
        "/f", method="POST", data="code=abc&grant_type=authorization_code"
    ).respond_with_json({"error": 0})
    url = httpserver.url_for("/j") + "?a=1"
    answer = transport.request("POST", url, headers=HEADERS, json=body, params={"b": "x y"})
    assert answer["data"] == {"ok": 1}
    form = {"code": "abc", "grant_type": "authorization_code"}
    assert transport.request("POST", httpserver.url_for("/f"), headers={}, data=form) == {
        "error": 0
    }
    httpserver.check_assertions()
