"""Logs: JSON lines, masked phones, and never a code, token or secret."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from bot import create_app
from bot.logs import MaskingFilter, configure_logging
from bot.masking import mask_phone, mask_phones_in, mask_user_id
from tests.helpers import Dialogue, last_code
from tests.leakcheck import RECORDS, leaks, remember


def test_phone_masks() -> None:
    assert mask_phone("+84912345678") == "+8491*****78"
    assert mask_phones_in("to +84912345678 and 0987654321 or 84912345678") == (
        "to +8491*****78 and 09876***21 or 84912****78"
    )
    # Zalo user ids (18-19 digits) and codes are not phones.
    assert mask_phones_in("user 2468458835296117922 code 123456") == (
        "user 2468458835296117922 code 123456"
    )
    assert mask_user_id("2468458835296117922") == mask_user_id("2468458835296117922")
    assert "2468458835296117922" not in mask_user_id("2468458835296117922")


def test_json_lines_carry_the_correlation_id_and_mask_phones(
    capfd: pytest.CaptureFixture[str],
) -> None:
    configure_logging("INFO", "json")
    logging.getLogger("tests.masking_demo").info("sent to %s", "+84912345678")
    line = capfd.readouterr().err.strip().splitlines()[-1]
    record = json.loads(line)
    assert record["message"] == "sent to +8491*****78"
    assert record["level"] == "INFO" and "correlation_id" in record


def test_a_whole_dialogue_logs_no_code_token_or_phone(config: dict[str, Any]) -> None:
    app = create_app({**config, "LOG_LEVEL": "DEBUG"})
    start = len(RECORDS)
    alice = Dialogue(app, log_level="DEBUG")  # RQ's own lines too
    alice.say("xác thực"), alice.say("0912345678"), alice.say("1")
    alice.say("000000" if last_code(app, "+84912345678") != "000000" else "111111")
    alice.say(last_code(app, "+84912345678"))
    alice.say("xác thực zalo"), alice.say("1")
    alice.say(last_code(app, "+84912345678", "zalo"))
    remember(config.get("OTP_HASH_KEY", "sandbox-otp-hash-key"), "sandbox-oa-secret-key")
    assert len(RECORDS) > start  # the dialogue did log (at DEBUG, RQ logs every job)
    assert leaks() == []


def test_the_filter_is_on_the_handler_output() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "to %s", ("0912345678",), None)
    MaskingFilter().filter(record)
    assert record.getMessage() == "to 09123***78"
