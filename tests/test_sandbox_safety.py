"""No sandbox by accident: only BOT_SANDBOX=1 makes one; it says so first, keeps its simulator
to this machine, and its state (admins above all) is never seen by a production start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask

from bot import create_app
from bot.admin.admins import GLOBAL_ADMINS_KEY
from bot.admin.redis_owner import OWNER_KEY
from bot.app import SANDBOX_WARNING
from bot.config import ConfigError
from bot.services import services_of
from tests.adminkit import EXTRA_APP, EXTRA_SECRET, OTHER_OA, admin_app
from tests.helpers import bot_messages, post_event, run_jobs, text_event
from tests.production import HASH_KEY, production_bot

ROOT = Path(__file__).parents[1]
INTRUDER = "6660000000000000666"
# Credentials of a production start (nothing is called: these starts are refused or list).
PRODUCTION_ENV = {
    "ZALO_APP_ID": "1234567890123456789",
    "ZALO_APP_SECRET": "app-secret",
    "ZALO_OA_ID": "9876543210987654321",
    "ZALO_OA_SECRET_KEY": "oa-secret",
    "OTP_HASH_KEY": HASH_KEY,
    "SMS_PROVIDER": "http",
    "SMS_HTTP_URL": "http://127.0.0.1:9/sms",
}


def run(command: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    """A Procfile-like process with exactly env (and PATH), to its end."""
    environ = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin", **env}
    return subprocess.run(
        command, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize(
    "command",
    [
        ["gunicorn", "--config", "gunicorn.conf.py", "wsgi:app"],
        [sys.executable, "-m", "bot.worker"],
    ],
    ids=["web", "worker"],
)
def test_procfile_processes_without_credentials_stop_instead_of_becoming_a_sandbox(
    command: list[str], redis_url: str, rdb: redis.Redis
) -> None:
    done = run(command, REDIS_URL=redis_url, PORT="8119", OTP_HASH_KEY=HASH_KEY)
    assert done.returncode == 2, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last == "configuration error: ZALO_APP_ID is required outside sandbox mode"
    assert "SANDBOX" not in done.stderr
    assert rdb.keys("*") == []  # stopped before touching Redis


def test_a_sandbox_says_so_in_its_first_log_line(redis_url: str) -> None:
    done = run([sys.executable, "-c", "import wsgi"], REDIS_URL=redis_url, BOT_SANDBOX="1")
    assert done.returncode == 0, done.stderr
    first = json.loads(done.stderr.splitlines()[0])
    assert first["level"] == "WARNING" and first["message"] == SANDBOX_WARNING


def test_sandbox_admins_are_invisible_to_a_production_start(
    app: Flask, config: dict[str, Any], redis_url: str, rdb: redis.Redis
) -> None:
    answer = app.test_client().post("/simulator/api/admin", json={"user": INTRUDER, "admin": True})
    assert answer.get_json() == {"admin": True}
    with pytest.raises(ConfigError, match="^REDIS_URL holds a sandbox's data"):
        with production_bot(config):
            pass
    listed = run(
        ["flask", "--app", "wsgi", "admins", "list"], REDIS_URL=redis_url, **PRODUCTION_ENV
    )
    assert listed.returncode == 2 and INTRUDER not in listed.stdout + listed.stderr
    assert listed.stderr.strip().startswith("configuration error: REDIS_URL holds a sandbox's data")
    assert rdb.get(OWNER_KEY) == b"sandbox"


def test_a_redis_a_sandbox_used_before_the_claim_is_known_by_its_assets(
    config: dict[str, Any], rdb: redis.Redis
) -> None:
    create_app(config)
    rdb.delete(OWNER_KEY)  # as an earlier release left it: the sandbox's assets, global admins
    rdb.sadd(GLOBAL_ADMINS_KEY, INTRUDER)
    with pytest.raises(ConfigError, match="holds a sandbox's data"):
        with production_bot(config):
            pass


def test_a_sandbox_never_starts_on_production_redis(config: dict[str, Any]) -> None:
    with production_bot(config):
        pass
    with pytest.raises(ConfigError, match="^REDIS_URL holds production data"):
        create_app(config)


def test_production_keeps_its_admins_added_before_they_were_per_oa(
    config: dict[str, Any], rdb: redis.Redis
) -> None:
    rdb.sadd(GLOBAL_ADMINS_KEY, "7000000000000000007")
    with production_bot(config) as (app, zalo, _sms):
        assert services_of(app).admins.is_admin("7000000000000000007", zalo.oa_id)
        assert not rdb.exists(GLOBAL_ADMINS_KEY)
        assert rdb.get(OWNER_KEY) == b"production"


def test_admins_are_per_oa(config: dict[str, Any]) -> None:
    app = admin_app(config)
    runner = app.test_cli_runner()
    added = runner.invoke(args=["admins", "add", "x9", "--oa", OTHER_OA]).output
    assert added == f"x9 is now an admin of OA {OTHER_OA}\n"
    assert runner.invoke(args=["admins", "list", "--oa", OTHER_OA]).output.startswith("x9\t")
    assert "x9" not in runner.invoke(args=["admins", "list"]).output
    admins = services_of(app).admins
    assert admins.is_admin("x9", OTHER_OA) and not admins.is_admin("x9")
    client = app.test_client()
    for user in ("x9", "x8"):
        event = text_event(user, "/assets", app_id=EXTRA_APP, oa_id=OTHER_OA)
        assert post_event(client, event, secret=EXTRA_SECRET).status_code == 200
    run_jobs(app)
    assert EXTRA_APP in "\n".join(bot_messages(app, "x9", oa_id=OTHER_OA))  # the list
    assert EXTRA_APP not in "\n".join(bot_messages(app, "x8", oa_id=OTHER_OA))  # refused
    removed = runner.invoke(args=["admins", "remove", "x9", "--oa", OTHER_OA, "--yes"]).output
    assert removed == f"x9 removed of OA {OTHER_OA}\n" and not admins.is_admin("x9", OTHER_OA)


def test_the_simulator_answers_this_machine_only(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/simulator").status_code == 200
    assert client.get("/").headers["Location"] == "/simulator"
    remote = {"REMOTE_ADDR": "203.0.113.7"}
    for path in ("/simulator", "/simulator/portal", "/simulator/api/users"):
        refused = client.get(path, environ_base=remote)
        assert refused.status_code == 403 and "SIMULATOR_ALLOW_REMOTE" in refused.json["error"]
    admin = client.post("/simulator/api/admin", json={"user": INTRUDER, "admin": True},
                        environ_base=remote)  # fmt: skip
    assert admin.status_code == 403 and not services_of(app).admins.is_admin(INTRUDER)
    proxied = client.get("/simulator", headers={"X-Forwarded-For": "203.0.113.7"})
    assert proxied.status_code == 403  # a proxy on this machine speaks for someone else
    assert client.get("/simulator", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    assert client.get("/healthz", environ_base=remote).status_code == 200


def test_simulator_allow_remote_shares_it(config: dict[str, Any]) -> None:
    client = create_app({**config, "SIMULATOR_ALLOW_REMOTE": "1"}).test_client()
    assert client.get("/simulator", environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code == 200


def test_production_has_no_simulator_and_no_home_page(config: dict[str, Any]) -> None:
    with production_bot(config) as (app, _zalo, _sms):
        client = app.test_client()
        assert client.get("/").status_code == 404
        assert client.get("/simulator").status_code == 404
