"""How many different numbers an account tries: the chat must not be a phone-number oracle.

Each account may try OTP_NUMBERS_PER_ACCOUNT_HOUR and OTP_NUMBERS_PER_ACCOUNT_DAY different
valid numbers (SPEC §2 item 2). A number counts once however often it is re-entered, a
number refused as in use or locked counts too (or the limit would not stop probing), and
invalid input never reaches here. The count is one sorted set per account (keyed hash of
the number -> when it was first tried), checked and recorded in one Lua step, so parallel
requests cannot slip past it; the same step reads the number's owner and lock, all the
verifier asks of a number (one round trip per number step). The numbers are stored as keyed
hashes: a record of what someone probed is not a list of phone numbers.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

import redis

from bot.keys import ScriptArgs, UserRef, text
from bot.verification.codes import ceil_seconds

# The account's numbers (zset: keyed hash -> first tried, ms), the number's keyed hash, now
# ms, the per-hour and per-day limits. Answers the ms to wait until one more new number is
# allowed (0: admitted).
ADMIT = """
local function admit(key, member, now, per_hour, per_day)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - 86400000)
  if redis.call('ZSCORE', key, member) then return 0 end
  local hour = redis.call('ZRANGEBYSCORE', key, now - 3600000, '+inf', 'WITHSCORES')
  if #hour / 2 >= per_hour then return tonumber(hour[2]) + 3600000 - now end
  if redis.call('ZCARD', key) >= per_day then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    return tonumber(oldest[2]) + 86400000 - now
  end
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, 86400000)
  return 0
end
"""

# KEYS: the account's numbers, the number's owner bucket, the number's lock.
# ARGV: the number's keyed hash, now ms, per-hour limit, per-day limit, the number's digits,
# the account's user id.
# What the verifier asks of a number, in one step: its verified owner ('': none), its lock's
# ms left and value (the lock key of the account whose wrong code set it), and the ms to wait
# for one more new number (0: admitted; a number the account holds is not counted).
FACTS = (
    ADMIT
    + """
local owner = redis.call('HGET', KEYS[2], ARGV[5]) or ''
local lock_ms = redis.call('PTTL', KEYS[3])
local locker = redis.call('GET', KEYS[3]) or ''
local wait = 0
if owner ~= ARGV[6] then
  wait = admit(KEYS[1], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]))
end
return {owner, lock_ms, locker, wait}
"""
)


@dataclass(frozen=True)
class NumberFacts:
    """A number as one account meets it (NumberTries.facts())."""

    owner: str | None  # the user id that verified it
    lock_ms: int  # its lock's time left (<= 0: not locked)
    locked_by: str  # the lock key of the account whose wrong code locked it
    wait_seconds: int  # until the account may try one more new number (0: admitted)


class NumberTries:
    """Owns otp-numbers:{oa:user}, the different numbers an account tried this day."""

    def __init__(self, client: redis.Redis, hash_key: str, per_hour: int, per_day: int) -> None:
        self.client = client
        self.hash_key = hash_key
        self.per_hour = per_hour
        self.per_day = per_day
        self._facts = client.register_script(FACTS)

    def facts(self, user: UserRef, phone: str, owner_key: str, lock_key: str) -> NumberFacts:
        """The number's owner (in owner_key, a bucketed hash) and lock (lock_key), counting it as
        tried by the account (once; not when the account holds it), in one round trip."""
        member = hmac.new(self.hash_key.encode(), phone.encode(), hashlib.sha256).hexdigest()
        now_ms = int(time.time() * 1000)
        args: ScriptArgs = [member[:32], now_ms, self.per_hour, self.per_day]
        args += [phone.lstrip("+"), user.user_id]
        keys = [user.key("otp-numbers"), owner_key, lock_key]
        owner, lock_ms, locker, wait_ms = self._facts(keys=keys, args=args)
        return NumberFacts(text(owner) or None, int(lock_ms), text(locker), ceil_seconds(wait_ms))

    def clear(self, user: UserRef) -> None:
        """Forget the numbers the account tried (sandbox reset)."""
        self.client.delete(user.key("otp-numbers"))
