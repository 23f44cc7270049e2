"""The codes stage: first attempts of code sends, many accounts at once, each in order.

Codes have a runner and threads of their own in the worker process (bot.pipeline.crew), so
a code never waits behind replies, and a gateway that takes seconds holds up only the codes
in its threads. A send that fails for a transient reason goes to the retried RQ job
(bot.verification.jobs.send_code); the account's other queued sends go on.
"""

from __future__ import annotations

import logging

from bot.keys import UserRef
from bot.masking import mask_user_id
from bot.pipeline.runner import Runner, Stage, job_pool
from bot.queues.codes import (
    CODE_SEND_LOCK,
    CODE_SEND_LOCK_TTL_MS,
    CODE_SENDS,
    STAGE_CODES,
    CodeSend,
    CodeSends,
    code_send_commands,
)
from bot.queues.held import put_off
from bot.queues.serial import Drained, TakeSpec
from bot.redis_client import OUTAGE_ERRORS
from bot.services import Services, current_services
from bot.verification.jobs import SendRetry, deliver_code, retry_later
from bot.zalo.sending import SendHeld

log = logging.getLogger(__name__)

# Codes sent at once by one process (each waits on a gateway for tens of ms, or seconds).
CODE_THREADS = 8
LOOP_SECONDS = 5.0


def send_codes(services: Services, user: UserRef, taken: Drained | None = None) -> int:
    """Send the account's queued codes in order under its lock; return how many were tried.
    A held send stays at the head of the queue and the account is put off (no retry spent)."""
    drain = CodeSends(services.redis, user).drain_queue()
    try:
        return drain.each(taken, lambda raw: send_one(services, CodeSend.decode(user, raw)))
    except SendHeld as held:
        put_off(services.redis, STAGE_CODES, user, held.wait_ms)
        return 0


def send_one(services: Services, send: CodeSend) -> int:
    """First attempt of one send (1: tried); a transient failure goes to the retried job."""
    try:
        deliver_code(services, send, retry_possible=True)
    except SendRetry:
        retry_later(services, send)
    except SendHeld:
        raise  # it stays queued; send_codes() puts the account off
    except OUTAGE_ERRORS:
        raise
    except Exception:  # a bug: logged once; RQ's job retries it as it would any job
        log.exception("sending a code to %s failed", mask_user_id(send.user.user_id))
        retry_later(services, send)
    return 1


CODES = Stage(
    STAGE_CODES,
    send_codes,
    CODE_THREADS,
    code_send_commands,
    TakeSpec(CODE_SENDS, CODE_SEND_LOCK, "list", 1, CODE_SEND_LOCK_TTL_MS),
)


def send_ready() -> int:
    """The codes stage's RQ job: send the due accounts' codes; return how many were tried."""
    return Runner(current_services(), CODES, job_pool(CODES)).run_until_idle(LOOP_SECONDS)
