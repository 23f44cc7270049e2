"""Limits on sending codes (SMS pumping, abuse), with the `limits` library on Redis.

Per account and number come first (3 an hour): one stranger's account runs out of its own
budget before it can use up a number's shared one (10 an hour, 20 a day over all accounts),
so the number's holder still gets codes unless several accounts gang up, which is counted
(bot_number_gangup_total) and logged for the operators' alert. The number's verified owner
is not held to the number's shared budget at all.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import redis
from limits import RateLimitItem, RateLimitItemPerDay, RateLimitItemPerHour, RateLimitItemPerMinute
from limits.storage import RedisStorage
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from bot.config import Settings
from bot.keys import ScriptArgs, UserRef
from bot.masking import mask_phone
from bot.metrics import NUMBER_GANGUPS, RATE_LIMITED, SMS_CEILING, ZNS_CEILING
from bot.redis_client import cached_script
from bot.verification.limits_lua import ACQUIRE

log = logging.getLogger(__name__)

Limiter = MovingWindowRateLimiter | FixedWindowRateLimiter
Rule = tuple[str, Limiter, RateLimitItem, str]
# The gauge of each global ceiling: 1 while it refuses sends (an operator alerts on it).
CEILINGS = {"sms_global": SMS_CEILING, "zns_global": ZNS_CEILING}
# The number's budget shared by all accounts: reaching it takes several accounts.
SHARED = ("phone_hour", "phone_day")


@dataclass(frozen=True)
class Refusal:
    """Which limit refused, and in how many seconds a send will be allowed again."""

    limit: str
    retry_after_seconds: int


class SendLimits:
    """Per account and number (hour), per account (day), per number (hour, day, over all
    accounts) and global SMS and Zalo ceilings per minute."""

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.storage = storage = RedisStorage("redis://", connection_pool=client.connection_pool)
        # Moving windows for people (exact, no burst at a window edge); a fixed window for
        # the global ceiling, which only needs to be cheap.
        self.moving = MovingWindowRateLimiter(storage)
        self.fixed = FixedWindowRateLimiter(storage)
        self.client = client
        self._acquire = cached_script(client, ACQUIRE)
        self.account_phone_hour = RateLimitItemPerHour(settings.otp_sends_per_account_phone_hour)
        self.phone_hour = RateLimitItemPerHour(settings.otp_sends_per_phone_hour)
        self.phone_day = RateLimitItemPerDay(settings.otp_sends_per_phone_day)
        self.account_day = RateLimitItemPerDay(settings.otp_sends_per_account_day)
        self.sms_minute = RateLimitItemPerMinute(settings.sms_global_per_minute)
        self.zns_minute = RateLimitItemPerMinute(settings.zns_global_per_minute)

    def rules(self, user: UserRef, phone: str, channel: str, owner: bool = False) -> list[Rule]:
        """(name, limiter, item, identifier) of every limit that applies to this send, the
        account's own first (owner: the number's verified owner, not held to its shared
        budget, which others can spend)."""
        found: list[Rule] = [
            ("account_phone_hour", self.moving, self.account_phone_hour, user.tag + phone),
            ("account_day", self.moving, self.account_day, user.tag),
        ]
        if not owner:
            found.append(("phone_hour", self.moving, self.phone_hour, phone))
            found.append(("phone_day", self.moving, self.phone_day, phone))
        if channel == "sms":
            found.append(("sms_global", self.fixed, self.sms_minute, "all"))
        else:
            found.append(("zns_global", self.fixed, self.zns_minute, "all"))
        return found

    def acquire(
        self, user: UserRef, phone: str, channel: str, owner: bool = False
    ) -> Refusal | None:
        """Count one send against every limit, or refuse (consuming nothing) when one is full;
        one round trip (ten before: a test and a hit per limit)."""
        rules = self.rules(user, phone, channel, owner)
        keys, args = self.script_parts(rules)
        return self.settle(rules, channel, int(self._acquire(keys=keys, args=args)))

    def script_parts(self, rules: list[Rule]) -> tuple[list[str], ScriptArgs]:
        """The keys and arguments of rules for the limits' Lua (limits_lua.LIMITS): a key per
        limit; now, then each limit's kind, amount and window."""
        keys = [self.storage.prefixed_key(item.key_for("otp", name, ident))
                for name, _limiter, item, ident in rules]  # fmt: skip
        args: ScriptArgs = [time.time()]
        for _name, limiter, item, _ident in rules:
            kind = "moving" if limiter is self.moving else "fixed"
            args += [kind, item.amount, item.get_expiry()]
        return keys, args

    def settle(self, rules: list[Rule], channel: str, full: int) -> Refusal | None:
        """What the limits' Lua answered: the refusal of the first full limit (its position,
        1-based), or None when the send was counted (the channel's ceiling has room)."""
        if full:
            return self.refuse(*rules[full - 1])
        CEILINGS["sms_global" if channel == "sms" else "zns_global"].set(0)
        return None

    def clear(self, user: UserRef, phone: str) -> None:
        """Forget the sends counted for this account and number (sandbox reset)."""
        for name, limiter, item, ident in self.rules(user, phone, "zalo"):
            if name not in CEILINGS:  # the whole bot's counts are nobody's to reset
                limiter.clear(item, "otp", name, ident)

    def refuse(
        self,
        name: str,
        limiter: MovingWindowRateLimiter | FixedWindowRateLimiter,
        item: RateLimitItem,
        ident: str,
    ) -> Refusal:
        """A refusal saying when the limit frees a slot; counted, and alerting for SMS."""
        RATE_LIMITED.labels(name).inc()
        if name in CEILINGS:
            CEILINGS[name].set(1)
        reset_at = limiter.get_window_stats(item, "otp", name, ident).reset_time
        refusal = Refusal(name, max(1, int(reset_at - time.time()) + 1))
        if name in SHARED:
            self.gang_up(ident, name, refusal.retry_after_seconds)
        return refusal

    def gang_up(self, phone: str, limit: str, seconds: int) -> None:
        """Several accounts used up a number's shared budget: count and log it once a window."""
        first = self.client.set(f"otp-gangup:{limit}:{phone}", 1, nx=True, ex=seconds)
        if first:
            report_gang_up(phone, limit)


def report_gang_up(phone: str, limit: str) -> None:
    """The metric and the log line the operators' alert watches (the number masked)."""
    NUMBER_GANGUPS.labels(limit).inc()
    log.warning("gang-up on %s: %s reached by several accounts", mask_phone(phone), limit)
