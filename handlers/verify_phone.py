"""Phone verification, the first steps: start, the number on file, typing or sharing a number.

```mermaid
stateDiagram-v2
    [*] --> confirm_number: verify / verify zalo (number on file)
    [*] --> awaiting_phone: verify / verify zalo (no number)
    confirm_number --> awaiting_method: 1 (verify)
    confirm_number --> awaiting_code: 1 (verify zalo: code sent)
    confirm_number --> awaiting_phone: another number
    awaiting_phone --> awaiting_method: valid number (typed or shared)
    awaiting_phone --> awaiting_code: valid number (verify zalo: code sent)
    awaiting_method --> awaiting_code: 1 SMS / 2 Zalo (code sent)
    awaiting_code --> awaiting_code: wrong code / resend
    awaiting_code --> [*]: right code (verified) / 5th wrong code (locked)
    awaiting_code --> awaiting_method: send failed, change method
```
"""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.flow import Choice, Event, Flow, Keyword, OnEvent, TextWhere
from bot.verification.phones import looks_like_phone, mask_for_user, parse_phone
from handlers import verify_code as code
from handlers.verify_common import (
    AWAITING_CODE,
    AWAITING_METHOD,
    AWAITING_PHONE,
    CONFIRM_NUMBER,
    verifier,
)
from zalo_api.events import UserSubmitInfo

YES = {"1": "yes", "có": "yes", "co": "yes", "yes": "yes", "ok": "yes", "đồng ý": "yes"}


def start(event: Event, ctx: Context, fixed: str | None = None) -> str | None:
    """Begin: refuse while locked, offer the number on file, or ask for one."""
    v = verifier(ctx)
    ctx.data = {"fixed": fixed} if fixed else {}
    wait = v.lock_wait_seconds(ctx.user)
    if wait:
        ctx.reply("locked", until=v.local_time(wait))
        return None
    account = v.account(ctx.user)
    if account is None or account.phone is None:
        return ask_phone(event, ctx)
    ctx.data["phone"] = account.phone
    key = "confirm_zalo_number" if fixed == "zalo" else "ask_use_existing"
    ctx.reply(key, phone=mask_for_user(account.phone))
    return CONFIRM_NUMBER


def start_zalo(event: Event, ctx: Context) -> str | None:
    """'xác thực zalo': the same steps, the code always by Zalo."""
    return start(event, ctx, fixed="zalo")


def ask_phone(event: Event, ctx: Context) -> str | None:
    """Ask for a number, with Zalo's one-tap 'share my phone' form when configured."""
    ctx.data.pop("phone", None)
    image = ctx.services.settings.zalo_share_info_image_url
    ctx.reply("ask_phone_or_share" if image else "ask_phone")
    if image:
        ctx.request_user_info("share_info_title", "share_info_subtitle", image)
    return AWAITING_PHONE


def use_number_on_file(event: Event, ctx: Context) -> str | None:
    """'1': go on with the number on file."""
    return after_phone(ctx)


def take_typed_phone(event: Event, ctx: Context) -> str | None:
    """A typed number: parse it, refuse it specifically, or go on."""
    return take_phone(ctx, str(ctx.match))


def take_shared_phone(event: Event, ctx: Context) -> str | None:
    """The number from Zalo's 'share my information' form."""
    assert isinstance(event, UserSubmitInfo)
    if not event.info.phone:
        return ask_phone(event, ctx)
    return take_phone(ctx, event.info.phone)


def prefill_from_form(event: Event, ctx: Context) -> str | None:
    """A shared form outside the dialogue: start verifying that number."""
    ctx.data = {}
    return take_shared_phone(event, ctx)


def take_phone(ctx: Context, text: str) -> str | None:
    """Check a number; stay on this step with a specific reason when it will not do."""
    regions = ctx.services.settings.otp_allowed_regions
    parsed = parse_phone(text, regions)
    if parsed.e164 is None:
        assert parsed.problem is not None
        ctx.reply(parsed.problem.value, regions=", ".join(regions), new_number=parsed.new_number)
        return AWAITING_PHONE
    if verifier(ctx).in_use_by_other(ctx.user, parsed.e164):
        ctx.reply("phone_in_use")
        return AWAITING_PHONE
    ctx.data["phone"] = parsed.e164
    return after_phone(ctx)


def after_phone(ctx: Context) -> str | None:
    """With a number: the Zalo path sends at once, the general path asks for the method."""
    if ctx.data.get("fixed") == "zalo":
        return code.send(ctx, "zalo")
    return code.ask_method(ctx)


VERIFY = Flow(
    name="verify",
    entry=[
        Keyword("xác thực", "verify", "xác minh", then=start),
        Keyword("xác thực zalo", "verify zalo", "verify_zalo", then=start_zalo),
        Keyword("trạng thái", "status", then=code.show_status),
        OnEvent(UserSubmitInfo, then=prefill_from_form),
    ],
    states={
        # Text that looks like a number is taken here; other text first meets the keywords
        # ('đổi phương thức', 'trạng thái', the unlink guide...), then `otherwise`, which
        # explains why it is not a number.
        CONFIRM_NUMBER: [
            Choice(YES, then=use_number_on_file),
            TextWhere(looks_like_phone, then=take_typed_phone),
        ],
        AWAITING_PHONE: [
            OnEvent(UserSubmitInfo, then=take_shared_phone),
            TextWhere(looks_like_phone, then=take_typed_phone),
        ],
        AWAITING_METHOD: code.METHOD_ROUTES,
        AWAITING_CODE: code.CODE_ROUTES,
    },
    fallbacks=[
        Keyword("đổi số", "change number", "số khác", then=ask_phone),
        Keyword("đổi phương thức", "change method", "đổi cách", then=code.change_method),
    ],
    otherwise={
        CONFIRM_NUMBER: take_typed_phone,
        AWAITING_PHONE: take_typed_phone,
        AWAITING_METHOD: code.method_reprompt,
        AWAITING_CODE: code.code_reprompt,
    },
    steps={
        CONFIRM_NUMBER: "step_confirm_number",
        AWAITING_PHONE: "step_phone",
        AWAITING_METHOD: "step_method",
        AWAITING_CODE: "step_code",
    },
)
