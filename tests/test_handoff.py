"""Hand-offs: replies and codes the events stage commits go to this process's runner of their
stage from the commit itself, with no claim; a user whose lock another holds, or who waits
for a retry, is marked as before; a runner that stopped gives the user back; nothing is lost.

The runners here have pools of real threads but never claim (no run_forever): whatever they
serve was handed to them. The events stage runs inline (Runner.serve_due), against real
Redis and the loopback fakes of Zalo and the SMS gateways.
"""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from redis.client import Pipeline

from bot.keys import UserRef
from bot.queues.code_sends import STAGE_CODES, CodeSend, queue_code_now
from bot.queues.outbox import SEND_LOCK, STAGE_MESSAGES, Outbox, queue_replies
from bot.queues.ready import ReadySet, Taken, member_of, now_ms
from bot.services import Services, services_of
from bot.verification.codes import derive_code, reference_of
from bot.web.sandbox_events import user_event
from bot.worker.code_sending import CODES
from bot.worker.delivery import MESSAGES
from bot.worker.handoff import HandOffs, register, unregister
from bot.worker.processing import EVENTS
from bot.worker.runner import Pool, Runner, Stage
from tests.fakes.sms import FakeSmsGateways
from tests.fakes.zalo import FakeZalo
from tests.helpers import post_event, run_jobs, wait_for
from tests.production import Chat, production_bot
from tests.toyflow import toy_engine
from zalo_api.messages import Text

USER = "7000000000000000001"
PHONE = "+84912345678"


class Handed(Runner):
    """A runner that serves only the users handed to it, noting the stage of each in log."""

    def __init__(self, services: Services, stage: Stage, log: list[str]) -> None:
        super().__init__(services, stage, Pool(stage.threads, stage.name))
        self.log = log

    def hand_off(self, taken: Taken) -> None:
        """Note the hand-off, then serve it."""
        self.log.append(self.stage.name)
        super().hand_off(taken)

    def finish(self) -> int:
        """Wait for every user handed over; the items served."""
        self.collect(timeout=None, every=True)
        return self.served


@contextmanager
def handed(app: Flask, *stages: Stage) -> Iterator[tuple[list[Handed], list[str]]]:
    """A registered runner of each stage (as a worker's crew has) and their shared log."""
    log: list[str] = []
    runners = [Handed(services_of(app), stage, log) for stage in stages]
    for runner in runners:
        register(runner)
    try:
        yield runners, log
    finally:
        for runner in runners:
            unregister(runner)
            assert runner.pool is not None
            runner.pool.shutdown()


def say(app: Flask, zalo: FakeZalo, text: str, user: str = USER) -> None:
    """A signed text event from user, recorded by the webhook (not handled yet)."""
    message = {"text": text, "msg_id": uuid.uuid4().hex}
    event = user_event("user_send_text", user, message=message,
                       app_id=zalo.app_id, oa_id=zalo.oa_id)  # fmt: skip
    assert post_event(app.test_client(), event, secret=zalo.oa_secret_key).status_code == 200


def handle_events(app: Flask) -> int:
    """The events stage's due users, inline (its commits hand off to registered runners)."""
    with app.app_context():
        return Runner(services_of(app), EVENTS).serve_due()


def toy(app: Flask) -> Flask:
    """The toy flow: 'toy' is answered 'started', each 'more <tag>' 'n=<count> tag=<tag>'."""
    app.extensions["bot"] = dataclasses.replace(services_of(app), engine=toy_engine())
    return app


def test_a_committed_reply_is_sent_without_any_claim(config: dict[str, Any]) -> None:
    with production_bot(config) as (app, zalo, sms), handed(app, MESSAGES) as ([runner], log):
        rdb = services_of(app).redis
        say(app, zalo, "menu")
        assert handle_events(app) == 1
        assert runner.finish() >= 1 and log == [STAGE_MESSAGES]
        assert zalo.messages_to(USER)[0].startswith("Mình có thể giúp bạn")
        # Nobody was woken, nobody claimed: the user left the stage once their outbox was empty.
        assert not rdb.exists(ReadySet(rdb, STAGE_MESSAGES).wake_key)
        assert rdb.zcard(ReadySet.key_of(STAGE_MESSAGES)) == 0
        assert not rdb.exists(UserRef(zalo.oa_id, USER).key(SEND_LOCK))
        assert runner.busy == 0


def test_replies_queued_while_the_handed_over_send_runs_follow_it_in_order(
    config: dict[str, Any],
) -> None:
    with production_bot(config) as (app, zalo, sms), handed(app, MESSAGES) as ([runner], log):
        toy(app)
        zalo.delay_next("cs", 3.0)  # the first reply's send takes a while...
        say(app, zalo, "toy")
        handle_events(app)
        wait_for(lambda: zalo.calls["cs"] == 1)
        for tag in "abc":  # ...while the user's next events are handled: the lock is held
            say(app, zalo, f"more {tag}")
        handle_events(app)
        assert runner.finish() == 4
        assert log == [STAGE_MESSAGES]  # one hand-off: the sender found the others queued
        assert zalo.messages_to(USER) == ["started", "n=1 tag=a", "n=2 tag=b", "n=3 tag=c"]


