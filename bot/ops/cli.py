"""Operator commands: `flask --app wsgi assets|admins|verification ...`."""

from __future__ import annotations

import json
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask import Flask
from flask.cli import AppGroup

from bot.admin.assets import KINDS
from bot.services import current_services

assets_cli = AppGroup("assets", help="The App IDs and OAs linked to the Zalo Cloud Account.")
admins_cli = AppGroup("admins", help="Who may use the admin chat commands.")
verification_cli = AppGroup("verification", help="Phone verification records and locks.")
events_cli = AppGroup("events", help="Inbound events that could not be handled.")
zalo_cli = AppGroup("zalo", help="Zalo: whether the bot can send through each OA.")


def local_time(epoch: int | None) -> str:
    """An epoch as BOT_TIMEZONE's 'YYYY-MM-DD HH:MM' ('-' when unset)."""
    if not epoch:
        return "-"
    zone = ZoneInfo(current_services().settings.bot_timezone)
    return datetime.fromtimestamp(epoch, zone).strftime("%Y-%m-%d %H:%M")


@assets_cli.command("list")
def assets_list() -> None:
    """Every asset, linked or not, with its dates in BOT_TIMEZONE."""
    for a in current_services().assets.all():
        extra = ""
        if not a.linked:
            console = local_time(a.console_confirmed_at) if a.console_confirmed_at else "pending"
            extra = f" by {a.unlinked_by} at {local_time(a.unlinked_at)}; console: {console}"
        since = local_time(a.linked_since)
        click.echo(f"{a.kind}\t{a.asset_id}\t{a.status}\t{a.name}\tsince {since}{extra}")


@assets_cli.command("link")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("asset_id")
@click.option("--name", default="", help="A name shown to admins (a relink keeps the old one).")
def assets_link(kind: str, asset_id: str, name: str) -> None:
    """Add an App ID or an OA to the registry (or re-link an unlinked one)."""
    current_services().assets.link(kind, asset_id, name or None)
    click.echo(f"linked {kind} {asset_id}")


@assets_cli.command("rename")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("asset_id")
@click.argument("name")
def assets_rename(kind: str, asset_id: str, name: str) -> None:
    """Give an asset the name admins see in /assets and /unlink."""
    if not current_services().assets.rename(kind, asset_id, name.strip()):
        click.echo(f"unknown {kind} {asset_id}")
        raise SystemExit(1)
    click.echo(f"renamed {kind} {asset_id}: {name.strip()}")


@assets_cli.command("console-done")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("asset_id")
def assets_console_done(kind: str, asset_id: str) -> None:
    """Record that an unlinked asset was also unlinked in the Zalo Cloud Account console."""
    result = current_services().assets.confirm_console(kind, asset_id, by="cli")
    messages = {"ok": "recorded", "already": "already recorded", "linked": "still linked"}
    click.echo(f"{kind} {asset_id}: {messages.get(result, 'unknown')}")
    if result in ("linked", "unknown"):
        raise SystemExit(1)


@assets_cli.command("unlink")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("asset_id")
def assets_unlink(kind: str, asset_id: str) -> None:
    """Unlink an asset, as the chat command does (tokens dropped, events ignored, audited)."""
    from bot.admin.unlink import delete_tokens
    from bot.conversation.context import AuditEntry

    services = current_services()
    result = services.assets.unlink(kind, asset_id, by="cli")
    if result != "unknown":  # 'already': finish what an interrupted unlink may have left
        delete_tokens(services, kind, asset_id)
    services.audit.write(
        AuditEntry("cli", "flask assets unlink", "cli", f"{kind}:{asset_id}", result)
    )
    click.echo(
        {"ok": f"unlinked {kind} {asset_id}", "already": "already unlinked"}.get(
            result, f"unknown {kind} {asset_id}"
        )
    )
    if result == "unknown":
        raise SystemExit(1)


@admins_cli.command("add")
@click.argument("user_id")
def admins_add(user_id: str) -> None:
    """Make a Zalo user id (as the OA sees it) an admin."""
    added = current_services().admins.add(user_id)
    click.echo(f"{user_id} is {'now' if added else 'already'} an admin")


@admins_cli.command("remove")
@click.argument("user_id")
def admins_remove(user_id: str) -> None:
    """Remove an admin added with `admins add`."""
    removed = current_services().admins.remove(user_id)
    click.echo(f"{user_id} {'removed' if removed else 'was not added with admins add'}")


@admins_cli.command("list")
def admins_list() -> None:
    """Every admin and where it comes from."""
    for user_id, source in current_services().admins.all():
        click.echo(f"{user_id}\t{source}")


@verification_cli.command("unlock")
@click.argument("target")
def verification_unlock(target: str) -> None:
    """Lift the lock of a user id or a phone number."""
    services = current_services()
    lifted, shown = services.verifier.unlock(services.settings.zalo_oa_id, target)
    click.echo(f"{shown}: {'unlocked' if lifted else 'was not locked'}")


@verification_cli.command("status")
@click.argument("user_id")
def verification_status(user_id: str) -> None:
    """An account as the portal API shows it (JSON); a locked user shows even before verifying."""
    from bot.verification.views import account_view

    view = account_view(current_services(), user_id)
    if view is None:
        click.echo(f"no verification record for {user_id}")
        raise SystemExit(1)
    click.echo(json.dumps(view, indent=2))


@events_cli.command("dead")
@click.option("--count", default=20, show_default=True, help="How many, newest first.")
def events_dead(count: int) -> None:
    """Events set aside after failing every attempt (their users' later events went on)."""
    from bot.masking import mask_user_id
    from bot.pipeline.dead_letters import DeadLetters

    letters = DeadLetters(current_services().redis).latest(count)
    if not letters:
        click.echo("no dead letters")
    for letter in letters:
        at = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(letter.at))
        who = f"{letter.oa_id}:{mask_user_id(letter.user_id)}"
        click.echo(f"{at}Z\t{who}\t{letter.event_name}\t{letter.error}")


@zalo_cli.command("status")
def zalo_status() -> None:
    """Per OA: ok, or held (nothing goes out; replies and codes wait) with why and since when."""
    from bot.zalo.sending import all_states

    services = current_services()
    for found in all_states(services.redis, services.settings.zalo_oa_id):
        view = found.as_json()
        since = f" since {view['since']}" if view["since"] else ""
        why = f": {view['reason']}" if view["reason"] else ""
        click.echo(f"{found.oa_id}\t{found.state}{since}{why}")


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app."""
    from bot.ops.chat_cli import chat_command

    for group in (assets_cli, admins_cli, verification_cli, events_cli, zalo_cli):
        app.cli.add_command(group)
    app.cli.add_command(chat_command)
