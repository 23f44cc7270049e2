"""The ZNS delivery fallback: a Zalo code that has not arrived is offered again by SMS.

Zalo's delivery receipt of a Zalo code (`user_received_message`, matched by its tracking_id,
bot.verification.funnel) may never come: it needs a permission the OA may not have granted,
and may not reach servers abroad. So ZNS_DELIVERY_WAIT_SECONDS after the send an RQ job
(scheduled with enqueue_in, like the send's own retries: delayed work about one code) looks:
the code used, replaced or expired, or its receipt came, ends it; else it asks Zalo's message
status once and, unless that says delivered, tells the user through their inbox (the
conversation answers in order, and only while that code is still awaited) and offers SMS:
the chat user, or the chat linked to the portal account that asked; a code the portal API
asked for is left to the portal.
The job's arguments name the user, the code's opaque reference and Zalo's msg_id: never a
phone or a code.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.connections import QUEUE_CODES
from bot.keys import UserRef
from bot.masking import mask_user_id
from bot.queues.code_sends import CodeSend
from bot.queues.internal_events import notify_send_failed
from bot.verification.links import account_id_of
from bot.verification.parts import VerificationParts, current_parts
from bot.verification.portal_accounts import ORIGIN_API
from zalo_api.errors import ZaloError
from zalo_api.zns import STATUS_DELIVERED

log = logging.getLogger(__name__)

CHECK_JOB_OPTIONS = {"result_ttl": 0, "failure_ttl": 3600, "job_timeout": 30}
# The funnel's reason, and the internal event's, for a Zalo code offered again by SMS.
FALLBACK_REASON = "zns_undelivered_offered_sms"
UNDELIVERED = "undelivered"


def await_delivery(services: VerificationParts, send: CodeSend, msg_id: str) -> None:
    """Look at a Zalo code again after ZNS_DELIVERY_WAIT_SECONDS."""
    services.queue(QUEUE_CODES).enqueue_in(
        timedelta(seconds=services.settings.zns_delivery_wait_seconds),
        check_delivery,
        *send.user.as_args(),
        send.reference,
        msg_id,
        description=send.user.job_description("check_zns_delivery"),
        **CHECK_JOB_OPTIONS,
    )


def check_delivery(oa_id: str, user_id: str, reference: str, msg_id: str) -> str:
    """The RQ job: see whether the code arrived; offer SMS when it seems not to have."""
    return look_again(current_parts(), UserRef(oa_id, user_id), reference, msg_id)


def look_again(services: VerificationParts, user: UserRef, reference: str, msg_id: str) -> str:
    """'gone' (used, replaced, expired), 'portal' (asked by the portal API, which shows the
    code and its resend itself), 'delivered' (receipt or status), or 'offered'."""
    verifier = services.verifier
    live = verifier.codes.live_code(user, reference)
    if live is None:
        return "gone"
    chat_user = asker(services, user, reference)
    if chat_user is None:
        return "portal"
    if not verifier.funnel.awaits_receipt(reference):
        return "delivered"  # the receipt came (and was counted)
    if zalo_says_delivered(services, user.oa_id, msg_id):
        verifier.funnel.receipt(reference)  # counted delivered once, like a receipt
        return "delivered"
    verifier.funnel.count(user.oa_id, "zalo", "failed", FALLBACK_REASON)
    # The switch to SMS is one tap away: the resend cooldown the Zalo code started must not
    # refuse it (the send limits still apply).
    verifier.codes.end_cooldown(user, live.phone)
    notify_send_failed(services, chat_user, "zalo", UNDELIVERED, reference)
    log.info("Zalo code for %s not delivered in time: SMS offered", mask_user_id(user.user_id))
    return "offered"


def asker(services: VerificationParts, user: UserRef, reference: str) -> UserRef | None:
    """The chat user waiting for the code: the user, or the chat linked to a portal account
    that asked for it there (None when the portal API asked)."""
    if account_id_of(user) is None:
        return user
    pending = services.verifier.pending.get(user)
    if pending is None or pending.reference != reference or pending.origin == ORIGIN_API:
        return None
    return UserRef(user.oa_id, pending.origin)


def zalo_says_delivered(services: VerificationParts, oa_id: str, msg_id: str) -> bool:
    """Zalo's message status, asked once; any failure to ask counts as not delivered."""
    try:
        return services.outbound(oa_id).zns.message_status(msg_id) == STATUS_DELIVERED
    except (ZaloError, ValueError) as exc:
        log.warning("ZNS message status not read (%s)", type(exc).__name__)
        return False
