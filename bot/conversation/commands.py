"""Chat commands ('/name args') declared with a decorator; access is checked by the engine."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bot.conversation.flow import Command, Flow, Handler, Route


class CommandSet:
    """A group of commands and the dialogue they may open, as one Flow.

    `@ADMIN.command("assets")` registers a handler for '/assets'. With admin_only=True the
    engine lets only admins run any step of the flow and audits each one; command bodies
    contain only their own logic.
    """

    def __init__(self, name: str, admin_only: bool = False) -> None:
        self.name = name
        self.admin_only = admin_only
        self.entries: list[Route] = []
        self.names: list[str] = []

    def command(self, name: str) -> Callable[[Handler], Handler]:
        """Register the decorated handler for '/name' (ctx.match holds the arguments)."""

        def register(handler: Handler) -> Handler:
            self.entries.append(Command(name, then=handler))
            self.names.append(name)
            return handler

        return register

    def flow(
        self,
        states: Mapping[str, Sequence[Route]] | None = None,
        otherwise: Mapping[str, Handler] | None = None,
        **extra: Any,
    ) -> Flow:
        """The Flow of these commands (entry routes) and of their dialogue (states)."""
        return Flow(
            name=self.name,
            entry=list(self.entries),
            states=dict(states or {}),
            otherwise=dict(otherwise or {}),
            admin_only=self.admin_only,
            **extra,
        )
