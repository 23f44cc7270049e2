"""Tokens an operator manages: `flask zalo tokens set|show` per OA, and /readyz about them."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import sys
import termios
from typing import Any

import pytest
import redis
from flask import Flask

from bot.admin.audit import AuditLog
from bot.zalo.token_status import TokenStatus
from tests.helpers import main_tokens, wait_for
from tests.leakcheck import remember
from tests.processes import spawn
from tests.production import HASH_KEY, Chat, production_bot
from zalo_api.errors import ZaloError

NO_TOKENS = {"ZALO_ACCESS_TOKEN": "", "ZALO_REFRESH_TOKEN": ""}


def cli(app: Flask, *args: str, given: str = "") -> Any:
    """Run a flask command of app through Flask's CliRunner (stdin: given)."""
    return app.test_cli_runner().invoke(args=list(args), input=given)


def readyz(app: Flask) -> tuple[int, dict[str, Any]]:
    """/readyz's status code and body."""
    answer = app.test_client().get("/readyz")
    assert answer.json is not None
    return answer.status_code, answer.json


def test_a_start_without_tokens_is_not_ready_until_tokens_are_set(
    config: dict[str, Any], rdb: redis.Redis
) -> None:
    with production_bot(config, **NO_TOKENS) as (app, zalo, _):
        code, body = readyz(app)
        assert code == 503 and body["status"] == "unavailable"
        assert body["reason"] == f"no usable Zalo token for OA {zalo.oa_id}"
        assert body["tokens"] == {zalo.oa_id: "missing"}
        shown = cli(app, "zalo", "tokens", "show")
        assert shown.exit_code == 1
        assert f"OA {zalo.oa_id} (app {zalo.app_id}): missing" in shown.output

        access, refresh = zalo.issue_pair()  # what the operator got from Zalo's console
        remember(access, refresh)
        stored = cli(app, "zalo", "tokens", "set", given=f"{access}\n{refresh}\n")
        assert stored.exit_code == 0, stored.output
        assert access not in stored.output and refresh not in stored.output
        assert f"…{access[-4:]}" in stored.output and f"…{refresh[-4:]}" in stored.output

        code, body = readyz(app)
        assert code == 200 and body["status"] == "ready" and body["tokens"] == {zalo.oa_id: "ok"}
        assert Chat(app, zalo).say("menu")  # the bot answers with the pair it was given
        key = f"zalo:tokens:{{{zalo.app_id}}}:{zalo.oa_id}"
        assert rdb.ttl(key) == -1  # durable, as rotated ones
        last = AuditLog(rdb).latest(1)[0]
        assert (last.command, last.target, last.result) == (
            "flask zalo tokens set",
            f"oa:{zalo.oa_id}",
            "tokens stored",
        )


def test_show_tells_age_expiry_and_the_last_refresh_without_the_tokens(
    config: dict[str, Any],
) -> None:
    with production_bot(config, **NO_TOKENS) as (app, zalo, _):
        refresh = zalo.issue_pair()[1]
        remember(refresh)
        # Only a refresh token: the first use spends it for a pair.
        assert cli(app, "zalo", "tokens", "set", given=f"\n{refresh}\n").exit_code == 0
        before = cli(app, "zalo", "tokens", "show")
        assert before.exit_code == 0, before.output
        assert "by flask zalo tokens set" in before.output
        assert "last refresh   never" in before.output

        main_tokens(app).access_token()
        after = cli(app, "zalo", "tokens", "show")
        assert after.exit_code == 0 and ": ok" in after.output
        assert "by a refresh" in after.output and "expires" in after.output
        assert f"…{zalo.access_token[-4:]}" in after.output
        for secret in (refresh, zalo.access_token, zalo.refresh_token):
            assert secret not in after.output


