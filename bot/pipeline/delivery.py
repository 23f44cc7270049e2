"""The RQ jobs that send queued replies: many users at once, each user's replies in order.

One delivery job claims the due users of the ready set and sends their outboxes through a
pool of threads (the API answers in tens of ms; sends to different users overlap), each user
under their send lock, one message after the other. A user whose send fails for a transient
reason is handed to a job of their own, retried by RQ with growing waits.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from functools import cache

from bot.keys import UserRef
from bot.masking import mask_user_id
from bot.metrics import REPLIES
from bot.pipeline.handover import hand_over
from bot.queues.outbox import (
    DELIVERY_RETRY,
    SEND_LOCK_TTL_MS,
    STAGE_MESSAGES,
    STALE_AFTER_SECONDS,
    Outbox,
    decode,
    delivery_commands,
)
from bot.queues.ready import ReadySet
from bot.services import QUEUE_MESSAGES, Services, current_services
from zalo_api.errors import ZaloError

log = logging.getLogger(__name__)

# Users sent to at once by one process: hides 80 ms of API latency at a few hundred messages
# a second, while each user's own messages still go one after the other.
SEND_CONCURRENCY = 32
LOOP_SECONDS = 5.0
# While sends are in flight, look for newly due users this often.
POLL_SECONDS = 0.005


@cache
def send_pool() -> ThreadPoolExecutor:
    """The process's sending threads (shared by the delivery jobs of its worker threads)."""
    return ThreadPoolExecutor(SEND_CONCURRENCY, thread_name_prefix="send")


def deliver_ready() -> int:
    """Send the outboxes of the due users, keeping the pool busy; return messages sent."""
    services = current_services()
    services.sender  # noqa: B018  (built here, not raced for by the pool's threads)
    ready = ReadySet(services.redis, STAGE_MESSAGES)
    deadline = time.monotonic() + LOOP_SECONDS
    in_flight: set[Future[int]] = set()
    sent, first = 0, True
    while True:
        room = SEND_CONCURRENCY - len(in_flight)
        if room > 0 and time.monotonic() < deadline:
            users = ready.claim(room, SEND_LOCK_TTL_MS, clear_flag=first)
            in_flight |= {send_pool().submit(send_or_hand_over, services, u) for u in users}
            first = False
        if not in_flight:
            break
        done, in_flight = wait(in_flight, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
        sent += sum(future.result() for future in done)
    if time.monotonic() >= deadline:
        ready.mark_and_kick(None, delivery_commands(services))  # a job for whoever is left
    return sent


def send_or_hand_over(services: Services, user: UserRef) -> int:
    """Send one user's outbox; on a transient failure, hand the user to a retried job."""
    try:
        return send_outbox(services, Outbox(services.redis, user))
    except Exception as exc:
        log.info("sending to %s failed (%s); retrying", mask_user_id(user.user_id), exc)
        ready = ReadySet(services.redis, STAGE_MESSAGES)
        hand_over(services, ready, user, deliver_replies, QUEUE_MESSAGES, DELIVERY_RETRY, 2)
        return 0


def deliver_replies(oa_id: str, user_id: str) -> int:
    """Send one user's outbox (the retried job of a user whose send failed)."""
    services = current_services()
    return send_outbox(services, Outbox(services.redis, UserRef(oa_id, user_id)))


def send_outbox(services: Services, outbox: Outbox) -> int:
    """Send everything in the outbox in order under the send lock; return how many went."""
    drain = outbox.drain_queue()
    got = drain.acquire(batch=20)
    if got is None:  # another worker is sending to this user and will see our items
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
