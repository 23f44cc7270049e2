"""Phone verification, the last steps: choosing SMS or Zalo, sending, checking the code."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.conversation.context import Context
from bot.conversation.flow import Choice, Digits, Event, Keyword, OnEvent, Route, reply_and_stay
from bot.queues.internal_events import SendFailed
from bot.verification.links import mask_account
from bot.verification.phones import mask_for_user
from handlers.verify_common import (
    AWAITING_CODE,
    AWAITING_METHOD,
    AWAITING_PHONE,
    human_wait,
    verifier,
)

METHODS = {"1": "sms", "sms": "sms", "tin nhắn": "sms", "2": "zalo", "zalo": "zalo"}
OTHER = {"sms": ("zalo", "2"), "zalo": ("sms", "1")}


def ask_method(ctx: Context) -> str | None:
    """Offer SMS (5 minutes) or Zalo (2 minutes)."""
    s = ctx.services.settings
    ctx.reply(
        "ask_method",
        phone=mask_for_user(ctx.data["phone"]),
        sms_minutes=max(1, s.otp_sms_ttl_seconds // 60),
        zalo_minutes=max(1, s.otp_zalo_ttl_seconds // 60),
    )
    return AWAITING_METHOD


def choose_method(event: Event, ctx: Context) -> str | None:
    """'1' / 'sms' / '#sms' or '2' / 'zalo' / '#zalo'."""
    return send(ctx, str(ctx.match))


def change_method(event: Event, ctx: Context) -> str | None:
    """'đổi phương thức': back to the choice (the Zalo-only path now has it too)."""
    if "phone" not in ctx.data:  # no number yet: that comes first
        ctx.reply("ask_phone")
        return ctx.state
    ctx.data.pop("fixed", None)
    return ask_method(ctx)


def send(ctx: Context, channel: str) -> str | None:
    """Ask for a code by channel and say what happened."""
    v = verifier(ctx)
    outcome = v.request_code(ctx, ctx.data["phone"], channel)
    if outcome.status == "sent":
        ctx.data.update(channel=channel, ref=outcome.reference)
        minutes = max(1, v.ttl_of(channel) // 60)
        ctx.reply(
            "code_sent",
            channel=ctx.text(f"channel_{channel}"),
            phone=mask_for_user(ctx.data["phone"]),
            minutes=minutes,
        )
        return AWAITING_CODE
    return refused(ctx, outcome.status, outcome.wait_seconds)


def refused(ctx: Context, status: str, wait: int) -> str | None:
    """The reply and next step for a code that was not sent."""
    if status == "locked":
        ctx.reply("locked", until=verifier(ctx).local_time(wait))
        return None
    if status == "in_use":
        ctx.reply("phone_in_use")
        return AWAITING_PHONE
    if status == "cooldown":
        ctx.reply("resend_wait", seconds=wait)
        return ctx.state
    if status == "limited":
        ctx.reply("rate_limited", wait=human_wait(ctx, wait))
        return ctx.state
    ctx.reply(
        "sms_busy" if status == "sms_busy" else "zalo_unavailable", wait=human_wait(ctx, wait)
    )
    return AWAITING_METHOD


def check_code(event: Event, ctx: Context) -> str | None:
    """A typed code: verified, wrong (tries left), locked, or expired."""
    v = verifier(ctx)
    phone = ctx.data["phone"]
    checked = v.check(ctx, phone, str(ctx.match))
    if checked.status == "ok":
        if not v.complete(ctx, phone, checked.channel):
            ctx.reply("phone_in_use")  # another account verified it a moment earlier
            return None
        ctx.reply(f"verified_{checked.channel}", phone=mask_for_user(phone))
        return None
    if checked.status == "wrong":
        ctx.reply("code_wrong", left=checked.attempts_left)
        return AWAITING_CODE
    if checked.status in ("locked_now", "locked"):
        until = v.local_time(checked.wait_seconds)
        max_tries = ctx.services.settings.otp_max_attempts
        ctx.reply(checked.status, max=max_tries, until=until)
        return None
    ctx.reply("code_expired")
    return AWAITING_CODE


def resend(event: Event, ctx: Context) -> str | None:
    """'gửi lại': a new code by the same channel (the cooldown applies)."""
    return send(ctx, ctx.data.get("channel", "sms"))


def send_failed(event: Event, ctx: Context) -> str | None:
    """A code could not be delivered: tell the user if it is still the code they wait for."""
    assert isinstance(event, SendFailed)
    if ctx.state != AWAITING_CODE or ctx.data.get("ref") != event.reference:
        return ctx.state  # the user has moved on; nothing to say
    phone = mask_for_user(ctx.data["phone"])
    if event.reason == "expired":  # the send came too late: a new code is one word away
        ctx.reply("send_expired", channel=ctx.text(f"channel_{event.channel}"))
        return AWAITING_CODE
    if event.reason == "no_zalo_account":
        ctx.reply("no_zalo_account", phone=phone)
    else:
        other, choice = OTHER[event.channel]
        ctx.reply(
            "send_failed",
            channel=ctx.text(f"channel_{event.channel}"),
            other=ctx.text(f"channel_{other}"),
            other_choice=choice,
        )
    ctx.data.pop("fixed", None)
    return AWAITING_METHOD


def show_status(event: Event, ctx: Context) -> str | None:
    """'trạng thái': the number (masked), SMS and Zalo verification, any lock."""
    v = verifier(ctx)
    account = v.account(ctx.user)
    wait = v.lock_wait_seconds(ctx.user)
    linked = v.links.account_of(ctx.user)
    shown = ctx.text("status_linked", account=mask_account(linked)) if linked else ""
    if account is None or account.phone is None:
        ctx.reply_raw(ctx.text("status_none") + shown)
    else:
        ctx.reply_raw(
            ctx.text(
                "status",
                phone=mask_for_user(account.phone),
                sms=verified_text(ctx, account.sms_verified_at),
                zalo=verified_text(ctx, account.zalo_verified_at),
            )
            + (ctx.text("status_locked", until=v.local_time(wait)) if wait else "")
            + shown
        )
    return ctx.state


def verified_text(ctx: Context, at: int | None) -> str:
    """'đã xác thực (22/11/2026)' or 'chưa xác thực'."""
    if not at:
        return ctx.text("status_no")
    zone = ZoneInfo(ctx.services.settings.bot_timezone)
    return ctx.text("status_yes", date=datetime.fromtimestamp(at, zone).strftime("%d/%m/%Y"))


# Anything else while choosing the method, or while waiting for the code.
method_reprompt = reply_and_stay("method_reprompt")
code_reprompt = reply_and_stay("code_reprompt")
RESEND = Keyword("gửi lại", "resend", "gửi mã mới", then=resend)
# After a failed send the user is back at the method step, told they may resend.
METHOD_ROUTES: list[Route] = [Choice(METHODS, then=choose_method), RESEND]
CODE_ROUTES: list[Route] = [
    Digits(6, then=check_code),
    RESEND,
]
GLOBAL_ROUTES: list[Route] = [OnEvent(SendFailed, then=send_failed)]
