"""The RQ job that unlinks an asset and reports the result to the admin."""

from __future__ import annotations

import logging
import time

from rq import Retry

from bot.admin.parts import AdminParts, current_parts
from bot.admin.served import FRESH_SECONDS
from bot.conversation.context import AuditEntry
from bot.keys import UserRef
from bot.queues.outbox import queue_replies
from bot.texts import render
from bot.zalo.sending import Sending
from bot.zalo.token_store import RedisTokenStorage
from zalo_api.messages import Button, Text

log = logging.getLogger(__name__)

# Where an admin finishes the unlink: no public Zalo API does it (SPEC §3, the seed's guide).
ZALO_CLOUD_CONSOLE_URL = "https://account.zalo.cloud"

# Retried on a transient failure (Redis): a retry finds the asset 'already' unlinked and still
# deletes its tokens, so a crash between the two steps never leaves tokens behind.
UNLINK_JOB_OPTIONS = {
    "retry": Retry(max=3, interval=[5, 30, 120]),
    "result_ttl": 0,
    "failure_ttl": 7 * 24 * 3600,
    "job_timeout": 60,
}


def unlink_asset(
    oa_id: str, admin_id: str, kind: str, asset_id: str, lang: str, this_chat: bool = False
) -> str:
    """Unlink (atomically: of two admins, one wins), drop its tokens, audit, tell the admin.

    this_chat: the asset is the one the admin's chat goes through, so the bot will not hear
    a console-done tap there (the report then points to the CLI instead of a button)."""
    services = current_parts()
    result = services.assets.unlink(kind, asset_id, by=admin_id)
    services.registry.invalidate()  # this process stops serving it at once
    if result != "unknown":
        delete_tokens(services, kind, asset_id)
    if result == "ok":
        log.info("%s %s unlinked", kind, asset_id)
        # Every other process sees it within FRESH_SECONDS: report once they all do.
        time.sleep(FRESH_SECONDS)
    entry = AuditEntry(admin_id, "unlink", "worker", f"{kind}:{asset_id}", result)
    with services.redis.pipeline(transaction=True) as pipe:
        pipe.multi()
        services.audit.write(entry, pipe)
        replies = [report(result, kind, asset_id, lang, this_chat)]
        queue_replies(services, pipe, UserRef(oa_id, admin_id), replies)
        pipe.execute()
    return result


def report(result: str, kind: str, asset_id: str, lang: str, this_chat: bool = False) -> Text:
    """What the bot did, then the console steps that finish the unlink at Zalo."""
    done_key = "unlink_done_this_chat" if this_chat else "unlink_done"
    key = {"ok": done_key, "already": "unlink_already"}.get(result, "unlink_unknown_asset")
    text = render(
        key,
        lang,
        kind=render(f"kind_{kind}", lang),
        kind_arg=kind,
        id=asset_id,
        console=ZALO_CLOUD_CONSOLE_URL,
        tab=render(f"console_tab_{kind}", lang),
    )
    if result != "ok" or this_chat:  # no button the bot could not hear
        return Text(text)
    done = Button(render("btn_console_done", lang), f"#/unlink done {kind} {asset_id}")
    return Text(text, (done, Button(render("btn_assets", lang), "#/assets")))


def delete_tokens(services: AdminParts, kind: str, asset_id: str) -> None:
    """The tokens of an unlinked OA (under any App), or of every OA of an unlinked App, and
    the sending states of those no longer served."""
    main = services.registry.main
    if kind == "app":
        oa_ids = {oa.oa_id for oa in services.registry.configured.values()}
        oa_ids |= {a.asset_id for a in services.assets.all("oa")}
        pairs = [(asset_id, oa_id) for oa_id in oa_ids]
    else:
        pairs = [(app_id, asset_id) for app_id in services.registry.apps]
    for app_id, oa_id in pairs:
        legacy = (app_id, oa_id) == (main.app_id, main.oa_id)
        RedisTokenStorage(services.redis, app_id, oa_id, legacy=legacy).delete()
    forget_sending(services, {oa_id for _app_id, oa_id in pairs})


def forget_sending(services: AdminParts, oa_ids: set[str]) -> None:
    """The sending state of each OA of oa_ids no longer served: a held one would drop the
    messages still queued for it one per probe, and be held still when connected again."""
    for oa_id in oa_ids:
        if services.registry.get(oa_id) is None:
            Sending(services.redis, oa_id).forget()
