"""`flask chat`: the terminal simulator."""

from __future__ import annotations

import re
from typing import Any

from click.testing import Result
from flask import Flask

from bot import create_app
from tests.helpers import background_worker
from tests.leakcheck import remember
from tests.production import own_database, production_bot


def chat(app: Flask, *lines: str, args: tuple[str, ...] = ("--user", "u1")) -> Result:
    """Run `flask chat` typing lines, one per prompt."""
    return app.test_cli_runner().invoke(
        args=["chat", *args], input="".join(f"{x}\n" for x in lines)
    )


def sms_code(output: str) -> str:
    """The code the phone got, as the terminal printed it."""
    codes = re.findall(r"\[\+84912345678 SMS\] .*?(\d{6})", output)
    assert codes, output
    remember(*codes)
    return codes[-1]


def test_verify_a_phone_from_the_terminal(app: Flask) -> None:
    first = chat(app, "xác thực", "0912 345 678", "1", ":quit")
    assert first.exit_code == 0, first.output
    assert "Chatting as u1" in first.output
    assert "bot> Chào mừng" in first.output  # a new user follows first
    assert "you> bot>" in first.output and "1. SMS" in first.output
    code = sms_code(first.output)
    second = chat(app, code, "trạng thái")  # the dialogue goes on where it was (state in Redis)
    assert second.exit_code == 0, second.output
    assert "Chào mừng" not in second.output
    assert "Xác thực thành công" in second.output and "SMS: đã xác thực" in second.output


def test_share_admin_and_reset_commands(app: Flask) -> None:
    shared = chat(app, "xác thực", ":share 0912345678")
    assert "(type ':share <phone>' to answer)" in shared.output
    after_share = shared.output.split("(type ':share <phone>' to answer)")[1]
    assert "09xx xxx 678" in after_share and "1. SMS" in after_share
    admin = chat(app, ":admin on", "/assets", ":admin off")
    assert "(u1 is now an admin)" in admin.output and "1000000000000000001" in admin.output
    assert "(u1 is not an admin)" in admin.output
    reset = chat(app, ":reset", ":help")
    assert "bot> Chào mừng" in reset.output and "':admin on|off'" in reset.output


def test_replies_from_another_worker(app: Flask) -> None:
    with background_worker(app):
        result = chat(app, "menu", args=("--user", "u2", "--no-worker"))
    assert result.exit_code == 0 and result.output.count("bot> ") >= 2, result.output


def test_bad_user_and_production_are_refused(app: Flask, config: dict[str, Any]) -> None:
    bad = chat(app, args=("--user", "a b"))
    assert bad.exit_code == 2 and "user id" in bad.output
    with production_bot(own_database(config)) as (prod, _zalo, _sms):
        refused = chat(prod, "hi")
        assert refused.exit_code == 2 and "sandbox bot only" in refused.output


def test_empty_and_too_long_lines_do_not_end_the_chat(config: dict[str, Any]) -> None:
    app = create_app(config)
    result = chat(app, "", "x" * 2001, "menu")
    assert result.exit_code == 0
    assert "characters" in result.output and result.output.count("Mình có thể") >= 2


def test_buttons_show_numbered_and_a_number_or_a_payload_taps_them(app: Flask) -> None:
    result = chat(app, "3", "xác thực", "0912 345 678", "#zalo")
    assert "[1] Xác thực  [2] Xác thực Zalo  [3] Trạng thái" in result.output
    assert "Bạn chưa xác thực số điện thoại nào" in result.output  # '3' tapped Trạng thái
    assert "[1] SMS  [2] Zalo  [3] Số khác" in result.output
    assert "Đã gửi mã 6 chữ số qua tin nhắn Zalo" in result.output  # the payload, typed
