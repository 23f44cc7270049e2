"""What each error tells a caller: retry, refresh, or give up."""

from __future__ import annotations

import pytest

from zalo_api import (
    ZaloAPIError,
    ZaloError,
    ZaloHTTPError,
    ZaloNetworkError,
    ZaloOAuthError,
    ZaloRefreshBusyError,
    ZaloTokenMissingError,
)


def verdict(error: ZaloError) -> str:
    """The one thing a caller should do."""
    flags = {"retry": error.retryable, "refresh": error.token_expired, "give up": error.permanent}
    (chosen,) = [name for name, on in flags.items() if on]  # exactly one applies
    return chosen


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ZaloNetworkError("ConnectTimeout"), "retry"),
        (ZaloHTTPError(500, "oops"), "retry"),
        (ZaloHTTPError(503, ""), "retry"),
        (ZaloHTTPError(429, ""), "retry"),
        (ZaloHTTPError(404, ""), "give up"),
        (ZaloHTTPError(200, "<html>"), "give up"),
        (ZaloAPIError(-32, "rate limit"), "retry"),
        (ZaloAPIError(-100, "unknown"), "retry"),
        (ZaloAPIError(-216, "invalid token"), "refresh"),
        (ZaloAPIError(-220, "expired token"), "refresh"),
        (ZaloAPIError(-124, "ZNS invalid token"), "refresh"),
        (ZaloAPIError(-230, "no interaction in 7 days"), "give up"),
        (ZaloAPIError(-201, "invalid parameter"), "give up"),
        (ZaloAPIError(-118, "no Zalo account"), "give up"),
        (ZaloOAuthError("Invalid parameter", "Invalid refresh token", -14014), "give up"),
        (ZaloTokenMissingError("none stored"), "give up"),
        (ZaloRefreshBusyError("lock busy"), "retry"),
    ],
)
def test_every_error_says_what_to_do(error: ZaloError, expected: str) -> None:
    assert verdict(error) == expected


def test_no_zalo_account_is_recognisable() -> None:
    assert ZaloAPIError(-118, "no account").no_zalo_account
    assert not ZaloAPIError(-108, "bad phone").no_zalo_account


def test_errors_carry_their_details() -> None:
    api = ZaloAPIError(-230, "User has not interacted")
    assert (api.code, api.message) == (-230, "User has not interacted")
    assert "-230" in str(api)
    oauth = ZaloOAuthError("Invalid parameter", "Invalid refresh token", -14014)
    assert isinstance(oauth, ZaloAPIError) and oauth.code == -14014
    assert (oauth.error_name, oauth.error_description) == (
        "Invalid parameter",
        "Invalid refresh token",
    )
    http = ZaloHTTPError(502, "x" * 10_000)
    assert http.status == 502 and len(http.body) == 500
