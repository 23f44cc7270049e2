"""How a code reaches its number, by SMS or ZNS: idempotent per code, retried when transient.

The codes stage (bot.worker.code_sending) makes every attempt; a transient failure keeps the send
at the head of the account's queue, tried again after a wait (bot.queues.code_sends). The queue
knows the code only by the user and an opaque reference (a hash of the code's nonce), never a
phone, a code or a nonce. The sender reads the live code's number, channel and nonce from the
code store, derives the code again on every attempt (a retry re-sends the same code), and
skips a code that has been replaced, used or has expired. When the last attempt fails, the
user is told through their inbox (an internal event the conversation handles in order) and
offered the other channel.

A Zalo code meets the OA's sending state (bot.zalo.sending): while the OA is held it waits
in the account's queue (SendHeld), spending no attempt; one that expired meanwhile is not sent,
and the user is told so (stale()). Zalo refusing the code because of the user is counted by
reason and offered SMS at once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from redis.client import Pipeline

from bot.keys import UserRef
from bot.masking import mask_phone, mask_user_id
from bot.metrics import OTP_SENDS, ZALO_REFUSALS
from bot.queues.code_sends import CodeSend
from bot.queues.held import due_again
from bot.sms import SmsDuplicateError, SmsError, SmsMessage
from bot.texts import render
from bot.verification.codes import derive_code, live_code_of, reference_of
from bot.verification.parts import VerificationParts
from bot.verification.portal_accounts import report_send_failure
from bot.verification.zalo_codes import CodeSent
from bot.verification.zns_delivery import await_delivery
from bot.zalo.sending import SendHeld, Sending
from zalo_api.errors import USER, ZaloAPIError, ZaloError

log = logging.getLogger(__name__)


class SendRetry(Exception):
    """A transient send failure, to be tried again after the codes stage's wait."""


def deliver_code(
    services: VerificationParts,
    send: CodeSend,
    counts: Pipeline,
    found: Sequence[bytes] | None = None,
) -> str:
    """Send the live code of a reference by its channel to its number; return the outcome
    (the funnel's counts of a code sent are queued into counts, for the caller to send).
    found: the live code's LIVE_FIELDS as the claim that took the user read them (else read
    here).

    A transient failure raises SendRetry while a retry is possible; otherwise the user is
    told and offered the other channel. A Zalo code raises SendHeld while the OA is held.
    """
    user = send.user
    if found is None:
        live = services.verifier.codes.live_code(user, send.reference)
    else:
        live = live_code_of(found, send.reference)
    if live is None:
        return stale(services, user, send.reference, send.channel)
    phone, channel, nonce = live.phone, live.channel, live.nonce
    sending = None if channel == "sms" else Sending(services.redis, user.oa_id)
    if sending is not None and not sending.may_send():
        raise SendHeld()
    try:
        sent = transmit(services, user.oa_id, phone, channel, nonce, send.lang)
    except (SmsError, ZaloError) as exc:
        if sending is not None and isinstance(exc, ZaloError) and exc.held:
            raise sending.stopped_by(exc, "code") from None
        return handle_failure(services, user, phone, channel, nonce, exc, send.retry_possible)
    if sending is not None and sending.sent():
        due_again(services.redis, user.oa_id)
    OTP_SENDS.labels(channel, "sent").inc()
    services.verifier.funnel.code_sent(user, channel, send.reference, sent.delivered, counts)
    if sent.msg_id:  # a Zalo code on its way: its receipt is awaited, then asked for
        await_delivery(services, send, sent.msg_id)
    return "sent"


def transmit(
    services: VerificationParts, oa_id: str, phone: str, channel: str, nonce: str, lang: str
) -> CodeSent:
    """The code of nonce to phone, by SMS or ZNS through the user's OA (delivered: the
    channel says so; msg_id: Zalo's id of a code not yet delivered)."""
    code = derive_code(services.settings.otp_hash_key, nonce)
    if channel == "sms":
        return CodeSent(delivered=send_sms(services, phone, code, nonce, lang))
    return send_zns(services, oa_id, phone, code, nonce)


def stale(services: VerificationParts, user: UserRef, reference: str, channel: str) -> str:
    """The code is no longer live. Replaced by a newer one: nothing to do. Gone (its send was
    delayed past its validity, by retries or a Redis outage): the user is told and offered a
    new one; the conversation says nothing if the code was used meanwhile."""
    if services.verifier.codes.live_nonce(user) is not None:
        OTP_SENDS.labels(channel, "skipped").inc()
        return "skipped"
    OTP_SENDS.labels(channel, "expired").inc()
    services.verifier.funnel.count(user.oa_id, channel, "failed", "send_late")
    log.warning(
        "%s code for %s expired before it could be sent", channel, mask_user_id(user.user_id)
    )
    services.verifier.codes.end_last_cooldown(user)
    report_send_failure(services, user, channel, "expired", reference)
    return "expired"


def send_sms(services: VerificationParts, phone: str, code: str, nonce: str, lang: str) -> bool:
    """Hand the code to the SMS provider (True: the gateway says delivered); a duplicate
    reference means it was already sent."""
    ttl = services.settings.otp_sms_ttl_seconds
    minutes = max(1, ttl // 60)
    template = services.settings.otp_sms_template  # brandname routes need a registered text
    text = template.format(code=code, minutes=minutes) if template else None
    text = text or render("sms_code_text", lang, code=code, minutes=minutes)
    message = SmsMessage(phone, text, reference_of(nonce), ttl)
    try:
        return services.sms.send(message).delivered
    except SmsDuplicateError:
        log.info("SMS to %s was already accepted (same reference)", mask_phone(phone))
        return False


def send_zns(
    services: VerificationParts, oa_id: str, phone: str, code: str, nonce: str
) -> CodeSent:
    """Send the approved OTP template by ZNS through the OA of oa_id (sandbox: the phone
    inbox, delivered at once)."""
    return services.zalo_codes.send(oa_id, phone, code, reference_of(nonce))


def handle_failure(
    services: VerificationParts,
    user: UserRef,
    phone: str,
    channel: str,
    nonce: str,
    exc: Exception,
    retry_possible: bool,
) -> str:
    """Raise SendRetry for a transient failure that can be retried; else tell the user."""
    if getattr(exc, "retryable", False) and retry_possible:
        OTP_SENDS.labels(channel, "retried").inc()
        log.warning("%s send to %s failed, will retry: %s", channel, mask_phone(phone), exc)
        # A fresh exception without the cause: a logged traceback of a requests error in the
        # chain would carry the gateway URL (account ids, sometimes tokens).
        raise SendRetry(str(exc)) from None
    no_account = isinstance(exc, ZaloAPIError) and exc.no_zalo_account
    reason = "no_zalo_account" if no_account else "failed"
    if isinstance(exc, ZaloError) and exc.fault == USER:
        ZALO_REFUSALS.labels(exc.reason).inc()
    OTP_SENDS.labels(channel, reason).inc()
    failed = reason if no_account else "send_failed"
    services.verifier.funnel.count(user.oa_id, channel, "failed", failed)
    log.warning("%s send to %s failed for good: %s", channel, mask_phone(phone), exc)
    services.verifier.codes.end_cooldown(user, phone)
    report_send_failure(services, user, channel, reason, reference_of(nonce))
    return reason
