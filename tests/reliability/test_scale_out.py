"""Two web processes and three workers on one Redis: each user's events in order, once."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from tests.reliability.cluster import (
    Processes,
    RedisNode,
    bot_env,
    start_web,
    start_worker,
)
from tests.reliability.load import Tally, User, judge, phone_of, reference_transcript, run_users

USERS = 16
pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def test_two_webs_three_workers_keep_order_and_exactly_once(
    procs: Processes, tmp_path: Path
) -> None:
    node = RedisNode(procs, tmp_path / "redis").start()
    env = bot_env(REDIS_URL=node.url)
    webs = [start_web(procs, env, f"web{i}") for i in range(2)]
    workers = [start_worker(procs, env, f"worker{i}") for i in range(3)]
    reference = reference_transcript(webs, lambda: redis.Redis.from_url(node.url))
    tally = Tally()
    connect = lambda: redis.Redis.from_url(node.url)  # noqa: E731
    users = [User(f"user{i}", phone_of(i), webs, connect) for i in range(USERS)]
    for thread in run_users(users, len(reference), tally):
        thread.join(120)
    figures = judge(tally, reference)
    print(f"\nscale-out (2 web, 3 workers, {USERS} users): {figures.line()}")
    assert (figures.lost, figures.duplicated, figures.misordered, figures.duplicate_codes) == (
        0,
        0,
        0,
        0,
    ), tally.transcripts
    assert all(w.poll() is None for w in workers)
