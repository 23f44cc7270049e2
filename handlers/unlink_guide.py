"""For everyone: how to unlink an OA or an App ID in the Zalo Cloud Account console."""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.flow import Event, Flow, Keyword

QUESTIONS = (
    "hủy liên kết",
    "unlink",
    "cách hủy liên kết",
    "cách hủy liên kết oa",
    "cách hủy liên kết app",
    "cách hủy liên kết app id",
    "hủy liên kết oa",
    "hủy liên kết app",
    "hủy liên kết app id",
    "how to unlink",
    "how do i unlink",
)


def guide(event: Event, ctx: Context) -> str | None:
    """The console steps, in the bot's own words; any ongoing dialogue is kept."""
    ctx.reply("unlink_guide")
    return ctx.state


GUIDE = Flow(name="guide", entry=[Keyword(*QUESTIONS, then=guide)], states={})
