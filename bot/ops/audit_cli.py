"""`flask audit list [--since 7d|2026-12-01]`: the audit as admins read it in the chat."""

from __future__ import annotations

import re
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask.cli import AppGroup

from bot.services import current_services

audit_cli = AppGroup("audit", help="The audit trail of admin actions (chat and CLI).")
RELATIVE = re.compile(r"(\d+)\s*([mhdw])")
UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
DEFAULT_COUNT = 50
CLI_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def since_epoch(value: str, zone: str, now: float | None = None) -> float:
    """'1h', '7d', '30m', '2w' ago, or an ISO date or time (BOT_TIMEZONE unless it says)."""
    relative = RELATIVE.fullmatch(value.strip().lower())
    if relative:
        amount, unit = relative.groups()
        return (now if now is not None else time.time()) - int(amount) * UNIT_SECONDS[unit]
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(
            f"{value!r}: give 1h, 7d, 30m, 2w or an ISO date such as 2026-12-01 or 2026-12-01T08:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.timestamp()


@audit_cli.command("list")
@click.option("--since", "since", default="", help="1h, 7d, 2w... or an ISO date/time.")
@click.option("--refused", is_flag=True, help="Refused attempts of non-admins instead.")
@click.option("--lang", type=click.Choice(["vi", "en"]), help="BOT_LANGUAGE by default.")
def audit_list(since: str, refused: bool, lang: str | None) -> None:
    """Entries since a moment (oldest first), or the last 50; one line each."""
    from bot.admin.audit_view import describe

    services = current_services()
    settings = services.settings
    zone = settings.bot_timezone
    if since:
        entries = services.audit.since(since_epoch(since, zone), refused)
    else:
        entries = services.audit.latest(DEFAULT_COUNT, refused)
    if not entries:
        click.echo("no audit entries" + (f" since {since}" if since else ""))
        return
    for entry in entries:
        click.echo(describe(entry, lang or settings.bot_language, zone, CLI_TIME_FORMAT))
