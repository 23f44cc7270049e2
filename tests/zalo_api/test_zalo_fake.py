"""The fake itself: what other test suites rely on when they script Zalo."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.fakes.zalo import FakeZalo
from zalo_api import OAClient, TokenManager, ZaloAPIError, ZaloNetworkError, ZNSClient

USER = "2468458835296117922"


def test_a_misspelt_endpoint_is_refused(fake: FakeZalo) -> None:
    with pytest.raises(ValueError, match="unknown endpoint"):
        fake.fail_next("message", error=-32)


def test_unknown_paths_and_methods_are_404(fake: FakeZalo) -> None:
    assert requests.get(fake.base_url + "/nowhere", timeout=5).status_code == 404
    assert requests.get(fake.openapi_url + "/v3.0/oa/message/cs", timeout=5).status_code == 404


def test_a_request_without_a_token_gets_zalos_token_error(fake: FakeZalo) -> None:
    answer = requests.post(fake.openapi_url + "/v3.0/oa/message/cs", json={}, timeout=5)
    assert answer.status_code == 200 and answer.json()["error"] == -216
    answer = requests.post(fake.business_url + "/message/template", json={}, timeout=5)
    assert answer.json()["error"] == -124


def test_config_points_the_bot_at_the_fake(fake: FakeZalo) -> None:
    config = fake.config()
    assert config["ZALO_OPENAPI_URL"] == config["ZALO_OAUTH_URL"] == fake.base_url
    assert config["ZALO_REFRESH_TOKEN"] == fake.refresh_token
    assert config["ZALO_APP_SECRET"] == fake.app_secret


def test_close_is_idempotent() -> None:
    fake = FakeZalo()
    url = fake.base_url
    fake.close()
    fake.close()
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=5)


def test_a_seeded_pair_works_and_its_refresh_token_is_spent_once() -> None:
    with FakeZalo(access_token="a1", refresh_token="r1") as fake:
        cs = fake.openapi_url + "/v3.0/oa/message/cs"
        body = {"recipient": {"user_id": USER}, "message": {"text": "hi"}}
        sent = requests.post(cs, json=body, headers={"access_token": "a1"}, timeout=5).json()
        assert sent["error"] == 0 and fake.messages_to(USER) == ["hi"]
        first, again = refresh(fake, "r1"), refresh(fake, "r1")
        assert isinstance(first["expires_in"], str) and int(first["expires_in"]) > 0
        assert first["refresh_token"] == fake.refresh_token != "r1"
        assert set(again) >= {"error_name", "error_description"} and "access_token" not in again
        assert fake.config()["ZALO_ACCESS_TOKEN"] == first["access_token"]
        assert fake.refresh_calls == 2


def test_oauth_checks_the_secret_header_and_the_form(fake: FakeZalo) -> None:
    wrong_secret = refresh(fake, fake.refresh_token, secret="not-the-secret")
    wrong_grant = refresh(fake, fake.refresh_token, grant_type="authorization_code")
    assert "error_name" in wrong_secret and "error_name" in wrong_grant
    assert "access_token" in refresh(fake, fake.refresh_token)  # still unspent


def test_zns_sends_are_recorded_as_dicts(zns: ZNSClient, fake: FakeZalo) -> None:
    zns.send_template("+84 912 345 678", "tpl-1", {"otp": "123456"}, "t-1")
    expected = {"phone": "84912345678", "template_id": "tpl-1",
                "template_data": {"otp": "123456"}, "tracking_id": "t-1", "mode": None}  # fmt: skip
    assert fake.zns_sent == [expected]
    assert fake.zns_sent[0].template_id == "tpl-1" and fake.zns_sent[0].msg_id


def test_no_zalo_account_takes_either_phone_form(zns: ZNSClient, fake: FakeZalo) -> None:
    fake.no_zalo_account("+84912345678")
    with pytest.raises(ZaloAPIError) as caught:
        zns.send_template("0912345678", "tpl-1", {"otp": "1"}, "t-2")
    assert caught.value.no_zalo_account and fake.zns_sent == []


def test_payloads_keep_every_message_raw(oa: OAClient, fake: FakeZalo) -> None:
    oa.send_text(USER, "hi")
    oa.send_request_user_info(
        "2000000000000000002", "Title", "Subtitle", "https://example.com/i.png"
    )
    kinds = [payload.message.get("attachment", {}).get("type") for payload in fake.payloads()]
    assert kinds == [None, "template"]
    assert [p.user_id for p in fake.payloads()] == [USER, "2000000000000000002"]


def test_a_delayed_answer_outlasts_a_short_timeout_then_all_is_normal(
    fake: FakeZalo, tokens: TokenManager
) -> None:
    # The second call must be answered within the timeout even on a busy machine: 1 s.
    impatient = OAClient(fake.openapi_url, tokens, timeout=1.0)
    fake.delay_next("cs", 2.0)
    with pytest.raises(ZaloNetworkError):
        impatient.send_text(USER, "late")
    impatient.send_text(USER, "on time")
    assert fake.calls["cs"] == 2 and fake.messages_to(USER)[-1] == "on time"


def test_a_scripted_oauth_failure_has_the_oauth_shape(fake: FakeZalo) -> None:
    fake.fail_next("oauth", error=-14014, message="expired refresh token")
    answer = refresh(fake, fake.refresh_token)
    assert answer["error_description"] == "expired refresh token"
    assert "access_token" in refresh(fake, fake.refresh_token)  # the script was used up


def refresh(
    fake: FakeZalo, token: str, *, secret: str | None = None, grant_type: str = "refresh_token"
) -> dict[str, Any]:
    """One raw call to the fake's OAuth endpoint."""
    form = {"app_id": fake.app_id, "refresh_token": token, "grant_type": grant_type}
    headers = {"secret_key": secret or fake.app_secret}
    url = fake.oauth_url + "/v4/oa/access_token"
    answer: dict[str, Any] = requests.post(url, data=form, headers=headers, timeout=5).json()
    return answer
