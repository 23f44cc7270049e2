"""Webhook requests that fail verification: answered 200, counted, told once a minute.

Zalo saves a webhook URL only after an unsigned probe got 200, so a refusal cannot be an HTTP
error. A wrong key in the configuration then looks like silence; the telemetry kept here
(two timestamps in Redis, never the request) lets /readyz and the CLI say so.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import redis

from bot.metrics import UNVERIFIED

log = logging.getLogger(__name__)
# Telemetry keys: when the last unverified and the last verified request arrived.
UNVERIFIED_AT_KEY = "webhook:unverified_at"
VERIFIED_AT_KEY = "webhook:verified_at"
LOGGED_KEY = "webhook:unverified_logged"
WINDOW_SECONDS = 60
# Each process writes "verified at" at most this often: authentic requests (every reply's
# echo too) must not pay a round trip each for a one-minute signal.
VERIFIED_WRITE_EVERY_SECONDS = 10.0


def note_unverified(client: redis.Redis, reason: str) -> None:
    """Count a request that failed verification; log it unless one was logged this minute."""
    UNVERIFIED.labels(reason).inc()
    try:
        with client.pipeline(transaction=False) as pipe:
            pipe.set(UNVERIFIED_AT_KEY, int(time.time()), ex=2 * WINDOW_SECONDS)
            pipe.set(LOGGED_KEY, reason, nx=True, ex=WINDOW_SECONDS)
            first_this_minute = pipe.execute()[1]
    except redis.RedisError:  # telemetry only: the probe is still answered 200
        return
    if first_this_minute:
        log.warning(
            "webhook request failed verification (%s), answered 200 and ignored; if authentic "
            "events stop arriving, check the App's webhook key (ZALO_OA_SECRET_KEY, "
            "ZALO_EXTRA_APPS). Logged at most once a minute.",
            reason,
        )


class VerifiedClock:
    """Notes in Redis, at most every few seconds per process, that a request was verified."""

    def __init__(self) -> None:
        self.written_at = 0.0
        self.lock = threading.Lock()

    def tick(self, client: redis.Redis) -> None:
        """Record 'verified now' unless this process did so a moment ago."""
        now = time.monotonic()
        with self.lock:
            if now - self.written_at < VERIFIED_WRITE_EVERY_SECONDS:
                return
            self.written_at = now
        try:
            client.set(VERIFIED_AT_KEY, int(time.time()), ex=2 * WINDOW_SECONDS)
        except redis.RedisError:
            with self.lock:
                self.written_at = 0.0


VERIFIED_CLOCK = VerifiedClock()


@dataclass(frozen=True)
class WebhookHealth:
    """What the last minute of webhook requests says about the configured keys."""

    last_unverified_at: int | None
    last_verified_at: int | None

    @property
    def only_unverified(self) -> bool:
        """Requests came in the last minute and none of them passed verification."""
        since = time.time() - WINDOW_SECONDS
        unverified = self.last_unverified_at is not None and self.last_unverified_at >= since
        # A verified request may be written up to VERIFIED_WRITE_EVERY_SECONDS late.
        since_verified = since - VERIFIED_WRITE_EVERY_SECONDS
        verified = self.last_verified_at is not None and self.last_verified_at >= since_verified
        return unverified and not verified

    def as_dict(self) -> dict[str, object]:
        """For /readyz and the CLI."""
        return {
            "only_unverified_last_minute": self.only_unverified,
            "last_unverified_at": self.last_unverified_at,
            "last_verified_at": self.last_verified_at,
        }


def webhook_health(client: redis.Redis) -> WebhookHealth:
    """Read the two timestamps (one round trip)."""
    unverified, verified = client.mget(UNVERIFIED_AT_KEY, VERIFIED_AT_KEY)
    return WebhookHealth(
        int(unverified) if unverified is not None else None,
        int(verified) if verified is not None else None,
    )
