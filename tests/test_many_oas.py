"""Two OAs of one App, served side by side by one worker: the second connected by OAuth (no
pasted token), each answered with its own token and greeted with its own name, a number
verified once in each, one OA's refused token holding only that OA, and an unlink of one
OA while events flow stopping it at once. Production mode, against the loopback fake."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import redis
from flask import Flask
from prometheus_client import REGISTRY

from bot.admin.unlink import unlink_asset
from bot.keys import UserRef
from bot.queues.outbox import Outbox
from bot.services import services_of
from bot.verification.accounts import AccountStore
from bot.web.sandbox_events import follow_event, text_event
from bot.zalo.sending import Sending
from bot.zalo.token_store import RedisRefreshBackoff, RedisTokenStorage, legacy_tokens_key
from tests.fakes.sms import FakeSmsGateways
from tests.fakes.zalo import FakeZalo
from tests.helpers import background_worker, main_tokens, post_event, run_jobs, wait_for
from tests.production import Chat, production_bot
from zalo_api.oauth import TokenPair

PUBLIC = "https://bot.example.vn"
SECOND_OA = "3500000000000000035"
SECOND_NAME = "Chi nhánh Hà Nội"
PHONE = "+84912345678"
ADMIN = "7100000000000000071"  # an admin of the main OA
MENU = "Mình có thể giúp bạn"
PORTAL_KEY = "portal-key-many-oas-0123456789abcdef"


@pytest.fixture
def two_oas(config: dict[str, Any]) -> Iterator[tuple[Flask, FakeZalo, FakeSmsGateways]]:
    """A production bot of the fake's App serving its first OA (env tokens) and a second
    one connected by `flask oa connect`."""
    extra = {"PUBLIC_BASE_URL": PUBLIC, "ADMIN_ZALO_IDS": ADMIN, "PORTAL_API_KEY": PORTAL_KEY}
    with production_bot(config, **extra) as (app, zalo, sms):
        main_tokens(app).access_token()  # the env tokens are seeded, as at start
        connect(app, zalo, SECOND_OA, SECOND_NAME)
        yield app, zalo, sms


def connect(app: Flask, zalo: FakeZalo, oa_id: str, name: str) -> None:
    """`flask oa connect`, the OA admin's grant on Zalo's page, Zalo's redirect back."""
    printed = app.test_cli_runner().invoke(args=["oa", "connect"])
    url = next(w for w in printed.output.split() if "/v4/oa/permission?" in w)
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    code = zalo.grant(oa_id, query["code_challenge"], name=name)
    args = {"code": code, "oa_id": oa_id, "state": query["state"]}
    answer = app.test_client().get("/oauth/zalo/callback", query_string=args)
    assert answer.status_code == 200, answer.get_data(as_text=True)


def second_chat(app: Flask, zalo: FakeZalo, user: str = "7000000000000000002") -> Chat:
    """A user of the second OA: its events come signed with the App's one webhook key."""
    return Chat(app, zalo, user, via=(zalo.app_id, SECOND_OA, zalo.oa_secret_key))


def oas_of(zalo: FakeZalo, user: str) -> set[str]:
    """The OAs whose tokens carried the messages user received."""
    return {sent.oa_id for sent in zalo.payloads(user)}


def ignored(reason: str) -> float:
    """bot_events_ignored_total for reason."""
    return REGISTRY.get_sample_value("bot_events_ignored_total", {"reason": reason}) or 0.0


def verify_by_sms(chat: Chat, sms: FakeSmsGateways) -> str:
    """The whole SMS dialogue for PHONE; the bot's last answer."""
    chat.say("xác thực")
    chat.say("0912 345 678")
    chat.say("1")
    code = sms.last_code_to(PHONE)
    assert code is not None
    return chat.say(code)


def test_each_oa_of_the_app_answers_with_its_own_token_and_name(
    two_oas: tuple[Flask, FakeZalo, FakeSmsGateways], rdb: redis.Redis
) -> None:
    app, zalo, _sms = two_oas
    first, second = Chat(app, zalo), second_chat(app, zalo, "7000000000000000001")
    assert first.say("menu").startswith(MENU)
    assert second.say("menu").startswith(MENU)  # the same user id, another OA: another person
    assert oas_of(zalo, first.user) == {zalo.oa_id, SECOND_OA}  # one id seen by both OAs
    welcome = second.send(follow_event(second.user, app_id=zalo.app_id, oa_id=SECOND_OA))
    assert f"Chào mừng bạn đến với {SECOND_NAME}!" in welcome[0]
    pairs = [RedisTokenStorage(rdb, zalo.app_id, oa).load() for oa in (zalo.oa_id, SECOND_OA)]
    assert pairs[0] is not None and pairs[1] is not None
    assert pairs[0].access_token != pairs[1].access_token  # kept apart, per App and OA
    assert zalo.token_oa[pairs[1].access_token] == SECOND_OA


