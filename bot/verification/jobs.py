"""RQ jobs that deliver codes by SMS or ZNS: idempotent per code, retried when transient.

The job's arguments are the user and an opaque reference (a hash of the code's nonce), never
a phone, a code or a nonce: RQ writes arguments into its job hashes and into its own log
lines when a job fails. The job reads the live code's number, channel and nonce from the
code store, derives the code again on every attempt (a retry re-sends the same code), and
skips a code that has been replaced, used or has expired. When the last attempt fails, the
user is told through their inbox (an internal event the conversation handles in order) and
offered the other channel.
"""

from __future__ import annotations

import logging

from rq import Retry, get_current_job

from bot.keys import UserRef
from bot.masking import mask_phone, mask_user_id
from bot.metrics import OTP_SENDS
from bot.services import Services, current_services
from bot.sms import SmsDuplicateError, SmsError, SmsMessage
from bot.texts import render
from bot.verification.codes import derive_code, reference_of
from bot.verification.portal_accounts import report_send_failure
from zalo_api.errors import ZaloAPIError, ZaloError

log = logging.getLogger(__name__)

# A code is valid for minutes: retry fast, and not for longer than its validity.
SEND_RETRY = Retry(max=3, interval=[2, 5, 15])
SEND_JOB_OPTIONS = {"retry": SEND_RETRY, "result_ttl": 0, "failure_ttl": 3600, "job_timeout": 60}


class SendRetry(Exception):
    """A transient send failure, for RQ to retry with its backoff."""


def send_code(oa_id: str, user_id: str, reference: str, channel: str, lang: str) -> str:
    """Send the live code of reference by its channel to its number; return the outcome."""
    services = current_services()
    user = UserRef(oa_id, user_id)
    live = services.verifier.codes.live_code(user, reference)
    if live is None:
        return stale(services, user, reference, channel)
    phone, channel, nonce = live.phone, live.channel, live.nonce
    code = derive_code(services.settings.otp_hash_key, nonce)
    try:
        if channel == "sms":
            send_sms(services, phone, code, nonce, lang)
        else:
            send_zns(services, phone, code, nonce)
    except (SmsError, ZaloError) as exc:
        return handle_failure(services, user, phone, channel, nonce, exc)
    OTP_SENDS.labels(channel, "sent").inc()
    return "sent"


def stale(services: Services, user: UserRef, reference: str, channel: str) -> str:
    """The code is no longer live. Replaced by a newer one: nothing to do. Gone (its send was
    delayed past its validity, by retries or a Redis outage): the user is told and offered a
    new one; the conversation says nothing if the code was used meanwhile."""
    if services.verifier.codes.live_nonce(user) is not None:
        OTP_SENDS.labels(channel, "skipped").inc()
        return "skipped"
    OTP_SENDS.labels(channel, "expired").inc()
    log.warning(
        "%s code for %s expired before it could be sent", channel, mask_user_id(user.user_id)
    )
    services.verifier.codes.end_last_cooldown(user)
    report_send_failure(services, user, channel, "expired", reference)
    return "expired"


def send_sms(services: Services, phone: str, code: str, nonce: str, lang: str) -> None:
    """Hand the code to the SMS provider; a duplicate reference means it was already sent."""
    ttl = services.settings.otp_sms_ttl_seconds
    minutes = max(1, ttl // 60)
    template = services.settings.otp_sms_template  # brandname routes need a registered text
    text = template.format(code=code, minutes=minutes) if template else None
    text = text or render("sms_code_text", lang, code=code, minutes=minutes)
    message = SmsMessage(phone, text, reference_of(nonce), ttl)
    try:
        services.sms.send(message)
    except SmsDuplicateError:
        log.info("SMS to %s was already accepted (same reference)", mask_phone(phone))


def send_zns(services: Services, phone: str, code: str, nonce: str) -> None:
    """Send the approved OTP template by ZNS (sandbox: the phone inbox)."""
    services.zalo_codes.send(phone, code, reference_of(nonce))


def handle_failure(
    services: Services, user: UserRef, phone: str, channel: str, nonce: str, exc: Exception
) -> str:
    """Raise for RQ to retry a transient failure; else tell the user and stop."""
    job = get_current_job()
    retries_left = job.retries_left if job is not None and job.retries_left is not None else 0
    if getattr(exc, "retryable", False) and retries_left > 0:
        OTP_SENDS.labels(channel, "retried").inc()
        log.warning("%s send to %s failed, will retry: %s", channel, mask_phone(phone), exc)
        # A fresh exception without the cause: RQ logs tracebacks, and a requests error in
        # the chain would carry the gateway URL (account ids, sometimes tokens).
        raise SendRetry(str(exc)) from None
    no_account = isinstance(exc, ZaloAPIError) and exc.no_zalo_account
    reason = "no_zalo_account" if no_account else "failed"
    OTP_SENDS.labels(channel, reason).inc()
    log.warning("%s send to %s failed for good: %s", channel, mask_phone(phone), exc)
    services.verifier.codes.end_cooldown(user, phone)
    report_send_failure(services, user, channel, reason, reference_of(nonce))
    return reason
