"""Replies go out through RQ to (a loopback fake of) Zalo: retries, refresh, order, no HTTP in
the webhook."""

from __future__ import annotations

from typing import Any

from bot.keys import UserRef
from bot.queues.outbox import queue_replies
from bot.services import services_of
from bot.zalo.token_store import RedisTokenStorage
from tests.helpers import post_event, run_jobs, user_event
from tests.production import Chat, production_bot
from zalo_api.messages import Text


def test_the_webhook_itself_calls_no_one(config: dict[str, Any]) -> None:
    with production_bot(config) as (app, zalo, sms):
        chat = Chat(app, zalo)
        for text in ("menu", "xác thực", "0912345678", "1"):
            event = user_event("user_send_text", chat.user, message={"text": text, "msg_id": text},
                               app_id=zalo.app_id, oa_id=zalo.oa_id)  # fmt: skip
            assert post_event(chat.client, event, secret=zalo.oa_secret_key).status_code == 200
        assert sum(zalo.calls.values()) == 0 and sms.requests == []  # only Redis so far
        run_jobs(app)
        assert len(zalo.messages_to(chat.user)) >= 4


def test_a_transient_failure_is_retried_then_delivered(config: dict[str, Any]) -> None:
    with production_bot(config) as (app, zalo, sms):
        zalo.fail_next("cs", error=-32)  # per-minute rate limit
        zalo.fail_next("cs", http_status=502)
        chat = Chat(app, zalo)
        assert chat.say("menu").startswith("Mình có thể giúp bạn")
        assert zalo.calls["cs"] == 3


def test_a_permanent_failure_is_not_retried_and_the_next_reply_still_goes(
    config: dict[str, Any],
) -> None:
    with production_bot(config) as (app, zalo, sms):
        chat = Chat(app, zalo)
        zalo.fail_next("cs", error=-230)  # the user has not interacted within 7 days
        assert chat.say("menu") == ""
        assert zalo.calls["cs"] == 1
        assert chat.say("menu").startswith("Mình có thể giúp bạn")


def test_an_expired_token_is_refreshed_once_and_the_reply_delivered(
    config: dict[str, Any],
) -> None:
    with production_bot(config) as (app, zalo, sms):
        zalo.expire_access_token()
        chat = Chat(app, zalo)
        assert chat.say("menu").startswith("Mình có thể giúp bạn")
        assert zalo.refresh_calls == 1
        services = services_of(app)
        stored = RedisTokenStorage(services.redis, zalo.app_id, zalo.oa_id).load()
        assert stored is not None and stored.refresh_token in zalo.refresh_tokens
        assert chat.say("menu")  # the rotated token keeps working
        assert zalo.refresh_calls == 1


def test_replies_of_several_events_arrive_in_order(config: dict[str, Any]) -> None:
    with production_bot(config) as (app, zalo, sms):
        chat = Chat(app, zalo)
        chat.say("xác thực")
        chat.say("0912345678")
        texts = zalo.messages_to(chat.user)
        assert "số điện thoại" in texts[0] and "1. SMS" in texts[-1]


def test_long_replies_are_split_for_zalo(config: dict[str, Any]) -> None:
    with production_bot(config) as (app, zalo, sms):
        services = services_of(app)
        user = UserRef(zalo.oa_id, "7000000000000000009")
        paragraphs = "\n\n".join(f"Đoạn {n}: " + "chữ " * 150 for n in range(8))
        with services.redis.pipeline() as pipe:
            pipe.multi()
            queue_replies(services, pipe, user, [Text(paragraphs)])
            pipe.execute()
        run_jobs(app)
        parts = zalo.messages_to(user.user_id)
        assert len(parts) >= 3 and all(len(p) <= 2000 for p in parts)
        assert parts[0].startswith("Đoạn 0") and "Đoạn 7" in parts[-1]