def test_no_cross_talk_between_the_oas_of_one_app(
    two_oas: tuple[Flask, FakeZalo, FakeSmsGateways],
) -> None:
    app, zalo, _sms = two_oas
    firsts = [Chat(app, zalo, f"70000000000000001{n:02}") for n in range(4)]
    seconds = [second_chat(app, zalo, f"70000000000000002{n:02}") for n in range(4)]
    client = app.test_client()
    for chat in firsts + seconds:  # every event in the inbox first: one worker, mixed users
        event = menu_event(chat, f"m-{chat.user}")
        assert post_event(client, event, secret=chat.secret).status_code == 200
    run_jobs(app)
    for chat in firsts:
        assert oas_of(zalo, chat.user) == {zalo.oa_id}
    for chat in seconds:
        assert oas_of(zalo, chat.user) == {SECOND_OA}


def test_a_number_is_verified_once_in_each_oa(
    two_oas: tuple[Flask, FakeZalo, FakeSmsGateways],
) -> None:
    app, zalo, sms = two_oas
    assert "Xác thực thành công" in verify_by_sms(Chat(app, zalo), sms)
    assert "Xác thực thành công" in verify_by_sms(second_chat(app, zalo), sms)
    accounts = AccountStore(services_of(app).redis)
    assert accounts.owner_of(zalo.oa_id, PHONE) == "7000000000000000001"
    assert accounts.owner_of(SECOND_OA, PHONE) == "7000000000000000002"
    other = second_chat(app, zalo, "7000000000000000003")  # same OA, same number: refused
    other.say("xác thực")
    assert "1. SMS" not in other.say("0912 345 678")
    assert accounts.owner_of(SECOND_OA, PHONE) == "7000000000000000002"


def test_one_oas_refused_token_holds_only_that_oa(
    two_oas: tuple[Flask, FakeZalo, FakeSmsGateways], rdb: redis.Redis
) -> None:
    app, zalo, _sms = two_oas
    first, second = Chat(app, zalo), second_chat(app, zalo)
    assert first.say("menu").startswith(MENU)
    first_pair = RedisTokenStorage(rdb, zalo.app_id, zalo.oa_id).load()
    zalo.refuse_tokens(oa_id=SECOND_OA)  # even a refreshed one
    assert second.say("menu") == ""
    assert Sending(rdb, SECOND_OA).read().state == "held"
    assert first.say("menu").startswith(MENU)  # the first OA keeps sending
    assert Sending(rdb, zalo.oa_id).read().state == "ok"
    assert RedisTokenStorage(rdb, zalo.app_id, zalo.oa_id).load() == first_pair
    # Each OA's refresh backoff is its own: the second OA's refusals do not delay the first's.
    assert RedisRefreshBackoff(rdb, zalo.app_id, SECOND_OA).attempts()[0] >= 1
    assert RedisRefreshBackoff(rdb, zalo.app_id, zalo.oa_id).attempts() == (0, 0.0)
    zalo.refuse_tokens(False, oa_id=SECOND_OA)
    services_of(app).registry.invalidate()
    # The held reply goes out once the second OA's token works again (its next probe).
    wait_for(lambda: run_jobs(app) > 0 and zalo.messages_to(second.user) != [], seconds=10)
    assert oas_of(zalo, second.user) == {SECOND_OA}
    assert zalo.messages_to(second.user)[0].startswith(MENU)
    wait_for(lambda: Sending(rdb, SECOND_OA).read().state == "ok")


def sending_states(app: Flask) -> dict[str, str]:
    """Each OA's sending state as /readyz, /metrics and `flask zalo status` show it."""
    client = app.test_client()
    ready = {oa: found["state"] for oa, found in client.get("/readyz").json["zalo_sending"].items()}
    metrics = client.get("/metrics").get_data(as_text=True)
    gauge = dict(re.findall(r'bot_zalo_sending\{oa="(\d+)",state="(\w+)"\} 1\.0', metrics))
    status = app.test_cli_runner().invoke(args=["zalo", "status"]).output
    cli = dict(re.findall(r"^(\d+)\t(\w+)", status, re.MULTILINE))
    assert ready == gauge == cli
    return ready


