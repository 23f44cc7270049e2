"""Connecting an OA by Zalo's OAuth v4 permission flow with PKCE, against the fake Zalo."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import redis
from flask import Flask

from bot import create_app
from bot.admin.audit import AuditLog
from bot.config import ConfigError
from bot.services import services_of
from bot.zalo.token_store import RedisTokenStorage
from tests.fakes.zalo import FakeZalo
from tests.helpers import main_tokens
from tests.production import Chat, production_bot
from zalo_api.connect import Pkce
from zalo_api.oauth import TokenPair

PUBLIC = "https://bot.example.vn"


@pytest.fixture
def bot(config: dict[str, Any]) -> Iterator[tuple[Flask, FakeZalo]]:
    """A production bot whose Zalo is the fake, reachable at PUBLIC, speaking English (the
    callback page speaks BOT_LANGUAGE; the CLI and the logs, English)."""
    with production_bot(config, PUBLIC_BASE_URL=PUBLIC, BOT_LANGUAGE="en") as (app, zalo, _sms):
        main_tokens(app).access_token()  # the env tokens are seeded, as at start
        yield app, zalo


def connect_url(app: Flask) -> dict[str, str]:
    """Run `flask oa connect`; the query of the permission URL it prints."""
    result = app.test_cli_runner().invoke(args=["oa", "connect"])
    assert result.exit_code == 0, result.output
    url = next(w for w in result.output.split() if "/v4/oa/permission?" in w)
    assert f"{PUBLIC}/oauth/zalo/callback" in result.output  # what to save in the console
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def stored(app: Flask, zalo: FakeZalo) -> TokenPair | None:
    """The token pair the bot keeps for the fake's App."""
    return RedisTokenStorage(services_of(app).redis, zalo.app_id, zalo.oa_id).load()


def stored_for(app: Flask, app_id: str, oa_id: str) -> TokenPair | None:
    """The token pair the bot keeps for one OA of one App."""
    return RedisTokenStorage(services_of(app).redis, app_id, oa_id).load()


def callback(app: Flask, **args: str) -> tuple[int, str]:
    """Zalo's redirect back to the bot."""
    answer = app.test_client().get("/oauth/zalo/callback", query_string=args)
    return answer.status_code, answer.get_data(as_text=True)


def test_pkce_verifier_and_challenge_are_as_rfc_7636_says() -> None:
    first, second = Pkce.new(), Pkce.new()
    assert len(first.verifier) == 43 and first.verifier != second.verifier
    digest = hashlib.sha256(first.verifier.encode()).digest()
    assert first.challenge == base64.urlsafe_b64encode(digest).decode().rstrip("=")
    assert "=" not in first.challenge and first.verifier not in repr(first)


def test_the_permission_url_names_the_app_the_callback_and_a_fresh_challenge(
    bot: tuple[Flask, FakeZalo],
) -> None:
    app, zalo = bot
    query, again = connect_url(app), connect_url(app)
    assert query["app_id"] == zalo.app_id
    assert query["redirect_uri"] == f"{PUBLIC}/oauth/zalo/callback"
    assert len(query["code_challenge"]) == 43 and "code_challenge_method" not in query
    assert query["state"] != again["state"]
    assert query["code_challenge"] != again["code_challenge"]


def test_a_granted_oa_is_connected_its_tokens_stored_and_it_is_served(
    bot: tuple[Flask, FakeZalo], rdb: redis.Redis
) -> None:
    app, zalo = bot
    pasted = stored(app, zalo)
    query = connect_url(app)
    code = zalo.grant(zalo.oa_id, query["code_challenge"], name="Cửa hàng Hoa Mai")
    status, page = callback(app, code=code, oa_id=zalo.oa_id, state=query["state"])
    assert status == 200 and "OA connected" in page and "Cửa hàng Hoa Mai" in page
    pair = stored(app, zalo)
    assert pair is not None and pair.access_token == zalo.access_token  # the new pair
    oa = services_of(app).assets.get("oa", zalo.oa_id)
    assert oa is not None and oa.linked and oa.name == "Cửa hàng Hoa Mai"
    assert pasted is not None
    zalo.expire_access_token(pasted.access_token)  # only the connected pair works now
    assert Chat(app, zalo).say("menu") != ""
    audited = [e for e in AuditLog(rdb).latest(5) if e.command == "oa connect"]
    assert [(e.target, e.result) for e in audited] == [(f"oa:{zalo.oa_id}", "connected")]
    shown = app.test_cli_runner().invoke(args=["zalo", "tokens", "show"])
    assert shown.exit_code == 0 and "by flask oa connect" in shown.output


def test_the_callback_page_speaks_bot_language(config: dict[str, Any]) -> None:
    with production_bot(config, PUBLIC_BASE_URL=PUBLIC) as (app, zalo, _sms):
        query = connect_url(app)  # the CLI's words stay English
        code = zalo.grant(zalo.oa_id, query["code_challenge"])
        args = {"code": code, "oa_id": zalo.oa_id, "state": query["state"]}
        status, page = callback(app, **args)
        assert status == 200 and '<html lang="vi">' in page
        assert "Đã kết nối OA" in page and "đã cấp quyền cho App" in page
        assert "granted" not in page and 'id="back"' not in page  # no simulator outside sandbox
        status, page = callback(app, **args)
        assert status == 400 and "Chưa kết nối được OA" in page
        assert "Đường dẫn này đã được dùng hoặc đã quá mười phút" in page
        assert "already used" not in page


