"""Unlinking an App ID or an OA, step by step, for admins.

```mermaid
stateDiagram-v2
    [*] --> choose_kind: /unlink
    [*] --> choose_asset: /unlink app, /unlink oa
    [*] --> confirm: /unlink app <id>, /unlink oa <id>
    choose_kind --> choose_asset: 1 App ID / 2 OA
    choose_asset --> confirm: number or id
    confirm --> confirm_again: CONFIRM (the asset this chat goes through)
    confirm --> [*]: CONFIRM (a worker unlinks) / any other text (cancelled)
    confirm_again --> [*]: CONFIRM (a worker unlinks) / any other text (cancelled)
```
"""

from __future__ import annotations

from bot.admin.unlink import UNLINK_JOB_OPTIONS, unlink_asset
from bot.conversation.commands import CommandSet
from bot.conversation.context import Context
from bot.conversation.flow import AnyText, Choice, Event, Keyword
from bot.services import QUEUE_MESSAGES

UNLINK = CommandSet("admin_unlink", admin_only=True)
CHOOSE_KIND = "admin_unlink:choose_kind"
CHOOSE_ASSET = "admin_unlink:choose_asset"
CONFIRM = "admin_unlink:confirm"
CONFIRM_AGAIN = "admin_unlink:confirm_again"
KINDS = {"1": "app", "app": "app", "app id": "app", "appid": "app", "2": "oa", "oa": "oa"}
CONFIRM_WORDS = ("xác nhận", "confirm")


def kind_name(ctx: Context, kind: str) -> str:
    """'App ID' or 'OA'."""
    return ctx.text(f"kind_{kind}")


@UNLINK.command("unlink")
def start(event: Event, ctx: Context) -> str | None:
    """'/unlink' asks for the kind; '/unlink app <id>' and '/unlink oa <id>' jump to confirm."""
    args = list(ctx.match)
    if len(args) == 2 and args[0] in ("app", "oa"):
        return propose(ctx, args[0], args[1])
    if len(args) == 1 and args[0] in ("app", "oa"):
        ctx.match = args[0]
        return choose_kind(event, ctx)
    ctx.data = {}
    ctx.reply("unlink_choose_kind")
    return CHOOSE_KIND


def choose_kind(event: Event, ctx: Context) -> str | None:
    """1 / 2: list the linked assets of that kind, numbered."""
    kind = str(ctx.match)
    linked = [a for a in ctx.services.assets.all(kind) if a.linked]
    if not linked:
        ctx.reply("unlink_none_of_kind", kind=kind_name(ctx, kind))
        ctx.audit_result = "none linked"
        return None
    ctx.data = {"kind": kind, "ids": [a.asset_id for a in linked]}
    lines = "\n".join(f"{n}. {a.asset_id} — {a.name}" for n, a in enumerate(linked, start=1))
    ctx.reply("unlink_pick", kind=kind_name(ctx, kind), lines=lines)
    return CHOOSE_ASSET


def choose_asset(event: Event, ctx: Context) -> str | None:
    """A number from the list, or an id."""
    typed, ids = str(ctx.match).strip(), ctx.data["ids"]
    if typed.isdigit() and 1 <= int(typed) <= len(ids):
        return propose(ctx, ctx.data["kind"], ids[int(typed) - 1])
    if typed in ids:
        return propose(ctx, ctx.data["kind"], typed)
    ctx.reply("unlink_pick_reprompt")
    return CHOOSE_ASSET


def propose(ctx: Context, kind: str, asset_id: str) -> str | None:
    """Say exactly what will happen and ask for the confirm word."""
    ctx.audit_target = f"{kind}:{asset_id}"
    asset = ctx.services.assets.get(kind, asset_id)
    if asset is None or not asset.linked:
        ctx.reply("unlink_unknown_asset", kind=kind_name(ctx, kind), id=asset_id)
        ctx.audit_result = "not linked"
        return None
    ctx.data = {"kind": kind, "id": asset_id}
    ctx.reply("unlink_confirm", kind=kind_name(ctx, kind), id=asset_id, name=asset.name)
    return CONFIRM


def is_this_chat(ctx: Context, kind: str, asset_id: str) -> bool:
    """Whether the asset is the app or the OA this very conversation goes through."""
    return asset_id == (ctx.app_id if kind == "app" else ctx.user.oa_id)


def confirmed(event: Event, ctx: Context) -> str | None:
    """The confirm word: unlink, or first warn when it is this chat's own app or OA."""
    kind, asset_id = ctx.data["kind"], ctx.data["id"]
    ctx.audit_target = f"{kind}:{asset_id}"
    if ctx.state == CONFIRM and is_this_chat(ctx, kind, asset_id):
        ctx.reply("unlink_confirm_again", kind=kind_name(ctx, kind))
        ctx.audit_result = "warned"
        return CONFIRM_AGAIN
    ctx.enqueue(
        unlink_asset,
        ctx.user.oa_id,
        ctx.user.user_id,
        kind,
        asset_id,
        ctx.lang,
        queue=QUEUE_MESSAGES,
        **UNLINK_JOB_OPTIONS,
    )
    ctx.reply("unlink_running", kind=kind_name(ctx, kind), id=asset_id)
    ctx.audit_result = "queued"
    return None


def not_confirmed(event: Event, ctx: Context) -> str | None:
    """Anything but the confirm word cancels."""
    ctx.audit_target = f"{ctx.data.get('kind')}:{ctx.data.get('id')}"
    ctx.audit_result = "cancelled"
    ctx.reply("unlink_cancelled")
    return None


def kind_reprompt(event: Event, ctx: Context) -> str | None:
    """Neither 1 nor 2."""
    ctx.reply("unlink_kind_reprompt")
    return ctx.state


UNLINK_FLOW = UNLINK.flow(
    states={
        CHOOSE_KIND: [Choice(KINDS, then=choose_kind)],
        CHOOSE_ASSET: [AnyText(then=choose_asset)],
        # Any other text cancels, even a word that would start another dialogue ('verify').
        CONFIRM: [Keyword(*CONFIRM_WORDS, then=confirmed), AnyText(then=not_confirmed)],
        CONFIRM_AGAIN: [Keyword(*CONFIRM_WORDS, then=confirmed), AnyText(then=not_confirmed)],
    },
    otherwise={CHOOSE_KIND: kind_reprompt},
    strict=frozenset({CONFIRM, CONFIRM_AGAIN}),
)
