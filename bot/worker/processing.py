"""The events stage: each user's inbound events through the engine, one at a time, in order.

The worker's runner (bot.worker.runner) drains many users' inboxes at once, each under the
user's drain lock. Each event is committed in one Redis transaction: the new state, the
event's removal from the inbox, its replies, its codes to send and its background jobs. A
crash before the commit leaves the event in the inbox, and whoever drains it next handles it
again; nothing is half-done. A failed event keeps the user due again later, in order.
"""

from __future__ import annotations

import logging

from redis.client import Pipeline

from bot.conversation.context import Context
from bot.conversation.flow import AnyEvent
from bot.conversation.store import LANG, STATE, Conversation
from bot.keys import UserRef
from bot.masking import mask_user_id
from bot.metrics import IGNORED
from bot.oas import UNLINKED
from bot.queues.code_sends import queue_code_sends
from bot.queues.inbox import (
    DRAIN_LOCK,
    DRAIN_LOCK_TTL_MS,
    INBOX,
    STAGE_EVENTS,
    EventInbox,
)
from bot.queues.internal_events import SendFailed, decode_internal
from bot.queues.outbox import queue_replies
from bot.queues.ready import MARKED, Arrivals, ReadySet
from bot.queues.serial import Drained, SerialQueue, TakeSpec
from bot.redis_client import OUTAGE_ERRORS
from bot.services import Services
from bot.verification.links import LINKED
from bot.worker.dead_letters import EVENT_MAX_ATTEMPTS, DeadLetters
from bot.worker.forget import forget_user
from bot.worker.handoff import HandOffs
from bot.worker.runner import Stage
from bot.worker.turns import observed, received_at
from zalo_api.errors import EventParseError
from zalo_api.events import parse_event
from zalo_api.jsontext import json_value
from zalo_api.stored import TYPE, USER_EVENTS, from_json

log = logging.getLogger(__name__)

BATCH = 20
# What an inbox holds: the stored form of an event the webhook parsed, or of the bot's own.
STORED_EVENTS = {**USER_EVENTS, SendFailed.__name__: SendFailed}
# One runner of the worker process serves events with this many threads (bot.worker.crew).
PROCESS_THREADS = 4
# A user whose processing failed (a transient error escaped) is due again after these waits,
# by the number of failed attempts at their first event (the last wait repeated); the event is
# set aside after EVENT_MAX_ATTEMPTS (bot.worker.dead_letters).
RETRY_SECONDS = (1, 5, 15, 60, 300)


class EventFailed(Exception):
    """An event failed for the failed-th time and waits for its retry."""

    def __init__(self, failed: int) -> None:
        super().__init__(f"failed attempt {failed}")
        self.failed = failed


def drain_or_retry(services: Services, user: UserRef, taken: Drained | None = None) -> int:
    """Drain one user's inbox; on a failure, make the user due again after a wait."""
    try:
        return drain_inbox(services, user, taken)
    except OUTAGE_ERRORS:
        raise  # Redis is away: the runner waits it out; the lease brings them back
    except Exception as exc:
        # One user's trouble must not hold up everybody else: the user waits, in order.
        log.warning("processing for %s failed (%s); retrying", mask_user_id(user.user_id), exc)
        failed = exc.failed if isinstance(exc, EventFailed) else 1
        wait = RETRY_SECONDS[min(failed, len(RETRY_SECONDS)) - 1]
        ReadySet(services.redis, STAGE_EVENTS).defer(user, wait * 1000)
        return 0


# A claim also takes the drain lock, the first batch, the conversation, the language and the
# user's link to a portal account (whose verification a turn is: its first event reads no more).
TAKE_EVENTS = TakeSpec(INBOX, DRAIN_LOCK, "zset", BATCH, DRAIN_LOCK_TTL_MS, (STATE, LANG, LINKED))
EVENTS = Stage(STAGE_EVENTS, drain_or_retry, PROCESS_THREADS, TAKE_EVENTS)


def drain_inbox(services: Services, user: UserRef, taken: Drained | None = None) -> int:
    """Handle the user's events in order under their drain lock; return how many."""
    drain = EventInbox(services.redis, user).drain_queue()
    store = services.conversations
    read = [store.state_key(user), store.lang_key(user), user.key(LINKED)]
    got = drain.acquire_or_adopt(taken, BATCH, read)
    if got is None:  # another worker drains this inbox and will see every event in it
        return 0
    conv = Conversation.from_json(got.extras[0])
    lang = got.extras[1].decode() or services.settings.bot_language
    # The link as claimed holds for the event handled next; a later one may follow a link.
    linked: bytes | None = got.extras[2]
    handled, items = 0, got.items
    try:
        while items:
            for index, raw in enumerate(items):
                last = index == len(items) - 1
                lang, after = handle_or_set_aside(
                    services, drain, user, raw, conv, lang, last, linked
                )
                handled, linked = handled + 1, None
            items = after if isinstance(after, list) else []
    except BaseException:
        drain.release()
        raise
    drain.finished()
    return handled


def handle_or_set_aside(
    services: Services,
    drain: SerialQueue,
    user: UserRef,
    raw: bytes,
    conv: Conversation,
    lang: str,
    last: bool,
    linked: bytes | None = None,
) -> tuple[str, object]:
    """handle_and_commit(); an event that failed EVENT_MAX_ATTEMPTS times is set aside in the
    dead letters instead, so it cannot block the user's later events for good."""
    saved = (conv.state, dict(conv.data), conv.updated_at)
    try:
        return handle_and_commit(services, drain, user, raw, conv, lang, last, linked)
    except OUTAGE_ERRORS:
        raise  # Redis itself is away: nothing to blame on the event
    except Exception as exc:
        conv.state, conv.data, conv.updated_at = saved  # its outcome was never committed
        failed = DeadLetters(services.redis).failed_attempt(user, raw)
        if failed < EVENT_MAX_ATTEMPTS:
            raise EventFailed(failed) from exc  # tried again after a wait (drain_or_retry)
        log.error(
            "set aside an event of %s after %d failed attempts: %s",
            mask_user_id(user.user_id),
            EVENT_MAX_ATTEMPTS,
            type(exc).__name__,
        )
        return lang, set_aside(services, drain, user, raw, exc, last)


