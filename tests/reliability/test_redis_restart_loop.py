"""Redis restarted five times under load (clean SHUTDOWN and kill -9, alternately).

Checks: the workers never exit, no event answered 200 is lost, no effect is doubled, and
nothing is left stuck (queues, started and scheduled jobs, inboxes) once the load is over.
Redis runs with `appendfsync always` here: with `everysec`, kill -9 may drop the last
second of writes, acknowledged events included (README, Deployment).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import redis

from tests.reliability.cluster import (
    Processes,
    RedisNode,
    bot_env,
    start_web,
    start_worker,
    wait_until,
)
from tests.reliability.load import (
    Tally,
    User,
    differing,
    judge,
    phone_of,
    reference_transcript,
    run_users,
)

RESTARTS = 5
DOWN_SECONDS = 2.0
pytestmark = [pytest.mark.slow, pytest.mark.serial, pytest.mark.timeout(300)]


def stuck(client: redis.Redis) -> dict[str, int]:
    """Work still queued, running or scheduled, and events still waiting in inboxes."""
    found: dict[str, int] = {}
    for pattern, size in (("rq:queue:*", client.llen), ("rq:wip:*", client.zcard),
                          ("rq:scheduled:*", client.zcard), ("inbox:*", client.zcard)):  # fmt: skip
        for key in client.scan_iter(pattern):
            # A job dequeued just as Redis went down stays in RQ's intermediate list until RQ's
            # own maintenance fails it over (two rounds, a minute apart); its users' work is
            # not in it: their ready-set leases run out and the sweeper starts a new job.
            if key.endswith(b":intermediate"):
                continue
            if client.type(key) in (b"list", b"zset") and size(key):
                found[key.decode()] = int(size(key))
    return found


def users_arriving(users: list[User], expected: int, tally: Tally, done: threading.Event) -> None:
    """A new user every 0.4 s while Redis is being restarted."""
    threads: list[threading.Thread] = []
    for user in users:
        if done.is_set():
            break
        threads += run_users([user], expected, tally)
        time.sleep(0.4)
    for thread in threads:
        thread.join(120)


def test_five_restarts_under_load(procs: Processes, tmp_path: Path) -> None:
    node = RedisNode(procs, tmp_path / "redis", fsync="always").start()
    env = bot_env(REDIS_URL=node.url)
    webs = [start_web(procs, env)]
    workers = [start_worker(procs, env, f"worker{i}") for i in range(2)]
    connect = lambda: redis.Redis.from_url(node.url, socket_connect_timeout=0.5)  # noqa: E731
    reference = reference_transcript(webs, connect)
    tally, done = Tally(), threading.Event()
    users = [User(f"user{i}", phone_of(i), webs, connect) for i in range(40)]
    load = threading.Thread(target=users_arriving, args=(users, len(reference), tally, done))
    load.start()
    for round_ in range(RESTARTS):
        time.sleep(1.5)
        node.stop(crash=bool(round_ % 2))
        time.sleep(DOWN_SECONDS)
        node.start()
        assert all(w.poll() is None for w in workers), "a worker exited"
    done.set()
    load.join(180)
    figures = judge(tally, reference)
    print(f"\nredis restarts ({RESTARTS}, {len(tally.transcripts)} users): {figures.line()}")
    assert all(w.poll() is None for w in workers), "a worker exited"
    assert (figures.lost, figures.duplicated, figures.misordered) == (0, 0, 0), differing(
        tally, reference
    )
    wait_until(lambda: not stuck(connect()), f"nothing stuck: {stuck(connect())}", seconds=60)