def test_each_served_oa_has_its_sending_state_and_an_unlinked_one_none(
    two_oas: tuple[Flask, FakeZalo, FakeSmsGateways], rdb: redis.Redis
) -> None:
    app, zalo, _sms = two_oas
    assert sending_states(app) == {zalo.oa_id: "ok", SECOND_OA: "ok"}  # never held: ok
    second = second_chat(app, zalo)
    zalo.refuse_tokens(oa_id=SECOND_OA)
    assert second.say("menu") == ""
    assert sending_states(app) == {zalo.oa_id: "ok", SECOND_OA: "held"}
    with app.app_context():
        assert unlink_asset(zalo.oa_id, ADMIN, "oa", SECOND_OA, "vi") == "ok"
    assert sending_states(app) == {zalo.oa_id: "ok"}  # not served: no alert left held
    assert not rdb.exists(Sending(rdb, SECOND_OA).key)
    run_jobs(app)  # its held reply is dropped at once (unlinked), not one per probe
    assert rdb.llen(Outbox(rdb, UserRef(SECOND_OA, second.user)).key) == 0
    assert zalo.messages_to(second.user) == []


def test_unlinking_one_oa_while_events_flow_stops_it_at_once(
    two_oas: tuple[Flask, FakeZalo, FakeSmsGateways], rdb: redis.Redis
) -> None:
    app, zalo, _sms = two_oas
    first = Chat(app, zalo)
    seconds = [second_chat(app, zalo, f"70000000000000003{n:02}") for n in range(3)]
    stop, posted = threading.Event(), []

    def flow() -> None:  # the second OA's users keep writing while the admin unlinks it
        client, n = app.test_client(), 0
        while not stop.is_set():
            chat = seconds[n % len(seconds)]
            answer = post_event(client, menu_event(chat, f"flow-{n}"), secret=chat.secret)
            posted.append(answer.status_code)
            n += 1
            stop.wait(0.01)

    def admin_says(text: str, expected: str) -> None:
        """The main OA's admin types text; wait for the bot's answer containing expected."""
        event = text_event(ADMIN, text, app_id=zalo.app_id, oa_id=zalo.oa_id)
        assert post_event(app.test_client(), event, secret=zalo.oa_secret_key).status_code == 200
        wait_for(lambda: any(expected in m for m in zalo.messages_to(ADMIN)))

    def sent_to_second() -> int:
        return sum(len(zalo.payloads(c.user)) for c in seconds)

    before_ignored = ignored("unlinked")
    writer = threading.Thread(target=flow)
    with background_worker(app):  # one worker serves both OAs, as `make run`'s does
        writer.start()
        try:
            wait_for(lambda: sent_to_second() >= 3)  # the second OA is being answered
            admin_says(f"/unlink oa {SECOND_OA}", "XÁC NHẬN")
            admin_says("confirm", "Bot đã ngừng dùng")  # the job ran among the flowing events
            sent_at_report = sent_to_second()
            wait_for(lambda: ignored("unlinked") > before_ignored + 3)
        finally:
            stop.set()
            writer.join(10)
    run_jobs(app)  # whatever was recorded before the unlink is dropped, not sent
    assert set(posted) == {200}  # every event acknowledged
    assert sent_to_second() == sent_at_report  # nothing sent for it after the report
    assert RedisTokenStorage(rdb, zalo.app_id, SECOND_OA).load() is None  # tokens deleted
    asset = services_of(app).assets.get("oa", SECOND_OA)
    assert asset is not None and asset.status == "unlinked" and asset.name == SECOND_NAME
    assert first.say("menu").startswith(MENU)  # the first OA is unaffected
    assert oas_of(zalo, first.user) == {zalo.oa_id}
    assert Sending(rdb, zalo.oa_id).read().state == "ok"
    connect(app, zalo, SECOND_OA, SECOND_NAME)  # connecting it again brings it back
    assert seconds[0].say("menu").startswith(MENU)


def menu_event(chat: Chat, msg_id: str) -> dict[str, Any]:
    """chat's user types 'menu' to chat's OA."""
    return text_event(chat.user, "menu", msg_id=msg_id, app_id=chat.app_id, oa_id=chat.oa_id)


