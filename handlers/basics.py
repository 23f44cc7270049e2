"""What works everywhere: welcome, menu, help, cancel, language, non-text messages."""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.flow import Command, Event, OnEvent, Route, reply_and_stay, text_of
from handlers.choices import menu_buttons, show_menu, still_at_step
from handlers.intents import said
from zalo_api.events import (
    Follow,
    Unfollow,
    UserAttachment,
    UserClickChatNow,
    UserWithdraw,
)


def oa_name(ctx: Context) -> str:
    """The OA's configured name (BOT_OA_NAME, main OA only), else its asset name, else 'OA'."""
    if ctx.parts is None or ctx.served_by is None:  # the engine's own tests
        return "OA"
    if ctx.oa.name:  # BOT_OA_NAME, for the main OA
        return ctx.oa.name
    asset = ctx.assets.get("oa", ctx.oa.oa_id)
    return asset.name if asset is not None and asset.name else "OA"


def welcome(event: Event, ctx: Context) -> str | None:
    """A new follower: greet by the OA's name and show the menu."""
    ctx.reply("welcome", oa_name=oa_name(ctx))
    show_menu(ctx)
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
    show_menu(ctx)
    still_at_step(ctx)
    return ctx.state


def greet(event: Event, ctx: Context) -> str | None:
    """'chào', 'hello': greet back, then the menu (mid-dialogue: where the user is)."""
    if ctx.step_key is None:
        show_menu(ctx, lead="greeting")
        return ctx.state
    ctx.reply("greeting")
    return show_help(event, ctx)


def thanks(event: Event, ctx: Context) -> str | None:
    """'cảm ơn': a warm word, the menu's buttons, and (mid-dialogue) where the user is."""
    ctx.reply("thanks_reply", buttons=menu_buttons(ctx) if ctx.state is None else ())
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
    show_menu(ctx)
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
        show_menu(ctx)
    still_at_step(ctx)
    return ctx.state


def whoami(event: Event, ctx: Context) -> str | None:
    """'/whoami': the user's own id as the OA sees it (what ADMIN_ZALO_IDS lists)."""
    ctx.reply("whoami", user_id=ctx.user.user_id)
    still_at_step(ctx)
    return ctx.state


def idle(event: Event, ctx: Context) -> str | None:
    """Nothing else matched: text gets one short "I did not understand", then the menu (any
    dialogue is kept)."""
    show_menu(ctx, lead="not_understood" if text_of(event) is not None else "")
    still_at_step(ctx)
    return ctx.state


GLOBAL_ROUTES: list[Route] = [
    OnEvent(Follow, then=welcome),
    OnEvent(Unfollow, then=drop_conversation),
    OnEvent(UserWithdraw, then=withdraw),
    OnEvent(UserClickChatNow, then=menu),
    # Images, stickers, files...: ask for text, keep the dialogue where it was.
    OnEvent(UserAttachment, then=reply_and_stay("please_type")),
    said("cancel", then=cancel),
    said("help", then=show_help),
    said("greeting", then=greet),
    said("thanks", then=thanks),
    Command("lang", then=set_language),
    Command("whoami", then=whoami),
]
