"""Fixtures for zalo_api's tests: the loopback FakeZalo and real clients pointed at it."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.fakes.zalo import FakeZalo
from zalo_api import (
    InMemoryTokenStorage,
    OAClient,
    OAuthClient,
    ThreadRefreshLock,
    TokenManager,
    TokenPair,
    ZNSClient,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "zalo_events.json"
TIMEOUT_SECONDS = 5.0


@pytest.fixture(scope="session")
def vectors() -> dict[str, Any]:
    """tests/fixtures/zalo_events.json: raw bodies, their signatures, the OA secret key."""
    loaded: dict[str, Any] = json.loads(FIXTURES.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture
def fake() -> Iterator[FakeZalo]:
    """A fresh fake Zalo per test; a bug inside the fake fails the test."""
    with FakeZalo() as server:
        yield server
        server.check()


@pytest.fixture
def session() -> Iterator[requests.Session]:
    """One HTTP session shared by every client, as the bot shares one."""
    with requests.Session() as shared:
        yield shared


@pytest.fixture
def storage(fake: FakeZalo) -> InMemoryTokenStorage:
    """The fake's first token pair, as an operator would seed it."""
    expires_at = time.time() + fake.token_lifetime_seconds
    return InMemoryTokenStorage(TokenPair(fake.access_token, fake.refresh_token, expires_at))


@pytest.fixture
def oauth(fake: FakeZalo, session: requests.Session) -> OAuthClient:
    """The OAuth client, with the fake's App id and secret."""
    return OAuthClient(
        fake.oauth_url, fake.app_id, fake.app_secret, timeout=TIMEOUT_SECONDS, session=session
    )


@pytest.fixture
def tokens(storage: InMemoryTokenStorage, oauth: OAuthClient) -> TokenManager:
    """A token manager on the in-memory storage and a thread lock."""
    return TokenManager(storage, oauth, ThreadRefreshLock(wait_seconds=TIMEOUT_SECONDS))


@pytest.fixture
def oa(fake: FakeZalo, tokens: TokenManager, session: requests.Session) -> OAClient:
    """The OA client on the fake."""
    return OAClient(fake.openapi_url, tokens, timeout=TIMEOUT_SECONDS, session=session)


@pytest.fixture
def zns(fake: FakeZalo, tokens: TokenManager, session: requests.Session) -> ZNSClient:
    """The ZNS client on the fake."""
    return ZNSClient(fake.business_url, tokens, timeout=TIMEOUT_SECONDS, session=session)
