"""What works everywhere: welcome, menu, help, cancel, language, non-text messages."""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.flow import Command, Event, Keyword, OnEvent, Route, reply_and_stay
from handlers.choices import menu_buttons, still_at_step
from zalo_api.events import (
    Follow,
    Unfollow,
    UserAttachment,
    UserClickChatNow,
    UserWithdraw,
)

CANCEL_WORDS = ("hủy", "huỷ", "huy", "cancel", "thoát", "stop", "dừng")
HELP_WORDS = ("menu", "help", "giúp", "trợ giúp", "hướng dẫn", "?", "bắt đầu", "start", "hi")


def oa_name(ctx: Context) -> str:
    """BOT_OA_NAME, else the registry's name of the OA, else 'OA'."""
    if ctx.services is None:  # an engine without services (the engine's own tests)
        return "OA"
    settings = ctx.services.settings
    if settings.bot_oa_name:
        return str(settings.bot_oa_name)
    asset = ctx.services.assets.get("oa", ctx.user.oa_id)
    return asset.name if asset is not None and asset.name else "OA"


def welcome(event: Event, ctx: Context) -> str | None:
    """A new follower: greet by the OA's name and show the menu."""
    ctx.reply("welcome", oa_name=oa_name(ctx))
    ctx.reply("menu", buttons=menu_buttons(ctx))
    return None


def drop_conversation(event: Event, ctx: Context) -> str | None:
    """Unfollowed: the dialogue is over (nothing can be sent any more)."""
    return None


def withdraw(event: Event, ctx: Context) -> str | None:
    """The user asked the OA to delete their data."""
    ctx.forget_user()
    return None


def menu(event: Event, ctx: Context) -> str | None:
    """Show what the bot can do; an ongoing dialogue is left as it was, and said so."""
    ctx.reply("menu", buttons=menu_buttons(ctx))
    still_at_step(ctx)
    return ctx.state


def show_help(event: Event, ctx: Context) -> str | None:
    """Mid-dialogue: where the user is, and the step's question again; otherwise the menu."""
    if ctx.state is None or ctx.step_key is None:
        return menu(event, ctx)
    ctx.reply("help_in_step", step=ctx.text(ctx.step_key))
    if ctx.step_prompt is not None:
        return ctx.step_prompt(event, ctx)
    return ctx.state


def stale_choice(event: Event, ctx: Context) -> str | None:
    """A button of an older message that means nothing here: say so, then where we are."""
    ctx.reply("stale_choice")
    if ctx.step_prompt is not None:
        return ctx.step_prompt(event, ctx)
    ctx.reply("menu", buttons=menu_buttons(ctx))
    return ctx.state


def cancel(event: Event, ctx: Context) -> str | None:
    """Leave whatever dialogue is going on."""
    key = "cancelled" if ctx.state is not None else "nothing_to_cancel"
    ctx.reply(key, buttons=menu_buttons(ctx))
    return None


def set_language(event: Event, ctx: Context) -> str | None:
    """'/lang en' or '/lang vi'."""
    wanted = ctx.match[0] if ctx.match else ""
    if wanted not in ("vi", "en"):
        ctx.reply("language_usage")
        return ctx.state
    ctx.set_language(wanted)
    ctx.reply("language_set")
    if ctx.state is None:
        ctx.reply("menu", buttons=menu_buttons(ctx))
    still_at_step(ctx)
    return ctx.state


def whoami(event: Event, ctx: Context) -> str | None:
    """'/whoami': the user's own id as the OA sees it (what ADMIN_ZALO_IDS lists)."""
    ctx.reply("whoami", user_id=ctx.user.user_id)
    still_at_step(ctx)
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
