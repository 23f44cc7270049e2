"""The codes stage: every attempt of code sends, many accounts at once, each in order.

Codes have a runner and threads of their own in the worker process (bot.worker.crew), so
a code never waits behind replies, and a gateway that takes seconds holds up only the codes
in its threads. A send that fails for a transient reason stays at the head of the account's
queue, its failures counted, and the account is due again after a wait (RETRY_SECONDS).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from redis.client import Pipeline

from bot.keys import UserRef
from bot.masking import mask_user_id
from bot.queues.code_sends import (
    CODE_SEND_LOCK,
    CODE_SEND_LOCK_TTL_MS,
    CODE_SENDS,
    RETRY_SECONDS,
    STAGE_CODES,
    CodeSend,
    CodeSends,
)
from bot.queues.held import put_off
from bot.queues.ready import now_ms
from bot.queues.serial import Drained, RetryLater, SerialQueue, TakeSpec
from bot.redis_client import OUTAGE_ERRORS
from bot.services import Services
from bot.verification.codes import LIVE_READ
from bot.verification.jobs import SendRetry, deliver_code
from bot.worker.runner import Stage
from bot.zalo.sending import SendHeld

log = logging.getLogger(__name__)

# Codes sent at once by one process (each waits on a gateway for tens of ms, or seconds).
# As many as replies: at 80 ms a gateway call, 8 made codes queue behind codes from about 50
# codes/s (bench/results.md: code p50 225 ms against a reply's 87 at 200 events/s paced).
CODE_THREADS = 32


def send_codes(services: Services, user: UserRef, taken: Drained | None = None) -> int:
    """Send the account's queued codes in order under its lock; return how many were tried.
    A held send stays at the head of the queue and the account is put off (no attempt spent);
    a failed one stays there until its retry."""
    drain = CodeSends(services.redis, user).drain_queue()
    # A send's funnel counts ride on the round trip that removes it from the queue.
    counts = services.redis.pipeline(transaction=False)
    # The first send's live code, read by the claim (or hand-off) that took the user with it.
    found = [taken.extras] if taken is not None and taken.extras else []

    def one(raw: bytes) -> int:
        return send_one(services, drain, user, raw, counts, found.pop() if found else None)

    try:
        return drain.each(taken, one, counts)
    except SendHeld as held:
        put_off(services.redis, STAGE_CODES, user, held.wait_ms)
        return 0
    except RetryLater:
        return 0


def send_one(
    services: Services,
    drain: SerialQueue,
    user: UserRef,
    raw: bytes,
    counts: Pipeline,
    found: Sequence[bytes] | None = None,
) -> int:
    """One attempt of one send (1: tried; its counts queued into counts; found: its live code
    as a claim read it); a transient failure is tried again later."""
    send = CodeSend.decode(user, raw)
    try:
        deliver_code(services, send, counts, found)
    except SendRetry:
        raise retry(drain, send, raw) from None
    except SendHeld:
        raise  # it stays queued; send_codes() puts the account off
    except OUTAGE_ERRORS:
        raise  # the runner waits Redis out
    except Exception:  # a bug: logged once, tried again like a transient failure
        log.exception("sending a code to %s failed", mask_user_id(user.user_id))
        if send.retry_possible:
            raise retry(drain, send, raw) from None
    return 1


def retry(drain: SerialQueue, send: CodeSend, raw: bytes) -> RetryLater:
    """Count the failed attempt on the queued send and make the account due after the wait."""
    wait = RETRY_SECONDS[min(send.failed, len(RETRY_SECONDS) - 1)]
    again = CodeSend(send.user, send.reference, send.channel, send.lang, send.failed + 1)
    return drain.retry_head(raw, again.encode(), now_ms() + wait * 1000)


CODES = Stage(
    STAGE_CODES,
    send_codes,
    CODE_THREADS,
    TakeSpec(CODE_SENDS, CODE_SEND_LOCK, "list", 1, CODE_SEND_LOCK_TTL_MS, read_hash=LIVE_READ),
)
