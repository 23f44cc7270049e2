"""One-time codes: keyed hashes with a TTL, checked and counted in one atomic Lua step.

A code is never stored nor queued in clear. Issuing draws a random nonce (secrets); the code
is HMAC(OTP_HASH_KEY, nonce) reduced to 6 digits, so the send reads only the nonce and
derives the same code on every retry: a retry cannot send a second, different code.
At rest there is only HMAC(OTP_HASH_KEY, account + phone + code).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import redis

from bot.keys import ScriptArgs, UserRef, text
from bot.verification.codes_lua import CHECK, END_COOLDOWN, ISSUE, UNLOCK

CODE_DIGITS = 6


@dataclass(frozen=True)
class Issued:
    """The outcome of asking for a code: ok (with the nonce to send), or why not."""

    status: str  # "ok", "locked", "cooldown", "limited", "in_use", "stale"
    nonce: str = ""
    wait_seconds: int = 0
    full_limit: int = 0  # limited: the position of the first full limit (1-based)


@dataclass(frozen=True)
class LiveCode:
    """What a send job needs of the live code: where it goes, and its nonce."""

    phone: str
    channel: str
    nonce: str


@dataclass(frozen=True)
class Checked:
    """The outcome of checking a typed code."""

    status: str  # "ok", "wrong", "locked_now", "number_locked_now", "locked", "none"
    attempts_left: int = 0
    wait_seconds: int = 0
    channel: str = ""
    phone: str = ""
    ganged_up: int = 0  # accounts whose wrong codes locked the number now (0: not locked)
    sent_at: float | None = None  # a right code: when it was sent (epoch), when known
    claimed: str = ""  # a right code with a claim: its answer ('ok', 'taken', 'stale'; '': none)
    record: str = ""  # claimed 'stale': the account's record as it is


def derive_code(hash_key: str, nonce: str) -> str:
    """The 6-digit code of a nonce (only holders of OTP_HASH_KEY can compute it)."""
    digest = hmac.new(hash_key.encode(), f"otp:{nonce}".encode(), hashlib.sha256).digest()
    return str(int.from_bytes(digest, "big") % 10**CODE_DIGITS).zfill(CODE_DIGITS)


def reference_of(nonce: str) -> str:
    """The idempotency key of one code's send (eSMS RequestId, ZNS tracking_id: <= 48 chars).

    A hash of the nonce, not the nonce: gateways and logs see it, and the nonce plus
    OTP_HASH_KEY would give the code.
    """
    return "otp-" + hashlib.sha256(nonce.encode()).hexdigest()[:20]


class CodeStore:
    """Owns otp:{oa:user} (the live code), the wrong-code counts, locks and resend cooldowns
    of accounts and of numbers."""

    def __init__(
        self,
        client: redis.Redis,
        hash_key: str,
        max_attempts: int,
        lock_seconds: int,
        number_max_attempts: int = 0,
    ) -> None:
        self.client = client
        self.hash_key = hash_key
        self.max_attempts = max_attempts
        self.lock_seconds = lock_seconds
        # Over all accounts; above max_attempts, so that one account alone never locks it.
        self.number_max_attempts = number_max_attempts or 2 * max_attempts
        self._issue = client.register_script(ISSUE)
        self._check = client.register_script(CHECK)
        self._unlock = client.register_script(UNLOCK)
        self._end_cooldown = client.register_script(END_COOLDOWN)

    def digest(self, user: UserRef, phone: str, code: str) -> str:
        """The keyed hash kept at rest, bound to the account and the number."""
        message = f"{user.tag}|{phone}|{code}".encode()
        return hmac.new(self.hash_key.encode(), message, hashlib.sha256).hexdigest()

    @staticmethod
    def keys(user: UserRef, phone: str) -> dict[str, str]:
        """Every key of the user's code, counts, locks and cooldowns for this number."""
        return {
            "code": user.key("otp"),
            "fails": user.key("otp-fails"),
            "lock": account_lock_key(user),
            "cooldown": user.key("otp-cooldown"),
            "phone_lock": phone_lock_key(phone),
            "phone_fails": f"otp-fails:phone:{phone}",
        }

    def issue(
        self,
        user: UserRef,
        phone: str,
        channel: str,
        ttl: int,
        cooldown: int,
        owner: bool = False,
        limits: tuple[list[str], ScriptArgs] = ([], []),
        owner_key: str = "-",
    ) -> Issued:
        """Replace any live code with a new one, unless locked or within the resend cooldown
        (owner: the account verified this number, so the number's lock does not apply), or
        one of limits (SendLimits.script_parts()) is full; those count the send with the code.
        owner_key: the number's owner bucket (accounts.owner_bucket), to refuse a number
        verified by another account since owner was learnt ('in_use'; 'stale': owner changed).
        """
        nonce = secrets.token_hex(16)
        digest = self.digest(user, phone, derive_code(self.hash_key, nonce))
        k = self.keys(user, phone)
        limit_keys, limit_args = limits
        keys = [k["code"], k["lock"], k["phone_lock"], k["cooldown"], owner_key, *limit_keys]
        args: ScriptArgs = [digest, channel, phone, nonce, ttl * 1000, cooldown * 1000, user.tag]
        args += ["1" if owner else "0", phone.lstrip("+"), user.user_id, *limit_args]
        status, number = self._issue(keys=keys, args=args)
        if status == b"limited":
            return Issued("limited", full_limit=int(number))
        return Issued(status.decode(), nonce if status == b"ok" else "", ceil_seconds(number))

    def check(
        self,
        user: UserRef,
        phone: str,
        typed: str,
        owner: bool = False,
        owner_key: str = "-",
        sent_key: str = "-",
        claim: tuple[list[str], ScriptArgs] = ([], []),
    ) -> Checked:
        """Check a typed code and count the attempt per account and per number, atomically
        (no parallel extra guesses). owner: the account verified the number; or owner_key,
        the bucketed hash of the number's owner (accounts.owner_bucket), read in the same step.
        sent_key: when the code was sent (the funnel's), read and dropped with a right code.
        claim: NumberClaim.parts(), run by a right code sent by the claim's channel."""
        k = self.keys(user, phone)
        names = ("code", "fails", "lock", "phone_lock", "cooldown", "phone_fails")
        digest = self.digest(user, phone, typed)
        args: ScriptArgs = [digest, self.max_attempts, self.lock_seconds * 1000, user.tag]
        args += ["1" if owner else "0", self.number_max_attempts, phone.lstrip("+"), user.user_id]
        claim_keys, claim_args = claim
        keys = [*(k[name] for name in names), owner_key, sent_key, *claim_keys]
        answer = self._check(keys=keys, args=[*args, *claim_args])
        status, number, channel, stored_phone, accounts, *right = answer
        wait = 0 if status == b"wrong" else ceil_seconds(number)
        left = int(number) if status == b"wrong" else 0
        sent, claimed, record = right or (b"", b"", b"")
        return Checked(
            status.decode(),
            left,
            wait,
            channel.decode(),
            stored_phone.decode(),
            int(accounts),
            float(sent) if sent else None,
            text(claimed),
            text(record),
        )

    def attempts_left(self, user: UserRef) -> int:
        """Wrong codes the account may still type before the lock (the portal API shows it)."""
        fails = int(self.client.get(user.key("otp-fails")) or 0)
        return max(0, self.max_attempts - fails)

    def is_current(self, user: UserRef, nonce: str) -> bool:
        """Whether nonce is still the user's live code (a send job skips stale codes)."""
        return self.live_nonce(user) == nonce.encode()

    def live_nonce(self, user: UserRef) -> bytes | None:
        """The nonce of the user's live code; None when it expired, was used or withdrawn."""
        found = self.client.hget(user.key("otp"), "n")
        return found.encode() if isinstance(found, str) else found

    def live_code(self, user: UserRef, reference: str) -> LiveCode | None:
        """The live code whose reference this is; None when it was replaced, used or expired."""
        return live_code_of(self.client.hmget(user.key("otp"), list(LIVE_FIELDS)), reference)

    def lock_wait_seconds(
        self, user: UserRef, phone: str | None = None, owner: bool = False
    ) -> int:
        """Seconds until the account (or the number, unless owner) may verify again; 0 when
        not locked."""
        keys = [account_lock_key(user)] + ([phone_lock_key(phone)] if phone and not owner else [])
        return self.longest_wait(keys)

    def waits(self, user: UserRef, phone: str, owner: bool = False) -> tuple[int, int]:
        """(lock_wait_seconds, cooldown_seconds) for this number, read in one round trip (what
        issue() refuses first; owner: the number's lock does not apply)."""
        k = self.keys(user, phone)
        with self.client.pipeline(transaction=False) as pipe:
            for key in (k["lock"], k["phone_lock"], k["cooldown"]):
                pipe.pttl(key)
            pipe.get(k["cooldown"])
            account_lock, number_lock, cooldown_ms, ours = pipe.execute()
        locks = [account_lock] if owner else [account_lock, number_lock]
        # The account's cooldown is for the number it was started with.
        return longest(locks), ceil_seconds(cooldown_ms) if ours == phone.encode() else 0

    def number_locked_by(self, user: UserRef, phone: str) -> bool:
        """Whether the number's lock was set by this account's wrong code (only it may learn
        until when: to anyone else a locked number reads like one in use)."""
        return locked_by(user, self.client.get(phone_lock_key(phone)))

    def longest_wait(self, keys: list[str]) -> int:
        """The longest remaining TTL of keys, in whole seconds (0: none is set)."""
        with self.client.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.pttl(key)
            return longest(pipe.execute())

    def end_cooldown(self, user: UserRef, phone: str) -> None:
        """Let the user ask again at once for a code to phone (its send failed for good)."""
        self._end_cooldown(keys=[user.key("otp-cooldown")], args=[phone])

    def end_last_cooldown(self, user: UserRef) -> None:
        """end_cooldown for the number the user's running cooldown is for (if any): a send
        that failed after its code expired no longer knows the number."""
        phone = text(self.client.get(user.key("otp-cooldown")))
        if phone:
            self.end_cooldown(user, phone)

    def unlock(self, user: UserRef | None = None, phone: str | None = None) -> bool:
        """Lift the lock of an account and/or a number (and whatever it was locked with)."""
        account = account_lock_key(user) if user else "-"
        fails = user.key("otp-fails") if user else "-"
        number = phone_lock_key(phone) if phone else "-"
        return bool(self._unlock(keys=[account, fails, number], args=[]))

    def forget(self, pipe: redis.client.Pipeline, user: UserRef) -> None:
        """Drop a live code and the cooldown (user_withdraw); locks stay until they expire."""
        pipe.delete(user.key("otp"), user.key("otp-cooldown"))


