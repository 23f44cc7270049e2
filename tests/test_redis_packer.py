"""The process's command packer: hiredis's C packer, byte for byte what redis-py's sends."""

from __future__ import annotations

import random

import pytest
import redis
from redis.connection import HiredisRespSerializer, PythonRespSerializer
from redis.exceptions import DataError

from bot.redis_client import CLIENT_OPTIONS, Packer

ENCODE = redis.Redis().get_encoder().encode
STOCK = HiredisRespSerializer(PythonRespSerializer(6000, ENCODE).pack, ENCODE)  # type: ignore[no-untyped-call]
COMMANDS = [
    ("SET", "key", "value"),
    ("SCRIPT LOAD", "return 1"),
    (b"CLIENT SETNAME", b"worker"),
    ("ZADD", "seen:{oa:u}", 1796559959.733772, "member"),
    ("EVALSHA", "ab" * 20, 2, "k1", "k2", 0.1, 1e20, 2**70, -5, "Việt Nam"),
    ("SET", "k", b"\x00\xff", bytearray(b"x"), memoryview(b"yz")),
    ("HSET", "h", "f", 1 / 3),
]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_command_packs_to_the_bytes_redis_py_sends(command: tuple[object, ...]) -> None:
    """Command names with a space are split, every argument type encoded alike."""
    assert b"".join(Packer().pack(*command)) == b"".join(STOCK.pack(*command))


def test_floats_pack_as_their_repr_like_redis_py() -> None:
    """Scores and times are floats: hiredis writes what redis-py's repr() writes."""
    spread = random.Random(26)
    for _ in range(20_000):
        value = spread.uniform(-1e6, 1e6) * 10 ** spread.randint(-20, 20)
        assert Packer().pack("X", value) == STOCK.pack("X", value)


@pytest.mark.parametrize("bad", [True, None, {"a": 1}])
def test_what_redis_cannot_take_raises_redis_pys_error(bad: object) -> None:
    """A bool, None or a dict is refused with DataError, as redis-py does, never sent."""
    with pytest.raises(DataError):
        Packer().pack("SET", "k", bad)


def test_the_process_client_round_trips_through_it(redis_url: str) -> None:
    """A client made with the process's options talks to a real Redis through the packer."""
    client = redis.Redis.from_url(redis_url, **CLIENT_OPTIONS)
    assert (
        client.connection_pool.connection_kwargs["command_packer"]
        is CLIENT_OPTIONS["command_packer"]
    )
    client.set("packer:k", "Việt Nam", ex=60)
    client.zadd("packer:z", {"m": 1796559959.733772})
    assert client.get("packer:k") == "Việt Nam".encode()
    assert client.zscore("packer:z", "m") == 1796559959.733772
    assert client.script_load("return 1") == client.script_load("return 1")
