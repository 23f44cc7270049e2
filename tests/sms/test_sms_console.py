"""The sandbox provider writes to the phone's inbox in a real Redis."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from bot.ops.embedded_redis import EmbeddedRedis, free_port
from bot.sms import ConsoleProvider, SmsTransientError, phone_inbox_key, read_phone_inbox
from bot.sms.console import PHONE_INBOX_MAX_ITEMS, PHONE_INBOX_TTL_SECONDS
from tests.sms.support import CODE, PHONE, REFERENCE, assert_discreet, message


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="sms-test-redis-") as data_dir:
        with EmbeddedRedis(Path(data_dir), appendonly=False) as server:
            yield server.url


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(redis_url)
    yield connection
    connection.flushall()


def test_inbox_key_carries_the_phone_as_hash_tag() -> None:
    assert phone_inbox_key(PHONE) == "sandbox:phone:{+84912345678}"


def test_send_lands_in_the_phone_inbox(client: redis.Redis) -> None:
    receipt = ConsoleProvider(client).send(message())
    (item,) = read_phone_inbox(client, PHONE)
    assert item["channel"] == "sms"
    assert CODE in item["text"]
    assert item["reference"] == REFERENCE
    assert isinstance(item["at"], float)
    assert receipt.provider == "console"
    assert receipt.provider_message_id == REFERENCE
    ttl = client.ttl(phone_inbox_key(PHONE))
    assert 0 < ttl <= PHONE_INBOX_TTL_SECONDS


def test_inbox_keeps_the_last_fifty_oldest_first(client: redis.Redis) -> None:
    provider = ConsoleProvider(client)
    for number in range(PHONE_INBOX_MAX_ITEMS + 5):
        provider.send(message(reference=f"otp:{number}"))
    references = [item["reference"] for item in read_phone_inbox(client, PHONE)]
    assert references == [f"otp:{number}" for number in range(5, PHONE_INBOX_MAX_ITEMS + 5)]


def test_inboxes_are_per_phone(client: redis.Redis) -> None:
    ConsoleProvider(client).send(message(phone="+84987654321"))
    assert read_phone_inbox(client, PHONE) == []
    assert len(read_phone_inbox(client, "+84987654321")) == 1


def test_redis_down_is_transient() -> None:
    # No client-side retries: the provider's job is only to classify the failure.
    client = redis.Redis(port=free_port(), socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0))
    with pytest.raises(SmsTransientError, match="redis error") as caught:
        ConsoleProvider(client).send(message())
    assert_discreet(caught.value)
