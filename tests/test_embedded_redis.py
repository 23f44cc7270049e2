"""The private redis-server of tests and local runs: started on a port nobody else holds."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from bot.ops import embedded_redis
from bot.ops.embedded_redis import EmbeddedRedis, EmbeddedRedisError


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
