"""Operator commands: `flask --app wsgi assets|admins|verification|events ...` (and `zalo`,
`data`: bot/ops/zalo_cli.py, data_cli.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

import click
from flask import Flask
from flask.cli import AppGroup

from bot.admin.assets import KINDS
from bot.keys import UserRef
from bot.ops.cli_kit import add_verbose_option, audit_cli, confirmed, operator, yes_option
from bot.services import Services, current_services

assets_cli = AppGroup("assets", help="The App IDs and OAs linked to the Zalo Cloud Account.")
admins_cli = AppGroup("admins", help="Who may use the admin chat commands.")
verification_cli = AppGroup("verification", help="Phone verification records and locks.")
events_cli = AppGroup("events", help="Inbound events that could not be handled.")
oa_cli = AppGroup("oa", help="Official Accounts served by this deployment.")


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
    services = current_services()
    known = services.assets.get(kind, asset_id) is not None
    services.assets.link(kind, asset_id, name or None)
    command = f"flask assets link {kind} {asset_id}" + (f" --name {name}" if name else "")
    audit_cli(services, command, f"{kind}:{asset_id}", "relinked" if known else "linked")
    click.echo(f"linked {kind} {asset_id}")


@assets_cli.command("rename")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("asset_id")
@click.argument("name")
def assets_rename(kind: str, asset_id: str, name: str) -> None:
    """Give an asset the name admins see in /assets and /unlink."""
    services = current_services()
    renamed = services.assets.rename(kind, asset_id, name.strip())
    command = f"flask assets rename {kind} {asset_id} {name.strip()}"
    audit_cli(services, command, f"{kind}:{asset_id}", "renamed" if renamed else "unknown")
    if not renamed:
        click.echo(f"unknown {kind} {asset_id}")
        raise SystemExit(1)
    click.echo(f"renamed {kind} {asset_id}: {name.strip()}")


@assets_cli.command("console-done")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("asset_id")
def assets_console_done(kind: str, asset_id: str) -> None:
    """Record that an unlinked asset was also unlinked in the Zalo Cloud Account console."""
    services = current_services()
    result = services.assets.confirm_console(kind, asset_id, by="cli")
    audited = {"ok": "console confirmed", "already": "console already", "linked": "not unlinked"}
    command = f"flask assets console-done {kind} {asset_id}"
    audit_cli(services, command, f"{kind}:{asset_id}", audited.get(result, "unknown"))
    messages = {"ok": "recorded", "already": "already recorded", "linked": "still linked"}
    click.echo(f"{kind} {asset_id}: {messages.get(result, 'unknown')}")
    if result in ("linked", "unknown"):
        raise SystemExit(1)


@assets_cli.command("unlink")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("asset_id")
@yes_option
def assets_unlink(kind: str, asset_id: str, yes: bool) -> None:
    """Unlink an asset, as the chat command does (tokens dropped, events ignored, audited)."""
    from bot.admin.unlink import delete_tokens

    services = current_services()
    confirmed(yes, f"The bot will stop using {kind} {asset_id} and delete its tokens. Go on?")
    result = services.assets.unlink(kind, asset_id, by="cli")
    if result != "unknown":  # 'already': finish what an interrupted unlink may have left
        delete_tokens(services, kind, asset_id)
    outcome = {"ok": "unlinked", "already": "already"}.get(result, "unknown")
    audit_cli(services, f"flask assets unlink {kind} {asset_id}", f"{kind}:{asset_id}", outcome)
    click.echo(
        {"ok": f"unlinked {kind} {asset_id}", "already": "already unlinked"}.get(
            result, f"unknown {kind} {asset_id}"
        )
    )
    if result == "unknown":
        raise SystemExit(1)


OA_OPTION = click.option(
    "--oa", "oa_id", default="", metavar="ID", help="An OA's id (default: ZALO_OA_ID, the main OA)."
)


def of_oa(oa_id: str) -> str:
    """' of OA <id>' when an OA was named, so the main OA's answers read as before."""
    return f" of OA {oa_id}" if oa_id else ""


def oa_flag(oa_id: str) -> str:
    """' --oa <id>' as typed, for the audited command line."""
    return f" --oa {oa_id}" if oa_id else ""


@admins_cli.command("add")
@click.argument("user_id")
@OA_OPTION
def admins_add(user_id: str, oa_id: str) -> None:
    """Make a Zalo user id (as the OA sees it) an admin of an OA."""
    services = current_services()
    if oa_id and services.registry.get(oa_id) is None:  # a typo would make nobody an admin
        served = ", ".join(oa.oa_id for oa in services.registry.all())
        raise click.ClickException(f"OA {oa_id} is not served here (served: {served})")
    added = services.admins.add(user_id, oa_id)
    result = "admin added" if added else "admin already"
    audit_cli(services, f"flask admins add {user_id}{oa_flag(oa_id)}", user_id, result)
    click.echo(f"{user_id} is {'now' if added else 'already'} an admin{of_oa(oa_id)}")


@admins_cli.command("remove")
@click.argument("user_id")
@OA_OPTION
@yes_option
def admins_remove(user_id: str, oa_id: str, yes: bool) -> None:
    """Remove an admin added with `admins add`."""
    services = current_services()
    confirmed(yes, f"{user_id} will no longer be an admin{of_oa(oa_id)}. Go on?")
    removed = services.admins.remove(user_id, oa_id)
    result = "admin removed" if removed else "admin absent"
    audit_cli(services, f"flask admins remove {user_id}{oa_flag(oa_id)}", user_id, result)
    click.echo(
        f"{user_id} {'removed' if removed else 'was not added with admins add'}{of_oa(oa_id)}"
    )


