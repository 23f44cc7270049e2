"""One-step admin commands: /help, /assets, /audit, /unlock, /admin."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.admin.assets import Asset
from bot.admin.web_login import LINK_TTL_SECONDS, AdminLogins
from bot.conversation.commands import CommandSet
from bot.conversation.context import Context
from bot.conversation.flow import Event
from bot.texts import has_text

ADMIN = CommandSet("admin", admin_only=True)


def local_date(ctx: Context, epoch: float, fmt: str = "%d/%m/%Y") -> str:
    """An epoch in BOT_TIMEZONE."""
    return datetime.fromtimestamp(epoch, ZoneInfo(ctx.services.settings.bot_timezone)).strftime(fmt)


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
    everything = ctx.services.assets.all()
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


def audit_word(ctx: Context, family: str, value: str) -> str:
    """A step or result in words ('xác nhận', 'đã cảnh báo'); unknown ones as stored."""
    key = f"audit_{family}_{value}"
    return ctx.text(key) if has_text(key) else value


@ADMIN.command("audit")
def show_audit(event: Event, ctx: Context) -> str | None:
    """The last admin actions (who, what, when, result)."""
    entries = ctx.services.audit.latest(10)
    if not entries:
        ctx.reply("audit_none")
        return None
    lines = [
        ctx.text(
            "audit_line",
            at=local_date(ctx, e.at, "%d/%m %H:%M"),
            who=e.who,
            command=e.command,
            step=audit_word(ctx, "step", e.step),
            target=f" {e.target}" if e.target else "",
            result=audit_word(ctx, "result", e.result),
        )
        for e in entries
    ]
    ctx.reply_raw("\n".join([ctx.text("audit_header"), *lines]))
    return None


@ADMIN.command("unlock")
def unlock(event: Event, ctx: Context) -> str | None:
    """'/unlock <user_id or phone>': lift a verification lock early."""
    if not ctx.match:
        ctx.reply("unlock_usage")
        return None
    lifted, shown = ctx.services.verifier.unlock(ctx.user.oa_id, " ".join(ctx.match))
    ctx.audit_target = shown
    ctx.audit_result = "unlocked" if lifted else "not locked"
    ctx.reply("unlock_done" if lifted else "unlock_nothing", target=shown)
    return None


@ADMIN.command("admin")
def admin_page_link(event: Event, ctx: Context) -> str | None:
    """'/admin': a one-time link to the admin page, PUBLIC_BASE_URL/admin/login#token=...
    (a fragment never reaches a server, a proxy or an access log: the page's script posts it)."""
    settings = ctx.services.settings
    base = settings.public_base_url.rstrip("/")
    if not settings.admin_session_secret or not (base or settings.bot_sandbox):
        ctx.reply("admin_page_off")
        ctx.audit_result = "page off"
        return None
    token = AdminLogins(ctx.services.redis).issue_link(ctx.user.user_id)
    minutes = LINK_TTL_SECONDS // 60
    ctx.reply("admin_page_link", url=f"{base}/admin/login#token={token}", minutes=minutes)
    ctx.audit_result = "link sent"  # never the token: the audit is read by every admin
    return None


ADMIN_FLOW = ADMIN.flow()
