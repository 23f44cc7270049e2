"""The messages stage: queued replies sent to many users at once, each user's in order.

The worker's runner (bot.worker.runner) claims the due users and sends their outboxes in a
pool of threads (the API answers in tens of ms; sends to different users overlap), each user
under their send lock, one message after the other, one round trip per message sent.

Zalo's refusals are sorted by whose fault they are (ZALO_API.md): the bot's own (token, OA,
OAuth, Zalo out of reach) holds the OA (bot.zalo.sending) and the user's queue waits, its head
unsent, without spending an attempt; the user's (blocked, outside the 7-day window...) drops
that message, counted by reason; a malformed request (a bug) drops it with an ERROR line. A
rate limit, or anything else (a bug of ours), keeps the message at the head of the outbox, its
failures counted, and the user is due again after a growing wait (a due time in the ready set),
until the message is stale.
"""

from __future__ import annotations

import logging
import time

from bot.keys import UserRef
from bot.masking import mask_user_id
from bot.metrics import REPLIES, REPLY_AGE, ZALO_REFUSALS, oa_label
from bot.queues.held import due_again, put_off
from bot.queues.outbox import (
    OUTBOX,
    RETRY_SECONDS,
    SEND_LOCK,
    SEND_LOCK_TTL_MS,
    STAGE_MESSAGES,
    STALE_AFTER_SECONDS,
    Outbox,
    counted,
    decode,
    failures,
)
from bot.queues.ready import now_ms
from bot.queues.serial import Drained, RetryLater, SerialQueue, TakeSpec
from bot.redis_client import OUTAGE_ERRORS
from bot.services import Services
from bot.worker.runner import Stage
from bot.zalo.sending import SendHeld, Sending
from zalo_api.errors import RATE, USER, ZaloError

log = logging.getLogger(__name__)

# Users sent to at once by one process: hides 80 ms of API latency at a few hundred messages
# a second, while each user's own messages still go one after the other. With room to spare,
# so that the events stage finds a free thread to hand nearly every reply to: a full pool
# means a mark, a wake-up and a claim instead (43 % of the replies at 32 threads, at 300
# events/s and 80 ms; none at 64).
SEND_CONCURRENCY = 64


def send_or_retry(services: Services, user: UserRef, taken: Drained | None = None) -> int:
    """Send one user's outbox; held, put the user off; a failed send is tried again later."""
    try:
        return send_outbox(services, Outbox(services.redis, user), taken)
    except SendHeld as held:
        put_off(services.redis, STAGE_MESSAGES, user, held.wait_ms)
        return 0
    except RetryLater:
        return 0


MESSAGES = Stage(
    STAGE_MESSAGES,
    send_or_retry,
    SEND_CONCURRENCY,
    TakeSpec(OUTBOX, SEND_LOCK, "list", 1, SEND_LOCK_TTL_MS),  # the lock and first message
)


def send_outbox(services: Services, outbox: Outbox, taken: Drained | None = None) -> int:
    """Send everything in the outbox in order under the send lock; return how many went."""
    drain = outbox.drain_queue()
    return drain.each(taken, lambda raw: send_or_fail(services, outbox, drain, raw))


def send_or_fail(services: Services, outbox: Outbox, drain: SerialQueue, raw: bytes) -> int:
    """send_one(); a transient refusal or a bug keeps the message at the head, its failures
    counted, and the user due again after the wait (RETRY_SECONDS)."""
    try:
        return send_one(services, outbox, raw)
    except SendHeld:
        raise  # it waits, no attempt spent (send_or_retry)
    except OUTAGE_ERRORS:
        raise  # the runner waits Redis out
    except Exception as exc:
        user = outbox.user
        log.info("sending to %s failed (%s); retrying", mask_user_id(user.user_id), exc)
        failed = failures(raw)
        wait = RETRY_SECONDS[min(failed, len(RETRY_SECONDS) - 1)]
        raise drain.retry_head(raw, counted(raw, failed + 1), now_ms() + wait * 1000) from None


def send_one(services: Services, outbox: Outbox, raw: bytes) -> int:
    """Send one item: 1 if sent, 0 if dropped (stale, or refused for good); SendHeld when it
    must wait (it stays at the head of the outbox)."""
    message, created_at, received = decode(raw)
    if time.time() - created_at > STALE_AFTER_SECONDS:
        REPLIES.labels("stale").inc()
        return 0
    user = outbox.user
    sending = Sending(services.redis, user.oa_id)
    if not sending.may_send():
        raise SendHeld()
    try:
        services.sender.send(user, message)
    except ZaloError as exc:
        return refused(sending, user, exc)
    if sending.sent():
        due_again(services.redis, user.oa_id)
    REPLIES.labels("sent").inc()
    if received is not None:  # Zalo accepted it: how long the user waited
        REPLY_AGE.labels(oa_label(user.oa_id)).observe(max(0.0, time.time() - received))
    return 1


def refused(sending: Sending, user: UserRef, exc: ZaloError) -> int:
    """What Zalo's refusal means for this message (0: dropped; SendHeld: it waits)."""
    if exc.held:
        raise sending.stopped_by(exc, "reply") from None
    if exc.fault == RATE:  # tried again after a wait (send_or_fail)
        REPLIES.labels("retried").inc()
        raise exc
    if exc.fault == USER:
        REPLIES.labels("refused").inc()
        ZALO_REFUSALS.labels(exc.reason).inc()
        log.info("reply to %s not sent: %s", mask_user_id(user.user_id), exc.reason)
        return 0
    REPLIES.labels("failed").inc()
    log.error("reply to %s refused as malformed, dropped: %s", mask_user_id(user.user_id), exc)
    return 0
