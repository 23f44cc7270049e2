"""Operator commands about personal data: `flask --app wsgi data export|erase ID`."""

from __future__ import annotations

import json
import time

import click
from flask.cli import AppGroup

from bot.masking import mask_phone, mask_user_id
from bot.ops.cli_kit import audit_cli, yes_option
from bot.services import Services, current_services
from bot.verification.accounts import iso
from bot.verification.links import mask_account
from bot.worker.personal_data import Subject, erase_subject, export_subject, subjects_of

data_cli = AppGroup("data", help="Personal data held about one account (Decree 13/2023).")
KINDS = ("user", "phone", "portal")
ID_ARGUMENT = click.argument("given", metavar="ID")
OA_OPTION = click.option("--oa", "oa_id", default="", help="The OA (default: ZALO_OA_ID).")
KIND_OPTION = click.option(
    "--kind", type=click.Choice(KINDS), help="What ID is, when it could be more than one."
)


def find(services: Services, given: str, oa_id: str, kind: str | None) -> dict[str, Subject]:
    """The accounts ID names (one kind, when asked); exit when it is ambiguous."""
    found = subjects_of(services, oa_id or services.registry.main.oa_id, given)
    if kind is not None:
        return {k: s for k, s in found.items() if k == kind}
    if len(found) > 1:
        raise click.ClickException(
            f"ID names more than one account ({', '.join(found)}): choose with --kind"
        )
    return found


def shown(kind: str, given: str) -> str:
    """The id as the audit keeps it: never a number or an id in clear."""
    if kind == "phone":
        return "phone:" + mask_phone(given if given.startswith("+") else "+" + given)
    if kind == "portal":
        return "portal:" + mask_account(given)
    return "user:" + mask_user_id(given)


def audit(services: Services, command: str, found: dict[str, Subject], result: str) -> None:
    """One entry per request, naming the account masked (nothing when none was found)."""
    targets = [shown(k, s.phones[0] if k == "phone" else key_of(s)) for k, s in found.items()]
    audit_cli(services, command, ", ".join(targets), result)


def key_of(subject: Subject) -> str:
    """The id an account is known by: the portal account id, or the Zalo user id."""
    user_id = subject.user.user_id
    return user_id.split(":", 1)[1] if subject.kind == "portal" else user_id


@data_cli.command("export")
@ID_ARGUMENT
@OA_OPTION
@KIND_OPTION
def data_export(given: str, oa_id: str, kind: str | None) -> None:
    """Print as JSON everything held about one account: ID is an OA-scoped user id, a phone
    number (any format) or a portal account id (audited)."""
    services = current_services()
    found = find(services, given, oa_id, kind)
    answer = {
        "id": given,
        "exported_at": iso(time.time()),
        "accounts": {k: export_subject(services, subject) for k, subject in found.items()},
    }
    audit(services, "flask data export", found, "ok" if found else "nothing")
    click.echo(json.dumps(answer, indent=2, ensure_ascii=False))


@data_cli.command("erase")
@ID_ARGUMENT
@OA_OPTION
@KIND_OPTION
@yes_option
def data_erase(given: str, oa_id: str, kind: str | None, yes: bool) -> None:
    """Delete everything held about one account, as user_withdraw does (audited; the audit
    itself stays for AUDIT_RETENTION_DAYS)."""
    services = current_services()
    found = find(services, given, oa_id, kind)
    if not found:
        audit(services, "flask data erase", found, "nothing")
        click.echo("nothing is held about this ID")
        return
    names = ", ".join(f"{k} account" for k in found)
    if not yes:  # a terminal's answer (no terminal: click aborts; --yes skips the question)
        click.confirm(f"Erase everything held about this {names}?", abort=True)
    removed = sum(erase_subject(services, subject) for subject in found.values())
    audit(services, "flask data erase", found, f"erased {removed} records")
    click.echo(f"erased {removed} records of the {names}")
    for subject in found.values():
        still_admin(services, subject)


def still_admin(services: Services, subject: Subject) -> None:
    """Say so when the erased user is still an admin: access is the operator's to remove."""
    user = subject.user
    if user.user_id and any(uid == user.user_id for uid, _ in services.admins.all(user.oa_id)):
        click.echo(
            f"the user is still an admin of OA {user.oa_id} (flask admins remove "
            f"{user.user_id} --oa {user.oa_id}, or ADMIN_ZALO_IDS)"
        )
