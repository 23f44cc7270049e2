"""The RQ job that sends a user's queued replies, in order, with retries for transient errors."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from bot.keys import UserRef
from bot.masking import mask_user_id
from bot.metrics import REPLIES
from bot.queues.outbox import SEND_LOCK_TTL_MS, STALE_AFTER_SECONDS, Outbox, decode
from bot.services import QUEUE_MESSAGES, Services, current_services
from zalo_api.errors import ZaloError

log = logging.getLogger(__name__)


def deliver_replies(oa_id: str, user_id: str) -> int:
    """Send everything in the user's outbox; return how many messages went out."""
    services = current_services()
    outbox = Outbox(services.redis, UserRef(oa_id, user_id))
    drain = outbox.drain_queue()
    got = drain.acquire(batch=20)
    if got is None:  # another worker is sending to this user and will see our items
        recheck_later(services, oa_id, user_id)
        return 0
    sent, items = 0, got.items
    try:
        while items:
            for raw in items:
                sent += send_one(services, outbox, raw)
                outbox.pop_sent()
            next_items = drain.next_batch()
            items = next_items if isinstance(next_items, list) else []
    except BaseException:
        drain.release()
        raise
    return sent


def send_one(services: Services, outbox: Outbox, raw: bytes) -> int:
    """Send one item: 1 if sent, 0 if dropped (stale or refused for good); raise if transient."""
    kind, payload, created_at = decode(raw)
    if time.time() - created_at > STALE_AFTER_SECONDS:
        REPLIES.labels("stale").inc()
        return 0
    try:
        services.sender.send(outbox.user, kind, payload)
    except ZaloError as exc:
        if exc.retryable or exc.token_expired:
            REPLIES.labels("retried").inc()
            raise
        REPLIES.labels("failed").inc()
        log.warning("reply to %s refused for good: %s", mask_user_id(outbox.user.user_id), exc)
        return 0
    REPLIES.labels("sent").inc()
    return 1


def recheck_later(services: Services, oa_id: str, user_id: str) -> None:
    """Look again once the other sender's lock must have expired (covers a crashed sender)."""
    services.queue(QUEUE_MESSAGES).enqueue_in(
        timedelta(milliseconds=SEND_LOCK_TTL_MS),
        deliver_replies,
        oa_id,
        user_id,
        result_ttl=0,
        description=UserRef(oa_id, user_id).job_description("deliver_replies"),
    )
