"""State names and small helpers shared by the verification handlers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.conversation.context import Context

if TYPE_CHECKING:
    from bot.verification.service import Verifier

CONFIRM_NUMBER = "verify:confirm_number"
AWAITING_PHONE = "verify:awaiting_phone"
AWAITING_METHOD = "verify:awaiting_method"
AWAITING_CODE = "verify:awaiting_code"


def verifier(ctx: Context) -> Verifier:
    """The verification service of the running bot."""
    found: Verifier = ctx.services.verifier
    return found


def human_wait(ctx: Context, seconds: int) -> str:
    """'45 giây' / '3 phút' in the user's language."""
    if seconds < 120:
        return ctx.text("seconds", n=seconds)
    return ctx.text("minutes", n=-(-seconds // 60))
