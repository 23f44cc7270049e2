"""A toy conversation for engine tests: count up, crash on demand."""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.engine import Engine
from bot.conversation.flow import Event, Flow, Keyword, Route, text_of
from handlers import basics
from zalo_api.events import UserText


class MoreTag(Route):
    """'more <tag>'."""

    def match(self, event: Event, ctx: Context) -> object:
        """The tag."""
        words = (text_of(event) or "").split()
        return words[1] if len(words) == 2 and words[0] == "more" else None


def start(event: Event, ctx: Context) -> str | None:
    """Entry: the counter starts at zero."""
    ctx.data["n"] = 0
    ctx.reply_raw("started")
    return "toy:counting"


def count(event: Event, ctx: Context) -> str | None:
    """Each 'more <tag>' adds one and echoes the tag, so order is visible."""
    ctx.data["n"] += 1
    tag = event.text.split()[-1] if isinstance(event, UserText) else "?"
    ctx.reply_raw(f"n={ctx.data['n']} tag={tag}")
    return "toy:counting"


def crash(event: Event, ctx: Context) -> str | None:
    """A handler with a bug."""
    ctx.reply_raw("this must never be sent")
    raise RuntimeError("bug in a handler")


def reprompt(event: Event, ctx: Context) -> str | None:
    """Nothing matched while counting."""
    ctx.reply_raw("say more")
    return ctx.state


def finish(event: Event, ctx: Context) -> str | None:
    """Leave the flow."""
    ctx.reply_raw(f"done at {ctx.data['n']}")
    return None


TOY = Flow(
    name="toy",
    entry=[Keyword("toy", "#toy", then=start)],
    states={
        "toy:counting": [
            Keyword("boom", then=crash),
            Keyword("done", then=finish),
            MoreTag(then=count),
        ]
    },
    otherwise={"toy:counting": reprompt},
    steps={"toy:counting": "menu"},
)


def toy_engine() -> Engine:
    """The bot's global routes plus the toy flow."""
    return Engine([TOY], basics.GLOBAL_ROUTES, idle=basics.idle)
