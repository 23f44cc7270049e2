"""Short leases kept alive while their work runs, so a killed process frees its users in seconds.

A per-user lock (drain lock, send lock, code-send lock) lasts LEASE_MS. While this process
works on a user, its lease keeper renews the lock every RENEW_EVERY_SECONDS (one round trip for
every lock the process holds); a process that dies stops renewing, and its users are due to
another runner within LEASE_MS. A lock found no longer ours (released, or lost) is forgotten.

Redis away for longer than a lease (a restart, a failover) lets the locks of work still under
way run out while nobody can renew them: as soon as Redis answers, before any runner's
backoff ends, the keeper takes back those of its locks that nobody else took meanwhile, so
that a live worker's users are not served twice.
"""

from __future__ import annotations

import logging
import os
import threading
import time

import redis

from bot.redis_client import cached_script

log = logging.getLogger(__name__)

LEASE_MS = 5000
RENEW_EVERY_SECONDS = 1.0
# While Redis does not answer, the keeper tries this often (its locks run out meanwhile).
RETRY_EVERY_SECONDS = 0.1
# No send or batch takes this long: a lock kept longer was forgotten by its holder (a bug),
# and is left to run out rather than held for ever.
MAX_KEEP_SECONDS = 600.0

# KEYS: locks. ARGV: ttl ms, reassert (1: a lock that ran out while Redis was away is taken
# again if nobody took it), then the token of each lock. 1 per lock renewed, 0 if not ours.
RENEW = """
local reassert = ARGV[2] == '1'
local renewed = {}
for i = 1, #KEYS do
  local holder = redis.call('GET', KEYS[i])
  if holder == ARGV[i + 2] then
    redis.call('PEXPIRE', KEYS[i], ARGV[1])
    renewed[i] = 1
  elseif reassert and not holder then
    redis.call('SET', KEYS[i], ARGV[i + 2], 'PX', ARGV[1])
    renewed[i] = 1
  else
    renewed[i] = 0
  end
end
return renewed
"""


class LeaseKeeper:
    """The locks this process holds, renewed by one daemon thread (started on first use)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        # (client, lock key) -> (token, kept since): one entry per lock held.
        self._held: dict[tuple[redis.Redis, str], tuple[str, float]] = {}
        self._pid = 0
        # A forked child (RQ's work horse) starts with nothing held and a lock of its own.
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self) -> None:
        """In a forked child: the parent's locks are the parent's to renew."""
        self._guard = threading.Lock()
        self._held = {}
        self._pid = 0

    def keep(self, client: redis.Redis, key: str, token: str) -> None:
        """Renew key while it holds token, until drop() or until it is no longer ours."""
        with self._guard:
            self._held[(client, key)] = (token, time.monotonic())
            if self._pid != os.getpid():  # first use, or a forked child: no thread here yet
                self._pid = os.getpid()
                threading.Thread(target=self._run, name="lease-keeper", daemon=True).start()

    def drop(self, client: redis.Redis, key: str, token: str) -> None:
        """Stop renewing key (the work is done or the lock released)."""
        with self._guard:
            if self._held.get((client, key), ("",))[0] == token:
                del self._held[(client, key)]

    def held(self) -> int:
        """How many locks are kept now."""
        with self._guard:
            return len(self._held)

    def _run(self) -> None:
        """Renew every RENEW_EVERY_SECONDS for as long as the process lives; after a failed
        round, retry every RETRY_EVERY_SECONDS and take back what ran out meanwhile."""
        failed = False
        while True:
            time.sleep(RETRY_EVERY_SECONDS if failed else RENEW_EVERY_SECONDS)
            try:
                self.renew(reassert=failed)
                failed = False
            except Exception as exc:  # Redis away: the next round tries again, soon
                log.debug("lease renewal failed: %s", exc)
                failed = True

    def renew(self, reassert: bool = False) -> None:
        """One round: each client's locks in one script call; those not ours are forgotten.
        reassert (after an outage): a lock that ran out is ours again unless another took it."""
        now = time.monotonic()
        with self._guard:
            for entry in [
                e for e, (_, since) in self._held.items() if now - since > MAX_KEEP_SECONDS
            ]:
                del self._held[entry]
            by_client: dict[redis.Redis, list[tuple[str, str]]] = {}
            for (client, key), (token, _) in self._held.items():
                by_client.setdefault(client, []).append((key, token))
        for client, locks in by_client.items():
            script = cached_script(client, RENEW)
            args: list[int | str] = [LEASE_MS, int(reassert), *[t for _, t in locks]]
            answers = script(keys=[k for k, _ in locks], args=args)
            for (key, token), renewed in zip(locks, answers, strict=True):
                if not renewed:
                    self.drop(client, key, token)


KEEPER = LeaseKeeper()
