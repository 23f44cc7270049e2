"""Redis restarts mid-dialogue (AOF on): durable data survives, the dialogue carries on."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask

from bot import create_app
from bot.conversation.context import AuditEntry
from bot.ops.embedded_redis import EmbeddedRedis
from bot.services import services_of
from bot.zalo.token_store import RedisTokenStorage
from tests.helpers import OA_ID, Dialogue, last_code, main_tokens

PHONE = "+84912345678"


@pytest.fixture
def aof_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    """A redis-server owned by the test, with AOF (appendfsync everysec) in tmp_path."""
    server = EmbeddedRedis(tmp_path, appendonly=True).start()
    yield server
    server.stop()


def build(aof_redis: EmbeddedRedis) -> Flask:
    """A sandbox bot on the test-owned Redis, with an admin and first tokens."""
    return create_app(
        {"REDIS_URL": aof_redis.url, "BOT_SANDBOX": "1", "ADMIN_ZALO_IDS": "admin",
         "ZALO_ACCESS_TOKEN": "first-access", "ZALO_REFRESH_TOKEN": "first-refresh",
         "OTP_RESEND_COOLDOWN_SECONDS": 0}
    )  # fmt: skip


def durable_state(app: Flask) -> dict[str, Any]:
    """What must survive: the verified account, the registry, tokens, the audit."""
    services = services_of(app)
    account = services.verifier.accounts.get(OA_ID, "alice")
    tokens = RedisTokenStorage(
        services.redis, services.settings.zalo_app_id, services.settings.zalo_oa_id
    ).load()
    return {
        "account": account,
        "assets": [(a.kind, a.asset_id, a.status) for a in services.assets.all()],
        "tokens": tokens.refresh_token if tokens else None,
        "audit": [(e.who, e.command, e.result) for e in services.audit.latest(5)],
    }


def prepare(app: Flask) -> Dialogue:
    """Alice verified, an admin listed the assets, tokens seeded; Bob waits for his code."""
    alice = Dialogue(app, "alice")
    alice.say("xác thực"), alice.say("0912345678"), alice.say("1")
    alice.say(last_code(app, PHONE))
    Dialogue(app, "admin").say("/assets")
    main_tokens(app)  # seeds the first tokens
    services_of(app).audit.write(AuditEntry("ops", "restart drill", "test", "-", "ok"))
    bob = Dialogue(app, "bob")
    bob.say("xác thực"), bob.say("0987654321"), bob.say("1")
    return bob


def restart(server: EmbeddedRedis, crash: bool) -> None:
    """Stop the server (SIGTERM: a clean shutdown; or SIGKILL after the fsync second)."""
    assert server.process is not None
    if crash:
        time.sleep(1.2)  # appendfsync everysec: writes older than a second are on disk
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait()
    else:
        server.stop()
    server.start()


@pytest.mark.parametrize("crash", [False, True], ids=["shutdown", "kill-9"])
def test_durable_data_survives_and_the_dialogue_continues(
    aof_redis: EmbeddedRedis, crash: bool
) -> None:
    app = build(aof_redis)
    bob = prepare(app)
    before = durable_state(app)
    assert before["account"] is not None and before["tokens"] == "first-refresh"
    restart(aof_redis, crash)
    after_app = build(aof_redis)  # a fresh process after the restart, as in production
    assert durable_state(after_app) == before
    # The same client objects reconnect by themselves; Bob's code is still valid.
    answer = bob.say(last_code(app, "+84987654321"))
    assert "thành công" in answer
    assert redis.Redis.from_url(aof_redis.url).dbsize() > 0