def test_the_main_oas_pair_of_the_app_keyed_layout_is_adopted(
    config: dict[str, Any], rdb: redis.Redis
) -> None:
    with production_bot(config) as (app, zalo, _sms):
        old = TokenPair("old-layout-access", "old-layout-refresh", time.time() + 3600)
        storage = RedisTokenStorage(rdb, zalo.app_id, zalo.oa_id)
        rdb.set(legacy_tokens_key(zalo.app_id), storage.encode(old))
        assert main_tokens(app).storage.load() == old  # not the env pair
        assert not rdb.exists(legacy_tokens_key(zalo.app_id))
        assert storage.load() == old


def test_the_portal_api_serves_each_oa_by_its_oa_id(
    two_oas: tuple[Flask, FakeZalo, FakeSmsGateways],
) -> None:
    app, zalo, sms = two_oas
    client = app.test_client()
    auth = {"Authorization": f"Bearer {PORTAL_KEY}"}

    def post(path: str, **body: Any) -> Any:
        return client.post(f"/api/v1/{path}", json={"account_id": "cz-1", **body}, headers=auth)

    for oa_id in (None, SECOND_OA):  # the main OA by default, then the second by its id
        chosen = {"oa_id": oa_id} if oa_id else {}
        started = post("verifications", phone="0912345678", channel="sms", **chosen)
        assert started.status_code == 201, started.get_json()
        run_jobs(app)  # the code goes out
        code = sms.last_code_to(PHONE)
        checked = post("verifications/check", code=code, **chosen)
        assert checked.get_json()["status"] == "approved"  # once in each OA
    accounts = AccountStore(services_of(app).redis)
    assert accounts.owner_of(zalo.oa_id, PHONE) == accounts.owner_of(SECOND_OA, PHONE)
    link = post("links", oa_id=SECOND_OA).get_json()
    assert link["chat_url"] == f"https://zalo.me/{SECOND_OA}"
    read = client.get("/api/v1/accounts/cz-1", query_string={"oa_id": SECOND_OA}, headers=auth)
    assert read.status_code == 200 and read.get_json()["phone"] == PHONE
    for unknown in ("9999", 42):
        refused = post("verifications", phone="0912345678", channel="sms", oa_id=unknown)
        assert refused.status_code == 400
        assert refused.get_json()["error"] == ("unknown_oa" if unknown == "9999" else "bad_request")
    missing = client.get("/api/v1/accounts/cz-1?oa_id=9999", headers=auth)
    assert missing.status_code == 400 and missing.get_json()["error"] == "unknown_oa"


def test_an_oa_configured_for_another_app_is_not_connected_through_this_one(
    config: dict[str, Any], rdb: redis.Redis
) -> None:
    extra_oa, extra_app = "3400000000000000034", "3300000000000000033"
    settings = {"PUBLIC_BASE_URL": PUBLIC, "ZALO_EXTRA_APPS": f"{extra_app}:extra-key:{extra_oa}"}
    with production_bot(config, **settings) as (app, zalo, _sms):
        printed = app.test_cli_runner().invoke(args=["oa", "connect"])
        url = next(w for w in printed.output.split() if "/v4/oa/permission?" in w)
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        code = zalo.grant(extra_oa, query["code_challenge"])
        args = {"code": code, "oa_id": extra_oa, "state": query["state"]}
        answer = app.test_client().get("/oauth/zalo/callback", query_string=args)
        assert answer.status_code == 400
        assert f"qua App {extra_app}" in answer.get_data(as_text=True)  # in BOT_LANGUAGE
        assert RedisTokenStorage(rdb, zalo.app_id, extra_oa).load() is None


def test_the_second_oa_has_its_own_admins(
    two_oas: tuple[Flask, FakeZalo, FakeSmsGateways],
) -> None:
    app, zalo, _sms = two_oas
    runner = app.test_cli_runner()
    boss = second_chat(app, zalo, ADMIN)  # the main OA's admin id, seen through the second OA
    assert zalo.app_id not in boss.say("/assets")  # ADMIN_ZALO_IDS are the first OA's only
    added = runner.invoke(args=["admins", "add", "7000000000000000077", "--oa", SECOND_OA])
    assert added.exit_code == 0 and f"of OA {SECOND_OA}" in added.output
    assert zalo.app_id in second_chat(app, zalo, "7000000000000000077").say("/assets")
    typo = runner.invoke(args=["admins", "add", "7000000000000000077", "--oa", "3500"])
    assert typo.exit_code != 0 and "not served here" in typo.output
