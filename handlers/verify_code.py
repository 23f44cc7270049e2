"""Phone verification, the last steps: choosing SMS or Zalo, sending, checking the code."""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.flow import Choice, Digits, Event, OnEvent, Route
from bot.queues.internal_events import SendFailed
from bot.verification.phones import mask_for_user
from bot.verification.zns_delivery import UNDELIVERED
from handlers.choices import (
    after_lock_buttons,
    cancel_button,
    code_buttons,
    menu_buttons,
    method_buttons,
)
from handlers.intents import said
from handlers.verify_common import (
    AWAITING_CODE,
    AWAITING_METHOD,
    AWAITING_PHONE,
    human_wait,
    until_text,
)

METHODS = {"1": "sms", "sms": "sms", "tin nhắn": "sms", "2": "zalo", "zalo": "zalo"}
# While a code is awaited, a tap on SMS or Zalo (a newer choice) sends by that channel.
CHANNELS = {"sms": "sms", "zalo": "zalo"}
OTHER = {"sms": ("zalo", "2"), "zalo": ("sms", "1")}


def ask_method(ctx: Context) -> str | None:
    """Offer SMS (5 minutes) or Zalo (2 minutes)."""
    s = ctx.settings
    ctx.reply(
        "ask_method",
        phone=mask_for_user(ctx.data["phone"]),
        sms_minutes=max(1, s.otp_sms_ttl_seconds // 60),
        zalo_minutes=max(1, s.otp_zalo_ttl_seconds // 60),
        buttons=method_buttons(ctx),
    )
    return AWAITING_METHOD


def method_prompt(event: Event, ctx: Context) -> str | None:
    """The method step asked again."""
    return ask_method(ctx)


def choose_method(event: Event, ctx: Context) -> str | None:
    """'1' / 'sms' / '#sms' or '2' / 'zalo' / '#zalo'."""
    return send(ctx, str(ctx.match))


def change_method(event: Event, ctx: Context) -> str | None:
    """'đổi phương thức': back to the choice (the Zalo-only path now has it too)."""
    if "phone" not in ctx.data:  # no number yet: that comes first
        ctx.reply("method_needs_phone", buttons=cancel_button(ctx))
        return AWAITING_PHONE
    ctx.data.pop("fixed", None)
    return ask_method(ctx)


def send(ctx: Context, channel: str) -> str | None:
    """Ask for a code by channel and say what happened."""
    v = ctx.verifier
    outcome = v.request_code(ctx, ctx.data["phone"], channel)
    if outcome.status == "sent":
        ctx.data.update(channel=channel, ref=outcome.reference)
        ctx.reply(
            "code_sent",
            channel=ctx.text(f"channel_{channel}"),
            phone=mask_for_user(ctx.data["phone"]),
            minutes=max(1, v.ttl_of(channel) // 60),
            buttons=code_buttons(ctx),
        )
        return AWAITING_CODE
    return refused(ctx, outcome.status, outcome.wait_seconds)


def refused(ctx: Context, status: str, wait: int) -> str | None:
    """The reply and next step for a code that was not sent."""
    if status == "locked":
        return locked(ctx, wait)
    if status in ("in_use", "numbers_limited"):
        return number_refused(ctx, ctx.data["phone"], status, wait)
    buttons = code_buttons(ctx) if ctx.state == AWAITING_CODE else method_buttons(ctx)
    if status == "cooldown":
        ctx.reply("resend_wait", seconds=wait, buttons=buttons)
        return ctx.state
    if status == "limited":
        ctx.reply("rate_limited", wait=human_wait(ctx, wait), buttons=buttons)
        return ctx.state
    key = "sms_busy" if status == "sms_busy" else "zalo_unavailable"
    ctx.reply(key, wait=human_wait(ctx, wait), buttons=method_buttons(ctx))
    return AWAITING_METHOD


def locked(ctx: Context, wait: int) -> str | None:
    """The account's lock ends the dialogue (until when); the number's asks for another."""
    account_wait = ctx.verifier.lock_wait_seconds(ctx)
    if account_wait or "phone" not in ctx.data:
        until = until_text(ctx, account_wait or wait)
        ctx.reply("locked", until=until, buttons=after_lock_buttons(ctx))
        return None
    return number_locked(ctx, ctx.data["phone"], wait)


def number_locked(ctx: Context, phone: str, wait: int) -> str | None:
    """A number locked by wrong codes: until when only if this account's locked it."""
    v = ctx.verifier
    mine = v.codes.number_locked_by(v.subject_of(ctx), phone)
    return number_refused(ctx, phone, "locked_mine" if mine else "locked", wait)


def number_refused(ctx: Context, phone: str, status: str, wait: int) -> str | None:
    """The number step again, with why. Another account hears the same words for a number
    in use and a number locked (the chat is not an oracle): never by whom, nor until when."""
    ctx.data.pop("phone", None)
    buttons = [ctx.button("btn_menu", "#menu"), *cancel_button(ctx)]
    if status == "numbers_limited":
        ctx.reply("numbers_limited", until=until_text(ctx, wait), buttons=buttons)
    elif status == "locked_mine":
        until = until_text(ctx, wait)
        ctx.reply("phone_locked", phone=mask_for_user(phone), until=until, buttons=buttons)
    else:
        ctx.reply("phone_unavailable", buttons=buttons)
    return AWAITING_PHONE


def check_code(event: Event, ctx: Context) -> str | None:
    """A typed code: verified, wrong (tries left), locked, or expired."""
    v = ctx.verifier
    phone = ctx.data["phone"]
    checked = v.check(ctx, phone, str(ctx.match))
    if checked.status == "ok":
        return verified(ctx, phone, checked.channel)
    if checked.status == "wrong":
        ctx.reply("code_wrong", left=checked.attempts_left, buttons=code_buttons(ctx))
        return AWAITING_CODE
    if checked.status == "locked_now":
        max_tries = ctx.settings.otp_max_attempts
        until = until_text(ctx, checked.wait_seconds)
        ctx.reply("locked_now", max=max_tries, until=until, buttons=after_lock_buttons(ctx))
        return None
    if checked.status == "number_locked_now":  # this account's wrong code locked the number
        return number_refused(ctx, phone, "locked_mine", checked.wait_seconds)
    if checked.status == "locked":
        return locked(ctx, checked.wait_seconds)
    ctx.reply("code_expired", buttons=code_buttons(ctx))
    return AWAITING_CODE


def verified(ctx: Context, phone: str, channel: str) -> str | None:
    """Claim the number; after SMS, offer Zalo as well."""
    if not ctx.verifier.complete(ctx, phone, channel):
        ctx.reply("phone_in_use")  # another account verified it a moment earlier
        return None
    buttons = [ctx.button("btn_status", "#status"), ctx.button("btn_menu", "#menu")]
    if channel == "sms":
        buttons.insert(0, ctx.button("btn_verify_zalo", "#verify_zalo"))
    ctx.reply(f"verified_{channel}", phone=mask_for_user(phone), buttons=buttons)
    return None


def code_outside_dialogue(event: Event, ctx: Context) -> str | None:
    """A code when none is awaited (after a lock, or too late) is never checked: the lock
    and until when, or how to get a new code."""
    wait = ctx.verifier.lock_wait_seconds(ctx)
    if wait:
        until = until_text(ctx, wait)
        ctx.reply("code_while_locked", until=until, buttons=after_lock_buttons(ctx))
    else:
        ctx.reply("code_not_expected", buttons=menu_buttons(ctx))
    return None


def resend(event: Event, ctx: Context) -> str | None:
    """'gửi lại': a new code by the same channel (the cooldown applies)."""
    if "channel" not in ctx.data:  # at the method step, before any code went out
        ctx.reply("resend_not_yet")
        return ask_method(ctx)
    return send(ctx, ctx.data["channel"])


def send_failed(event: Event, ctx: Context) -> str | None:
    """A code could not be delivered: tell the user if it is still the code they wait for."""
    assert isinstance(event, SendFailed)
    if ctx.state != AWAITING_CODE or ctx.data.get("ref") != event.reference:
        return ctx.state  # the user has moved on; nothing to say
    phone = mask_for_user(ctx.data["phone"])
    if event.reason == "expired":  # the send came too late: a new code is one word away
        channel = ctx.text(f"channel_{event.channel}")
        ctx.reply("send_expired", channel=channel, buttons=[ctx.button("btn_resend", "#resend")])
        return AWAITING_CODE
    if event.reason == UNDELIVERED:  # the Zalo code may still come: it stays valid till SMS
        buttons = [ctx.button("btn_sms_instead", "#sms"), *code_buttons(ctx)[1:]]
        ctx.reply("zns_not_arrived", buttons=buttons)
        return AWAITING_CODE
    if event.reason == "no_zalo_account":
        ctx.reply("no_zalo_account", phone=phone, buttons=method_buttons(ctx))
    else:
        other, choice = OTHER[event.channel]
        ctx.reply(
            "send_failed",
            channel=ctx.text(f"channel_{event.channel}"),
            other=ctx.text(f"channel_{other}"),
            other_choice=choice,
            buttons=[*method_buttons(ctx)[:2], ctx.button("btn_resend", "#resend")],
        )
    ctx.data.pop("fixed", None)
    return AWAITING_METHOD


def method_reprompt(event: Event, ctx: Context) -> str | None:
    """Neither SMS nor Zalo."""
    ctx.reply("method_reprompt", buttons=method_buttons(ctx))
    return ctx.state


def code_reprompt(event: Event, ctx: Context) -> str | None:
    """Anything else while waiting for the code."""
    ctx.reply("code_reprompt", buttons=code_buttons(ctx))
    return ctx.state


RESEND = said("resend", then=resend)
# After a failed send the user is back at the method step, told they may resend.
METHOD_ROUTES: list[Route] = [Choice(METHODS, then=choose_method), RESEND]
CODE_ROUTES: list[Route] = [
    Digits(6, then=check_code),
    RESEND,
    Choice(CHANNELS, then=choose_method),
]
GLOBAL_ROUTES: list[Route] = [OnEvent(SendFailed, then=send_failed)]
