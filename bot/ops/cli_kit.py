"""What every operator command shares: its audit entry, `--yes` on deletions, `-v`.

A CLI change is audited like a chat command (who: the operator's login), so `/audit` shows
what was done from a terminal too. Commands that delete ask first, or take `--yes`; without
a terminal to ask on and without `--yes` they refuse. Logs go to stderr at WARNING unless
`-v` (the answer on stdout stays readable and pipeable).
"""

from __future__ import annotations

import getpass
import logging
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from bot.services import Services

F = TypeVar("F", bound=Callable[..., Any])
VERBOSE_FLAGS = ("-v", "--verbose")
CLI_LOG_LEVEL = "WARNING"


def operator() -> str:
    """The login of whoever runs the command ('cli' when the system cannot tell)."""
    try:
        return getpass.getuser() or "cli"
    except (KeyError, OSError):  # no passwd entry for the uid (containers)
        return "cli"


def audit_cli(services: Services, command: str, target: str, result: str) -> None:
    """Write the audit entry of a CLI change (shown as 'CLI (login) “flask …”')."""
    from bot.conversation.context import AuditEntry

    services.audit.write(AuditEntry(operator(), command, "cli", target, result))


def yes_option(func: F) -> F:
    """`--yes` / `-y`: confirm a deletion without being asked."""
    return click.option(
        "--yes", "-y", is_flag=True, help="Do it without asking (needed without a terminal)."
    )(func)


def confirmed(yes: bool, question: str) -> None:
    """Go on when --yes was given or the operator says yes; else stop, saying why."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise click.ClickException(f"{question} Not confirmed: run it again with --yes.")
    if not click.confirm(question, default=False):
        raise click.ClickException("Nothing changed.")


def cli_wants_verbose(argv: list[str] | None = None) -> bool:
    """Whether the command line asks for INFO logs (-v / --verbose)."""
    return any(arg in VERBOSE_FLAGS for arg in (sys.argv if argv is None else argv)[1:])


def cli_log_level(configured: str) -> str:
    """LOG_LEVEL for servers and workers; WARNING for a `flask` command unless -v (INFO)."""
    if not in_cli():
        return configured
    if not cli_wants_verbose():
        return CLI_LOG_LEVEL
    return configured if logging.getLevelName(configured.upper()) < logging.INFO else "INFO"


def in_cli() -> bool:
    """Whether the app is being built for a `flask ...` command (not gunicorn nor a worker)."""
    return click.get_current_context(silent=True) is not None


def louder(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """-v: INFO lines on stderr from here on."""
    if value:
        logging.getLogger().setLevel(logging.INFO)


def add_verbose_option(command: click.Command) -> None:
    """Give a command (and every command of a group) the -v / --verbose flag."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            add_verbose_option(sub)
        return
    if any(VERBOSE_FLAGS[0] in p.opts for p in command.params if isinstance(p, click.Option)):
        return
    flag = click.Option(
        list(VERBOSE_FLAGS),
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=louder,
        help="Log at INFO on stderr (default: warnings only).",
    )
    command.params.append(flag)
