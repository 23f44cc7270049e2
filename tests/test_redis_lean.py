"""The process's lean Redis client: what it skips is per-command bookkeeping, never safety."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import redis

from bot.config import load_settings
from bot.redis_client import connect_redis
from bot.redis_lean import LeanPool, LeanRedis, LeanScript


def lean_client(redis_url: str) -> redis.Redis:
    """The client every bot process makes (connect_redis)."""
    return connect_redis(load_settings({"REDIS_URL": redis_url, "BOT_SANDBOX": "1"}))


def test_the_process_client_is_lean_and_reuses_one_connection(redis_url: str) -> None:
    """Commands one after another go over one pooled connection, returned after each."""
    client = lean_client(redis_url)
    assert isinstance(client, LeanRedis)
    pool = client.connection_pool
    assert isinstance(pool, LeanPool)
    for n in range(20):
        client.set("lean:k", n)
        with client.pipeline() as pipe:
            pipe.incr("lean:n")
            pipe.get("lean:k")
            assert pipe.execute()[1] == str(n).encode()
    assert pool._created_connections == 1
    assert not pool._in_use_connections
    assert len(pool._available_connections) == 1


def test_a_script_is_loaded_again_after_redis_forgot_it(redis_url: str) -> None:
    """SCRIPT FLUSH (or a restart without data): NOSCRIPT is answered by loading it."""
    client = lean_client(redis_url)
    script = client.register_script("return {KEYS[1], ARGV[1], #ARGV}")
    assert isinstance(script, LeanScript)
    assert script(keys=["a"], args=["b", 3]) == [b"a", b"b", 2]
    client.script_flush()
    assert script(keys=["a"], args=["b"]) == [b"a", b"b", 1]
    assert client.register_script("return #KEYS + #ARGV")() == 0  # neither keys nor args


def test_a_script_queued_in_a_pipeline_runs_though_redis_forgot_it(redis_url: str) -> None:
    """Given a pipeline, the script is queued there as its text: it runs though Redis does
    not have it."""
    client = lean_client(redis_url)
    script = client.register_script("return ARGV[1] .. KEYS[1]")
    client.script_flush()
    with client.pipeline() as pipe:
        script(keys=["k"], args=["a"], client=pipe)
        pipe.get("lean:none")
        assert pipe.execute() == [b"ak", None]


def test_a_connection_left_with_an_unread_answer_is_not_reused_as_is(redis_url: str) -> None:
    """A connection given back with an answer still unread (a caller cut off mid-command)
    is reconnected before its next use: nobody reads another command's answer."""
    client = lean_client(redis_url)
    client.set("lean:k", "mine")
    pool = client.connection_pool
    connection = pool.get_connection()
    connection.send_command("ECHO", "stale")  # type: ignore[no-untyped-call]
    assert connection.can_read(timeout=5)  # the answer is there, unread
    pool.release(connection)
    assert client.get("lean:k") == b"mine"
    assert client.echo("fresh") == b"fresh"


def test_a_connection_from_before_a_fork_is_closed_not_pooled(redis_url: str) -> None:
    """A released connection the pool does not own (made by another process) is closed and
    never handed out again."""
    client = lean_client(redis_url)
    pool = client.connection_pool
    connection = pool.get_connection()
    connection.pid = -1  # as if made by the parent before a fork
    pool.release(connection)
    assert connection._sock is None
    assert connection not in pool._available_connections
    assert client.ping()


def test_parallel_callers_share_the_pool_and_give_every_connection_back(redis_url: str) -> None:
    """Parallel callers each get their own connection; all come back, answers not mixed."""
    client = lean_client(redis_url)
    script = client.register_script("return ARGV[1]")
    with ThreadPoolExecutor(16) as threads:
        answers = list(threads.map(lambda n: script(args=[n]), range(500)))
    assert answers == [str(n).encode() for n in range(500)]
    pool = client.connection_pool
    assert not pool._in_use_connections
    assert len(pool._available_connections) == pool._created_connections
