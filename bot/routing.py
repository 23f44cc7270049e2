"""The bot's conversations, assembled into one engine."""

from __future__ import annotations

from bot.engine import Engine
from bot.flow import Flow


def build_engine() -> Engine:
    """Every flow of the bot, with the routes that work everywhere."""
    from handlers import (
        admin_commands,
        admin_unlink,
        basics,
        unlink_guide,
        verify_code,
        verify_flow,
    )

    flows: list[Flow] = [
        verify_flow.VERIFY,
        admin_commands.ADMIN_FLOW,
        admin_unlink.UNLINK_FLOW,
        unlink_guide.GUIDE,
    ]
    global_routes = [*basics.GLOBAL_ROUTES, *verify_code.GLOBAL_ROUTES]
    return Engine(flows, global_routes, idle=basics.idle, stale=basics.stale_choice)
