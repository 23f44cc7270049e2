"""The benchmark's trace (bench/trace.py): markers read from a real Redis's MONITOR and one
event's hops put in order."""

from __future__ import annotations

import time
from pathlib import Path

import redis

from bench.trace import Stamps, add_bench_stamps, monitored, redis_stamps, timelines

TAG = "{oa1:alice}"


def test_monitor_capture_names_each_users_markers(
    rdb: redis.Redis, redis_url: str, tmp_path: Path
) -> None:
    capture = tmp_path / "monitor"
    with monitored(redis_url, capture):
        rdb.zadd(f"inbox:{TAG}", {"event": 1})
        rdb.eval("redis.call('SET', KEYS[1], 't', 'PX', 5000)", 1, f"drainlock:{TAG}")
        with rdb.pipeline() as pipe:
            pipe.rpush(f"outbox:{TAG}", "reply")
            pipe.execute()
        rdb.set(f"sendlock:{TAG}", "t")
        rdb.lpop(f"outbox:{TAG}")
        rdb.set("drainlock:{oa1:bob}", "t")
        time.sleep(0.3)  # MONITOR's stream reaches the capture
    stamps = Stamps()
    redis_stamps(capture, stamps)
    alice = stamps.by_user["alice"]
    assert sorted(alice) == ["claimed", "committed", "recorded", "reply claimed", "send recorded"]
    assert alice["recorded"][0] <= alice["claimed"][0] <= alice["send recorded"][0]
    assert list(stamps.by_user["bob"]) == ["claimed"]


def test_each_event_takes_the_first_markers_after_its_post() -> None:
    stamps = Stamps()
    posts = [("alice", 10.0, 10.01), ("alice", 11.0, 11.01)]
    calls = [("alice", 10.2, 10.28), ("alice", 11.3, 11.38)]
    add_bench_stamps(stamps, posts, calls, offset=0.0)
    for at in (10.02, 11.05):
        stamps.add("alice", "recorded", at)
        stamps.add("alice", "claimed", at + 0.05)
        stamps.add("alice", "committed", at + 0.08)
        stamps.add("alice", "reply claimed", at + 0.09)
    stamps.add("alice", "send recorded", 11.001)  # after the next post: still the first's
    stamps.add("alice", "send recorded", 11.39)
    first, second = sorted(timelines(stamps), key=lambda line: line["posted"])
    assert first["claimed"] == 10.07 and first["Zalo call started"] == 10.2
    assert first["send recorded"] == 11.001
    assert second["recorded"] == 11.05 and second["send recorded"] == 11.39


def test_an_event_missing_a_marker_stops_there() -> None:
    stamps = Stamps()
    add_bench_stamps(stamps, [("bob", 1.0, 1.01)], [], offset=0.0)
    stamps.add("bob", "recorded", 1.02)
    stamps.add("bob", "committed", 1.1)  # never claimed (another key kind): not counted
    assert timelines(stamps) == [{"posted": 1.0, "recorded": 1.02}]
