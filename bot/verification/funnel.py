"""The verification funnel: Prometheus counters, and per-hour and per-day counts in Redis.

Every step is counted here and nowhere else: the metrics (bot.metrics FUNNEL...) for
Prometheus, and hashes per OA and hour (two days) and per OA and day (35 days) that the admin
page charts without Prometheus. A step taken in a chat turn is a `Step` the turn records and
its commit writes (bot.worker.processing), in the turn's transaction, then counts in the
metrics once committed (bot.worker.turns); a code's send rides on the round trip that removes
it from the codes queue (bot.worker.code_sending); the other steps outside a turn (a receipt,
the delivery check, the portal API) are written when they happen. Each step is one Lua
command (ADD) on its hour's and day's hashes. A field is `channel|step`,
`channel|failed|reason`, `channel|spend_vnd`, or the time to verify as `channel|ttv_count`,
`channel|ttv_sum` and `channel|ttv_le|<bucket>` (counts per histogram bucket, so the page can
tell p50 and p95).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import redis
from redis.client import Pipeline

from bot.config import Settings
from bot.keys import ScriptArgs, UserRef, text
from bot.metrics import CODE_SPEND, FUNNEL, FUNNEL_FAILURES, TIME_TO_VERIFY, oa_label
from bot.redis_client import cached_script, run_script

log = logging.getLogger(__name__)
STEPS = ("started", "sent", "delivered", "verified", "expired", "locked", "failed")
ANY_CHANNEL = "any"  # a step before the user chose SMS or Zalo
DAY_TTL_SECONDS = 35 * 86400
HOUR_TTL_SECONDS = 49 * 3600
TTV_BUCKETS = (10, 20, 30, 45, 60, 90, 120, 180, 300, 600)
# When a code went out, per user: read back at success for the time to verify.
SENT_AT_TTL_SECONDS = 3600
# A Zalo code's tracking_id -> its OA, until its delivery receipt comes (or a day passes).
TRACKING_TTL_SECONDS = 86400
TRACKING_KEY = "funnel:tracking:{}"
# KEYS: an OA's hour and day hashes. ARGV: their TTLs, then (field, increment) pairs. One
# command instead of a HINCRBY per field and key and an EXPIRE per key (each ~10 us to queue).
ADD = """
for i = 3, #ARGV, 2 do
  redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
  redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i + 1])
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return 0
"""


def day_key(oa_id: str, day: str) -> str:
    """The counts of one OA on one day (YYYY-MM-DD in BOT_TIMEZONE)."""
    return f"funnel:{{{oa_id}}}:d:{day}"


def hour_key(oa_id: str, hour: str) -> str:
    """The counts of one OA in one hour (YYYY-MM-DDTHH in BOT_TIMEZONE)."""
    return f"funnel:{{{oa_id}}}:h:{hour}"


@dataclass(frozen=True)
class Step:
    """One step of one verification, as counted (failed: with its reason; verified: with the
    seconds since its code was sent, when known)."""

    oa_id: str
    channel: str
    step: str
    reason: str = ""
    seconds: float | None = None

    def fields(self) -> dict[str, int]:
        """Its increments of the per-hour and per-day counts."""
        channel = self.channel or ANY_CHANNEL
        name = (
            f"{channel}|failed|{self.reason}" if self.step == "failed" else f"{channel}|{self.step}"
        )
        found = {name: 1}
        if self.seconds is not None:
            found |= ttv_fields(channel, self.seconds)
        return found

    def observe(self) -> None:
        """Count it in the Prometheus metrics."""
        oa, channel = oa_label(self.oa_id), self.channel or ANY_CHANNEL
        FUNNEL.labels(oa, channel, self.step).inc()
        if self.step == "failed":
            FUNNEL_FAILURES.labels(oa, channel, self.reason).inc()
        if self.seconds is not None:
            TIME_TO_VERIFY.labels(oa, channel).observe(self.seconds)


class Funnel:
    """Counts the funnel's steps (metrics and Redis) and reads the per-hour and per-day counts."""

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.client = client
        self.zone = ZoneInfo(settings.bot_timezone)
        self.prices = {"sms": settings.sms_price_vnd, "zalo": settings.zns_price_vnd}
        self._add = cached_script(client, ADD)

    def now(self) -> datetime:
        """The current moment in BOT_TIMEZONE."""
        return datetime.now(self.zone)

    def count(self, oa_id: str, channel: str, step: str, reason: str = "") -> None:
        """One step of one verification outside a chat turn (failed: with its reason)."""
        self.record(Step(oa_id, channel, step, reason))

    def record(self, step: Step) -> None:
        """Count a step now (a chat turn records its steps for its commit instead)."""
        step.observe()
        self.write(step.oa_id, step.fields())

    def add_steps(self, pipe: Pipeline, steps: Iterable[Step]) -> None:
        """Queue a turn's steps into its commit (observe() them once it is committed)."""
        for step in steps:
            self.add(pipe, step.oa_id, step.fields())

    def write(self, oa_id: str, fields: dict[str, int]) -> None:
        """Add to this hour's and this day's counts; best effort: a count lost to a Redis
        outage must not fail (and so repeat) the step it counts."""
        try:
            self.add(None, oa_id, fields)
        except redis.RedisError as exc:
            log.warning("funnel counts not written (%s)", type(exc).__name__)

    def add(self, pipe: Pipeline | None, oa_id: str, fields: dict[str, int]) -> None:
        """Add to this hour's and this day's counts of an OA: queued into pipe (as EVAL, so
        that a transaction never meets NOSCRIPT), or at once without one."""
        moment = self.now()
        keys = [
            hour_key(oa_id, moment.strftime("%Y-%m-%dT%H")),
            day_key(oa_id, moment.strftime("%Y-%m-%d")),
        ]
        args: ScriptArgs = [HOUR_TTL_SECONDS, DAY_TTL_SECONDS]
        for field, amount in fields.items():
            args += (field, amount)
        run_script(self._add, keys, args, pipe)

    def code_sent(
        self, user: UserRef, channel: str, reference: str, delivered: bool, pipe: Pipeline
    ) -> None:
        """A gateway (or Zalo) accepted a code: count it and its price, note when (for the time
        to verify) and, for Zalo, its tracking_id (for the delivery receipt). The writes are
        queued into pipe, which rides on the removal of the sent item (bot.queues.serial
        pop_after: one round trip, best effort, so a lost count never sends a code again)."""
        price, oa = self.prices.get(channel, 0), oa_label(user.oa_id)
        FUNNEL.labels(oa, channel, "sent").inc()
        CODE_SPEND.labels(oa, channel).inc(price)
        fields = {f"{channel}|sent": 1, f"{channel}|spend_vnd": price}
        if delivered:  # the gateway itself says so (the sandbox's phone inbox)
            FUNNEL.labels(oa, channel, "delivered").inc()
            fields[f"{channel}|delivered"] = 1
        self.add(pipe, user.oa_id, fields)
        pipe.set(self.sent_key(user), f"{time.time():.3f}", ex=SENT_AT_TTL_SECONDS)
        if channel == "zalo" and not delivered:
            pipe.set(TRACKING_KEY.format(reference), user.oa_id, ex=TRACKING_TTL_SECONDS)

    def receipt(self, tracking_id: str) -> bool:
        """Zalo's delivery receipt of a Zalo code: counted once (redeliveries find nothing),
        under the OA that sent it; False for a tracking_id that is not one of ours."""
        oa_id = text(self.client.getdel(TRACKING_KEY.format(tracking_id)))
        if not oa_id:
            return False
        self.count(oa_id, "zalo", "delivered")
        return True

    def awaits_receipt(self, tracking_id: str) -> bool:
        """Whether a Zalo code of ours still waits for its receipt (False once it came)."""
        return bool(self.client.exists(TRACKING_KEY.format(tracking_id)))

    @staticmethod
    def verified(user: UserRef, channel: str, sent_at: float | None) -> Step:
        """The step of a number verified, with the time since its code was sent when known
        (sent_at: read with the right code, bot.verification.codes, from sent_key())."""
        seconds = None if sent_at is None else max(0.0, time.time() - sent_at)
        return Step(user.oa_id, channel, "verified", seconds=seconds)

    @staticmethod
    def sent_key(user: UserRef) -> str:
        """When the user's last code went out (epoch seconds, SENT_AT_TTL_SECONDS)."""
        return user.key("funnel-sent")

    def forget(self, pipe: Pipeline, user: UserRef) -> None:
        """Drop the user's send time (user_withdraw); the counts name nobody."""
        pipe.delete(self.sent_key(user))

    def hours(self, oa_ids: Iterable[str], count: int = 24) -> list[tuple[int, dict[str, int]]]:
        """(epoch of the hour, counts summed over oa_ids) for the last `count` hours."""
        start = self.now().replace(minute=0, second=0, microsecond=0)
        moments = [start - timedelta(hours=n) for n in range(count - 1, -1, -1)]
        keys = [[hour_key(oa, m.strftime("%Y-%m-%dT%H")) for oa in oa_ids] for m in moments]
        return list(zip((int(m.timestamp()) for m in moments), self.read(keys), strict=True))

    def days(self, oa_ids: Iterable[str], count: int = 7) -> list[tuple[int, dict[str, int]]]:
        """(epoch of the day's start, counts summed over oa_ids) for the last `count` days."""
        start = self.now().replace(hour=0, minute=0, second=0, microsecond=0)
        moments = [start - timedelta(days=n) for n in range(count - 1, -1, -1)]
        keys = [[day_key(oa, m.strftime("%Y-%m-%d")) for oa in oa_ids] for m in moments]
        return list(zip((int(m.timestamp()) for m in moments), self.read(keys), strict=True))

    def read(self, groups: list[list[str]]) -> list[dict[str, int]]:
        """Each group's hashes summed field by field, in one round trip."""
        with self.client.pipeline(transaction=False) as pipe:
            for group in groups:
                for key in group:
                    pipe.hgetall(key)
            answers = iter(pipe.execute())
        return [total(next(answers) for _ in group) for group in groups]


def ttv_fields(channel: str, seconds: float) -> dict[str, int]:
    """The per-day fields of one time to verify: count, sum and its histogram bucket."""
    bucket = next((str(b) for b in TTV_BUCKETS if seconds <= b), "inf")
    return {
        f"{channel}|ttv_count": 1,
        f"{channel}|ttv_sum": round(seconds),
        f"{channel}|ttv_le|{bucket}": 1,
    }


def total(hashes: Iterable[dict[bytes, bytes]]) -> dict[str, int]:
    """Field-by-field sums of several HGETALL answers."""
    summed: dict[str, int] = {}
    for found in hashes:
        for field, value in found.items():
            name = text(field)
            summed[name] = summed.get(name, 0) + int(value)
    return summed


def percentile(counts: dict[str, int], channel: str, share: float) -> int | None:
    """The upper bound (seconds) of the bucket holding this share of times to verify;
    None when there is none (or it lies above the last bucket)."""
    whole = counts.get(f"{channel}|ttv_count", 0)
    if not whole:
        return None
    seen = 0
    for bucket in TTV_BUCKETS:
        seen += counts.get(f"{channel}|ttv_le|{bucket}", 0)
        if seen >= share * whole:
            return bucket
    return None