def test_a_user_another_process_sends_to_is_marked_as_before(config: dict[str, Any]) -> None:
    with production_bot(config) as (app, zalo, sms):
        rdb = services_of(app).redis
        lock = UserRef(zalo.oa_id, USER).key(SEND_LOCK)
        rdb.set(lock, "another-worker", px=60_000)  # another process is sending to the user
        with handed(app, MESSAGES) as ([runner], log):
            say(app, zalo, "menu")
            handle_events(app)
            assert runner.finish() == 0 and log == [] and runner.busy == 0
            assert rdb.get(lock) == b"another-worker"
            ready = ReadySet(rdb, STAGE_MESSAGES)
            score = rdb.zscore(ready.key, member_of(UserRef(zalo.oa_id, USER)))
            assert score is not None and score <= now_ms()  # due, and a runner woken
            assert rdb.llen(ready.wake_key) == 1
            assert zalo.messages_to(USER) == []
        rdb.delete(lock)  # that process is done (or its lease ran out)
        run_jobs(app)
        assert zalo.messages_to(USER)[0].startswith("Mình có thể giúp bạn")


def test_a_user_waiting_for_a_retry_keeps_waiting(config: dict[str, Any]) -> None:
    with production_bot(config) as (app, zalo, sms):
        rdb = services_of(app).redis
        ready = ReadySet(rdb, STAGE_MESSAGES)
        member = member_of(UserRef(zalo.oa_id, USER))
        later = now_ms() + 60_000
        rdb.zadd(ready.key, {member: later})  # a failed send's retry, a minute from now
        with handed(app, MESSAGES) as ([runner], log):
            say(app, zalo, "menu")
            handle_events(app)
            assert runner.finish() == 0 and log == []
            assert rdb.zscore(ready.key, member) == later
            assert zalo.messages_to(USER) == []


def test_a_code_is_handed_off_before_the_replies_of_its_event(config: dict[str, Any]) -> None:
    with production_bot(config, "esms") as (app, zalo, sms):
        chat = Chat(app, zalo, USER)
        chat.say("xác thực"), chat.say("0912345678")
        before = len(zalo.messages_to(USER))
        with handed(app, CODES, MESSAGES) as (runners, log):
            say(app, zalo, "1")  # SMS: the code, and a reply saying it was sent
            handle_events(app)
            assert all(runner.finish() >= 1 for runner in runners)
            assert log == [STAGE_CODES, STAGE_MESSAGES]
        assert len(sms.messages_to(PHONE)) == 1
        assert len(zalo.messages_to(USER)) > before
        rdb = services_of(app).redis
        assert not rdb.exists(ReadySet(rdb, STAGE_CODES).wake_key)


@contextmanager
def live_code_reads(app: Flask) -> Iterator[list[str]]:
    """The references code sends read the live code for themselves (CodeStore.live_code, which
    still answers) while the block runs."""
    codes = services_of(app).verifier.codes
    asked: list[str] = []
    read = codes.live_code

    def noted(user: UserRef, reference: str) -> Any:
        asked.append(reference)
        return read(user, reference)

    codes.live_code = noted  # type: ignore[method-assign]
    try:
        yield asked
    finally:
        del codes.live_code


def assert_live_code_sent(app: Flask, zalo: FakeZalo, sms: FakeSmsGateways) -> None:
    """The last SMS to PHONE carries the code of the user's live nonce."""
    services = services_of(app)
    nonce = services.redis.hget(UserRef(zalo.oa_id, USER).key("otp"), "n")
    assert nonce is not None
    assert sms.last_code_to(PHONE) == derive_code(services.settings.otp_hash_key, nonce.decode())


def test_a_handed_over_code_is_sent_as_read_in_the_commit(config: dict[str, Any]) -> None:
    with production_bot(config, "esms") as (app, zalo, sms):
        chat = Chat(app, zalo, USER)
        chat.say("xác thực"), chat.say("0912345678")
        with handed(app, CODES) as ([runner], log), live_code_reads(app) as asked:
            say(app, zalo, "1")
            handle_events(app)
            assert runner.finish() == 1 and log == [STAGE_CODES]
        assert asked == []  # the commit that handed the user over read the live code too
        assert len(sms.messages_to(PHONE)) == 1
        assert_live_code_sent(app, zalo, sms)


