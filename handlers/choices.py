"""The tap buttons of each choice the bot offers, and paging beyond Zalo's five a message.

Each payload is the answer the bot already understands when typed ('#sms' equals 'sms'),
so a tap and a typed answer take the same route.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from bot.conversation.context import MAX_BUTTONS, Button, Context
from bot.conversation.flow import Event
from bot.conversation.intent_matching import canonical
from zalo_api.events import UserText

MORE = "#more"
# The menu's numbered topics (title key, payload), customers' first; admins see theirs too.
CUSTOMER_TOPICS = (
    ("btn_verify", "#verify"),
    ("btn_verify_zalo", "#verify_zalo"),
    ("btn_status", "#status"),
)
ADMIN_TOPICS = (("btn_admin", "/help"),)
# In a dialogue's data: the menu was the last thing shown, so its numbers mean its topics.
MENU_SHOWN = "menu_shown"


def menu_topics(ctx: Context) -> list[Button]:
    """The numbered topics of the menu this user sees (admin topics for admins only)."""
    topics = CUSTOMER_TOPICS + (ADMIN_TOPICS if ctx.is_admin else ())
    return [ctx.button(key, payload) for key, payload in topics]


def menu_key(ctx: Context) -> str:
    """The menu's text for this user's audience."""
    return "menu_admin" if ctx.is_admin else "menu"


def menu_buttons(ctx: Context) -> list[Button]:
    """The menu's topics as buttons, and the other language."""
    other = "en" if ctx.lang == "vi" else "vi"
    return [*menu_topics(ctx), ctx.button("btn_other_language", f"/lang {other}")]


def show_menu(ctx: Context, lead: str = "") -> None:
    """Send the menu (after the text of key `lead`); its numbers now mean its topics."""
    text = ctx.text(menu_key(ctx))
    ctx.reply_raw(f"{ctx.text(lead)}\n{text}" if lead else text, buttons=menu_buttons(ctx))
    if ctx.state is not None:
        ctx.data[MENU_SHOWN] = True


def menu_number(event: Event, ctx: Context) -> Event:
    """A number typed where the menu was shown last (or outside any dialogue) is its topic's
    button: '1' is '#verify'. Anything else, a number of the step's own included, stays."""
    shown = ctx.data.pop(MENU_SHOWN, False) or ctx.state is None
    if not shown or not isinstance(event, UserText):
        return event
    number = canonical(event.text)
    if len(number) != 1 or not number.isdigit():
        return event
    topics = menu_topics(ctx)
    if not 1 <= int(number) <= len(topics):
        return event
    return dataclasses.replace(event, text=topics[int(number) - 1].payload)


def method_buttons(ctx: Context) -> list[Button]:
    """SMS, Zalo, another number."""
    return [
        ctx.button("btn_sms", "#sms"),
        ctx.button("btn_zalo", "#zalo"),
        ctx.button("btn_other_number", "#other_number"),
    ]


def code_buttons(ctx: Context) -> list[Button]:
    """While a code is awaited: resend, change method, another number, cancel."""
    return [
        ctx.button("btn_resend", "#resend"),
        ctx.button("btn_change_method", "#change_method"),
        ctx.button("btn_other_number", "#other_number"),
        ctx.button("btn_cancel", "#cancel"),
    ]


def after_lock_buttons(ctx: Context) -> list[Button]:
    """Nothing to do until the lock ends: status or the menu."""
    return [ctx.button("btn_status", "#status"), ctx.button("btn_menu", "#menu")]


def cancel_button(ctx: Context) -> list[Button]:
    """Only a way out (the step wants typed text, like a number)."""
    return [ctx.button("btn_cancel", "#cancel")]


def page_of(items: Sequence[Button], page: int, more_title: str) -> list[Button]:
    """Page `page` (from 0) of items: all of them when they fit, else four and 'more'."""
    if len(items) <= MAX_BUTTONS:
        return list(items)
    size = MAX_BUTTONS - 1
    pages = -(-len(items) // size)
    start = (page % pages) * size
    return [*items[start : start + size], Button(more_title, MORE)]


def still_at_step(ctx: Context) -> None:
    """Mid-dialogue, after an answer that did not move it: say where the user still is."""
    if ctx.step_key is not None:
        ctx.reply("still_at_step", step=ctx.text(ctx.step_key))