def test_a_refused_refresh_token_makes_the_oa_unready_until_a_new_pair(
    config: dict[str, Any],
) -> None:
    with production_bot(config, **NO_TOKENS) as (app, zalo, _):
        refresh = zalo.issue_pair()[1]
        zalo.revoke_refresh_tokens()  # three months later, or the App secret was rotated
        remember(refresh)
        assert cli(app, "zalo", "tokens", "set", given=f"\n{refresh}\n").exit_code == 0
        with pytest.raises(ZaloError):
            main_tokens(app).access_token()
        shown = cli(app, "zalo", "tokens", "show")
        assert shown.exit_code == 1
        assert ": refused" in shown.output and "ZaloOAuthError" in shown.output
        code, body = readyz(app)
        assert code == 503 and body["tokens"] == {zalo.oa_id: "refused"}

        access, refresh = zalo.issue_pair()
        remember(access, refresh)
        assert cli(app, "zalo", "tokens", "set", given=f"{access}\n{refresh}\n").exit_code == 0
        assert readyz(app)[0] == 200


def test_a_process_holding_the_old_token_moves_to_the_new_pair_at_once(
    config: dict[str, Any],
) -> None:
    with production_bot(config) as (app, zalo, _):
        chat = Chat(app, zalo)
        assert chat.say("menu")  # the worker's manager now holds the env pair in its cache
        zalo.expire_access_token()
        access, refresh = zalo.issue_pair()
        remember(access, refresh)
        calls = zalo.refresh_calls
        assert cli(app, "zalo", "tokens", "set", given=f"{access}\n{refresh}\n").exit_code == 0
        assert chat.say("menu")  # refused old token: the stored pair is read, not refreshed
        assert zalo.refresh_calls == calls


def test_extra_apps_oa_needs_a_usable_token_once_it_has_tokens(
    config: dict[str, Any], rdb: redis.Redis
) -> None:
    extra = {"ZALO_EXTRA_APPS": "3300000000000000033:extra-webhook-key:3400000000000000034"}
    remember("extra-webhook-key")
    with production_bot(config, **extra) as (app, zalo, _):
        assert readyz(app)[1]["tokens"] == {zalo.oa_id: "ok"}  # none set for it: not served
        unknown = cli(app, "zalo", "tokens", "set", "--oa", "999", given="a\nb\n")
        assert unknown.exit_code == 1 and "unknown OA 999" in unknown.output
        stored = cli(app, "zalo", "tokens", "set", "--oa", "3400000000000000034",
                     given="extra-access-token-1\nextra-refresh-token-1\n")  # fmt: skip
        assert stored.exit_code == 0 and "app 3300000000000000033" in stored.output
        assert readyz(app)[1]["tokens"] == {zalo.oa_id: "ok", "3400000000000000034": "ok"}
        # What the refresher records when Zalo refuses that app's refresh token:
        TokenStatus(rdb, "3300000000000000033", "3400000000000000034").refreshed(
            "ZaloOAuthError -14014", True
        )
        code, body = readyz(app)
        assert code == 503 and body["reason"] == "no usable Zalo token for OA 3400000000000000034"
        every = cli(app, "zalo", "tokens", "show", "--all")
        assert every.exit_code == 1 and every.output.count("OA ") >= 2


def test_sandbox_needs_no_tokens(app: Flask) -> None:
    assert readyz(app)[0] == 200 and readyz(app)[1]["tokens"] == {}
    refused = cli(app, "zalo", "tokens", "set", given="a\nb\n")
    assert refused.exit_code == 1 and "needs no tokens" in refused.output
    shown = cli(app, "zalo", "tokens", "show")
    assert shown.exit_code == 0 and "no tokens needed" in shown.output


def read_until(fd: int, wanted: bytes, seen: bytearray) -> None:
    """Read the terminal's output into seen until wanted shows (or the process ends)."""

    def more() -> bool:
        if wanted in seen:
            return True
        if select.select([fd], [], [], 0.05)[0]:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the other side closed: the process ended
                return True
            seen.extend(chunk)
        return wanted in seen

    wait_for(more)


