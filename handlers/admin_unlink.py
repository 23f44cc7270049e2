"""Unlinking an App ID or an OA, step by step, for admins.

The bot can only stop using an asset (tokens deleted, events ignored, history kept): no Zalo
API unlinks it from the Cloud Account. The result hands the admin the console steps, and
'/unlink done <id>' (or its button) records that they were done.

```mermaid
stateDiagram-v2
    [*] --> choose_kind: /unlink
    [*] --> choose_asset: /unlink app, /unlink oa
    [*] --> confirm: /unlink app <id>, /unlink oa <id>
    [*] --> [*]: /unlink done <id> (console step recorded)
    choose_kind --> choose_asset: 1 App ID / 2 OA
    choose_asset --> choose_asset: more (next page of buttons)
    choose_asset --> confirm: number, id or button
    confirm --> confirm_again: CONFIRM (the asset this chat goes through)
    confirm --> [*]: CONFIRM (a worker unlinks) / any other text (cancelled)
    confirm_again --> [*]: CONFIRM (a worker unlinks) / any other text (cancelled)
```
"""

from __future__ import annotations

from bot.admin.assets import Asset
from bot.admin.unlink import UNLINK_JOB_OPTIONS, unlink_asset
from bot.connections import QUEUE_BACKGROUND
from bot.conversation.commands import CommandSet
from bot.conversation.context import Button, Context
from bot.conversation.flow import AnyText, Choice, Event, Keyword, TextWhere, text_of
from bot.conversation.textnorm import to_ascii_digits
from handlers.admin_console import console_done
from handlers.choices import MORE, cancel_button, page_of

UNLINK = CommandSet("admin_unlink", admin_only=True)
CHOOSE_KIND = "admin_unlink:choose_kind"
CHOOSE_ASSET = "admin_unlink:choose_asset"
CONFIRM = "admin_unlink:confirm"
CONFIRM_AGAIN = "admin_unlink:confirm_again"
KINDS = {"1": "app", "app": "app", "app id": "app", "appid": "app", "2": "oa", "oa": "oa"}
CONFIRM_WORDS = ("xác nhận", "confirm")
UNKNOWN = ("unlink_unknown_asset", "unknown")


def kind_name(ctx: Context, kind: str) -> str:
    """'App ID' or 'OA'."""
    return ctx.text(f"kind_{kind}")


@UNLINK.command("unlink")
def start(event: Event, ctx: Context) -> str | None:
    """'/unlink' asks for the kind; '/unlink app <id>' and '/unlink oa <id>' jump to confirm."""
    args = list(ctx.match)
    if args and args[0] == "done":
        return console_done(ctx, args[1:])
    if len(args) == 2 and args[0] in ("app", "oa"):
        return propose(ctx, args[0], args[1])
    if len(args) == 1 and args[0] in ("app", "oa"):
        ctx.match = args[0]
        return choose_kind(event, ctx)
    ctx.data = {}
    return kind_prompt(event, ctx)


def kind_prompt(event: Event, ctx: Context) -> str | None:
    """App ID or OA, as text and buttons."""
    buttons = [ctx.button("btn_app", "#app"), ctx.button("btn_oa", "#oa"), *cancel_button(ctx)]
    ctx.reply("unlink_choose_kind", buttons=buttons)
    return CHOOSE_KIND


def choose_kind(event: Event, ctx: Context) -> str | None:
    """1 / 2: list the linked assets of that kind, numbered and as buttons."""
    kind = str(ctx.match)
    linked = [a for a in ctx.assets.all(kind) if a.linked]
    if not linked:
        ctx.reply("unlink_none_of_kind", kind=kind_name(ctx, kind))
        ctx.audit_result = "none linked"
        return None
    ctx.data = {"kind": kind, "ids": [a.asset_id for a in linked], "page": 0}
    return pick_prompt(event, ctx)


def pick_prompt(event: Event, ctx: Context) -> str | None:
    """The numbered list; buttons for the current page (four and 'more' beyond five)."""
    assets = [ctx.assets.get(ctx.data["kind"], i) for i in ctx.data["ids"]]
    found = [a for a in assets if a is not None]
    lines = "\n".join(
        ctx.text("unlink_pick_line", n=n, name=a.name, id=a.asset_id)
        for n, a in enumerate(found, start=1)
    )
    items = [pick_button(n, a) for n, a in enumerate(found, start=1)]
    buttons = page_of(items, int(ctx.data.get("page", 0)), ctx.text("btn_more"))
    kind = kind_name(ctx, ctx.data["kind"])
    ctx.reply("unlink_pick", kind=kind, lines=lines, buttons=buttons)
    return CHOOSE_ASSET


def pick_button(n: int, asset: Asset) -> Button:
    """'2 · Sandbox app' (about 20 characters fit), answering '#<id>' (a tap, not typing)."""
    return Button(f"{n} · {asset.name}"[:20], f"#{asset.asset_id}")


def next_page(event: Event, ctx: Context) -> str | None:
    """'more': the next four buttons (the numbered list already shows every asset)."""
    ctx.data["page"] = int(ctx.data.get("page", 0)) + 1
    ctx.audit_result = "next page"
    return pick_prompt(event, ctx)


