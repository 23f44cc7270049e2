"""A scripted SMS-pumping attacker is capped by the limits; a brute-forcer gets 5 guesses."""

from __future__ import annotations

from typing import Any

from bot import create_app
from bot.keys import UserRef
from bot.verification.codes import CodeStore, derive_code
from tests.helpers import Dialogue, phone_codes


def test_sms_pumping_across_many_numbers_and_accounts_is_capped(config: dict[str, Any]) -> None:
    # Numbers per account are not what this test is about (tests/test_stranger.py is).
    many = {"OTP_NUMBERS_PER_ACCOUNT_HOUR": 20, "OTP_NUMBERS_PER_ACCOUNT_DAY": 20}
    app = create_app(
        {**config, "OTP_RESEND_COOLDOWN_SECONDS": 0, "SMS_GLOBAL_PER_MINUTE": 1000, **many}
    )
    numbers = [f"+8491234{n:04d}" for n in range(4)]
    for account in range(15):
        attacker = Dialogue(app, f"attacker-{account}")
        for number in numbers:
            attacker.say("xác thực")
            attacker.say(number)
            attacker.say("1")
            for _ in range(3):
                attacker.say("gửi lại")
    sent = {number: len(phone_codes(app, number)) for number in numbers}
    # Per number: at most 10 codes an hour whatever the number of accounts.
    assert all(count == 10 for count in sent.values()), sent
    single = Dialogue(app, "one-account")
    for n in range(12):
        single.say("xác thực"), single.say(f"+8498765{n:04d}"), single.say("1")
    reached = sum(len(phone_codes(app, f"+8498765{n:04d}")) for n in range(12))
    assert reached == 10  # per account: at most 10 codes a day


def test_global_sms_ceiling_caps_a_distributed_attack(config: dict[str, Any]) -> None:
    app = create_app({**config, "SMS_GLOBAL_PER_MINUTE": 20})
    for n in range(30):
        d = Dialogue(app, f"bot-{n}")
        d.say("xác thực"), d.say(f"+8497000{n:04d}"), d.say("1")
    total = sum(len(phone_codes(app, f"+8497000{n:04d}", "sms")) for n in range(30))
    assert total == 20


def test_a_brute_forcer_gets_at_most_five_guesses_per_code(
    config: dict[str, Any], rdb: Any
) -> None:
    codes = CodeStore(rdb, "k", max_attempts=5, lock_seconds=60)
    user = UserRef("oa", "brute")
    issued = codes.issue(user, "+84912345678", "sms", ttl=300, cooldown=0)
    secret = derive_code("k", issued.nonce)
    outcomes = [codes.check(user, "+84912345678", f"{n:06d}").status for n in range(1000)]
    evaluated = [o for o in outcomes if o in ("wrong", "locked_now", "ok")]
    assert len(evaluated) <= 5
    if secret >= "000005":
        assert "ok" not in outcomes
