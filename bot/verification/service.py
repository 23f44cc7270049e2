"""Phone verification as a service for the handlers: stores, limits and send jobs together."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from redis.exceptions import RedisError

from bot.connections import QUEUE_BACKGROUND, Connections
from bot.keys import UserRef
from bot.metrics import LOCKOUTS, VERIFICATIONS
from bot.queues.code_sends import CodeSend
from bot.verification.accounts import (
    Account,
    AccountStore,
    NumberClaim,
    account_from,
    owner_bucket,
)
from bot.verification.codes import (
    Checked,
    CodeStore,
    account_lock_key,
    ceil_seconds,
    locked_by,
    phone_lock_key,
    reference_of,
)
from bot.verification.funnel import Funnel, Step
from bot.verification.limits import SendLimits, report_gang_up
from bot.verification.links import LinkStore, account_id_of
from bot.verification.numbers import NumberFacts, NumberTries
from bot.verification.portal_accounts import ORIGIN_API, PortalVerifications

CHANNELS = ("sms", "zalo")
# Records a job to enqueue: ctx.enqueue in chat (committed with the event), or at once (API).
Enqueue = Callable[..., None]
# Queues a code's send the same two ways: ctx.queue_code, or at once (API).
QueueCode = Callable[[CodeSend], None]
# Counts a funnel step the same two ways: ctx.count_step (written by the turn's commit), or
# at once (API: None, the funnel's record).
Tally = Callable[[Step], None]
# A full global ceiling is told as the channel being busy, other limits as "limited".
REFUSAL_STATUS = {"sms_global": "sms_busy", "zns_global": "zalo_busy"}
# Refusals the funnel counts as failures, by reason (a cooldown only asks the user to wait).
FAILED_REASONS = {
    "in_use": "in_use",
    "locked": "locked",
    "limited": "limited",
    "sms_busy": "ceiling",
    "zalo_busy": "ceiling",
    "zalo_unavailable": "zalo_unavailable",
}
# Every status a SendOutcome can have ("sent" and the refusals): the portal API has an answer
# for each refusal (a test checks this list against the code that returns them).
SEND_STATUSES = frozenset(
    {"sent", "locked", "locked_mine", "cooldown", "limited", "numbers_limited", "in_use",
     "zalo_unavailable", "no_zalo_account",
     *REFUSAL_STATUS.values()}
)  # fmt: skip


class Turn(Protocol):
    """What the verifier reads and records of a chat turn (bot.conversation.context.Context)."""

    user: UserRef
    lang: str
    data: dict[str, Any]
    user_id_by_app: str | None
    memo: dict[str, Any]

    def enqueue(self, func: Callable[..., Any], *args: Any, queue: str, **options: Any) -> None:
        """Record a job to enqueue atomically with the new state."""

    def queue_code(self, send: CodeSend) -> None:
        """Record a code to send, queued atomically with the new state."""

    def count_step(self, step: Step) -> None:
        """Record a funnel step, counted atomically with the new state."""


@dataclass(frozen=True)
class CodeRequest:
    """A code asked for: whose, which number, which channel, the language it is told in,
    how its send is queued, who asked (origin); owner: whether the account verified the
    number, when the dialogue's number step learnt it (None: read it now)."""

    user: UserRef
    phone: str
    channel: str
    lang: str
    queue: QueueCode
    origin: str
    owner: bool | None = None


@dataclass(frozen=True)
class SendOutcome:
    """What asking for a code did: sent, or why not (and for how long)."""

    status: str  # one of SEND_STATUSES
    wait_seconds: int = 0
    reference: str = ""
    verification_id: str = ""  # portal accounts: the id the portal API reports


