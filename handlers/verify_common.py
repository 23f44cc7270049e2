"""State names and small helpers shared by the verification handlers."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.conversation.context import Context

CONFIRM_NUMBER = "verify:confirm_number"
AWAITING_PHONE = "verify:awaiting_phone"
AWAITING_METHOD = "verify:awaiting_method"
AWAITING_CODE = "verify:awaiting_code"


def human_wait(ctx: Context, seconds: int) -> str:
    """'45 giây' / '3 phút' in the user's language."""
    if seconds < 120:
        return ctx.text("seconds", n=seconds)
    return ctx.text("minutes", n=-(-seconds // 60))


def until_text(ctx: Context, seconds_from_now: int) -> str:
    """A moment as users read it: '04:46 ngày 02/12/2026' / '04:46 on 02/12/2026'."""
    zone = ZoneInfo(ctx.settings.bot_timezone)
    moment = datetime.fromtimestamp(ctx.now + seconds_from_now, zone)
    return ctx.text("at_time", time=moment.strftime("%H:%M"), date=moment.strftime("%d/%m/%Y"))
