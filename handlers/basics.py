"""What works everywhere: welcome, menu, help, cancel, language, non-text messages."""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.flow import Command, Event, Keyword, OnEvent, Route, reply_and_stay
from zalo_api.events import (
    Follow,
    Unfollow,
    UserAttachment,
    UserClickChatNow,
    UserWithdraw,
)

CANCEL_WORDS = ("hủy", "huỷ", "huy", "cancel", "thoát", "stop", "dừng")
HELP_WORDS = ("menu", "help", "giúp", "trợ giúp", "hướng dẫn", "?", "bắt đầu", "start", "hi")


def welcome(event: Event, ctx: Context) -> str | None:
    """A new follower: greet and show the menu."""
    ctx.reply("welcome")
    ctx.reply("menu")
    return None


def drop_conversation(event: Event, ctx: Context) -> str | None:
    """Unfollowed: the dialogue is over (nothing can be sent any more)."""
    return None


def withdraw(event: Event, ctx: Context) -> str | None:
    """The user asked the OA to delete their data."""
    ctx.forget_user()
    return None


def menu(event: Event, ctx: Context) -> str | None:
    """Show what the bot can do; an ongoing dialogue is left as it was."""
    ctx.reply("menu")
    return ctx.state


def show_help(event: Event, ctx: Context) -> str | None:
    """Mid-dialogue: where the user is and how to leave; otherwise the menu."""
    if ctx.state is None or ctx.step_key is None:
        return menu(event, ctx)
    ctx.reply("help_in_step", step=ctx.text(ctx.step_key))
    return ctx.state


def cancel(event: Event, ctx: Context) -> str | None:
    """Leave whatever dialogue is going on."""
    ctx.reply("cancelled" if ctx.state is not None else "nothing_to_cancel")
    return None


def set_language(event: Event, ctx: Context) -> str | None:
    """'/lang en' or '/lang vi'."""
    wanted = ctx.match[0] if ctx.match else ""
    if wanted not in ("vi", "en"):
        ctx.reply("language_usage")
        return ctx.state
    ctx.set_language(wanted)
    ctx.reply("language_set")
    return ctx.state


def whoami(event: Event, ctx: Context) -> str | None:
    """'/whoami': the user's own id as the OA sees it (what ADMIN_ZALO_IDS lists)."""
    ctx.reply("whoami", user_id=ctx.user.user_id)
    return ctx.state


def idle(event: Event, ctx: Context) -> str | None:
    """Nothing else matched: the menu (keeps any dialogue)."""
    return menu(event, ctx)


GLOBAL_ROUTES: list[Route] = [
    OnEvent(Follow, then=welcome),
    OnEvent(Unfollow, then=drop_conversation),
    OnEvent(UserWithdraw, then=withdraw),
    OnEvent(UserClickChatNow, then=menu),
    # Images, stickers, files...: ask for text, keep the dialogue where it was.
    OnEvent(UserAttachment, then=reply_and_stay("please_type")),
    Keyword(*CANCEL_WORDS, then=cancel),
    Keyword(*HELP_WORDS, then=show_help),
    Command("lang", then=set_language),
    Command("whoami", then=whoami),
]
