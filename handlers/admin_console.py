"""'/unlink done <id>': the admin finished the unlink in the Zalo Cloud Account console."""

from __future__ import annotations

from bot.admin.assets import Asset
from bot.conversation.context import Button, Context
from handlers.admin_commands import moment


def console_done(ctx: Context, args: list[str]) -> str | None:
    """Record console_confirmed_at for an unlinked asset ('/unlink done [app|oa] <id>')."""
    kind, asset_id = (args[0], args[1]) if len(args) == 2 else ("", "".join(args[:1]))
    if not asset_id:
        ctx.reply("console_usage")
        return None
    asset = pick(ctx, kind, asset_id)
    if asset is None:
        ctx.reply("unlink_unknown_asset", kind=kind.upper() or "App ID / OA", id=asset_id)
        ctx.audit_result = "unknown"
        return None
    ctx.audit_target = f"{asset.kind}:{asset.asset_id}"
    shown = ctx.text(f"kind_{asset.kind}")
    result = ctx.assets.confirm_console(asset.kind, asset.asset_id, ctx.user.user_id)
    if result == "linked":  # never unlinked, or linked again since (the sandbox's Relink)
        return still_linked(ctx, asset)
    if result == "already":
        at = moment(ctx, asset.console_confirmed_at or 0)
        ctx.reply("console_already", kind=shown, id=asset.asset_id, at=at)
        ctx.audit_result = "console already"
        return None
    ctx.reply("console_recorded", kind=shown, id=asset.asset_id)
    ctx.audit_result = "console confirmed"
    return None


def still_linked(ctx: Context, asset: Asset) -> str | None:
    """Nothing to record: say since when the bot uses it, and how to unlink it."""
    shown, command = ctx.text(f"kind_{asset.kind}"), f"/unlink {asset.kind} {asset.asset_id}"
    again = Button(ctx.text("btn_unlink_it", kind=shown), f"#{command}")
    since = moment(ctx, asset.linked_since)
    ctx.reply(
        "console_still_linked",
        kind=shown,
        id=asset.asset_id,
        since=since,
        command=command,
        buttons=[again],
    )
    ctx.audit_result = "not unlinked"
    return None


def pick(ctx: Context, kind: str, asset_id: str) -> Asset | None:
    """The asset of that id (of the given kind, else the unlinked one of either kind)."""
    found = [a for a in ctx.assets.find(asset_id) if not kind or a.kind == kind]
    unlinked = [a for a in found if not a.linked]
    best: list[Asset] = unlinked or found
    return best[0] if best else None