def controlling_terminal() -> None:
    """In the child (a session leader already): its stdin, a pty, becomes /dev/tty."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def test_at_a_terminal_the_tokens_are_asked_for_without_echo(config: dict[str, Any]) -> None:
    with production_bot(config, **NO_TOKENS) as (app, zalo, sms):
        access, refresh = zalo.issue_pair()
        remember(access, refresh)
        env = {**os.environ, **{k: str(v) for k, v in config.items()}, **zalo.config(),
               **sms.config_for("esms"), "BOT_SANDBOX": "0", "OTP_HASH_KEY": HASH_KEY,
               **NO_TOKENS}  # fmt: skip
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "zalo", "tokens", "set"]
        master, slave = pty.openpty()
        seen = bytearray()
        with spawn(command, stdin=slave, stdout=slave, stderr=slave, env=env,
                   preexec_fn=controlling_terminal) as process:  # fmt: skip
            os.close(slave)
            read_until(master, b"Access token (input hidden): ", seen)
            os.write(master, access.encode() + b"\n")
            read_until(master, b"Refresh token (input hidden): ", seen)
            os.write(master, refresh.encode() + b"\n")
            read_until(master, b"every process uses them", seen)
            assert process.wait(30) == 0, seen.decode(errors="replace")
        os.close(master)
        shown = seen.decode(errors="replace")
        assert access not in shown and refresh not in shown  # the terminal echoed nothing
        assert readyz(app)[1]["tokens"] == {zalo.oa_id: "ok"}


def test_with_several_oas_readyz_names_the_one_without_a_usable_token(
    config: dict[str, Any], rdb: redis.Redis
) -> None:
    from tests.test_many_oas import MENU, PUBLIC, SECOND_NAME, SECOND_OA, connect, second_chat

    with production_bot(config, PUBLIC_BASE_URL=PUBLIC) as (app, zalo, _):
        main_tokens(app).access_token()  # the env pair seeded, as at start
        connect(app, zalo, SECOND_OA, SECOND_NAME)
        code, body = readyz(app)
        assert code == 200 and body["tokens"] == {zalo.oa_id: "ok", SECOND_OA: "ok"}
        every = cli(app, "zalo", "tokens", "show", "--all")
        assert every.exit_code == 0, every.output
        assert f"OA {zalo.oa_id} (app {zalo.app_id}): ok" in every.output
        assert f"OA {SECOND_OA} (app {zalo.app_id}): ok" in every.output
        assert "by flask oa connect" in every.output

        # Unlinked (its tokens deleted), then linked again by hand: served, but tokenless.
        assert cli(app, "assets", "unlink", "oa", SECOND_OA, "--yes").exit_code == 0
        assert cli(app, "assets", "link", "oa", SECOND_OA).exit_code == 0
        code, body = readyz(app)
        assert code == 503 and body["reason"] == f"no usable Zalo token for OA {SECOND_OA}"
        assert body["tokens"] == {zalo.oa_id: "ok", SECOND_OA: "missing"}
        shown = cli(app, "zalo", "tokens", "show", "--oa", SECOND_OA)
        assert shown.exit_code == 1
        assert f"OA {SECOND_OA} (app {zalo.app_id}): missing" in shown.output
        assert "flask oa connect" in shown.output  # what to do about it

        access, refresh = zalo.issue_pair(oa_id=SECOND_OA)
        remember(access, refresh)
        stored = cli(app, "zalo", "tokens", "set", "--oa", SECOND_OA,
                     given=f"{access}\n{refresh}\n")  # fmt: skip
        assert stored.exit_code == 0 and f"OA {SECOND_OA} (app {zalo.app_id})" in stored.output
        code, body = readyz(app)
        assert code == 200 and body["tokens"] == {zalo.oa_id: "ok", SECOND_OA: "ok"}
        assert rdb.ttl(f"zalo:tokens:{{{zalo.app_id}}}:{SECOND_OA}") == -1
        assert second_chat(app, zalo).say("menu").startswith(MENU)  # with the pair it was given
