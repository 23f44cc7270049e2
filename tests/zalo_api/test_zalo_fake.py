"""The fake itself: what other test suites rely on when they script Zalo."""

from __future__ import annotations

import pytest
import requests

from tests.fakes.zalo import FakeZalo


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
