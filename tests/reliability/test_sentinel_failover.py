"""Sentinel failover under load: the primary is killed (-9) while users verify their phones.

A primary, a replica and three Sentinels from the redis-server binary the tests use, the
Procfile's web (gunicorn) and two workers, all configured by REDIS_SENTINELS only. Printed:
seconds of 503s, events answered 200 then lost, duplicated effects, durable data lost.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import redis
from redis.sentinel import Sentinel

from bot.verification.accounts import bucket
from tests.helpers import OA_ID
from tests.reliability.cluster import (
    Processes,
    RedisNode,
    bot_env,
    start_sentinel,
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

USERS = 24
pytestmark = [pytest.mark.slow, pytest.mark.serial, pytest.mark.timeout(300)]


def durable(client: redis.Redis) -> set[str]:
    """Every record kept without TTL (accounts field by field, registry, tokens, audit)."""
    found: set[str] = set()
    for key in client.scan_iter("*"):
        if key.startswith(b"rq:") or client.ttl(key) != -1:
            continue
        if client.type(key) == b"hash":
            found |= {f"{key!r}/{field!r}" for field in client.hkeys(key)}
        else:
            found.add(repr(key))
    return found


def verified_but_lost(client: redis.Redis, tally: Tally) -> list[str]:
    """Users told "verified" whose account record is gone."""
    told = [u for u, t in tally.transcripts.items() if any("thành công" in r for r in t)]
    return [u for u in told if not client.hexists(bucket("acct", OA_ID, u), u)]


def test_primary_killed_mid_load(procs: Processes, tmp_path: Path) -> None:
    primary = RedisNode(procs, tmp_path / "primary").start()
    replica = RedisNode(procs, tmp_path / "replica", "--replicaof", "127.0.0.1",
                        str(primary.port)).start()  # fmt: skip
    sentinels = [start_sentinel(procs, tmp_path / "sentinels", primary.port) for _ in range(3)]
    wait_until(
        lambda: redis.Redis(port=primary.port).info("replication")["connected_slaves"], "replica"
    )
    watch = Sentinel([("127.0.0.1", p) for p in sentinels], socket_timeout=1)
    connect = lambda: watch.master_for("bot", socket_timeout=1)  # noqa: E731
    addresses = ",".join(f"127.0.0.1:{p}" for p in sentinels)
    env = bot_env(REDIS_SENTINELS=addresses, REDIS_SENTINEL_MASTER="bot")
    webs = [start_web(procs, env)]
    workers = [start_worker(procs, env, f"worker{i}") for i in range(2)]
    reference = reference_transcript(webs, connect)
    redis.Redis(port=primary.port).wait(1, 2000)
    before = durable(redis.Redis(port=primary.port))
    tally = Tally()
    users = [User(f"user{i}", phone_of(i), webs, connect) for i in range(USERS)]
    threads: list[threading.Thread] = []
    for index, user in enumerate(users):
        threads += run_users([user], len(reference), tally)
        time.sleep(0.15)
        if index == USERS // 2:
            primary.stop(crash=True)
    for thread in threads:
        thread.join(150)
    figures = judge(tally, reference)
    after = durable(connect())
    lost_durable = sorted(before - after) + verified_but_lost(connect(), tally)
    print(f"\nsentinel failover ({USERS} users, primary killed -9 mid-load): {figures.line()}; "
          f"durable records lost: {len(lost_durable)} of {len(before)}")  # fmt: skip
    assert watch.discover_master("bot")[1] == replica.port
    assert all(w.poll() is None for w in workers), "a worker exited"
    assert lost_durable == []
    # A user being served when the primary died used to wait out their lease and lock (a
    # minute) and missed the users' wait: the runner now gives them back once Redis answers.
    assert figures.lost == 0, differing(tally, reference)
    # Workers' writes reach the replica asynchronously: a reply sent just before the kill whose
    # "sent" mark had not reached the replica goes out once more from the new primary (replies
    # are at-least-once across a failover; README, "Redis faults"). One such reply is expected
    # at most now and then; more would mean a real fault.
    assert figures.duplicated + figures.misordered <= 2, differing(tally, reference)