class Verifier:
    """The operations of the verification dialogue; handlers turn outcomes into replies."""

    def __init__(self, connections: Connections) -> None:
        self.redis = connections.redis
        self.settings = connections.settings
        self.accounts = AccountStore(connections.redis)

    @cached_property
    def codes(self) -> CodeStore:
        """The code store, keyed by OTP_HASH_KEY."""
        s = self.settings
        return CodeStore(
            self.redis,
            s.otp_hash_key,
            s.otp_max_attempts,
            s.otp_lock_seconds,
            s.otp_number_max_attempts,
        )

    @cached_property
    def numbers(self) -> NumberTries:
        """The different numbers each account tried (the chat is not an oracle)."""
        s = self.settings
        return NumberTries(
            self.redis,
            s.otp_hash_key,
            s.otp_numbers_per_account_hour,
            s.otp_numbers_per_account_day,
        )

    @cached_property
    def links(self) -> LinkStore:
        """Link codes and the Zalo users linked to portal accounts."""
        s = self.settings
        client = self.redis
        return LinkStore(client, s.otp_hash_key, s.otp_max_attempts, s.otp_lock_seconds)

    @cached_property
    def pending(self) -> PortalVerifications:
        """The pending verifications of portal accounts."""
        return PortalVerifications(self.redis)

    def subject(self, user: UserRef) -> UserRef:
        """Whose verification this is: a linked user's belongs to the portal account."""
        return self.links.subject(user)

    def subject_of(self, ctx: Turn) -> UserRef:
        """subject() of the chat user, read once per event (not at all when the events
        stage's claim read the user's link with the conversation: memo 'linked')."""
        found = ctx.memo.get("subject")
        if not isinstance(found, UserRef):
            found = ctx.memo["subject"] = self.links.subject(ctx.user, ctx.memo.get("linked"))
        return found

    def lock_wait_seconds(self, ctx: Turn) -> int:
        """Seconds until the user (or the portal account it is linked to) may verify again."""
        return self.codes.lock_wait_seconds(self.subject_of(ctx))

    @cached_property
    def funnel(self) -> Funnel:
        """The funnel's counts (metrics and per-day)."""
        return Funnel(self.redis, self.settings)

    @cached_property
    def limits(self) -> SendLimits:
        """The send limits."""
        return SendLimits(self.redis, self.settings)

    def ttl_of(self, channel: str) -> int:
        """Validity of a code sent by channel, in seconds."""
        s = self.settings
        return s.otp_sms_ttl_seconds if channel == "sms" else s.otp_zalo_ttl_seconds

    def zalo_available(self) -> bool:
        """Zalo codes need an approved ZNS template (always there in sandbox)."""
        return bool(self.settings.zns_otp_template_id)

    def account(self, ctx: Turn) -> Account | None:
        """The user's verification record (the portal account's, when linked)."""
        subject = self.subject_of(ctx)
        return self.accounts.get(subject.oa_id, subject.user_id)

    def lock_and_account(self, ctx: Turn) -> tuple[int, Account | None]:
        """lock_wait_seconds() and account() in one round trip (a verification's start)."""
        subject = self.subject_of(ctx)
        with self.redis.pipeline(transaction=False) as pipe:
            pipe.pttl(account_lock_key(subject))
            self.accounts.read(pipe, subject.oa_id, subject.user_id)
            lock_ms, record = pipe.execute()
        return ceil_seconds(lock_ms), account_from(subject.user_id, record)

    def number_facts(self, user: UserRef, phone: str) -> NumberFacts:
        """The number's verified owner and lock, the account's different numbers counting it
        (unless it holds it), in one round trip (the owner decides whether the rest matters)."""
        owner_key = owner_bucket(user.oa_id, phone)
        return self.numbers.facts(user, phone, owner_key, phone_lock_key(phone))

    @staticmethod
    def refusal_given(user: UserRef, facts: NumberFacts) -> SendOutcome | None:
        """Why this account cannot use the number now, None when it can (from its facts).

        A number the account does not hold counts first against its different-number limits
        (numbers_limited), before it is known to be in use or locked, so probing is bounded.
        Then: in use elsewhere, or locked (locked_mine: by this account's own wrong code,
        the only case told until when). Its verified owner is never locked out of it by
        other accounts' wrong codes.
        """
        if facts.owner == user.user_id:
            return None
        if facts.wait_seconds:
            return SendOutcome("numbers_limited", facts.wait_seconds)
        if facts.owner is not None:
            return SendOutcome("in_use")
        wait = ceil_seconds(facts.lock_ms)
        if not wait:
            return None
        mine = locked_by(user, facts.locked_by)
        return SendOutcome("locked_mine" if mine else "locked", wait)

    def is_owner(self, user: UserRef, phone: str) -> bool:
        """Whether this account verified this number (others' guesses never lock it out)."""
        return self.accounts.owner_of(user.oa_id, phone) == user.user_id

    def number_step(self, ctx: Turn, phone: str) -> SendOutcome | None:
        """refusal_given() at the dialogue's number step; an admitted number's ownership is
        kept in ctx.data, so the send step need not read the number's facts again."""
        subject = self.subject_of(ctx)
        facts = self.number_facts(subject, phone)
        refusal = self.refusal_given(subject, facts)
        if refusal is None:
            owner = facts.owner == subject.user_id
            ctx.data.update(phone=phone, admitted={"phone": phone, "owner": owner})
        return refusal

    def request_code(self, ctx: Turn, phone: str, channel: str) -> SendOutcome:
        """Issue a code and record its send job in ctx, unless something forbids it."""
        subject = self.subject_of(ctx)
        admitted = ctx.data.get("admitted") or {}
        owner = admitted.get("owner") if admitted.get("phone") == phone else None
        return self.request_for(
            subject, phone, channel, ctx.lang, ctx.queue_code, ctx.user.user_id, ctx.count_step,
            owner,
        )  # fmt: skip

    def request_for(
        self,
        user: UserRef,
        phone: str,
        channel: str,
        lang: str,
        queue: QueueCode,
        origin: str,
        tally: Tally | None = None,
        owner: bool | None = None,
    ) -> SendOutcome:
        """request_code for an account (chat user or portal account); origin: who asked;
        owner: whether it verified the number, when known from the number's step."""
        outcome = self.issue_for(CodeRequest(user, phone, channel, lang, queue, origin, owner))
        if outcome.status in FAILED_REASONS:
            reason = FAILED_REASONS[outcome.status]
            (tally or self.funnel.record)(Step(user.oa_id, channel, "failed", reason))
        return outcome

    def issue_for(self, request: CodeRequest) -> SendOutcome:
        """Issue a code and queue its send, unless something forbids it."""
        user, phone, channel = request.user, request.phone, request.channel
        if channel == "zalo" and not self.zalo_available():
            return SendOutcome("zalo_unavailable")
        owner = request.owner if request.owner is not None else self.owner_or_refusal(user, phone)
        if isinstance(owner, SendOutcome):
            return owner
        # The chat handles one user's events one at a time already; API calls run in parallel
        # and take the account's send lock.
        if request.origin == ORIGIN_API:
            issued = self.issue_alone(user, phone, channel, owner)
        else:
            issued = self.issue(user, phone, channel, owner)
        if isinstance(issued, SendOutcome) and issued.status == "stale":
            if request.owner is not None:  # verified or released since the number's step
                return self.issue_for(replace(request, owner=None))
            return SendOutcome("cooldown", 1)  # it changed in the instant between: try again
        if isinstance(issued, SendOutcome):
            return issued
        # An opaque reference, not the phone or the nonce: RQ logs and stores arguments.
        reference = reference_of(issued)
        # Recorded before the send is queued: one that fails at once must find what to mark.
        outcome = self.sent(user, phone, channel, request.origin, reference)
        request.queue(CodeSend(user, reference, channel, request.lang))
        return outcome

    def owner_or_refusal(self, user: UserRef, phone: str) -> bool | SendOutcome:
        """From the number's facts: whether the account verified it, or why it may not use it
        (the handlers and the API tell a locked number apart)."""
        facts = self.number_facts(user, phone)
        refusal = self.refusal_given(user, facts)
        if refusal is None:
            return facts.owner == user.user_id
        mine = refusal.status == "locked_mine"
        return SendOutcome("locked", refusal.wait_seconds) if mine else refusal

    def issue_alone(
        self, user: UserRef, phone: str, channel: str, owner: bool
    ) -> SendOutcome | str:
        """issue() under the account's send lock: parallel requests then meet the cooldown
        the first one set, and spend no budget for a code they do not send."""
        lock = self.redis.lock(user.key("otp-sending"), timeout=5, blocking_timeout=2)
        if not lock.acquire():
            return SendOutcome("cooldown", 1)
        try:
            return self.issue(user, phone, channel, owner)
        finally:
            with suppress(RedisError):  # held past its lease, or Redis away: it frees itself
                lock.release()

    def issue(self, user: UserRef, phone: str, channel: str, owner: bool) -> SendOutcome | str:
        """Locks, cooldown, then budgets, then the code's nonce (or why no code goes out), in
        one round trip: the code's issue counts the send against the limits too."""
        rules = self.limits.rules(user, phone, channel, owner)
        s = self.settings
        ttl, cooldown = self.ttl_of(channel), s.otp_resend_cooldown_seconds
        limits = self.limits.script_parts(rules)
        owner_key = owner_bucket(user.oa_id, phone)
        issued = self.codes.issue(user, phone, channel, ttl, cooldown, owner, limits, owner_key)
        if issued.status not in ("ok", "limited"):  # a lock or the cooldown: before limits
            return SendOutcome(issued.status, issued.wait_seconds)
        refusal = self.limits.settle(rules, channel, issued.full_limit)
        if refusal is not None:
            status = REFUSAL_STATUS.get(refusal.limit, "limited")
            return SendOutcome(status, refusal.retry_after_seconds)
        return issued.nonce

    def sent(self, user: UserRef, phone: str, channel: str, origin: str, ref: str) -> SendOutcome:
        """A code is on its way; a portal account's is recorded for the portal API."""
        if account_id_of(user) is None:
            return SendOutcome("sent", reference=ref)
        expires_at = self.pending.now() + self.ttl_of(channel)
        pending = self.pending.record(user, phone, channel, expires_at, origin, ref)
        return SendOutcome("sent", reference=ref, verification_id=pending.verification_id)

    def check(self, ctx: Turn, phone: str, typed: str) -> Checked:
        """Check a typed code (atomic with the attempt counts); count lockouts. A right code
        claims the number in the same step (complete() tells what came of it)."""
        channel = ctx.data.get("channel", "")
        user = self.subject_of(ctx)
        claim = ctx.memo["claim"] = self.claim_of(user, phone, channel, by_app_of(ctx, user))
        checked = self.check_for(user, phone, typed, channel, ctx.count_step, claim)
        ctx.memo["checked"] = checked  # for complete(): the claim's answer, when it was sent
        return checked

    def check_for(
        self,
        user: UserRef,
        phone: str,
        typed: str,
        channel: str = "",
        tally: Tally | None = None,
        claim: NumberClaim | None = None,
    ) -> Checked:
        """check() for an account (chat user or portal account); channel: the one the code
        was asked by, for the funnel's count of expired codes (the code itself is gone);
        claim: the number's, run with a right code sent by its channel (Checked.claimed)."""
        # Its verified owner's typos do not count against the number: read in the same step.
        owner_key = owner_bucket(user.oa_id, phone)
        sent_key = self.funnel.sent_key(user)  # a right code answers when it went out
        parts = claim.parts() if claim else ([], [])
        checked = self.codes.check(
            user, phone, typed, owner_key=owner_key, sent_key=sent_key, claim=parts
        )
        count = tally or self.funnel.record
        if checked.status == "locked_now":
            LOCKOUTS.inc()
            count(Step(user.oa_id, checked.channel, "locked"))
        elif checked.status == "none":
            count(Step(user.oa_id, channel, "expired"))
        if checked.ganged_up:
            report_gang_up(phone, "number_attempts")
        return checked

    def complete(self, ctx: Turn, phone: str, channel: str) -> bool:
        """The number's claim for the account (made by check() with the right code, when it
        could); False when another account won it first."""
        user = self.subject_of(ctx)
        checked, claim = ctx.memo.get("checked"), ctx.memo.get("claim")
        sent_at = checked.sent_at if checked else None
        by_app = by_app_of(ctx, user)
        return self.complete_for(
            user, phone, channel, by_app, ctx.enqueue, ctx.count_step, sent_at, claim, checked
        )

    def complete_for(
        self,
        user: UserRef,
        phone: str,
        channel: str,
        by_app: str,
        enqueue: Enqueue,
        tally: Tally | None = None,
        sent_at: float | None = None,
        claim: NumberClaim | None = None,
        checked: Checked | None = None,
    ) -> bool:
        """complete() for an account (chat user or portal account); sent_at: when the code
        went out (Checked.sent_at), for the funnel's time to verify; claim: the one the right
        code's check (checked) carried, if any."""
        count = tally or self.funnel.record
        if claim is None or claim.channel != channel:  # the check's step did not claim
            claim, checked = self.claim_of(user, phone, channel, by_app), None
        if not self.claimed(claim, checked):
            count(Step(user.oa_id, channel, "failed", "lost_race"))
            return False
        VERIFICATIONS.labels(channel).inc()
        count(self.funnel.verified(user, channel, sent_at))
        if account_id_of(user) is not None:
            self.pending.finish(user)
        if claim.event is not None:
            from bot.verification.callback import notify_portal

            args = (*user.as_args(), claim.event[1])
            enqueue(notify_portal, *args, queue=QUEUE_BACKGROUND, **notify_options())
        return True

    def claim_of(self, user: UserRef, phone: str, channel: str, by_app: str) -> NumberClaim:
        """The number's claim by a right code, frozen now (the portal callback's body too)."""
        now = int(time.time())
        if not self.settings.portal_callback_url:
            return NumberClaim(user.oa_id, user.user_id, phone, channel, now, by_app)
        from bot.verification.callback import EVENT_TTL_SECONDS, callbacks_key, new_event

        event = new_event(self.links, user, phone, channel, now)
        stored = (callbacks_key(user), event.event_id, event.body, EVENT_TTL_SECONDS)
        return NumberClaim(user.oa_id, user.user_id, phone, channel, now, by_app, stored)

    def claimed(self, claim: NumberClaim, checked: Checked | None) -> bool:
        """Whether the account won the number: as the check's step claimed it, or by a claim
        now (from the record that step found, when the account had another)."""
        answer = checked.claimed if checked else ""
        if answer in ("ok", "taken"):
            return answer == "ok"
        return self.accounts.claim(claim, checked.record if checked else "")

    def unlock(self, oa_id: str, target: str) -> tuple[bool, str]:
        """Lift a lock by phone or user id (chat /unlock and the CLI share this)."""
        return unlock_target(self, oa_id, target)

    def local_time(self, seconds_from_now: int) -> str:
        """A moment shown to users: 'HH:MM dd/mm/yyyy' in BOT_TIMEZONE."""
        moment = datetime.fromtimestamp(
            time.time() + seconds_from_now, ZoneInfo(self.settings.bot_timezone)
        )
        return moment.strftime("%H:%M %d/%m/%Y")


def by_app_of(ctx: Turn, user: UserRef) -> str:
    """The app-scoped id a verification records: the chat user's own, never a portal's."""
    return "" if user != ctx.user else ctx.user_id_by_app or ""


def notify_options() -> dict[str, object]:
    """Job options of the portal callback."""
    from bot.verification.callback import CALLBACK_JOB_OPTIONS

    return dict(CALLBACK_JOB_OPTIONS)


def unlock_target(verifier: Verifier, oa_id: str, target: str) -> tuple[bool, str]:
    """Lift the lock of a phone number or a user id; (lifted?, how to show the target)."""
    from bot.verification.phones import mask_for_user, parse_phone

    parsed = parse_phone(target, verifier.settings.otp_allowed_regions)
    if parsed.e164 is not None:  # shown as every reply shows a number: 09xx xxx 456
        return verifier.codes.unlock(phone=parsed.e164), mask_for_user(parsed.e164)
    from bot.verification.links import valid_account_id

    user_id = target
    if not valid_account_id(user_id):  # matched whole: no stray newline or odd character
        return False, user_id.strip()[:64]
    return verifier.codes.unlock(user=verifier.subject(UserRef(oa_id, user_id))), user_id
