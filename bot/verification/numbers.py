"""How many different numbers an account tries: the chat must not be a phone-number oracle.

Each account may try OTP_NUMBERS_PER_ACCOUNT_HOUR and OTP_NUMBERS_PER_ACCOUNT_DAY different
valid numbers (SPEC §2 item 2). A number counts once however often it is re-entered, a
number refused as in use or locked counts too (or the limit would not stop probing), and
invalid input never reaches here. The count is one sorted set per account (keyed hash of
the number -> when it was first tried), checked and recorded in one Lua step, so parallel
requests cannot slip past it. The numbers are stored as keyed hashes: a record of what
someone probed is not a list of phone numbers.
"""

from __future__ import annotations

import hashlib
import hmac
import time

import redis

from bot.keys import ScriptArgs, UserRef

# KEYS: the account's numbers (zset: keyed hash -> first tried, ms); windows of a day and an
# hour in ms.
# ARGV: the number's keyed hash, now ms, per-hour limit, per-day limit.
# Answers the ms to wait until one more new number is allowed (0: admitted).
ADMIT = """
local now = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 86400000)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local hour = redis.call('ZRANGEBYSCORE', KEYS[1], now - 3600000, '+inf', 'WITHSCORES')
if #hour / 2 >= tonumber(ARGV[3]) then return tonumber(hour[2]) + 3600000 - now end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tonumber(oldest[2]) + 86400000 - now
end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], 86400000)
return 0
"""


class NumberTries:
    """Owns otp-numbers:{oa:user}, the different numbers an account tried this day."""

    def __init__(self, client: redis.Redis, hash_key: str, per_hour: int, per_day: int) -> None:
        self.client = client
        self.hash_key = hash_key
        self.per_hour = per_hour
        self.per_day = per_day
        self._admit = client.register_script(ADMIT)

    def admit(self, user: UserRef, phone: str) -> int:
        """Count phone as tried by the account (once); seconds to wait when over a limit."""
        member = hmac.new(self.hash_key.encode(), phone.encode(), hashlib.sha256).hexdigest()
        now_ms = int(time.time() * 1000)
        args: ScriptArgs = [member[:32], now_ms, self.per_hour, self.per_day]
        wait_ms = int(self._admit(keys=[user.key("otp-numbers")], args=args))
        return max(1, -(-wait_ms // 1000)) if wait_ms > 0 else 0

    def clear(self, user: UserRef) -> None:
        """Forget the numbers the account tried (sandbox reset)."""
        self.client.delete(user.key("otp-numbers"))