# What a send reads of the live code (otp:{oa:user}): number, channel, nonce; a claim of the
# codes stage reads them with the user (bot.worker.code_sending: TakeSpec.read_hash).
LIVE_FIELDS = ("p", "c", "n")
LIVE_READ = ("otp", *LIVE_FIELDS)


def live_code_of(found: Sequence[Any], reference: str) -> LiveCode | None:
    """The live code read as LIVE_FIELDS, if reference is its reference; else None (replaced,
    used or expired)."""
    phone, channel, nonce = (text(value) for value in found)
    if not (phone and channel and nonce) or reference_of(nonce) != reference:
        return None
    return LiveCode(phone, channel, nonce)


def phone_lock_key(phone: str) -> str:
    """The lock of one number (a number is locked for every account)."""
    return f"otp-lock:phone:{phone}"


def account_lock_key(user: UserRef) -> str:
    """The lock of one account, which is also what the number's lock holds when that
    account's wrong code set it (locked_by())."""
    return user.key("otp-lock")


def locked_by(user: UserRef, locker: bytes | str | None) -> bool:
    """Whether a number's lock holding locker was set by this account's wrong code."""
    return text(locker) == account_lock_key(user)


def longest(ttls_ms: list[Any]) -> int:
    """The longest of PTTL answers, in whole seconds (0: none is set)."""
    return max((ceil_seconds(ms) for ms in ttls_ms), default=0)


def ceil_seconds(milliseconds: Any) -> int:
    """Whole seconds, rounded up, of a PTTL-style answer (negative: 0)."""
    value = int(milliseconds)
    return max(0, -(-value // 1000))
