"""The Procfile's worker sends the replies and codes its events stage commits without waking
or claiming anyone (bot.worker.handoff): while each event waits for the replies of the one
before, only the events stage's wake list ever gets a token (Redis's keyspace
notifications watch them all)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import redis

from bot.keys import UserRef
from bot.queues.code_sends import CODE_SEND_LOCK
from bot.queues.outbox import SEND_LOCK
from tests.helpers import OA_ID
from tests.reliability.cluster import Processes, RedisNode, bot_env, start_web, start_worker
from tests.reliability.load import Tally, User, phone_of

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


def say_and_wait(user: User, rdb: redis.Redis, text: str, tally: Tally) -> None:
    """Post text and wait for its replies, sent and done with (the user's locks free)."""
    ref = UserRef(OA_ID, user.uid)
    before = len(user.replies())
    user.post(text, int(time.time() * 1000), tally)
    assert user.wait(
        lambda: (
            len(user.replies()) > before
            and not rdb.exists(ref.key(SEND_LOCK), ref.key(CODE_SEND_LOCK))
        )
    ), f"no answer to {text!r}"


def test_a_worker_sends_what_it_commits_without_a_wake_up(procs: Processes, tmp_path: Path) -> None:
    node = RedisNode(procs, tmp_path / "redis").start()
    rdb = redis.Redis.from_url(node.url)
    env = bot_env(REDIS_URL=node.url)
    web = start_web(procs, env)
    start_worker(procs, env, "worker")
    user = User("handoff1", phone_of(1), [web], lambda: redis.Redis.from_url(node.url))
    tally = Tally()
    say_and_wait(user, rdb, "menu", tally)  # the worker is up, its runners all started
    rdb.config_set("notify-keyspace-events", "Kl")
    watch = rdb.pubsub()
    watch.psubscribe("__keyspace@0__:ready:*:wake")
    for text in ("xác thực", user.local, "1"):
        say_and_wait(user, rdb, text, tally)
    assert user.wait(lambda: bool(user.codes()))
    say_and_wait(user, rdb, user.codes()[-1], tally)
    assert any("thành công" in reply for reply in user.replies())
    woken: set[str] = set()
    while (note := watch.get_message(timeout=0.5)) is not None:
        if note["type"] == "pmessage" and note["data"] == b"rpush":
            woken.add(note["channel"].decode().split(":")[2])
    watch.close()
    assert woken == {"events"}  # each event woke the events runner; no reply or code did
