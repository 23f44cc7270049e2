"""A right code claims the number in the check's own step: the same claims as a claim of its
own (won, lost to another account, a second channel, a changed number), and a wrong code
claims nothing."""

from __future__ import annotations

import redis
from flask import Flask

from bot.conversation.context import Context
from bot.keys import UserRef, text
from bot.services import services_of
from bot.verification.accounts import NumberClaim, bucket
from bot.verification.codes import derive_code
from bot.verification.service import Verifier
from tests.helpers import OA_ID

PHONE = "+84912345678"
OTHER = "+84987654321"


def code_for(verifier: Verifier, rdb: redis.Redis, ctx: Context, phone: str, channel: str) -> str:
    """Ask for a code in the chat turn and read it as the phone would."""
    rdb.delete(ctx.user.key("otp-cooldown"))
    outcome = verifier.request_for(ctx.user, phone, channel, "vi", lambda send: None, "u")
    assert outcome.status == "sent"
    ctx.data.update(phone=phone, channel=channel)
    nonce = text(rdb.hget(ctx.user.key("otp"), "n"))
    assert nonce
    return derive_code(verifier.settings.otp_hash_key, nonce)


def turn(user: str) -> Context:
    """A fresh chat turn of user."""
    return Context(user=UserRef(OA_ID, user), lang="vi")


def record(rdb: redis.Redis, user: str) -> str:
    """The account's stored record, with the verification times made constant."""
    found = text(rdb.hget(bucket("acct", OA_ID, user), user))
    phone, sms, zalo, byapp = (found or "|||").split("|")
    return f"{phone}|{'sms' if int(sms or 0) else ''}|{'zalo' if int(zalo or 0) else ''}|{byapp}"


def owner(rdb: redis.Redis, phone: str) -> str:
    """The user id the number's owner index names ('': none)."""
    digits = phone.lstrip("+")
    return text(rdb.hget(bucket("phone", OA_ID, digits), digits))


def test_a_right_code_claims_the_number_in_its_own_step(app: Flask, rdb: redis.Redis) -> None:
    verifier = services_of(app).verifier
    ctx = turn("u1")
    code = code_for(verifier, rdb, ctx, PHONE, "sms")
    wrong = "000000" if code != "000000" else "111111"
    assert verifier.check(ctx, PHONE, wrong).claimed == ""
    assert owner(rdb, PHONE) == "" and record(rdb, "u1") == "|||"  # a wrong code: nothing
    checked = verifier.check(ctx, PHONE, code)
    assert (checked.status, checked.claimed) == ("ok", "ok")
    assert owner(rdb, PHONE) == "u1" and record(rdb, "u1") == "84912345678|sms||"
    assert verifier.complete(ctx, PHONE, checked.channel)
    assert [step.step for step in ctx.steps][-1] == "verified"
    assert record(rdb, "u1") == "84912345678|sms||"


def test_the_claim_in_the_step_stores_what_a_claim_of_its_own_stores(
    app: Flask, rdb: redis.Redis
) -> None:
    """Two accounts verify SMS then Zalo, one claiming with its right codes, one by the
    claim alone (the portal API's way): the same records, by app id too."""
    verifier = services_of(app).verifier
    for user, carried in (("u1", True), ("u2", False)):
        ctx = turn(user)
        ctx.user_id_by_app = f"app-{user}"
        phone = PHONE if carried else OTHER
        for channel in ("sms", "zalo"):
            code = code_for(verifier, rdb, ctx, phone, channel)
            if carried:
                checked = verifier.check(ctx, phone, code)
                assert checked.claimed == "ok"  # the second channel's too: the same number
                assert verifier.complete(ctx, phone, checked.channel)
            else:
                checked = verifier.check_for(ctx.user, phone, code, channel)
                assert checked.status == "ok" and checked.claimed == ""
                assert verifier.complete_for(ctx.user, phone, channel, f"app-{user}", ctx.enqueue)
    assert record(rdb, "u1") == "84912345678|sms|zalo|app-u1"
    assert record(rdb, "u2") == "84987654321|sms|zalo|app-u2"
    assert rdb.hget(bucket("byapp", OA_ID, "app-u1"), "app-u1") == b"u1"


def test_a_number_won_by_another_account_meanwhile_is_lost(app: Flask, rdb: redis.Redis) -> None:
    verifier = services_of(app).verifier
    ctx = turn("u1")
    code = code_for(verifier, rdb, ctx, PHONE, "sms")
    assert verifier.accounts.claim(NumberClaim(OA_ID, "u2", PHONE, "sms", 1))  # the race's winner
    checked = verifier.check(ctx, PHONE, code)
    assert (checked.status, checked.claimed) == ("ok", "taken")
    assert not verifier.complete(ctx, PHONE, checked.channel)
    assert [(step.step, step.reason) for step in ctx.steps][-1] == ("failed", "lost_race")
    assert owner(rdb, PHONE) == "u2" and record(rdb, "u1") == "|||"
    assert not rdb.exists(ctx.user.key("otp"))  # the code was used all the same


def test_a_new_number_releases_the_old_one(app: Flask, rdb: redis.Redis) -> None:
    verifier = services_of(app).verifier
    assert verifier.accounts.claim(NumberClaim(OA_ID, "u1", PHONE, "sms", 1))
    ctx = turn("u1")
    code = code_for(verifier, rdb, ctx, OTHER, "zalo")
    checked = verifier.check(ctx, OTHER, code)
    assert checked.claimed == "stale" and checked.record.startswith("84912345678|")
    assert verifier.complete(ctx, OTHER, checked.channel)
    assert record(rdb, "u1") == "84987654321||zalo|"
    assert owner(rdb, PHONE) == "" and owner(rdb, OTHER) == "u1"


def test_a_code_sent_by_another_channel_than_the_claims_is_claimed_by_its_own(
    app: Flask, rdb: redis.Redis
) -> None:
    """The dialogue's channel and the code's differ: the step claims nothing, the number is
    claimed for the code's channel after."""
    verifier = services_of(app).verifier
    ctx = turn("u1")
    code = code_for(verifier, rdb, ctx, PHONE, "zalo")
    ctx.data["channel"] = "sms"
    checked = verifier.check(ctx, PHONE, code)
    assert (checked.status, checked.channel, checked.claimed) == ("ok", "zalo", "")
    assert owner(rdb, PHONE) == ""
    assert verifier.complete(ctx, PHONE, checked.channel)
    assert record(rdb, "u1") == "84912345678||zalo|"
