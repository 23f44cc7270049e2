"""The portal's verification operations (HTTP-free): start and check, on the chat's engine.

A portal account goes through exactly what a chat user goes through (Verifier.request_for,
check_for, complete_for): lifetimes, keyed hashes, single use, the atomic check-and-count,
locks, one phone per account, cooldown and send limits. Jobs are enqueued at once: there is
no conversation transaction to join.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.keys import UserRef
from bot.queues.code_sends import CodeSend, queue_code_now
from bot.verification.links import portal_ref
from bot.verification.portal_accounts import ORIGIN_API
from bot.verification.service import Enqueue, SendOutcome

if TYPE_CHECKING:
    from bot.verification.parts import VerificationParts


@dataclass(frozen=True)
class CheckResult:
    """approved, wrong, expired, locked, failed (the send), in_use or no_pending."""

    status: str
    attempts_left: int = 0
    wait_seconds: int = 0
    reason: str = ""


def enqueue_now(services: VerificationParts, user: UserRef) -> Enqueue:
    """An enqueue that puts the job on its queue at once (descriptions stay pseudonymous)."""

    def enqueue(func: Any, *args: Any, queue: str, **options: Any) -> None:
        description = user.job_description(func.__name__)
        services.queue(queue).enqueue(func, *args, description=description, **options)

    return enqueue


def start_verification(
    services: VerificationParts, account_id: str, phone: str, channel: str, oa_id: str = ""
) -> SendOutcome:
    """Send a code to phone by channel for the portal account of an OA (the main one when
    empty), unless a rule forbids it."""
    verifier = services.verifier
    ref = portal_ref(oa_id or services.registry.main.oa_id, account_id)
    verifier.funnel.count(ref.oa_id, channel, "started")  # each request starts one anew
    if channel == "zalo" and verifier.pending.has_no_zalo(phone):
        return SendOutcome("no_zalo_account")  # ZNS said -118 for this number recently
    lang = services.settings.bot_language

    def queue(send: CodeSend) -> None:
        queue_code_now(services, [send])

    return verifier.request_for(ref, phone, channel, lang, queue, ORIGIN_API)


def check_verification(
    services: VerificationParts, account_id: str, code: str, oa_id: str = ""
) -> CheckResult:
    """Check a code typed in the portal against the account's pending verification (in an
    OA: the main one when empty)."""
    verifier = services.verifier
    ref = portal_ref(oa_id or services.registry.main.oa_id, account_id)
    pending = verifier.pending.get(ref)
    if pending is None:
        return CheckResult("no_pending")
    if pending.status == "failed":  # the code never reached the phone
        return CheckResult("failed", verifier.codes.attempts_left(ref), reason=pending.reason)
    checked = verifier.check_for(ref, pending.phone, code, pending.channel)
    if checked.status == "ok":
        enqueue = enqueue_now(services, ref)
        won = verifier.complete_for(
            ref, pending.phone, checked.channel, "", enqueue, sent_at=checked.sent_at
        )
        return CheckResult("approved" if won else "in_use", services.settings.otp_max_attempts)
    if checked.status == "wrong":
        return CheckResult("wrong", checked.attempts_left)
    if checked.status in ("locked", "locked_now", "number_locked_now"):
        return CheckResult("locked", 0, checked.wait_seconds)
    if verifier.pending.now() >= pending.expires_at:
        return CheckResult("expired", verifier.codes.attempts_left(ref))
    return CheckResult("no_pending")  # used already (by the linked chat user, for one)
