"""The chat and the portal racing for one number, and ZNS -118 told to the portal."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask

from bot import create_app
from bot.keys import UserRef
from bot.services import services_of
from tests.helpers import OA_ID, Dialogue, last_code, phone_codes, run_jobs, text_event
from tests.portalkit import KEY, PHONE, check, check_raw, start, start_raw
from tests.production import production_bot


def race_once(app: Flask, round_: int) -> None:
    """A chat user and a portal account each hold a code for one number; both use it at once."""
    phone_typed = f"091234{round_:04d}"
    phone = "+84" + phone_typed[1:]
    d = Dialogue(app, f"chat-{round_}")
    d.say("xác thực"), d.say(phone_typed), d.say("1")
    chat_code = last_code(app, phone)
    # The number's resend cooldown holds for every account: let it pass, as a minute would.
    services_of(app).verifier.codes.end_cooldown(UserRef(OA_ID, d.user), phone)
    account_id = f"race-{round_}"
    start(app, phone=phone_typed, account_id=account_id)
    run_jobs(app)
    portal_code = phone_codes(app, phone)[-1]
    barrier = threading.Barrier(2)
    answers: list[Any] = []

    def portal_check() -> None:
        barrier.wait()
        answers.append(check_raw(app, portal_code, account_id=account_id))

    thread = threading.Thread(target=portal_check)
    thread.start()
    barrier.wait()
    chat_reply = "\n".join(d.send(text_event(d.user, chat_code)))  # webhook + real worker
    thread.join()
    owner = services_of(app).verifier.accounts.owner_of(OA_ID, phone)
    portal_won = answers[0].status_code == 200
    assert portal_won != ("thành công" in chat_reply)  # exactly one of the two
    assert owner == (f"portal:{account_id}" if portal_won else d.user)
    if portal_won:
        assert "tài khoản khác" in chat_reply
    else:
        assert answers[0].get_json()["error"] == "phone_in_use"


def test_chat_and_portal_racing_for_one_number_one_owner(config: dict[str, Any]) -> None:
    app = create_app({**config, "PORTAL_API_KEY": KEY})
    for round_ in range(4):
        race_once(app, round_)


def test_zns_without_zalo_account_is_failed_then_channel_unavailable(
    config: dict[str, Any],
) -> None:
    with production_bot(config, PORTAL_API_KEY=KEY) as (app, zalo, sms):
        zalo.no_zalo_account("84912345678")
        assert start(app, channel="zalo")["status"] == "pending"
        run_jobs(app)
        failed = check(app, "123456")
        assert (failed["status"], failed["reason"]) == ("failed", "no_zalo_account")
        again = start_raw(app, channel="zalo")
        body = again.get_json()
        assert (again.status_code, body["error"], body["reason"]) == (
            503, "channel_unavailable", "no_zalo_account")  # fmt: skip
        assert start(app, channel="sms")["status"] == "pending"  # SMS is the way out
        run_jobs(app)
        code = sms.last_code_to(PHONE)
        assert code is not None and check(app, code)["status"] == "approved"
