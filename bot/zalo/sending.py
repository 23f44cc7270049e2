"""Whether the bot can send through an OA: `ok`, or `held` (why, since when), kept in Redis.

While an OA is held (its token refused, the OA disabled or out of quota, OAuth or Zalo out of
reach), its messages and codes wait in their queues: no send spends a retry, and one probe
every PROBE_SECONDS (across all processes) finds out whether sending works again. Each change
of state is logged once, by the process that made it: ERROR when sending stops, INFO when it
resumes.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import redis

from bot.keys import text
from bot.metrics import ZALO_HELD
from bot.redis_client import cached_script
from zalo_api.errors import ZaloError

log = logging.getLogger(__name__)

OK, HELD = "ok", "held"
# A held OA is tried again this often (one send, by whichever process takes the probe).
PROBE_SECONDS = 2.0
# How long a process trusts its last look at an OA's state (one GET a second, not per send).
CACHE_SECONDS = 1.0

# KEYS: state. ARGV: reason, now. 1 if this call stopped sending.
HOLD = """
if redis.call('HGET', KEYS[1], 'state') == 'held' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'held', 'reason', ARGV[1], 'since', ARGV[2])
return 1
"""
# KEYS: state. ARGV: now. The held-since time if this call resumed sending, else false.
RESUME = """
if redis.call('HGET', KEYS[1], 'state') ~= 'held' then return false end
local since = redis.call('HGET', KEYS[1], 'since')
redis.call('HSET', KEYS[1], 'state', 'ok', 'reason', '', 'since', ARGV[1])
return since
"""


class SendHeld(Exception):
    """This send must wait: the OA is held (or Zalo asks to slow down); no retry is spent."""

    def __init__(self, wait_seconds: float = PROBE_SECONDS) -> None:
        super().__init__(f"held for {wait_seconds:.1f}s")
        self.wait_ms = int(wait_seconds * 1000)


@dataclass(frozen=True)
class SendingState:
    """One OA's state as stored."""

    oa_id: str
    state: str
    reason: str
    since: float  # Unix time of the last change (0: never changed)

    def as_json(self) -> dict[str, Any]:
        """What /readyz and `flask zalo status` show."""
        since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.since)) if self.since else None
        return {"state": self.state, "reason": self.reason or None, "since": since}


# This process's last look at each OA: oa id -> (monotonic time, held).
_seen: dict[str, tuple[float, bool]] = {}
_seen_guard = threading.Lock()


class Sending:
    """Owns zalo:sending:{oa_id} (a hash: state, reason, since) and its probe key."""

    def __init__(self, client: redis.Redis, oa_id: str) -> None:
        self.client = client
        self.oa_id = oa_id
        self.key = f"zalo:sending:{{{oa_id}}}"
        self.probe_key = f"zalo:sending-probe:{{{oa_id}}}"

    def read(self) -> SendingState:
        """The stored state (ok when none was ever stored)."""
        found = self.client.hgetall(self.key)
        fields = {text(k): text(v) for k, v in found.items()}
        state = fields.get("state", OK)
        return SendingState(
            self.oa_id, state, fields.get("reason", ""), float(fields.get("since") or 0)
        )

    def held_here(self) -> bool:
        """Held, as this process last saw it (read again at most every CACHE_SECONDS)."""
        with _seen_guard:
            seen = _seen.get(self.oa_id)
        if seen is not None and time.monotonic() - seen[0] < CACHE_SECONDS:
            return seen[1]
        held = text(self.client.hget(self.key, "state") or b"") == HELD
        self._note(held)
        return held

    def _note(self, held: bool) -> None:
        """Remember what this process saw."""
        with _seen_guard:
            _seen[self.oa_id] = (time.monotonic(), held)

    def may_send(self) -> bool:
        """Whether to call Zalo now: always while ok; while held, only the one probe."""
        if not self.held_here():
            return True
        return bool(self.client.set(self.probe_key, "1", nx=True, px=int(PROBE_SECONDS * 1000)))

    def hold(self, reason: str) -> bool:
        """Sending through this OA stopped (True if this call changed the state)."""
        self._note(True)
        script = cached_script(self.client, HOLD)
        changed = bool(script(keys=[self.key], args=[reason, time.time()]))
        if changed:
            log.error(
                "Zalo sending through OA %s stopped: %s (replies and codes are held)",
                self.oa_id,
                reason,
            )
        return changed

    def stopped_by(self, exc: ZaloError, kind: str) -> SendHeld:
        """Zalo refused a send (a reply or a code) for a fault of the bot's: hold the OA; the
        exception that keeps the send queued."""
        self.hold(f"{exc.fault}: {exc}")
        ZALO_HELD.labels(kind).inc()
        return SendHeld()

    def sent(self) -> bool:
        """A send worked: if this process saw the OA held, resume (True if this call did)."""
        with _seen_guard:
            seen = _seen.get(self.oa_id)
        if seen is None or not seen[1]:
            return False
        self._note(False)
        script = cached_script(self.client, RESUME)
        since = script(keys=[self.key], args=[time.time()])
        if not since:
            return False
        held_for = time.time() - float(since)
        log.info("Zalo sending through OA %s resumed after %.0f s held", self.oa_id, held_for)
        return True

    def forget(self) -> None:
        """The OA is no longer served (unlinked): its state goes, so the messages still queued
        for it are dropped at once (as unlinked) instead of one per probe."""
        self.client.delete(self.key, self.probe_key)


def all_states(client: redis.Redis, oa_ids: list[str]) -> list[SendingState]:
    """The state of each OA of oa_ids (/readyz, /metrics and `flask zalo status` pass the
    OAs served now: a second OA shows `ok` before it was ever held, an unlinked one not at all,
    so a state it kept is not an alert for ever)."""
    return [Sending(client, oa_id).read() for oa_id in oa_ids]
