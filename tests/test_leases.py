"""Leases renewed while their work runs, and sends an outage left unrecorded: recorded once."""

from __future__ import annotations

import redis

from bot.queues.leases import LEASE_MS, LeaseKeeper
from bot.queues.serial import Handled, SerialQueue, Unrecorded


def test_a_kept_lock_is_renewed_and_a_lock_no_longer_ours_is_forgotten(
    rdb: redis.Redis,
) -> None:
    keeper = LeaseKeeper()
    rdb.set("lease:a", "mine", px=1000)
    rdb.set("lease:b", "mine", px=1000)
    keeper.keep(rdb, "lease:a", "mine")
    keeper.keep(rdb, "lease:b", "mine")
    rdb.set("lease:b", "theirs", px=1000)  # lost, and taken by someone else
    keeper.renew()
    assert 1000 < rdb.pttl("lease:a") <= LEASE_MS
    assert rdb.pttl("lease:b") <= 1000 and rdb.get("lease:b") == b"theirs"
    assert keeper.held() == 1
    keeper.drop(rdb, "lease:a", "mine")
    assert keeper.held() == 0


def test_a_drained_queue_keeps_its_lock_only_while_it_works(rdb: redis.Redis) -> None:
    rdb.rpush("q:{u}", "one", "two")
    queue = SerialQueue(rdb, "q:{u}", "lock:{u}", "list", LEASE_MS)
    seen: list[bytes] = []
    assert queue.each(None, lambda item: seen.append(item) or 1) == 2
    assert seen == [b"one", b"two"] and not rdb.exists("lock:{u}", "q:{u}")


def test_what_an_outage_left_unrecorded_is_removed_once_and_its_lock_released(
    rdb: redis.Redis,
) -> None:
    rdb.rpush("out:{a}", "sent", "next")
    rdb.rpush("out:{b}", "other")  # its remembered head was removed before the outage
    rdb.set("lock:{a}", "mine", px=LEASE_MS)
    rdb.set("lock:{b}", "theirs", px=LEASE_MS)  # lost meanwhile: not ours to release
    unrecorded = Unrecorded()
    unrecorded.add(Handled(rdb, "out:{a}", b"sent", "lock:{a}", "mine"))
    unrecorded.add(Handled(rdb, "out:{b}", b"gone", "lock:{b}", "mine"))
    assert unrecorded.settle() == 2 and len(unrecorded) == 0
    assert rdb.lrange("out:{a}", 0, -1) == [b"next"] and not rdb.exists("lock:{a}")
    assert rdb.lrange("out:{b}", 0, -1) == [b"other"] and rdb.get("lock:{b}") == b"theirs"
    assert unrecorded.settle() == 0


def test_after_an_outage_a_lock_that_ran_out_is_taken_back_unless_another_took_it(
    rdb: redis.Redis,
) -> None:
    keeper = LeaseKeeper()
    for key in ("lease:c", "lease:d"):
        rdb.set(key, "mine", px=1000)
        keeper.keep(rdb, key, "mine")
    rdb.delete("lease:c")  # ran out while Redis was away
    rdb.set("lease:d", "theirs", px=1000)  # ran out, and another worker took it
    keeper.renew(reassert=True)
    assert rdb.get("lease:c") == b"mine" and 1000 < rdb.pttl("lease:c") <= LEASE_MS
    assert rdb.get("lease:d") == b"theirs" and keeper.held() == 1
