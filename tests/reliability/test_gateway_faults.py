"""An SMS gateway answering 500, timing out or slow: retries with backoff, the user is told
after the last failure, and nothing is left stuck."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask
from rq.registry import ScheduledJobRegistry, StartedJobRegistry

from bot.keys import UserRef
from bot.queues.code_sends import STAGE_CODES
from bot.queues.ready import ReadySet, member_of
from bot.services import services_of
from tests.helpers import post_event, promote_retries, run_jobs, user_event
from tests.production import Chat, production_bot


def nothing_left(app: Flask) -> None:
    """No queued, scheduled or running job, and no per-user lock left behind."""
    services = services_of(app)
    for queue in services.queues.values():
        assert queue.count == 0, queue.name
        assert ScheduledJobRegistry(queue=queue).count == 0, queue.name
        assert StartedJobRegistry(queue=queue).count == 0, queue.name
    assert services.redis.keys("drainlock:*") == [] and services.redis.keys("sendlock:*") == []


def retry_delays(app: Flask, user: UserRef) -> list[float]:
    """Serve attempt by attempt; the wait before each retry (the account's due time)."""
    client = services_of(app).redis
    delays = []
    for _ in range(10):
        run_jobs(app, fast_forward=False)
        due = client.zscore(ReadySet.key_of(STAGE_CODES), member_of(user))
        if due is None:  # the account's queue is empty: given up, or sent
            break
        delays.append(due / 1000 - time.time())
        promote_retries(app)
    return delays


def test_500s_are_retried_with_growing_waits_then_the_user_is_told(config: dict[str, Any]) -> None:
    with production_bot(config, "http") as (app, zalo, sms):
        sms.always_fail("http", http_status=500)
        chat = Chat(app, zalo)
        chat.say("xác thực"), chat.say("0912345678")
        event = user_event("user_send_text", chat.user, message={"text": "1", "msg_id": "m1"},
                           app_id=zalo.app_id, oa_id=zalo.oa_id)  # fmt: skip
        post_event(chat.client, event, secret=zalo.oa_secret_key)
        delays = retry_delays(app, UserRef(zalo.oa_id, chat.user))
        assert len(delays) == 3 and delays[0] < delays[1] < delays[2]
        assert len(sms.requests) == 4
        assert "Mình chưa gửi được mã qua SMS" in zalo.messages_to(chat.user)[-1]
        nothing_left(app)


def test_timeouts_then_success_deliver_one_code(config: dict[str, Any]) -> None:
    with production_bot(config, "esms", HTTP_TIMEOUT_SECONDS=0.3) as (app, zalo, sms):
        sms.timeout_next("esms", 1.0)
        sms.timeout_next("esms", 1.0)
        chat = Chat(app, zalo)
        chat.say("xác thực"), chat.say("0912345678")
        assert "Đã gửi mã" in chat.say("1")
        deadline = time.monotonic() + 10
        while len(sms.requests) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(sms.messages_to("+84912345678")) == 1  # RequestId made the retries safe
        code = sms.last_code_to("+84912345678")
        assert code is not None and "thành công" in chat.say(code)
        nothing_left(app)


def test_a_slow_gateway_within_the_timeout_is_simply_slow(config: dict[str, Any]) -> None:
    with production_bot(config, "speedsms", HTTP_TIMEOUT_SECONDS=3) as (app, zalo, sms):
        sms.timeout_next("speedsms", 0.5)
        chat = Chat(app, zalo)
        chat.say("xác thực"), chat.say("0912345678"), chat.say("1")
        assert len(sms.requests) == 1 and len(sms.sent) == 1
        nothing_left(app)
