"""One-step admin commands: /help, /assets, /audit [page], /unlock, /admin."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.admin.assets import Asset
from bot.admin.audit import MAX_ENTRIES
from bot.admin.audit_view import describe
from bot.admin.web_login import LINK_TTL_SECONDS, AdminLogins
from bot.conversation.commands import CommandSet
from bot.conversation.context import Context
from bot.conversation.flow import Event

ADMIN = CommandSet("admin", admin_only=True)
AUDIT_PAGE_SIZE = 10
MAX_AUDIT_PAGES = MAX_ENTRIES // AUDIT_PAGE_SIZE


def local_date(ctx: Context, epoch: float, fmt: str = "%d/%m/%Y") -> str:
    """An epoch in BOT_TIMEZONE."""
    return datetime.fromtimestamp(epoch, ZoneInfo(ctx.settings.bot_timezone)).strftime(fmt)


def moment(ctx: Context, epoch: float) -> str:
    """'04:46 ngày 02/12/2026', as every reply shows a time."""
    return ctx.text("at_time", time=local_date(ctx, epoch, "%H:%M"), date=local_date(ctx, epoch))


@ADMIN.command("help")
def admin_help(event: Event, ctx: Context) -> str | None:
    """The admin commands."""
    ctx.reply("admin_help")
    return None


@ADMIN.command("assets")
def list_assets(event: Event, ctx: Context) -> str | None:
    """Numbered list of the linked apps and OAs, then those the bot no longer uses."""
    everything = ctx.assets.all()
    linked = [a for a in everything if a.linked]
    lines = [ctx.text("assets_header") if linked else ctx.text("assets_none")]
    lines += [
        ctx.text(
            "asset_line",
            n=n,
            kind=ctx.text(f"kind_{a.kind}"),
            id=a.asset_id,
            name=a.name,
            since=local_date(ctx, a.linked_since),
        )
        for n, a in enumerate(linked, start=1)
    ]
    unlinked = [a for a in everything if not a.linked]
    if unlinked:
        lines += [
            "",
            ctx.text("assets_unlinked_header"),
            *(unlinked_line(ctx, a) for a in unlinked),
        ]
    ctx.reply_raw("\n".join(lines))
    ctx.audit_result = f"{len(linked)} linked"
    return None


def unlinked_line(ctx: Context, asset: Asset) -> str:
    """An asset the bot stopped using, and whether the console step was done."""
    console = (
        ctx.text("console_done_at", at=moment(ctx, asset.console_confirmed_at))
        if asset.console_confirmed_at
        else ctx.text("console_pending")
    )
    return ctx.text(
        "asset_unlinked_line",
        kind=ctx.text(f"kind_{asset.kind}"),
        name=asset.name,
        id=asset.asset_id,
        at=moment(ctx, asset.unlinked_at or 0),
        console=console,
    )


@ADMIN.command("audit")
def show_audit(event: Event, ctx: Context) -> str | None:
    """'/audit [page]': admin actions, AUDIT_PAGE_SIZE a page, newest page first."""
    number = page_number(ctx.match)
    if number is None:
        ctx.reply("audit_usage")
        return None
    entries, more = ctx.audit_log.page(number, AUDIT_PAGE_SIZE)
    if not entries:
        if number == 1:
            ctx.reply("audit_none")
        else:
            no_such_page(ctx, number)
        return None
    zone = ctx.settings.bot_timezone
    header = ctx.text("audit_header") if number == 1 else ctx.text("audit_page_header", page=number)
    lines = [header, *(describe(e, ctx.lang, zone) for e in entries)]
    buttons = []
    if more:
        lines.append(ctx.text("audit_older", page=number + 1))
        buttons.append(ctx.button("btn_audit_older", f"#/audit {number + 1}"))
    ctx.reply_raw("\n".join(lines), buttons)
    return None


def page_number(args: list[str]) -> int | None:
    """The page asked for (1 when none); None when the argument is not a page number."""
    if not args:
        return 1
    typed = args[0]
    return int(typed) if typed.isdigit() and 0 < int(typed) <= MAX_AUDIT_PAGES else None


def no_such_page(ctx: Context, number: int) -> None:
    """Past the oldest entry: say how many pages there are."""
    total = ctx.audit_log.count()
    pages = max(1, -(-total // AUDIT_PAGE_SIZE))
    ctx.reply("audit_no_page", page=number, pages=pages)


@ADMIN.command("unlock")
def unlock(event: Event, ctx: Context) -> str | None:
    """'/unlock <user_id or phone>': lift a verification lock early."""
    if not ctx.match:
        ctx.reply("unlock_usage")
        return None
    lifted, shown = ctx.verifier.unlock(ctx.user.oa_id, " ".join(ctx.match))
    ctx.audit_target = shown
    ctx.audit_result = "unlocked" if lifted else "not locked"
    ctx.reply("unlock_done" if lifted else "unlock_nothing", target=shown)
    return None


@ADMIN.command("admin")
def admin_page_link(event: Event, ctx: Context) -> str | None:
    """'/admin': a one-time link to the admin page, PUBLIC_BASE_URL/admin/login#token=...
    (a fragment never reaches a server, a proxy or an access log: the page's script posts it)."""
    settings = ctx.settings
    base = settings.public_base_url.rstrip("/")
    if not settings.admin_session_secret or not (base or settings.bot_sandbox):
        ctx.reply("admin_page_off")
        ctx.audit_result = "page off"
        return None
    token = AdminLogins(ctx.redis).issue_link(ctx.user.user_id)
    minutes = LINK_TTL_SECONDS // 60
    ctx.reply("admin_page_link", url=f"{base}/admin/login#token={token}", minutes=minutes)
    ctx.audit_result = "link sent"  # never the token: the audit is read by every admin
    return None


ADMIN_FLOW = ADMIN.flow()
