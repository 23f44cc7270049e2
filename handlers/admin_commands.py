"""One-step admin commands: /help, /assets, /audit, /unlock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.conversation.commands import CommandSet
from bot.conversation.context import Context
from bot.conversation.flow import Event

ADMIN = CommandSet("admin", admin_only=True)


def local_date(ctx: Context, epoch: float, fmt: str = "%d/%m/%Y") -> str:
    """An epoch in BOT_TIMEZONE."""
    return datetime.fromtimestamp(epoch, ZoneInfo(ctx.services.settings.bot_timezone)).strftime(fmt)


@ADMIN.command("help")
def admin_help(event: Event, ctx: Context) -> str | None:
    """The admin commands."""
    ctx.reply("admin_help")
    return None


@ADMIN.command("assets")
def list_assets(event: Event, ctx: Context) -> str | None:
    """Numbered list of the linked apps and OAs."""
    linked = [a for a in ctx.services.assets.all() if a.linked]
    if not linked:
        ctx.reply("assets_none")
        return None
    lines = [
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
    ctx.reply_raw("\n".join([ctx.text("assets_header"), *lines]))
    ctx.audit_result = f"{len(linked)} linked"
    return None


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
            step=e.step,
            target=e.target or "-",
            result=e.result,
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


ADMIN_FLOW = ADMIN.flow()