def set_aside(
    services: Services,
    drain: SerialQueue,
    user: UserRef,
    raw: bytes,
    error: BaseException,
    last: bool,
) -> object:
    """Move the event from the inbox to the dead letters; return the next batch if last."""
    with services.redis.pipeline(transaction=True) as pipe:
        pipe.multi()
        pipe.zrem(drain.queue_key, raw)
        DeadLetters(services.redis).set_aside(pipe, user, raw, error)
        if last:
            drain.next_batch(pipe, BATCH)
        answers = pipe.execute()
    return answers[-1] if last else None


def handle_and_commit(
    services: Services,
    drain: SerialQueue,
    user: UserRef,
    raw: bytes,
    conv: Conversation,
    lang: str,
    last: bool,
    linked: bytes | None = None,
) -> tuple[str, object]:
    """Run one event and commit its outcome; return the language and (if last) the next batch.
    linked: the user's link as the claim read it (None: read when a step needs it)."""
    before = conv.state
    ctx = run_event(services, user, raw, conv, lang, linked)
    with (
        services.redis.pipeline(transaction=True) as pipe,
        HandOffs(services.redis) as hand_offs,
    ):
        pipe.multi()
        pipe.zrem(drain.queue_key, raw)
        if ctx is not None:
            commit_context(services, pipe, ctx, conv, hand_offs)
        if last:
            drain.next_batch(pipe, BATCH)
        answers = hand_offs.execute(pipe)
    if ctx is not None:
        observed(ctx, before, conv.state)
    return (ctx.lang if ctx else lang), (answers[-1] if last else None)


def run_event(
    services: Services,
    user: UserRef,
    raw: bytes,
    conv: Conversation,
    lang: str,
    linked: bytes | None = None,
) -> Context | None:
    """The context after the engine handled the event (None: the event is skipped)."""
    event = decode_event(raw)
    oa = services.registry.get(user.oa_id)  # unlinked (or its App unlinked): not served
    if event is None or oa is None:
        if oa is None:  # an OA no longer served: its queued events go unanswered
            unlinked = services.registry.state(user.oa_id) == UNLINKED
            IGNORED.labels("unlinked" if unlinked else "unserved_oa").inc()
        return None
    ctx = Context(user=user, lang=lang, state=conv.state, data=dict(conv.data))
    ctx.served_by, ctx.parts, ctx.received_at = oa, services, received_at(event)
    ctx.user_id_by_app, ctx.app_id = event.user_id_by_app, event.app_id
    ctx.admin_check = lambda: is_admin(services, user)
    if linked is not None:
        ctx.memo["linked"] = linked
    if conv.timed_out(services.settings.conversation_idle_seconds, ctx.now):
        ctx.reply("timeout_restart")
        ctx.state, ctx.data = None, {}
    next_state = services.engine.handle(event, ctx)
    conv.state, conv.data = next_state, (ctx.data if next_state is not None else {})
    return ctx


def is_admin(services: Services, user: UserRef) -> bool:
    """Admins are per OA: ADMIN_ZALO_IDS are the main OA's only (SPEC §4), since the same id
    seen through another OA is another person, or an extra app speaking for someone else."""
    return services.admins.is_admin(user.user_id, user.oa_id)


def decode_event(raw: bytes) -> AnyEvent | None:
    """The typed event of an inbox item, as the webhook parsed and stored it."""
    try:
        payload = json_value(raw)
        if TYPE in payload:
            found: AnyEvent = from_json(payload, STORED_EVENTS)
            return found
        # Recorded by a version that kept Zalo's body: read the old way (until they are gone).
        return decode_internal(payload) or parse_event(payload)
    except (ValueError, KeyError, TypeError, EventParseError) as exc:
        IGNORED.labels("unparseable").inc()
        log.warning("dropping an unreadable inbox item: %s", type(exc).__name__)
        return None


def commit_context(
    services: Services,
    pipe: Pipeline,
    ctx: Context,
    conv: Conversation,
    arrivals: Arrivals = MARKED,
) -> None:
    """Queue the writes of one handled event into the open transaction (its codes and replies
    announced by arrivals: marked, or taken for this process's runners, bot.worker.handoff)."""
    services.conversations.save(pipe, ctx.user, conv)
    if ctx.language_changed:
        services.conversations.save_language(pipe, ctx.user, ctx.lang)
    for job in ctx.jobs:
        description = ctx.user.job_description(job.func.__name__)
        services.queue(job.queue).enqueue(
            job.func, *job.args, pipeline=pipe, description=description, **job.options
        )
    if ctx.forget_requested:  # the commit deletes the user's queues: nothing to hand over
        arrivals = MARKED
    # Codes first: their hand-off goes before the replies'.
    queue_code_sends(services, pipe, ctx.codes, arrivals)
    queue_replies(services, pipe, ctx.user, ctx.replies, ctx.received_at, arrivals)
    for entry in ctx.audits:
        services.audit.write(entry, pipe)
    services.verifier.funnel.add_steps(pipe, ctx.steps)
    if ctx.forget_requested:
        forget_user(services, pipe, ctx.user)
        log.info("deleted the data of %s at their request", mask_user_id(ctx.user.user_id))
