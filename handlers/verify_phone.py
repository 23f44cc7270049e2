"""Phone verification, the first steps: start, the number on file, typing or sharing a number.

```mermaid
stateDiagram-v2
    [*] --> confirm_number: verify / verify zalo (number on file)
    [*] --> awaiting_phone: verify / verify zalo (no number) / change number
    confirm_number --> awaiting_method: 1 (verify)
    confirm_number --> awaiting_code: 1 (verify zalo: code sent)
    confirm_number --> awaiting_phone: 2 / another number
    awaiting_phone --> awaiting_phone: refused (cannot be used now, invalid, too many numbers)
    awaiting_phone --> awaiting_method: valid number (typed or shared)
    awaiting_phone --> awaiting_code: valid number (verify zalo: code sent)
    awaiting_method --> awaiting_code: 1 SMS / 2 Zalo (code sent)
    awaiting_method --> awaiting_phone: number locked
    awaiting_code --> awaiting_code: wrong code / resend / other channel
    awaiting_code --> [*]: right code (verified) / 5th wrong code (locked)
    awaiting_code --> awaiting_method: send failed, change method
```
"""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.flow import Event, text_of
from bot.verification.funnel import Step
from bot.verification.phones import mask_for_user, parse_phone, region_names
from handlers import verify_code as code
from handlers.choices import after_lock_buttons, cancel_button, menu_buttons, still_at_step
from handlers.verify_common import AWAITING_PHONE, CONFIRM_NUMBER, until_text
from zalo_api.events import UserSubmitInfo


def refuse_if_locked(ctx: Context) -> bool:
    """When the account is locked, say until when (True); the user cannot start now."""
    return tell_if_locked(ctx, ctx.verifier.lock_wait_seconds(ctx))


def tell_if_locked(ctx: Context, wait: int) -> bool:
    """refuse_if_locked() with the lock's wait already read (a linked user: the portal
    account's)."""
    if wait:
        ctx.reply("locked", until=until_text(ctx, wait), buttons=after_lock_buttons(ctx))
    return bool(wait)


def start(event: Event, ctx: Context, fixed: str | None = None) -> str | None:
    """Begin: refuse while locked, offer the number on file, or ask for one."""
    ctx.data = {"fixed": fixed} if fixed else {}
    ctx.count_step(Step(ctx.user.oa_id, fixed or "", "started"))
    wait, account = ctx.verifier.lock_and_account(ctx)
    if tell_if_locked(ctx, wait):
        return None
    if account is None or account.phone is None:
        return ask_phone(event, ctx)
    ctx.data["phone"] = account.phone
    return confirm_prompt(event, ctx)


def confirm_prompt(event: Event, ctx: Context) -> str | None:
    """The number on file: use it (1) or another (2), as text and buttons."""
    zalo = ctx.data.get("fixed") == "zalo"
    yes = ctx.button("btn_send_here" if zalo else "btn_use_number", "#yes")
    buttons = [yes, ctx.button("btn_other_number", "#other_number"), *cancel_button(ctx)]
    key = "confirm_zalo_number" if zalo else "ask_use_existing"
    ctx.reply(key, phone=mask_for_user(ctx.data["phone"]), buttons=buttons)
    return CONFIRM_NUMBER


def start_zalo(event: Event, ctx: Context) -> str | None:
    """'xác thực zalo': the same steps, the code always by Zalo."""
    return start(event, ctx, fixed="zalo")


def start_other_number(event: Event, ctx: Context) -> str | None:
    """'đổi số' outside a dialogue: verification, at the number step."""
    ctx.data = {}
    ctx.count_step(Step(ctx.user.oa_id, "", "started"))
    return None if refuse_if_locked(ctx) else ask_phone(event, ctx)


def ask_phone(event: Event, ctx: Context) -> str | None:
    """Ask for a number, with Zalo's one-tap 'share my phone' form when configured."""
    ctx.data.pop("phone", None)
    image = ctx.oa.share_info_image_url
    ctx.reply("ask_phone_or_share" if image else "ask_phone", buttons=cancel_button(ctx))
    if image:
        ctx.request_user_info("share_info_title", "share_info_subtitle", image)
    return AWAITING_PHONE


def use_number_on_file(event: Event, ctx: Context) -> str | None:
    """'1': go on with the number on file."""
    return accept_number(ctx, ctx.data["phone"])


def take_typed_phone(event: Event, ctx: Context) -> str | None:
    """A typed number: parse it, refuse it specifically, or go on."""
    return take_phone(ctx, text_of(event) or "")


def take_shared_phone(event: Event, ctx: Context) -> str | None:
    """The number from Zalo's 'share my information' form."""
    assert isinstance(event, UserSubmitInfo)
    if not event.info.phone:
        return ask_phone(event, ctx)
    return take_phone(ctx, event.info.phone)


def prefill_from_form(event: Event, ctx: Context) -> str | None:
    """A shared form outside the dialogue: start verifying that number."""
    ctx.data = {}
    return None if refuse_if_locked(ctx) else take_shared_phone(event, ctx)


def take_phone(ctx: Context, text: str) -> str | None:
    """Check a number; stay on this step with a specific reason when it will not do."""
    regions = ctx.settings.otp_allowed_regions
    parsed = parse_phone(text, regions)
    if parsed.e164 is None:
        assert parsed.problem is not None
        ctx.reply(
            parsed.problem.value,
            regions=region_names(regions, ctx.lang),
            new_number=parsed.new_number,
            buttons=cancel_button(ctx),
        )
        return AWAITING_PHONE
    return accept_number(ctx, parsed.e164)


def accept_number(ctx: Context, phone: str) -> str | None:
    """Count the number against the account's limits, then refuse it at this step when it is
    in use elsewhere or locked (the same words for both), or go on."""
    refusal = ctx.verifier.number_step(ctx, phone)  # keeps the number in ctx.data
    if refusal is not None:
        return code.number_refused(ctx, phone, refusal.status, refusal.wait_seconds)
    return after_phone(ctx)


def after_phone(ctx: Context) -> str | None:
    """With a number: the Zalo path sends at once, the general path asks for the method."""
    if ctx.data.get("fixed") == "zalo":
        return code.send(ctx, "zalo")
    return code.ask_method(ctx)


def resend_before_code(event: Event, ctx: Context) -> str | None:
    """'gửi lại' before any code was sent in this dialogue: say so, ask the step again."""
    ctx.reply("resend_not_yet")
    return ctx.step_prompt(event, ctx) if ctx.step_prompt else ctx.state


def resend_idle(event: Event, ctx: Context) -> str | None:
    """'gửi lại' outside verification: until when a lock lasts, or how to start."""
    if not refuse_if_locked(ctx):
        ctx.reply("resend_nothing", buttons=menu_buttons(ctx))
    still_at_step(ctx)
    return ctx.state