def test_a_replayed_callback_is_refused_and_changes_nothing(bot: tuple[Flask, FakeZalo]) -> None:
    app, zalo = bot
    query = connect_url(app)
    code = zalo.grant(zalo.oa_id, query["code_challenge"])
    args = {"code": code, "oa_id": zalo.oa_id, "state": query["state"]}
    assert callback(app, **args)[0] == 200
    before = stored(app, zalo)
    status, page = callback(app, **args)
    assert status == 400 and "already used" in page
    assert stored(app, zalo) == before


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("unknown_state", "already used or is older than ten minutes"),
        ("no_code", "did not grant"),
        ("wrong_verifier", "already used or has expired"),
        ("wrong_secret", "App Secret"),
        ("other_oa_named", "belongs to another OA"),
    ],
)
def test_a_refused_connection_says_why_and_stores_nothing(
    bot: tuple[Flask, FakeZalo], case: str, expected: str
) -> None:
    app, zalo = bot
    before = stored(app, zalo)
    query = connect_url(app)
    oa_id = zalo.oa_id
    challenge = Pkce.new().challenge if case == "wrong_verifier" else query["code_challenge"]
    code = zalo.grant(oa_id, challenge)
    args = {"code": code, "oa_id": oa_id, "state": query["state"]}
    if case == "unknown_state":
        args["state"] = "never-issued"
    elif case == "no_code":
        del args["code"]
    elif case == "wrong_secret":
        zalo.app_secret = "rotated-in-the-console"
    elif case == "other_oa_named":
        args["oa_id"] = "3300000000000000033"
    status, page = callback(app, **args)
    assert status == 400 and expected in page
    assert stored(app, zalo) == before
    assert services_of(app).assets.get("oa", "3300000000000000033") is None


def test_an_answer_without_access_token_stores_nothing(bot: tuple[Flask, FakeZalo]) -> None:
    app, zalo = bot
    before = stored(app, zalo)
    query = connect_url(app)
    code = zalo.grant(zalo.oa_id, query["code_challenge"])
    zalo.fail_next("oauth", error=-14002, message="App not activated")
    status, page = callback(app, code=code, oa_id=zalo.oa_id, state=query["state"])
    assert status == 400 and "not activated" in page
    assert stored(app, zalo) == before


def test_connect_needs_a_public_https_address(config: dict[str, Any]) -> None:
    with production_bot(config) as (app, _zalo, _sms):
        result = app.test_cli_runner().invoke(args=["oa", "connect"])
        assert result.exit_code != 0 and "PUBLIC_BASE_URL is not set" in result.output
    with FakeZalo() as zalo, pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        create_app(
            {**config, "BOT_SANDBOX": "0", **zalo.config(), "OTP_HASH_KEY": "k" * 32,
             "SMS_PROVIDER": "http", "SMS_HTTP_URL": "https://sms.example",
             "PUBLIC_BASE_URL": "http://bot.example.vn"}
        )  # fmt: skip


def test_an_expired_state_or_a_profile_zalo_refuses_stores_nothing(
    bot: tuple[Flask, FakeZalo], rdb: redis.Redis
) -> None:
    app, zalo = bot
    other_oa = "3500000000000000035"
    before = stored(app, zalo)
    query = connect_url(app)
    rdb.delete(f"oauth:state:{query['state']}")  # what its ten-minute expiry does
    code = zalo.grant(zalo.oa_id, query["code_challenge"])
    status, page = callback(app, code=code, oa_id=zalo.oa_id, state=query["state"])
    assert status == 400 and "older than ten minutes" in page
    query = connect_url(app)
    code = zalo.grant(other_oa, query["code_challenge"])
    zalo.fail_next("getoa", error=-216, message="Access token is invalid")
    status, page = callback(app, code=code, oa_id=other_oa, state=query["state"])
    assert status == 400 and "did not show the OA&#39;s profile" in page  # escaped
    assert stored(app, zalo) == before and stored_for(app, zalo.app_id, other_oa) is None
    assert services_of(app).assets.get("oa", other_oa) is None
    assert services_of(app).registry.get(other_oa) is None


def test_a_second_oa_granting_the_app_is_connected_beside_the_first(
    bot: tuple[Flask, FakeZalo],
) -> None:
    app, zalo = bot
    other_oa = "3500000000000000035"
    first = stored(app, zalo)
    query = connect_url(app)
    code = zalo.grant(other_oa, query["code_challenge"], name="Chi nhánh")
    status, page = callback(app, code=code, oa_id=other_oa, state=query["state"])
    assert status == 200 and "Chi nhánh" in page
    second = stored_for(app, zalo.app_id, other_oa)
    assert second is not None and zalo.token_oa[second.access_token] == other_oa
    assert stored(app, zalo) == first  # the first OA's pair untouched
    oa = services_of(app).registry.get(other_oa)
    assert oa is not None and (oa.app_id, oa.name, oa.can_refresh) == (
        zalo.app_id,
        "Chi nhánh",
        True,
    )
