"""REDIS_SENTINELS, REDIS_SENTINEL_MASTER, REDIS_SENTINEL_PASSWORD: validated, then used."""

from __future__ import annotations

import pytest
from redis.sentinel import SentinelConnectionPool

from bot.config import ConfigError, load_settings
from bot.redis_client import connect_redis, sentinel_addresses

SENTINELS = {"REDIS_SENTINELS": "10.0.0.1:26379, sentinel-b:26380", "REDIS_SENTINEL_MASTER": "bot"}


def test_sentinels_replace_redis_url() -> None:
    settings = load_settings({**SENTINELS, "REDIS_SENTINEL_PASSWORD": "pw", "BOT_SANDBOX": "1"})
    assert sentinel_addresses(settings) == [("10.0.0.1", 26379), ("sentinel-b", 26380)]
    client = connect_redis(settings)  # connects lazily: no Sentinel needed to build it
    assert isinstance(client.connection_pool, SentinelConnectionPool)
    assert client.connection_pool.service_name == "bot"
    assert client.connection_pool.connection_kwargs["password"] == "pw"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"REDIS_SENTINELS": "h:1"}, "REDIS_SENTINEL_MASTER is required with REDIS_SENTINELS"),
        ({"REDIS_SENTINEL_MASTER": "bot"}, "REDIS_SENTINELS is required with"),
        ({**SENTINELS, "REDIS_URL": "redis://x"}, "set REDIS_URL or REDIS_SENTINELS, not both"),
        ({**SENTINELS, "REDIS_SENTINELS": "h:1,nohost"}, "must be host:port,..., got 'nohost'"),
        ({**SENTINELS, "REDIS_SENTINELS": "h:99999"}, "got 'h:99999'"),
        ({"BOT_LOCAL_DIR": "/nonexistent"}, "REDIS_URL \\(or REDIS_SENTINELS\\) is required"),
    ],
)
def test_a_combination_that_cannot_work_is_one_line(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as raised:
        load_settings({**environ, "BOT_SANDBOX": "1"})
    assert "\n" not in str(raised.value)
