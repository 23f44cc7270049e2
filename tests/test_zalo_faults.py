"""Zalo refusing the bot (its token, the OA) holds replies and codes; it drops nothing, logs one
ERROR per stop and one INFO per resume, and sends everything in order once Zalo accepts again.
The worker's stage runners run here (bot.worker.crew), against the loopback fake of Zalo."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from prometheus_client import REGISTRY

from bot.keys import UserRef
from bot.queues.outbox import Outbox
from bot.services import services_of
from bot.worker.crew import Crew
from bot.zalo.sending import Sending
from tests.fakes.zalo import FakeZalo
from tests.helpers import post_event, user_event, wait_for
from tests.production import Chat, production_bot

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]
USERS = [f"71000000000000{n:05d}" for n in range(40)]
SAYINGS = ("menu", "trạng thái", "menu")  # two different answers: their order shows


@contextmanager
def crew_of(app: Flask) -> Iterator[Crew]:
    """The worker process's runners and sweeper, in threads of this process."""
    crew = Crew(app)
    crew.start()
    try:
        yield crew
    finally:
        crew.stop()


def say(app: Flask, zalo: FakeZalo, user: str, text: str) -> None:
    """A signed text event from user (the crew handles it)."""
    message = {"text": text, "msg_id": uuid.uuid4().hex}
    event = user_event("user_send_text", user, message=message,
                       app_id=zalo.app_id, oa_id=zalo.oa_id)  # fmt: skip
    client = app.test_client()
    assert post_event(client, event, secret=zalo.oa_secret_key).status_code == 200


def expected_answers(app: Flask, zalo: FakeZalo) -> list[str]:
    """What one user reads after SAYINGS, when nothing fails (a control user)."""
    control = "7199999999999999999"
    for text in SAYINGS:
        say(app, zalo, control, text)
        wait_for(lambda: len(zalo.messages_to(control)) >= 1)
        time.sleep(0.2)
    wait_for(lambda: len(zalo.messages_to(control)) >= len(SAYINGS))
    time.sleep(0.5)
    return zalo.messages_to(control)


def error_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The ERROR lines logged so far."""
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def one_line_per_refresh(caplog: pytest.LogCaptureFixture) -> None:
    """Each refresh attempt is logged once, and its token's refusal at most once (not once
    per send that met it)."""
    lines = [r.getMessage() for r in caplog.records if r.name == "zalo_api.tokens"]
    refreshed = [line for line in lines if "refreshed (attempt" in line]
    refused = [line for line in lines if "refuses the refreshed" in line]
    assert refused and len(refused) <= len(refreshed)


def sending_state(app: Flask, zalo: FakeZalo) -> str:
    """The OA's state as stored."""
    return Sending(services_of(app).redis, zalo.oa_id).read().state


def all_answered(zalo: FakeZalo, expected: list[str]) -> bool:
    """Whether every user read exactly the expected answers (so far)."""
    return all(len(zalo.messages_to(user)) >= len(expected) for user in USERS)


