"""The verification dialogue as data: entry words, the routes of each step, its prompts."""

from __future__ import annotations

from bot.conversation.flow import Choice, Digits, Flow, OnEvent, OutsideDialogue, TextWhere
from bot.verification.phones import looks_like_phone
from handlers import verify_code as code
from handlers import verify_phone as phone
from handlers import verify_status as status
from handlers.intents import said
from handlers.verify_common import (
    AWAITING_CODE,
    AWAITING_METHOD,
    AWAITING_PHONE,
    CONFIRM_NUMBER,
)
from zalo_api.events import UserSubmitInfo

YES = {"1": "yes", "có": "yes", "co": "yes", "yes": "yes", "ok": "yes", "đồng ý": "yes"}
OTHER = {"2": "other", "không": "other", "no": "other"}


VERIFY = Flow(
    name="verify",
    entry=[
        said("verify", then=phone.start),
        said("verify_zalo", then=phone.start_zalo),
        said("status", then=status.show_status),
        said("other_number", then=phone.start_other_number),
        said("change_method", then=phone.start),
        said("resend", then=phone.resend_idle),
        OnEvent(UserSubmitInfo, then=phone.prefill_from_form),
        OutsideDialogue(Digits(6, then=code.code_outside_dialogue)),
    ],
    states={
        # Text that looks like a number is taken here; other text first meets the keywords
        # ('đổi phương thức', 'trạng thái', the unlink guide...), then `otherwise`, which
        # explains why it is not a number.
        CONFIRM_NUMBER: [
            Choice(YES, then=phone.use_number_on_file),
            Choice(OTHER, then=phone.ask_phone),
            TextWhere(looks_like_phone, then=phone.take_typed_phone),
        ],
        AWAITING_PHONE: [
            OnEvent(UserSubmitInfo, then=phone.take_shared_phone),
            TextWhere(looks_like_phone, then=phone.take_typed_phone),
        ],
        AWAITING_METHOD: code.METHOD_ROUTES,
        AWAITING_CODE: code.CODE_ROUTES,
    },
    fallbacks=[
        said("other_number", then=phone.ask_phone),
        said("change_method", then=code.change_method),
        said("resend", then=phone.resend_before_code),
    ],
    otherwise={
        CONFIRM_NUMBER: phone.take_typed_phone,
        AWAITING_PHONE: phone.take_typed_phone,
        AWAITING_METHOD: code.method_reprompt,
        AWAITING_CODE: code.code_reprompt,
    },
    steps={
        CONFIRM_NUMBER: "step_confirm_number",
        AWAITING_PHONE: "step_phone",
        AWAITING_METHOD: "step_method",
        AWAITING_CODE: "step_code",
    },
    prompts={
        CONFIRM_NUMBER: phone.confirm_prompt,
        AWAITING_PHONE: phone.ask_phone,
        AWAITING_METHOD: code.method_prompt,
        AWAITING_CODE: code.code_reprompt,
    },
)
