"""Limits on sending codes (SMS pumping, abuse), with the `limits` library on Redis."""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis
from limits import RateLimitItem, RateLimitItemPerDay, RateLimitItemPerHour, RateLimitItemPerMinute
from limits.storage import RedisStorage
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from bot.config import Settings
from bot.keys import UserRef
from bot.metrics import RATE_LIMITED, SMS_CEILING, ZNS_CEILING

Limiter = MovingWindowRateLimiter | FixedWindowRateLimiter
Rule = tuple[str, Limiter, RateLimitItem, str]
# The gauge of each global ceiling: 1 while it refuses sends (an operator alerts on it).
CEILINGS = {"sms_global": SMS_CEILING, "zns_global": ZNS_CEILING}


@dataclass(frozen=True)
class Refusal:
    """Which limit refused, and in how many seconds a send will be allowed again."""

    limit: str
    retry_after_seconds: int


class SendLimits:
    """Per number (hour, day), per account (day) and global SMS and Zalo ceilings per minute."""

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        storage = RedisStorage("redis://", connection_pool=client.connection_pool)
        # Moving windows for people (exact, no burst at a window edge); a fixed window for
        # the global ceiling, which only needs to be cheap.
        self.moving = MovingWindowRateLimiter(storage)
        self.fixed = FixedWindowRateLimiter(storage)
        self.phone_hour = RateLimitItemPerHour(settings.otp_sends_per_phone_hour)
        self.phone_day = RateLimitItemPerDay(settings.otp_sends_per_phone_day)
        self.account_day = RateLimitItemPerDay(settings.otp_sends_per_account_day)
        self.sms_minute = RateLimitItemPerMinute(settings.sms_global_per_minute)
        self.zns_minute = RateLimitItemPerMinute(settings.zns_global_per_minute)

    def rules(self, user: UserRef, phone: str, channel: str) -> list[Rule]:
        """(name, limiter, item, identifier) of every limit that applies to this send."""
        found: list[Rule] = [
            ("phone_hour", self.moving, self.phone_hour, phone),
            ("phone_day", self.moving, self.phone_day, phone),
            ("account_day", self.moving, self.account_day, user.tag),
        ]
        if channel == "sms":
            found.append(("sms_global", self.fixed, self.sms_minute, "all"))
        else:
            found.append(("zns_global", self.fixed, self.zns_minute, "all"))
        return found

    def acquire(self, user: UserRef, phone: str, channel: str) -> Refusal | None:
        """Count one send against every limit, or refuse (consuming nothing) when one is full."""
        rules = self.rules(user, phone, channel)
        for name, limiter, item, ident in rules:
            if not limiter.test(item, "otp", name, ident):
                return self.refuse(name, limiter, item, ident)
        for name, limiter, item, ident in rules:
            if not limiter.hit(item, "otp", name, ident):  # lost a race for the last slot
                return self.refuse(name, limiter, item, ident)
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
        return Refusal(name, max(1, int(reset_at - time.time()) + 1))
