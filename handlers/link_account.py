"""Linking in chat: the user sends the portal's link code, alone or after 'liên kết' / 'link'.

```mermaid
stateDiagram-v2
    [*] --> [*]: code right (linked, offer to verify) / wrong (tries left) / too many (until)
```
"""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.flow import Event, Flow, TextWhere
from bot.conversation.textnorm import normalize
from bot.verification.links import looks_like_link_code, mask_account
from handlers.intents import said

LINK_WORDS = ("lien ket", "link", "lien ket zalo", "link zalo")


def after_link_word(typed: str) -> str | None:
    """What follows 'liên kết' / 'link' ('' when nothing does); None for other text."""
    folded = normalize(typed)
    for word in sorted(LINK_WORDS, key=len, reverse=True):
        if folded == word or folded.startswith(word + " "):
            return folded[len(word) :].strip()
    return None


def link_by_word(event: Event, ctx: Context) -> str | None:
    """'liên kết AB7K9MXQ'; the words alone explain where the code comes from."""
    code = after_link_word(str(ctx.match)) or ""
    if not code:
        ctx.reply("link_how")
        return ctx.state
    return redeem(ctx, code)


def link_how(event: Event, ctx: Context) -> str | None:
    """'liên kết tài khoản', 'link my account': where the code comes from."""
    ctx.reply("link_how")
    return ctx.state


def link_bare_code(event: Event, ctx: Context) -> str | None:
    """A link code sent on its own."""
    return redeem(ctx, str(ctx.match))


def redeem(ctx: Context, typed: str) -> str | None:
    """Use the code: linked (the dialogue starts afresh, for the account), wrong, or locked."""
    v = ctx.verifier
    result = v.links.redeem(ctx.user, typed)
    if result.status == "ok":
        ctx.reply("link_done", account=mask_account(result.account_id))
        return None  # a dialogue begun before the link was for the user's own account
    if result.status == "wrong":
        ctx.reply("link_wrong", left=result.attempts_left)
        return ctx.state
    ctx.reply("link_locked", until=v.local_time(result.wait_seconds))
    return ctx.state


LINK = Flow(
    name="link",
    entry=[
        said("link", then=link_how),
        TextWhere(lambda typed: after_link_word(typed) is not None, then=link_by_word),
        TextWhere(looks_like_link_code, then=link_bare_code),
    ],
    states={},
)