def test_a_token_refused_seconds_after_its_refresh_while_40_users_chat(
    config: dict[str, Any], caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    with production_bot(config) as (app, zalo, _sms), crew_of(app):
        zalo.expire_access_token()  # the seeded token is refused: the bot refreshes it
        expected = expected_answers(app, zalo)
        assert zalo.refresh_calls == 1
        time.sleep(2)
        zalo.refuse_tokens()  # 2 s after the refresh, Zalo refuses every token for a while
        for text in SAYINGS:
            for user in USERS:
                say(app, zalo, user, text)
        wait_for(lambda: sending_state(app, zalo) == "held")
        time.sleep(4)
        zalo.refuse_tokens(False)
        working_again = time.monotonic()
        wait_for(lambda: all_answered(zalo, expected), seconds=20)
        recovered_in = time.monotonic() - working_again
        with capsys.disabled():
            print(f"\ntoken working again: every held reply out {recovered_in:.1f} s later")
        assert recovered_in < 20
        time.sleep(1)  # nothing more comes: none twice
        assert all(zalo.messages_to(user) == expected for user in USERS)
        assert sending_state(app, zalo) == "ok"
        assert zalo.refresh_calls < 8  # a backoff, not a refresh per message
        stops = [line for line in error_lines(caplog) if "sending through OA" in line]
        assert len(stops) == 1 and error_lines(caplog) == stops
        one_line_per_refresh(caplog)


def test_a_token_revoked_2_s_after_its_refresh_is_refreshed_again_at_once(
    config: dict[str, Any],
) -> None:
    with production_bot(config) as (app, zalo, _sms), crew_of(app):
        zalo.expire_access_token()  # the seeded token is refused: the bot refreshes it
        expected = expected_answers(app, zalo)
        time.sleep(2)
        zalo.expire_access_token(zalo.access_token)  # revoked elsewhere, 2 s after
        revoked = time.monotonic()
        for text in SAYINGS:
            for user in USERS[:10]:
                say(app, zalo, user, text)
        wait_for(lambda: all(zalo.messages_to(u) == expected for u in USERS[:10]), seconds=15)
        assert time.monotonic() - revoked < 15 and zalo.refresh_calls == 2


def test_a_token_refused_for_ten_minutes_drops_nothing(
    config: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    with production_bot(config) as (app, zalo, _sms), crew_of(app):
        expected = expected_answers(app, zalo)
        # Ten minutes pass for the token's backoff in 8 s: its clock runs 75 times faster.
        services, start = services_of(app), time.time()
        services.outbound(services.registry.main.oa_id).tokens.clock = lambda: (
            start + (time.time() - start) * 75
        )
        zalo.refuse_tokens()
        for text in SAYINGS:
            for user in USERS[:10]:
                say(app, zalo, user, text)
        time.sleep(8)
        assert [u for u in USERS[:10] if zalo.messages_to(u)] == []  # held...
        outbox = Outbox(services.redis, UserRef(zalo.oa_id, USERS[0]))
        assert services.redis.llen(outbox.key) == 3  # ...not dropped
        # Probes every 2 s (150 s on the token's clock) meet a backoff of 2, 4, 8 ... 300 s:
        # a handful of refresh tokens spent, not one per message or per probe.
        assert 2 <= zalo.refresh_calls <= 8
        zalo.refuse_tokens(False)
        wait_for(lambda: all(zalo.messages_to(u) == expected for u in USERS[:10]), seconds=20)
        stops = [line for line in error_lines(caplog) if "sending through OA" in line]
        assert len(stops) == 1 and error_lines(caplog) == stops
        resumed = [r for r in caplog.records if "resumed after" in r.getMessage()]
        assert len(resumed) == 1
        one_line_per_refresh(caplog)


def test_a_code_held_past_its_validity_is_not_sent_and_the_user_may_resend(
    config: dict[str, Any],
) -> None:
    short = {"OTP_ZALO_TTL_SECONDS": "3", "ZNS_DELIVERY_WAIT_SECONDS": "2"}
    with production_bot(config, **short) as (app, zalo, _sms), crew_of(app):
        chat = Chat(app, zalo)
        for text in ("xác thực", "0912345678"):
            read = len(zalo.messages_to(chat.user))
            say(app, zalo, chat.user, text)
            wait_for(lambda read=read: len(zalo.messages_to(chat.user)) > read)
        zalo.fail_always("zns", error=-124)  # the ZNS token is refused
        zalo.fail_always("cs", error=-216)
        say(app, zalo, chat.user, "2")  # Zalo code
        wait_for(lambda: sending_state(app, zalo) == "held")
        time.sleep(4)  # the code's 3 s run out while it is held
        zalo.stop_failing("zns"), zalo.stop_failing("cs")
        wait_for(lambda: "không gửi kịp" in (zalo.messages_to(chat.user) or [""])[-1])
        assert zalo.zns_sent == []  # the expired code was never sent
        last = zalo.payloads(chat.user)[-1].message
        assert last["attachment"]["payload"]["buttons"][0]["payload"] == "#resend"


# Every code of the table is sorted in tests/zalo_api/test_zalo_errors.py; these go end to end.
@pytest.mark.parametrize("code", [-204, -223, -211])
def test_an_oa_that_cannot_send_holds_replies_until_it_can(
    config: dict[str, Any], code: int, caplog: pytest.LogCaptureFixture
) -> None:
    with production_bot(config) as (app, zalo, _sms), crew_of(app):
        zalo.fail_always("cs", error=code)
        user = USERS[0]
        for text in SAYINGS:
            say(app, zalo, user, text)
        wait_for(lambda: sending_state(app, zalo) == "held")
        time.sleep(2.5)
        assert zalo.messages_to(user) == [] and zalo.calls["cs"] <= 4  # one probe in 2 s
        zalo.stop_failing("cs")
        wait_for(lambda: len(zalo.messages_to(user)) == len(SAYINGS))
        # The fake records a send before it answers; the sender marks the OA resumed after.
        wait_for(lambda: sending_state(app, zalo) == "ok")
        assert [line for line in error_lines(caplog) if str(code) in line] != []


def refusals(reason: str) -> float:
    """Messages refused because of the user, for reason."""
    return REGISTRY.get_sample_value("bot_zalo_user_refusals_total", {"reason": reason}) or 0.0


@pytest.mark.parametrize(
    ("code", "reason"),
    [(-213, "not_follower"), (-217, "blocked"), (-227, "banned_or_inactive"),
     (-230, "outside_window"), (-232, "outside_window"), (-244, "type_restricted"),
     (-218, "user_limit")],
)  # fmt: skip
def test_a_user_who_cannot_receive_is_not_retried_and_counted_by_reason(
    config: dict[str, Any], code: int, reason: str
) -> None:
    before = refusals(reason)
    with production_bot(config) as (app, zalo, _sms):
        chat = Chat(app, zalo)
        zalo.fail_next("cs", error=code)
        assert chat.say("menu") == ""
        assert zalo.calls["cs"] == 1  # not retried
        assert chat.say("menu").startswith("Mình có thể giúp bạn")  # nothing else held up
    assert refusals(reason) == before + 1


@pytest.mark.parametrize("code", [-201, -210, -233, -240])
def test_a_malformed_request_is_dropped_with_an_error_never_looped(
    config: dict[str, Any], code: int, caplog: pytest.LogCaptureFixture
) -> None:
    with production_bot(config) as (app, zalo, _sms):
        chat = Chat(app, zalo)
        zalo.fail_next("cs", error=code)
        assert chat.say("menu") == ""
        assert zalo.calls["cs"] == 1
        assert chat.say("menu").startswith("Mình có thể giúp bạn")
    assert any("malformed" in line for line in error_lines(caplog))


def test_the_state_is_on_readyz_metrics_and_the_cli(config: dict[str, Any]) -> None:
    with production_bot(config) as (app, zalo, _sms):
        Sending(services_of(app).redis, zalo.oa_id).hold("oa: Zalo error -204: OA disabled")
        ready = app.test_client().get("/readyz").get_json()
        state = ready["zalo_sending"][zalo.oa_id]
        assert state["state"] == "held" and "-204" in state["reason"] and state["since"]
        metrics = app.test_client().get("/metrics").get_data(as_text=True)
        assert f'bot_zalo_sending{{oa="{zalo.oa_id}",state="held"}} 1.0' in metrics
        result: Result = app.test_cli_runner().invoke(args=["zalo", "status"])
        assert result.exit_code == 0 and f"{zalo.oa_id}\theld since " in result.output


def test_a_zalo_code_waits_while_the_oa_is_out_of_quota_then_goes(
    config: dict[str, Any],
) -> None:
    with production_bot(config) as (app, zalo, _sms), crew_of(app):
        chat = Chat(app, zalo)
        for text in ("xác thực", "0912345678"):
            read = len(zalo.messages_to(chat.user))
            say(app, zalo, chat.user, text)
            wait_for(lambda read=read: len(zalo.messages_to(chat.user)) > read)
        zalo.fail_always("zns", error=-144)  # the OA's daily ZNS quota is used up
        say(app, zalo, chat.user, "2")  # a Zalo code
        wait_for(lambda: sending_state(app, zalo) == "held")
        assert zalo.zns_sent == []
        zalo.stop_failing("zns")
        wait_for(lambda: len(zalo.zns_sent) == 1)  # held, not failed: it goes once it can
        # The fake records a send before it answers; the sender marks the OA resumed after.
        wait_for(lambda: sending_state(app, zalo) == "ok")
