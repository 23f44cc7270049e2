"""Redis memory per verified account and per active conversation (100,000 of each)."""

from __future__ import annotations

import json
import time

import redis

from bot.conversation.store import Conversation, ConversationStore
from bot.keys import UserRef
from bot.queues.inbox import SEEN_TTL_SECONDS, dedupe_digest
from bot.verification.accounts import AccountStore
from bot.verification.codes import reference_of

COUNT = 100_000
OA = "4000000000000000004"


def used_memory(client: redis.Redis) -> int:
    """Bytes Redis uses for data, after it settles."""
    return int(client.info("memory")["used_memory"])


def per_account(client: redis.Redis) -> float:
    """Bytes per verified account, indexes included."""
    client.flushall()
    before = used_memory(client)
    accounts = AccountStore(client)
    now = int(time.time())
    script = accounts._claim  # pipelined for speed; the same Lua as a real claim
    from bot.verification.accounts import bucket

    for start in range(0, COUNT, 2000):
        with client.pipeline(transaction=False) as pipe:
            for n in range(start, start + 2000):
                user, digits = f"24684588352961{n:05d}", f"849{n:08d}"
                keys = [
                    bucket("acct", OA, user),
                    bucket("phone", OA, digits),
                    bucket("byapp", OA, f"55217727971758{n:05d}"),
                    "-",  # no number held before
                    "-",  # no portal callback to store
                ]
                args = [user, digits, "sms", now, f"55217727971758{n:05d}", "", "", "", 0]
                script(keys=keys, args=args, client=pipe)
            pipe.execute()
    assert accounts.get(OA, "2468458835296100007") is not None
    return (used_memory(client) - before) / COUNT


def per_conversation(client: redis.Redis) -> float:
    """Bytes per user in the middle of a dialogue: state (JSON, TTL) and delivery history."""
    client.flushall()
    before = used_memory(client)
    store = ConversationStore(client, 900)
    now = int(time.time())
    for start in range(0, COUNT, 2000):
        with client.pipeline(transaction=False) as pipe:
            for n in range(start, start + 2000):
                user = UserRef(OA, f"24684588352961{n:05d}")
                data = {"phone": f"+849{n:08d}", "channel": "sms", "ref": reference_of(str(n))}
                store.save(pipe, user, Conversation("verify:awaiting_code", data))
                # Three events received (verify, number, method), as the webhook records them.
                seen = {dedupe_digest(f"{n:05x}{k}b7c8d9e0f1a2b3"): now + k for k in range(3)}
                pipe.zadd(user.key("seen"), seen)
                pipe.expire(user.key("seen"), SEEN_TTL_SECONDS)
            pipe.execute()
    sample = client.get(ConversationStore.state_key(UserRef(OA, "2468458835296100007")))
    assert sample is not None and json.loads(sample)["s"] == "verify:awaiting_code"
    return (used_memory(client) - before) / COUNT
