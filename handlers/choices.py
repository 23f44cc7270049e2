"""The tap buttons of each choice the bot offers, and paging beyond Zalo's five a message.

Each payload is the answer the bot already understands when typed ('#sms' equals 'sms'),
so a tap and a typed answer take the same route.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.conversation.context import MAX_BUTTONS, Button, Context

MORE = "#more"


def menu_buttons(ctx: Context) -> list[Button]:
    """The menu: verify, verify by Zalo, status, the unlink guide, the other language."""
    other = "en" if ctx.lang == "vi" else "vi"
    return [
        ctx.button("btn_verify", "#verify"),
        ctx.button("btn_verify_zalo", "#verify_zalo"),
        ctx.button("btn_status", "#status"),
        ctx.button("btn_unlink_guide", "#unlink"),
        ctx.button("btn_other_language", f"/lang {other}"),
    ]


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
