"""'trạng thái' / 'status': the number (masked), SMS and Zalo verification, any lock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.conversation.context import Button, Context
from bot.conversation.flow import Event
from bot.verification.accounts import Account
from bot.verification.links import account_id_of, mask_account
from bot.verification.phones import mask_for_user
from handlers.choices import still_at_step
from handlers.verify_common import until_text


def show_status(event: Event, ctx: Context) -> str | None:
    """The account's state, a lock even before any number is verified; the dialogue stays."""
    v = ctx.verifier
    account = v.account(ctx)
    wait = v.lock_wait_seconds(ctx)  # a linked user: the portal account's
    linked = account_id_of(v.subject_of(ctx))
    shown = ctx.text("status_linked", account=mask_account(linked)) if linked else ""
    until = until_text(ctx, wait) if wait else ""
    if account is None or account.phone is None:
        key = "status_none_locked" if wait else "status_none"
        if ctx.step_key is not None and not wait:  # mid-dialogue: no "tap Verify to start"
            key = "status_none_yet"
        ctx.reply_raw(ctx.text(key, until=until) + shown, buttons=next_buttons(ctx, None, wait))
    else:
        text = ctx.text(
            "status",
            phone=mask_for_user(account.phone),
            sms=verified_text(ctx, account.sms_verified_at),
            zalo=verified_text(ctx, account.zalo_verified_at),
        )
        lock = ctx.text("status_locked", until=until) if wait else ""
        ctx.reply_raw(text + lock + shown, buttons=next_buttons(ctx, account, wait))
    still_at_step(ctx)
    return ctx.state


def next_buttons(ctx: Context, account: Account | None, locked: int = 0) -> list[Button]:
    """What the user may do next: verify, add Zalo, or (mid-dialogue, or locked) the menu."""
    menu = ctx.button("btn_menu", "#menu")
    if locked or ctx.step_key is not None:
        return [] if ctx.step_key is not None else [menu]
    if account is None or not (account.sms_verified_at or account.zalo_verified_at):
        return [ctx.button("btn_verify", "#verify"), menu]
    if not account.zalo_verified_at:
        return [ctx.button("btn_verify_zalo", "#verify_zalo"), menu]
    return [menu]


def verified_text(ctx: Context, at: int | None) -> str:
    """'đã xác thực (22/11/2026)' or 'chưa xác thực'."""
    if not at:
        return ctx.text("status_no")
    zone = ZoneInfo(ctx.settings.bot_timezone)
    return ctx.text("status_yes", date=datetime.fromtimestamp(at, zone).strftime("%d/%m/%Y"))
