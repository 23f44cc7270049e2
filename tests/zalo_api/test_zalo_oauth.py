"""OAuthClient: a refresh token is spent once for a new pair; refusals are ZaloOAuthError."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from tests.fakes.zalo import FakeZalo
from zalo_api import OAuthClient, TokenPair, ZaloOAuthError


def test_refresh_returns_a_new_pair_expiring_after_expires_in(fake: FakeZalo) -> None:
    oauth = OAuthClient(fake.oauth_url, fake.app_id, fake.app_secret, clock=lambda: 1000.0)
    first_refresh_token = fake.refresh_token
    pair = oauth.refresh(first_refresh_token)
    assert (pair.access_token, pair.refresh_token) == (fake.access_token, fake.refresh_token)
    assert pair.refresh_token != first_refresh_token
    assert pair.expires_at == 1000.0 + 90000  # expires_in is the string "90000"


def test_a_refresh_token_is_accepted_once(oauth: OAuthClient, fake: FakeZalo) -> None:
    spent = fake.refresh_token
    oauth.refresh(spent)
    with pytest.raises(ZaloOAuthError) as caught:
        oauth.refresh(spent)
    assert caught.value.error_description == "Invalid refresh token"
    assert caught.value.permanent and not caught.value.token_expired
    assert fake.refresh_calls == 2


def test_the_app_secret_goes_in_the_secret_key_header(fake: FakeZalo) -> None:
    wrong = OAuthClient(fake.oauth_url, fake.app_id, "not-the-secret")
    with pytest.raises(ZaloOAuthError, match="secret_key"):
        wrong.refresh(fake.refresh_token)


def test_the_wire_format_is_a_form_with_the_secret_in_a_header(httpserver: HTTPServer) -> None:
    form = "app_id=app-1&grant_type=refresh_token&refresh_token=r-1"
    answer = {"access_token": "a-2", "refresh_token": "r-2", "expires_in": "3600"}
    httpserver.expect_request("/v4/oa/access_token", method="POST", data=form).respond_with_json(
        answer
    )
    pair = OAuthClient(httpserver.url_for("/"), "app-1", "s", clock=lambda: 0.0).refresh("r-1")
    assert pair == TokenPair("a-2", "r-2", 3600.0)


@pytest.mark.parametrize("expires_in", [None, "soon"])
def test_an_unreadable_expires_in_keeps_the_tokens(
    httpserver: HTTPServer, expires_in: str | None
) -> None:
    # The old refresh token is spent already: refusing the answer would lose the new one.
    answer = {"access_token": "a-2", "refresh_token": "r-2", "expires_in": expires_in}
    httpserver.expect_request("/v4/oa/access_token").respond_with_json(answer)
    pair = OAuthClient(httpserver.url_for("/"), "app", "s", clock=lambda: 0.0).refresh("r-1")
    assert (pair.refresh_token, pair.expires_at) == ("r-2", 3600.0)


def test_an_answer_without_tokens_is_an_oauth_error(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v4/oa/access_token").respond_with_json({"expires_in": "1"})
    with pytest.raises(ZaloOAuthError, match="invalid_response"):
        OAuthClient(httpserver.url_for("/"), "app", "s").refresh("r-1")


def test_tokens_and_secrets_stay_out_of_reprs() -> None:
    pair = TokenPair("access-secret", "refresh-secret", 123.0)
    client = OAuthClient("http://127.0.0.1:1", "app-1", "app-secret")
    shown = repr(pair) + str(pair) + repr(client)
    assert "secret" not in shown and "123" in shown and "app-1" in shown
