"""The Zalo OA bot application, in rooms named after concepts (see docs/ARCHITECTURE.md).

`from bot import create_app` is the public entry; it is loaded on first use so that importing
any room (`bot.verification`, `bot.queues` ...) does not pull in the whole application.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.app import create_app, create_app_or_exit

__all__ = ["create_app", "create_app_or_exit"]


def __getattr__(name: str) -> Any:
    """The app factory's names, imported when first asked for."""
    if name in __all__:
        from bot import app

        return getattr(app, name)
    raise AttributeError(f"module 'bot' has no attribute {name!r}")