def test_a_claimed_code_is_sent_as_read_in_the_claim(config: dict[str, Any]) -> None:
    with production_bot(config, "esms") as (app, zalo, sms):
        chat = Chat(app, zalo, USER)
        chat.say("xác thực"), chat.say("0912345678")
        with live_code_reads(app) as asked:
            chat.say("1")  # the codes stage's runner claims the user (no hand-off here)
        assert asked == [] and len(sms.messages_to(PHONE)) == 1
        assert_live_code_sent(app, zalo, sms)


def test_a_claimed_send_of_a_replaced_code_is_refused(config: dict[str, Any]) -> None:
    with production_bot(config, "esms") as (app, zalo, sms):
        chat = Chat(app, zalo, USER)
        chat.say("xác thực"), chat.say("0912345678"), chat.say("1")
        assert len(sms.messages_to(PHONE)) == 1
        user = UserRef(zalo.oa_id, USER)
        old = [CodeSend(user, reference_of(nonce), "sms", "vi") for nonce in ("old1", "old2")]
        with live_code_reads(app) as asked:
            queue_code_now(services_of(app), old)  # sends of codes replaced since
            run_jobs(app)
        # The first was refused on what the claim read; the second read the code itself.
        assert asked == [old[1].reference]
        assert len(sms.messages_to(PHONE)) == 1
        assert_live_code_sent(app, zalo, sms)


def commit_reply(app: Flask, user: UserRef, hand_offs: HandOffs, pipe: Pipeline) -> None:
    """Queue one reply to user in pipe's open transaction, announced through hand_offs."""
    pipe.multi()
    queue_replies(services_of(app), pipe, user, [Text("xin chào")], arrivals=hand_offs)


def test_a_runner_stopped_before_the_hand_off_gives_the_user_back(
    config: dict[str, Any],
) -> None:
    with production_bot(config) as (app, zalo, sms):
        services = services_of(app)
        user = UserRef(zalo.oa_id, USER)
        with handed(app, MESSAGES) as ([runner], log):
            with services.redis.pipeline() as pipe, HandOffs(services.redis) as hand_offs:
                commit_reply(app, user, hand_offs, pipe)
                stop = threading.Event()
                stop.set()
                runner.run_forever(stop)  # the worker stops meanwhile: the runner closes
                hand_offs.execute(pipe)
            assert log == [STAGE_MESSAGES] and runner.finish() == 0 and runner.busy == 0
        rdb = services.redis
        assert not rdb.exists(user.key(SEND_LOCK))  # released, and due now to any runner
        score = rdb.zscore(ReadySet.key_of(STAGE_MESSAGES), member_of(user))
        assert score is not None and score <= now_ms()
        assert zalo.messages_to(USER) == []
        run_jobs(app)
        assert zalo.messages_to(USER) == ["xin chào"]


def test_a_process_lost_after_the_commit_leaves_the_user_to_their_lease(
    config: dict[str, Any],
) -> None:
    with production_bot(config) as (app, zalo, sms):
        services = services_of(app)
        rdb, user = services.redis, UserRef(zalo.oa_id, USER)
        with handed(app, MESSAGES) as ([runner], log):
            with services.redis.pipeline() as pipe, HandOffs(services.redis) as hand_offs:
                commit_reply(app, user, hand_offs, pipe)
                pipe.execute()  # committed; the process dies before handing the user over
            assert runner.busy == 0  # the thread kept for the hand-off is free again
        ready = ReadySet(rdb, STAGE_MESSAGES)
        assert 0 < rdb.pttl(user.key(SEND_LOCK)) <= MESSAGES.take.ttl_ms  # nobody renews it
        score = rdb.zscore(ready.key, member_of(user))
        assert score is not None and score > now_ms()  # leased: no runner takes it meanwhile
        run_jobs(app, fast_forward=False)
        assert zalo.messages_to(USER) == []
        # The lease and the lock run out (seconds; here at once): any runner sends the reply.
        rdb.zadd(ready.key, {member_of(user): 0})
        rdb.delete(user.key(SEND_LOCK))
        run_jobs(app)
        assert zalo.messages_to(USER) == ["xin chào"]
        assert rdb.llen(Outbox(rdb, user).key) == 0


def test_hand_offs_never_keep_more_threads_than_the_runner_has(config: dict[str, Any]) -> None:
    with production_bot(config) as (app, zalo, sms):
        toy(app)
        one_thread = dataclasses.replace(MESSAGES, threads=1)
        users = [f"70000000000000100{n:02d}" for n in range(4)]
        zalo.delay_next("cs", 1.0)
        with handed(app, one_thread) as ([runner], log):
            for user in users:
                say(app, zalo, "toy", user)
            handle_events(app)
            # One thread: the first user was handed over, the others marked for any runner.
            assert log == [STAGE_MESSAGES]
            assert runner.finish() == 1
        assert sum(len(zalo.messages_to(u)) for u in users) == 1
        run_jobs(app)
        assert all(zalo.messages_to(u) == ["started"] for u in users)
