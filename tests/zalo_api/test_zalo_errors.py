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


# ZALO_API.md, "Zalo error codes, sorted by what the bot does", and the ZNS error list.
TABLE = {
    "token": [-216, -220, -124],
    "user": [-213, -217, -227, -230, -232, -244, -218,
             -118, -108, -114, -110, -119, -139, -141, -140],
    "oa": [-204, -205, -209, -212, -219, -223, -221, -224, -320, -321, -211,
           -115, -144, -135, -1351, -136, -137, -117, -120, -138, -131, -126, -127],
    "rate": [-32, -100],
    "request": [-201, -210, -233, -240, -109, -111, -112, -1121, -1122, -1124, -132],
}  # fmt: skip


@pytest.mark.parametrize(
    ("code", "fault"), [(code, fault) for fault, codes in TABLE.items() for code in codes]
)
def test_each_code_of_the_table_is_sorted_as_documented(code: int, fault: str) -> None:
    error = ZaloAPIError(code, "as documented")
    assert error.fault == fault
    assert error.held == (fault in ("token", "oa"))


@pytest.mark.parametrize(
    ("error", "fault", "held"),
    [
        (ZaloNetworkError("ConnectTimeout"), "unreachable", True),
        (ZaloHTTPError(502, ""), "unreachable", True),
        (ZaloHTTPError(429, ""), "rate", False),
        (ZaloHTTPError(404, ""), "request", False),
        (ZaloOAuthError("Invalid parameter", "Invalid refresh token", -14014), "oauth", True),
        (ZaloTokenMissingError("none stored"), "token", True),
        (ZaloRefreshBusyError("lock busy"), "token", True),
    ],
)
def test_failures_without_a_code_are_sorted_too(error: ZaloError, fault: str, held: bool) -> None:
    assert (error.fault, error.held) == (fault, held)


def test_a_user_refusal_names_its_reason() -> None:
    assert ZaloAPIError(-217, "blocked").reason == "blocked"
    assert ZaloAPIError(-230, "7 days").reason == "outside_window"
    assert ZaloAPIError(-204, "disabled").reason == "oa_204"
