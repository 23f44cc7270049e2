"""For everyone: how to unlink an OA or an App ID in the Zalo Cloud Account console."""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.flow import Event, Flow
from handlers.intents import said


def guide(event: Event, ctx: Context) -> str | None:
    """The console steps, in the bot's own words (and, to admins, /unlink); a dialogue stays."""
    ctx.reply("unlink_guide")
    if ctx.is_admin:
        ctx.reply("unlink_guide_admin")
    return ctx.state


GUIDE = Flow(name="guide", entry=[said("unlink_guide", then=guide)], states={})
