"""The README's backup and restore of Redis, run step by step: an RDB snapshot (BGSAVE) and
a copy of the AOF, each restored into a fresh redis-server that then holds the verified
numbers, the registry (an OA connected by OAuth included), every OA's tokens and the audit."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import redis

from bot.admin.assets import AssetRegistry
from bot.admin.audit import AuditLog
from bot.ops.embedded_redis import EmbeddedRedis
from bot.verification.accounts import AccountStore
from bot.zalo.token_store import RedisTokenStorage
from tests.helpers import wait_for
from tests.production import Chat, production_bot
from tests.test_many_oas import PUBLIC, SECOND_NAME, SECOND_OA, connect

pytestmark = pytest.mark.slow
PHONE = "+84912345678"


def durable_state(client: redis.Redis, oa_id: str, app_id: str, user: str) -> dict[str, Any]:
    """What must survive: the verified number, the registry, each OA's tokens, the audit."""
    account = AccountStore(client).get(oa_id, user)
    pairs = [RedisTokenStorage(client, app_id, oa).load() for oa in (oa_id, SECOND_OA)]
    return {
        "phone": account and (account.phone, bool(account.sms_verified_at)),
        "assets": [(a.kind, a.asset_id, a.status, a.app_id) for a in AssetRegistry(client).all()],
        "tokens": [pair and (pair.access_token, pair.refresh_token) for pair in pairs],
        "audit": [(e.who, e.command, e.result) for e in AuditLog(client).latest(50)],
    }


def persistence(client: redis.Redis) -> dict[str, Any]:
    """INFO persistence."""
    found: dict[str, Any] = client.info("persistence")
    return found


def backup_rdb(client: redis.Redis, into: Path) -> Path:
    """Step 1 (RDB): BGSAVE, wait until it is done and succeeded, copy the file."""
    before = client.lastsave()
    client.bgsave()
    wait_for(lambda: not persistence(client)["rdb_bgsave_in_progress"])
    assert client.lastsave() != before or persistence(client)["rdb_changes_since_last_save"] == 0
    assert persistence(client)["rdb_last_bgsave_status"] == "ok"
    folder, name = client.config_get("dir")["dir"], client.config_get("dbfilename")["dbfilename"]
    into.mkdir(parents=True)
    return Path(shutil.copy2(Path(folder) / name, into / name))


def backup_aof(client: redis.Redis, into: Path) -> None:
    """Step 1 (AOF): no rewrite in progress, then copy the AOF (Redis 7+: its folder)."""
    wait_for(lambda: not persistence(client)["aof_rewrite_in_progress"])
    folder = Path(client.config_get("dir")["dir"])
    aof_dir = client.config_get("appenddirname").get("appenddirname")  # Redis 7+
    if aof_dir:
        shutil.copytree(folder / aof_dir, into / aof_dir)
    else:
        name = client.config_get("appendfilename")["appendfilename"]
        into.mkdir(parents=True)
        shutil.copy2(folder / name, into / name)


def test_rdb_and_aof_backups_restore_every_durable_record(
    config: dict[str, Any], tmp_path: Path
) -> None:
    with EmbeddedRedis(tmp_path / "live", appendonly=True) as live:
        client = redis.Redis.from_url(live.url)
        cfg = {**config, "REDIS_URL": live.url}
        extra = {"ADMIN_ZALO_IDS": "7000000000000000001", "PUBLIC_BASE_URL": PUBLIC}
        with production_bot(cfg, **extra) as (app, zalo, sms):
            connect(app, zalo, SECOND_OA, SECOND_NAME)  # a second OA, by OAuth
            chat = Chat(app, zalo)  # its user is the admin
            chat.say("xác thực")
            chat.say("0912 345 678")
            chat.say("1")
            assert "thành công" in chat.say(sms.last_code_to(PHONE) or "")
            chat.say("/assets")  # audited
            ids = (zalo.oa_id, zalo.app_id, chat.user)
        expected = durable_state(client, *ids)
        assert expected["phone"] == (PHONE, True) and all(expected["tokens"]) and expected["audit"]
        assert ("oa", SECOND_OA, "linked", zalo.app_id) in expected["assets"]
        backup_rdb(client, tmp_path / "backup-rdb")
        backup_aof(client, tmp_path / "backup-aof")
        client.flushall()  # the disaster

    # Restore an RDB: its file in the data folder of a server started without AOF...
    shutil.copytree(tmp_path / "backup-rdb", tmp_path / "from-rdb")
    with EmbeddedRedis(tmp_path / "from-rdb", appendonly=False) as restored:
        client = redis.Redis.from_url(restored.url)
        assert durable_state(client, *ids) == expected
        # ...then AOF switched on at run time, which writes the AOF from memory.
        client.config_set("appendonly", "yes")
        wait_for(lambda: not persistence(client)["aof_rewrite_in_progress"])
        wait_for(lambda: persistence(client)["aof_enabled"] == 1)
    with EmbeddedRedis(tmp_path / "from-rdb", appendonly=True) as restarted:
        assert durable_state(redis.Redis.from_url(restarted.url), *ids) == expected

    # Restore an AOF: its file (or folder) in the data folder of a server with AOF on.
    shutil.copytree(tmp_path / "backup-aof", tmp_path / "from-aof")
    with EmbeddedRedis(tmp_path / "from-aof", appendonly=True) as restored:
        assert durable_state(redis.Redis.from_url(restored.url), *ids) == expected
