"""Each OA answers with its own token: a user of an extra App's OA (ZALO_EXTRA_APPS) gets
replies and Zalo codes through that OA's outbound, never the main OA's, and one OA's refused
token holds only that OA's sends. Production mode, against the loopback fake of Zalo."""

from __future__ import annotations

from typing import Any

import redis
from flask import Flask

from bot.config import Settings
from bot.oas import OARegistry
from bot.zalo.sending import Sending
from bot.zalo.token_store import RedisTokenStorage
from tests.fakes.zalo import FakeZalo
from tests.leakcheck import remember
from tests.production import Chat, production_bot

EXTRA_APP, EXTRA_KEY, EXTRA_OA = "3300000000000000033", "extra-webhook-key", "3400000000000000034"
EXTRA = {"ZALO_EXTRA_APPS": f"{EXTRA_APP}:{EXTRA_KEY}:{EXTRA_OA}"}
MENU = "Mình có thể giúp bạn"


def extra_chat(app: Flask, zalo: FakeZalo) -> Chat:
    """A user writing to the extra App's OA, whose tokens an operator set with the CLI."""
    access, refresh = zalo.issue_pair(oa_id=EXTRA_OA)
    remember(EXTRA_KEY, access, refresh)
    given = f"{access}\n{refresh}\n"
    stored = app.test_cli_runner().invoke(
        args=["zalo", "tokens", "set", "--oa", EXTRA_OA], input=given
    )
    assert stored.exit_code == 0, stored.output
    return Chat(app, zalo, "7000000000000000002", via=(EXTRA_APP, EXTRA_OA, EXTRA_KEY))


def oas_of(zalo: FakeZalo, user: str) -> set[str]:
    """The OAs whose tokens carried the messages user received."""
    return {sent.oa_id for sent in zalo.payloads(user)}


def test_the_registry_has_the_main_oa_and_one_per_extra_app_with_an_oa() -> None:
    settings = Settings(zalo_app_id="a1", zalo_app_secret="s1", zalo_oa_id="o1",
                        zalo_oa_secret_key="k1", bot_oa_name="Shop", zns_otp_template_id="t1",
                        zalo_extra_apps=("a2:k2:o2", "a3:k3"))  # fmt: skip
    registry = OARegistry.from_settings(settings)
    main, extra = registry.all()
    assert (main.oa_id, main.app_id, main.name, main.can_refresh) == ("o1", "a1", "Shop", True)
    assert (extra.oa_id, extra.app_id, extra.can_refresh) == ("o2", "a2", False)
    assert extra.zns_template_id == "t1" and registry.get("o3") is None
    without_oa = registry.app("a3")
    assert without_oa is not None and without_oa.oa_id is None and not without_oa.serves("o1")


def test_each_oa_answers_its_users_with_its_own_token(config: dict[str, Any]) -> None:
    with production_bot(config, **EXTRA) as (app, zalo, _sms):
        extra = extra_chat(app, zalo)
        main = Chat(app, zalo)
        assert extra.say("menu").startswith(MENU)
        assert main.say("menu").startswith(MENU)
        assert oas_of(zalo, extra.user) == {EXTRA_OA}
        assert oas_of(zalo, main.user) == {zalo.oa_id}


def test_a_zalo_code_goes_with_the_users_oa_token(config: dict[str, Any]) -> None:
    with production_bot(config, **EXTRA) as (app, zalo, _sms):
        extra = extra_chat(app, zalo)
        extra.say("xác thực zalo")
        assert "tin nhắn Zalo" in extra.say("0912345678")
        (sent,) = zalo.zns_sent
        assert sent.oa_id == EXTRA_OA and sent.template_id == "otp-template"
        assert "qua Zalo" in extra.say(sent.template_data["otp"])


def test_a_refused_extra_token_holds_only_that_oa(config: dict[str, Any], rdb: redis.Redis) -> None:
    with production_bot(config, **EXTRA) as (app, zalo, _sms):
        extra = extra_chat(app, zalo)
        main = Chat(app, zalo)
        assert main.say("menu").startswith(MENU)
        main_pair = RedisTokenStorage(rdb, zalo.app_id, zalo.oa_id).load()
        assert main_pair is not None
        zalo.refuse_tokens(oa_id=EXTRA_OA)  # revoked: only a new pair from the operator helps
        assert extra.say("menu") == ""
        held = Sending(rdb, EXTRA_OA).read()
        assert held.state == "held" and f"flask zalo tokens set --oa {EXTRA_OA}" in held.reason
        assert main.say("trạng thái")  # the main OA keeps sending
        assert oas_of(zalo, main.user) == {zalo.oa_id} and oas_of(zalo, extra.user) == set()
        assert Sending(rdb, zalo.oa_id).read().state == "ok"
        assert zalo.refresh_calls == 0  # neither OA's refresh token was spent
        assert RedisTokenStorage(rdb, zalo.app_id, zalo.oa_id).load() == main_pair
