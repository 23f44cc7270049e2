"""Operator commands about Zalo: `flask --app wsgi zalo tokens set|show [--oa ID]`."""

from __future__ import annotations

import getpass
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask.cli import AppGroup

from bot.ops.cli_kit import audit_cli
from bot.services import Services, current_services, served_oas, token_states_of
from bot.zalo.token_admin import oa_apps, set_pair, storage_of
from bot.zalo.token_status import TokenStatus, mask_token, token_state
from bot.zalo.token_store import SEEDED_TOKEN_LIFETIME_SECONDS
from zalo_api.oauth import TokenPair

zalo_cli = AppGroup("zalo", help="The Zalo side of the bot: tokens, per OA.")
tokens_cli = AppGroup("tokens", help="The OAuth tokens each OA sends with.")
zalo_cli.add_command(tokens_cli)
MAX_TOKEN_CHARS = 4096
SOURCES = {"env": "ZALO_ACCESS_TOKEN/ZALO_REFRESH_TOKEN", "cli": "flask zalo tokens set",
           "refresh": "a refresh", "oauth": "flask oa connect"}  # fmt: skip
# Why an OA has no usable token, before what to do about it.
ADVICE = {"refused": "Zalo refused the refresh token", "missing": "no tokens are stored",
          "expired": "the access token expired and there is no refresh token"}  # fmt: skip
OA_OPTION = click.option("--oa", "oa_id", default="", help="The OA (default: ZALO_OA_ID).")


@zalo_cli.command("status")
def zalo_status() -> None:
    """Per OA whether the bot can send (ok, or held with why and since when: replies and codes
    wait), its token's state, and whether the webhook's last minute saw only requests that
    failed verification (a wrong webhook key looks like that)."""
    from bot.web.unverified import webhook_health
    from bot.zalo.sending import all_states

    services = current_services()
    tokens = {} if services.settings.bot_sandbox else token_states_of(services)
    for found in all_states(services.redis, served_oas(services)):
        view = found.as_json()
        since = f" since {view['since']}" if view["since"] else ""
        why = f": {view['reason']}" if view["reason"] else ""
        token = f"\ttoken {tokens[found.oa_id]}" if found.oa_id in tokens else ""
        click.echo(f"{found.oa_id}\t{found.state}{since}{why}{token}")
    if webhook_health(services.redis).only_unverified:
        click.echo(
            "webhook: every request of the last minute failed verification: check the App's "
            "webhook key (ZALO_OA_SECRET_KEY, ZALO_EXTRA_APPS)"
        )


def app_of(services: Services, oa_id: str) -> tuple[str, str]:
    """(oa_id, app_id) of the OA asked for, or exit naming the OAs there are."""
    apps = oa_apps(services.registry)
    oa_id = oa_id.strip() or services.registry.main.oa_id
    if oa_id not in apps:
        known = ", ".join(apps)
        raise click.ClickException(f"unknown OA {oa_id} (OAs with an app here: {known})")
    return oa_id, apps[oa_id]


def read_secret(prompt: str) -> str:
    """One token: typed without echo at a terminal, else the next line of stdin."""
    if sys.stdin.isatty():
        return getpass.getpass(f"{prompt} (input hidden): ").strip()
    return sys.stdin.readline().strip()


def checked(name: str, token: str) -> str:
    """A token as Zalo issues it: printable ASCII, no spaces (the value is never shown)."""
    if len(token) > MAX_TOKEN_CHARS or not all("!" <= char <= "~" for char in token):
        raise click.ClickException(f"the {name} token is not a Zalo token (spaces or odd text)")
    return token


