"""Phone verification as a service for the handlers: stores, limits and send jobs together."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.conversation.context import Context
from bot.keys import UserRef
from bot.metrics import LOCKOUTS, VERIFICATIONS
from bot.services import QUEUE_BACKGROUND, QUEUE_CODES
from bot.verification.accounts import Account, AccountStore
from bot.verification.codes import Checked, CodeStore, reference_of
from bot.verification.limits import SendLimits

if TYPE_CHECKING:
    from bot.services import Services

CHANNELS = ("sms", "zalo")


@dataclass(frozen=True)
class SendOutcome:
    """What asking for a code did: sent, or why not (and for how long)."""

    status: str  # sent, locked, cooldown, limited, sms_busy, zalo_unavailable, in_use
    wait_seconds: int = 0
    reference: str = ""


class Verifier:
    """The operations of the verification dialogue; handlers turn outcomes into replies."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.settings = services.settings
        self.accounts = AccountStore(services.redis)

    @cached_property
    def codes(self) -> CodeStore:
        """The code store, keyed by OTP_HASH_KEY."""
        s = self.settings
        return CodeStore(
            self.services.redis, s.otp_hash_key, s.otp_max_attempts, s.otp_lock_seconds
        )

    @cached_property
    def limits(self) -> SendLimits:
        """The send limits."""
        return SendLimits(self.services.redis, self.settings)

    def ttl_of(self, channel: str) -> int:
        """Validity of a code sent by channel, in seconds."""
        s = self.settings
        return s.otp_sms_ttl_seconds if channel == "sms" else s.otp_zalo_ttl_seconds

    def zalo_available(self) -> bool:
        """Zalo codes need an approved ZNS template (always there in sandbox)."""
        return bool(self.settings.zns_otp_template_id)

    def account(self, user: UserRef) -> Account | None:
        """The user's verification record."""
        return self.accounts.get(user.oa_id, user.user_id)

    def in_use_by_other(self, user: UserRef, phone: str) -> bool:
        """Whether another account verified this number."""
        owner = self.accounts.owner_of(user.oa_id, phone)
        return owner is not None and owner != user.user_id

    def request_code(self, ctx: Context, phone: str, channel: str) -> SendOutcome:
        """Issue a code and record its send job in ctx, unless something forbids it."""
        if channel == "zalo" and not self.zalo_available():
            return SendOutcome("zalo_unavailable")
        if self.in_use_by_other(ctx.user, phone):
            return SendOutcome("in_use")
        blocked = self.precheck(ctx.user, phone, channel)
        if blocked is not None:
            return blocked
        refusal = self.limits.acquire(ctx.user, phone, channel)
        if refusal is not None:
            status = "sms_busy" if refusal.limit == "sms_global" else "limited"
            return SendOutcome(status, refusal.retry_after_seconds)
        s = self.settings
        issued = self.codes.issue(
            ctx.user, phone, channel, self.ttl_of(channel), s.otp_resend_cooldown_seconds
        )
        if issued.status != "ok":
            return SendOutcome(issued.status, issued.wait_seconds)
        from bot.verification.jobs import SEND_JOB_OPTIONS, send_code

        args = (*ctx.user.as_args(), phone, channel, issued.nonce, ctx.lang)
        ctx.enqueue(send_code, *args, queue=QUEUE_CODES, **SEND_JOB_OPTIONS)
        return SendOutcome("sent", reference=reference_of(issued.nonce))

    def precheck(self, user: UserRef, phone: str, channel: str) -> SendOutcome | None:
        """A lock or the resend cooldown, read before any limit is spent."""
        locked = self.codes.lock_wait_seconds(user, phone)
        if locked:
            return SendOutcome("locked", locked)
        cooling = self.codes.cooldown_seconds(user, phone, channel)
        return SendOutcome("cooldown", cooling) if cooling else None

    def check(self, ctx: Context, phone: str, typed: str) -> Checked:
        """Check a typed code (atomic with the attempt count); count lockouts."""
        checked = self.codes.check(ctx.user, phone, typed)
        if checked.status == "locked_now":
            LOCKOUTS.inc()
        return checked

    def complete(self, ctx: Context, phone: str, channel: str) -> bool:
        """Claim the number for the account; False when another account won it first."""
        now = int(time.time())
        won = self.accounts.claim(
            ctx.user.oa_id, ctx.user.user_id, phone, channel, now, ctx.user_id_by_app or ""
        )
        if won:
            VERIFICATIONS.labels(channel).inc()
            if self.settings.portal_callback_url:
                from bot.verification.callback import notify_portal

                args = (*ctx.user.as_args(), channel, now)
                ctx.enqueue(notify_portal, *args, queue=QUEUE_BACKGROUND, **notify_options())
        return won

    def unlock(self, oa_id: str, target: str) -> tuple[bool, str]:
        """Lift a lock by phone or user id (chat /unlock and the CLI share this)."""
        return unlock_target(self, oa_id, target)

    def local_time(self, seconds_from_now: int) -> str:
        """A moment shown to users: 'HH:MM dd/mm/yyyy' in BOT_TIMEZONE."""
        moment = datetime.fromtimestamp(
            time.time() + seconds_from_now, ZoneInfo(self.settings.bot_timezone)
        )
        return moment.strftime("%H:%M %d/%m/%Y")


def notify_options() -> dict[str, object]:
    """Job options of the portal callback."""
    from bot.verification.callback import CALLBACK_JOB_OPTIONS

    return dict(CALLBACK_JOB_OPTIONS)


def unlock_target(verifier: Verifier, oa_id: str, target: str) -> tuple[bool, str]:
    """Lift the lock of a phone number or a user id; (lifted?, how to show the target)."""
    from bot.masking import mask_phone
    from bot.verification.phones import parse_phone

    parsed = parse_phone(target, verifier.settings.otp_allowed_regions)
    if parsed.e164 is not None:
        return verifier.codes.unlock(phone=parsed.e164), mask_phone(parsed.e164)
    user_id = target.strip()
    return verifier.codes.unlock(user=UserRef(oa_id, user_id)), user_id
