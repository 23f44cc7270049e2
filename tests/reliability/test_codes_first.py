"""Codes never wait behind replies: their own queue, served first and by their own workers."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from bot.worker.crew import Crew
from tests.helpers import post_event, run_jobs, user_event, wait_for
from tests.production import Chat, production_bot

PHONE = "+84912345678"


def text(zalo: Any, user: str, words: str) -> dict[str, Any]:
    """A user_send_text of the production fake's OA."""
    message = {"text": words, "msg_id": uuid.uuid4().hex}
    return user_event("user_send_text", user, message=message, app_id=zalo.app_id, oa_id=zalo.oa_id)


def test_a_code_asked_during_a_flood_goes_out_before_the_floods_replies(
    config: dict[str, Any],
) -> None:
    with production_bot(config, "esms") as (app, zalo, sms):
        chat = Chat(app, zalo)
        chat.say("xác thực"), chat.say("0912345678")
        before, at_code = len(zalo.sent), []
        accept = sms.accept
        sms.accept = lambda message, rid=None: (
            at_code.append(len(zalo.sent)) or accept(message, rid)
        )  # type: ignore[method-assign]
        for n in range(600):  # 60 users chatting, 10 events each
            event = text(zalo, f"70000000000000{n % 60:05d}", "menu")
            assert post_event(chat.client, event, secret=zalo.oa_secret_key).status_code == 200
        assert (
            post_event(
                chat.client, text(zalo, chat.user, "1"), secret=zalo.oa_secret_key
            ).status_code
            == 200
        )
        run_jobs(app)
        assert len(sms.messages_to(PHONE)) == 1
        assert at_code == [before]  # none of the 600 replies went out before the code
        flooders = {f"70000000000000{n:05d}" for n in range(60)}
        assert all(len(zalo.messages_to(u)) >= 10 for u in flooders)  # then all of them did


@pytest.mark.slow
def test_a_slow_gateway_does_not_hold_up_other_users_replies(config: dict[str, Any]) -> None:
    with production_bot(config, "esms", HTTP_TIMEOUT_SECONDS=15) as (app, zalo, sms):
        alice = Chat(app, zalo, "7000000000000000001")
        alice.say("xác thực"), alice.say("0912345678")
        sms.timeout_next("esms", 10.0)  # the gateway takes 10 s to answer Alice's code
        crew = Crew(app)
        crew.start()
        try:
            post_event(alice.client, text(zalo, alice.user, "1"), secret=zalo.oa_secret_key)
            wait_for(lambda: len(sms.requests) == 1)  # Alice's code is stuck at the gateway...
            bob = "7000000000000000002"
            post_event(alice.client, text(zalo, bob, "menu"), secret=zalo.oa_secret_key)
            wait_for(lambda: zalo.messages_to(bob))  # ...while Bob gets his answer
            assert sms.sent == []  # before the slow send finished
            wait_for(lambda: len(sms.messages_to(PHONE)) == 1)
        finally:
            crew.stop()