@tokens_cli.command("set")
@OA_OPTION
@click.option(
    "--expires-in",
    default=SEEDED_TOKEN_LIFETIME_SECONDS,
    show_default=True,
    help="Seconds the access token stays valid (Zalo's `expires_in`).",
)
def tokens_set(oa_id: str, expires_in: int) -> None:
    """Store a new access / refresh token pair for an OA, read from stdin (two lines), or
    typed without echo at a terminal. An empty access token: the refresh token gets one."""
    services = current_services()
    if services.settings.bot_sandbox:
        raise click.ClickException("sandbox mode sends nothing to Zalo: it needs no tokens")
    oa_id, app_id = app_of(services, oa_id)
    for kind, asset_id in (("oa", oa_id), ("app", app_id)):
        asset = services.assets.get(kind, asset_id)
        if asset is not None and not asset.linked:
            raise click.ClickException(f"{kind} {asset_id} is unlinked: link it first")
    access = checked("access", read_secret("Access token"))
    refresh = checked("refresh", read_secret("Refresh token"))
    if not refresh:
        raise click.ClickException("a refresh token is required (an access token alone dies)")
    expires_at = time.time() + expires_in if access else 0.0
    version = set_pair(services, app_id, oa_id, TokenPair(access, refresh, expires_at))
    audit_cli(services, "flask zalo tokens set", f"oa:{oa_id}", "tokens stored")
    click.echo(
        f"stored the tokens of OA {oa_id} (app {app_id}), version {version}: access "
        f"{mask_token(access)}, refresh {mask_token(refresh)}; every process uses them from now"
    )


@tokens_cli.command("show")
@OA_OPTION
@click.option("--all", "every", is_flag=True, help="Every OA that needs a token.")
def tokens_show(oa_id: str, every: bool) -> None:
    """The OA's tokens, masked: age, expiry, last refresh and its result (exit 1 unless
    every OA shown has a usable token)."""
    services = current_services()
    if services.settings.bot_sandbox:
        click.echo("sandbox mode sends nothing to Zalo: no tokens needed")
        return
    wanted = list(token_states_of(services)) if every else [app_of(services, oa_id)[0]]
    usable = [show_one(services, one) for one in wanted]
    if not all(usable):
        raise SystemExit(1)


def show_one(services: Services, oa_id: str) -> bool:
    """Print one OA's tokens; whether it has a usable one."""
    app_id = oa_apps(services.registry)[oa_id]
    pair = storage_of(services, oa_id, app_id).load()
    status = TokenStatus(services.redis, app_id, oa_id).read()
    now = time.time()
    state = token_state(pair, status, now)
    click.echo(f"OA {oa_id} (app {app_id}): {state}")
    if pair is not None:
        expiry = (
            "unknown: refreshed on first use"
            if not pair.expires_at
            else (f"{local_time(int(pair.expires_at))} ({relative(pair.expires_at - now)})")
        )
        stored_at = status.stored_at or pair.refreshed_at
        by = SOURCES.get(status.source, "unknown")
        click.echo(f"  access token   {mask_token(pair.access_token)}, expires {expiry}")
        click.echo(f"  refresh token  {mask_token(pair.refresh_token)}")
        when = f"{local_time(int(stored_at))} ({relative(stored_at - now)})" if stored_at else "-"
        click.echo(f"  stored         {when} by {by}")
    last = "never" if not status.refresh_at else (
        f"{local_time(int(status.refresh_at))} ({relative(status.refresh_at - now)}): "
        f"{status.refresh_result}")  # fmt: skip
    click.echo(f"  last refresh   {last}")
    if state != "ok":
        click.echo(f"  {ADVICE[state]}: connect the OA again (`flask oa connect`) or give it "
                   f"a new pair (`flask zalo tokens set --oa {oa_id}`)")  # fmt: skip
    return state == "ok"


def local_time(epoch: int) -> str:
    """An epoch as BOT_TIMEZONE's 'YYYY-MM-DD HH:MM'."""
    zone = ZoneInfo(current_services().settings.bot_timezone)
    return datetime.fromtimestamp(epoch, zone).strftime("%Y-%m-%d %H:%M")


def relative(seconds: float) -> str:
    """'in 3h 05m' or '2d 4h ago'."""
    whole = int(abs(seconds))
    days, hours, minutes = whole // 86400, whole % 86400 // 3600, whole % 3600 // 60
    span = f"{days}d {hours}h" if days else f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"
    return f"in {span}" if seconds > 0 else f"{span} ago"