def choose_asset(event: Event, ctx: Context) -> str | None:
    """A number from the list, or an id (typed, or a button's '#<id>')."""
    # Matched whole, in ASCII: '²' passes str.isdigit() but not int().
    typed, ids = to_ascii_digits((text_of(event) or "").strip()), ctx.data["ids"]
    if typed.isascii() and typed.isdigit() and 1 <= int(typed) <= len(ids):
        return propose(ctx, ctx.data["kind"], ids[int(typed) - 1])
    if typed.removeprefix("#") in ids:
        return propose(ctx, ctx.data["kind"], typed.removeprefix("#"))
    ctx.reply("unlink_pick_reprompt")
    ctx.audit_result = "reprompted"
    return CHOOSE_ASSET


def propose(ctx: Context, kind: str, asset_id: str) -> str | None:
    """Say exactly what the bot will do (and what it cannot) and ask for the confirm word."""
    ctx.audit_target = f"{kind}:{asset_id}"
    asset = ctx.assets.get(kind, asset_id)
    if asset is None or not asset.linked:
        # The audit says what the admin was told: not found, or stopped before.
        key, ctx.audit_result = ("unlink_already", "already") if asset else UNKNOWN
        ctx.reply(key, kind=kind_name(ctx, kind), id=asset_id)
        return None
    ctx.data = {"kind": kind, "id": asset_id}
    served = served_through(ctx, asset_id) if kind == "app" else []
    if served:  # one App serves many OAs: say which ones fall silent with it
        ctx.reply("unlink_app_oas", n=len(served), oas=", ".join(served))
    buttons = [ctx.button("btn_confirm", "#confirm"), *cancel_button(ctx)]
    name = asset.name
    ctx.reply("unlink_confirm", kind=kind_name(ctx, kind), id=asset_id, name=name, buttons=buttons)
    return CONFIRM


def served_through(ctx: Context, app_id: str) -> list[str]:
    """The names of the OAs served through app_id now: BOT_OA_NAME or the registry's name
    (the id when neither names it)."""
    oas = [oa for oa in ctx.need_parts().registry.all() if oa.app_id == app_id]
    return [oa.name or asset_name(ctx, oa.oa_id) for oa in oas]


def asset_name(ctx: Context, oa_id: str) -> str:
    """The asset registry's name of an OA, or its id."""
    asset = ctx.assets.get("oa", oa_id)
    return asset.name if asset is not None and asset.name else oa_id


def is_this_chat(ctx: Context, kind: str, asset_id: str) -> bool:
    """Whether the asset is the app or the OA this very conversation goes through."""
    return asset_id == (ctx.app_id if kind == "app" else ctx.user.oa_id)


def confirmed(event: Event, ctx: Context) -> str | None:
    """The confirm word: unlink, or first warn when it is this chat's own app or OA."""
    kind, asset_id = ctx.data["kind"], ctx.data["id"]
    ctx.audit_target = f"{kind}:{asset_id}"
    if ctx.state == CONFIRM and is_this_chat(ctx, kind, asset_id):
        buttons = [ctx.button("btn_confirm", "#confirm"), *cancel_button(ctx)]
        ctx.reply("unlink_confirm_again", kind=kind_name(ctx, kind), buttons=buttons)
        ctx.audit_result = "warned"
        return CONFIRM_AGAIN
    this_chat = is_this_chat(ctx, kind, asset_id)
    args = (ctx.user.oa_id, ctx.user.user_id, kind, asset_id, ctx.lang, this_chat)
    ctx.enqueue(unlink_asset, *args, queue=QUEUE_BACKGROUND, **UNLINK_JOB_OPTIONS)
    ctx.reply("unlink_running", kind=kind_name(ctx, kind), id=asset_id)
    ctx.audit_result = "queued"
    return None


def not_confirmed(event: Event, ctx: Context) -> str | None:
    """Anything but the confirm word cancels."""
    if ctx.data.get("id"):
        ctx.audit_target = f"{ctx.data.get('kind')}:{ctx.data.get('id')}"
    ctx.audit_result = "cancelled"
    ctx.reply("unlink_cancelled")
    return None


def kind_reprompt(event: Event, ctx: Context) -> str | None:
    """Neither 1 nor 2."""
    ctx.audit_result = "reprompted"
    ctx.reply("unlink_kind_reprompt")
    return kind_prompt(event, ctx)


def is_pick(text: str) -> bool:
    """A number, a numeric id or a pick button's '#<id>' (other words go on to the keywords:
    status, help...)."""
    picked = to_ascii_digits(text.strip().removeprefix("#"))
    return picked.isascii() and picked.isdigit()


UNLINK_FLOW = UNLINK.flow(
    states={
        CHOOSE_KIND: [Choice(KINDS, then=choose_kind)],
        CHOOSE_ASSET: [Keyword(MORE, then=next_page), TextWhere(is_pick, then=choose_asset)],
        # Any other text cancels, even a word that would start another dialogue ('verify').
        CONFIRM: [Keyword(*CONFIRM_WORDS, then=confirmed), AnyText(then=not_confirmed)],
        CONFIRM_AGAIN: [Keyword(*CONFIRM_WORDS, then=confirmed), AnyText(then=not_confirmed)],
    },
    otherwise={CHOOSE_KIND: kind_reprompt, CHOOSE_ASSET: choose_asset},
    strict=frozenset({CONFIRM, CONFIRM_AGAIN}),
    steps={CHOOSE_KIND: "step_unlink_kind", CHOOSE_ASSET: "step_unlink_pick"},
    prompts={CHOOSE_KIND: kind_prompt, CHOOSE_ASSET: pick_prompt},
)