@admins_cli.command("list")
@OA_OPTION
def admins_list(oa_id: str) -> None:
    """Every admin of an OA and where it comes from."""
    for user_id, source in current_services().admins.all(oa_id):
        click.echo(f"{user_id}\t{source}")


@verification_cli.command("unlock")
@click.argument("target")
def verification_unlock(target: str) -> None:
    """Lift the lock of a user id or a phone number."""
    services = current_services()
    lifted, shown = services.verifier.unlock(services.registry.main.oa_id, target)
    # The command as typed may hold a full phone number: the audit keeps the masked one.
    command = f"flask verification unlock {shown}"
    audit_cli(services, command, shown, "unlocked" if lifted else "not locked")
    click.echo(f"{shown}: {'unlocked' if lifted else 'was not locked'}")


@verification_cli.command("status")
@click.argument("target")
def verification_status(target: str) -> None:
    """An account by user id, portal account id or phone (JSON); a locked user shows even
    before verifying."""
    from bot.verification.views import account_view

    services = current_services()
    any_id = phone_owner(target) or target
    view = account_view(services, any_id)
    if view is None:
        click.echo(f"no verification record for {target}")
        raise SystemExit(1)
    click.echo(json.dumps(view, indent=2))


@events_cli.command("dead")
@click.option("--count", default=20, show_default=True, help="How many, newest first.")
def events_dead(count: int) -> None:
    """Events set aside after failing every attempt (their users' later events went on)."""
    from bot.masking import mask_user_id
    from bot.worker.dead_letters import DeadLetters

    letters = DeadLetters(current_services().redis).latest(count)
    if not letters:
        click.echo("no dead letters")
    for letter in letters:
        at = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(letter.at))
        who = f"{letter.oa_id}:{mask_user_id(letter.user_id)}"
        click.echo(f"{letter.short_id}\t{at}Z\t{who}\t{letter.event_name}\t{letter.error}")


@events_cli.command("replay")
@click.argument("letter_id", required=False)
@click.option("--all", "every", is_flag=True, help="Every dead letter.")
def events_replay(letter_id: str | None, every: bool) -> None:
    """Put a dead letter (its id from `events dead`) back in its user's inbox, in order."""
    from bot.worker.replay import replay

    act_on_letters(partial(replay, who=operator()), "replayed", letters_named(letter_id, every))


@events_cli.command("remove")
@click.argument("letter_id", required=False)
@click.option("--all", "every", is_flag=True, help="Every dead letter.")
@yes_option
def events_remove(letter_id: str | None, every: bool, yes: bool) -> None:
    """Delete a dead letter for good (audited)."""
    from bot.worker.replay import remove

    named = letters_named(letter_id, every)
    confirmed(yes, f"Delete {'every dead letter' if every else letter_id} for good?")
    act_on_letters(partial(remove, who=operator()), "removed", named)


def letters_named(letter_id: str | None, every: bool) -> str:
    """One dead letter's id, or '*' for --all (a usage error otherwise)."""
    if every == (letter_id is not None):
        raise click.UsageError("give one dead letter's id, or --all")
    return "*" if every else str(letter_id)


def act_on_letters(action: Callable[[Services, str], list[str]], done: str, named: str) -> None:
    """Run a dead-letter action on the letters named, and say what it did."""
    ids = action(current_services(), named)
    if not ids:
        click.echo("no dead letters" if named == "*" else f"no dead letter {named}")
        raise SystemExit(1)
    for short_id in ids:
        click.echo(f"{done} {short_id}")


@oa_cli.command("connect")
def oa_connect() -> None:
    """Print the link an OA admin opens to grant the App; the bot stores the OA's tokens."""
    from bot.admin.oa_connect import ConnectError, redirect_uri, start

    services = current_services()
    try:
        url = start(services)
    except ConnectError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("Open this link as an admin of the OA, within ten minutes, and grant the App:")
    click.echo(f"  {url}")
    click.echo(
        f"Zalo then comes back to {redirect_uri(services)}, which must be saved as the App's "
        '"Official Account Callback Url" in the Zalo developers console.'
    )


def phone_owner(target: str) -> str | None:
    """The account that verified target when it is a phone number (any format, VN default)."""
    from bot.verification.links import account_id_of
    from bot.verification.phones import parse_phone

    services = current_services()
    oa_id = services.registry.main.oa_id
    e164 = parse_phone(target, services.settings.otp_allowed_regions).e164
    owner = services.verifier.accounts.owner_of(oa_id, e164) if e164 else None
    if owner is None:
        return None
    return account_id_of(UserRef(oa_id, owner)) or owner


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app; every command takes -v."""
    from bot.ops.audit_cli import audit_cli as audit_group
    from bot.ops.chat_cli import chat_command
    from bot.ops.data_cli import data_cli
    from bot.ops.zalo_cli import zalo_cli

    for group in (
        assets_cli,
        admins_cli,
        verification_cli,
        events_cli,
        oa_cli,
        zalo_cli,
        data_cli,
        audit_group,
    ):
        app.cli.add_command(group)
    app.cli.add_command(chat_command)
    for command in app.cli.commands.values():
        add_verbose_option(command)
