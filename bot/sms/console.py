"""Sandbox SMS: nothing leaves the machine; the text lands in the phone's inbox in Redis."""

from __future__ import annotations

import json
import time
from typing import Any

import redis

from bot.keys import publish_update
from bot.sms.base import SmsMessage, SmsReceipt, SmsTransientError

# The simulator shows recent messages only; a day is plenty for a sandbox session.
PHONE_INBOX_MAX_ITEMS = 50
PHONE_INBOX_TTL_SECONDS = 24 * 3600


def phone_inbox_key(phone_e164: str) -> str:
    """The sandbox inbox of one phone, e.g. 'sandbox:phone:{+84912345678}'."""
    return "sandbox:phone:{" + phone_e164 + "}"


def read_phone_inbox(client: redis.Redis, phone_e164: str) -> list[dict[str, Any]]:
    """Everything the sandbox 'sent' to this phone, oldest first."""
    items = client.lrange(phone_inbox_key(phone_e164), 0, -1)
    return [json.loads(item) for item in items]


class ConsoleProvider:
    """Writes each message to the phone's sandbox inbox instead of a gateway."""

    name = "console"

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def send(self, message: SmsMessage) -> SmsReceipt:
        """Append to the inbox, keep the last 50, refresh the day-long expiry."""
        key = phone_inbox_key(message.phone_e164)
        item = {
            "channel": "sms",
            "text": message.text,
            "reference": message.reference,
            "at": time.time(),
        }
        try:
            with self.client.pipeline(transaction=True) as pipe:
                pipe.rpush(key, json.dumps(item, ensure_ascii=False))
                pipe.ltrim(key, -PHONE_INBOX_MAX_ITEMS, -1)
                pipe.expire(key, PHONE_INBOX_TTL_SECONDS)
                publish_update(pipe)  # the simulator page shows it at once
                pipe.execute()
        except redis.RedisError as exc:
            raise SmsTransientError(
                f"redis error ({type(exc).__name__})", provider=self.name
            ) from exc
        return SmsReceipt(self.name, message.reference, delivered=True)  # it is in the inbox
