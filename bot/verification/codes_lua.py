"""The Lua scripts of the code store (kept apart so the logic reads as a whole)."""

from bot.verification.accounts import CLAIM_STEP
from bot.verification.limits_lua import LIMITS

# KEYS: code, account lock, number lock, account cooldown, the number's owner bucket ('-':
# the owner flag is taken as it is), then the send's limits (none: no limit is counted).
# ARGV: digest, channel, phone, nonce, ttl ms, cooldown ms, account tag, owner flag, the
# number's digits, the account's user id, then the limits' now and each limit's kind, amount
# and window (limits_lua).
# The owner flag comes from the number's facts, read at the dialogue's number step: a number
# verified by another account since is refused ('in_use'), and a flag no longer true either
# way answers 'stale' (the caller reads the facts again). Then the locks, the cooldown and
# the limits, refused in that order before anything is spent;
# then the limits count the send and the code replaces any live one, in one step: a refusal
# spends no budget and parallel requests cannot both pass. Answers {status, number}: the
# longest lock's or the cooldown's ms, or the first full limit's position ('limited').
# The cooldown holds per account and number (any channel, any method): the account's
# cooldown names the number it was started with. It never holds back another account, so
# a stranger's request cannot keep a number's holder from a code (the number's shared
# budget bounds what many accounts send). A corrected number may get its code at once (the
# per-account limits bound that). The number's lock does not hold back its verified owner
# (owner flag '1'): others' guesses caused it.
ISSUE = (
    LIMITS
    + """
if KEYS[5] ~= '-' then
  local owner = redis.call('HGET', KEYS[5], ARGV[9]) or ''
  if owner ~= '' and owner ~= ARGV[10] then return {'in_use', 0} end
  if (owner == ARGV[10]) ~= (ARGV[8] == '1') then return {'stale', 0} end
end
local locks = {KEYS[2]}
if ARGV[8] ~= '1' then locks[2] = KEYS[3] end
local locked = 0
for _, lock in ipairs(locks) do locked = math.max(locked, redis.call('PTTL', lock)) end
if locked > 0 then return {'locked', locked} end
if redis.call('GET', KEYS[4]) == ARGV[3] then
  local left = redis.call('PTTL', KEYS[4])
  if left > 0 then return {'cooldown', left} end
end
local full = first_full(6, 11)
if full > 0 then return {'limited', full} end
count_send(6, 11)
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'h', ARGV[1], 'c', ARGV[2], 'p', ARGV[3], 'n', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
if tonumber(ARGV[6]) > 0 then redis.call('SET', KEYS[4], ARGV[3], 'PX', ARGV[6]) end
return {'ok', 0}
"""
)

# KEYS: account cooldown. ARGV: phone.
# A send that failed for good must not hold back a retry (by the other channel, say).
END_COOLDOWN = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
"""

# Constant-time comparison of two hex digests of equal length (Redis Lua has `bit`).
CT_EQUAL = """
local function ct_equal(a, b)
  if #a ~= #b then return false end
  local diff = 0
  for i = 1, #a do diff = bit.bor(diff, bit.bxor(string.byte(a, i), string.byte(b, i))) end
  return diff == 0
end
"""

# KEYS: code, account fails, account lock, number lock, account cooldown, number fails, the
# number's owner bucket ('-': the owner flag decides), when the code was sent ('-': none).
# ARGV: digest of the typed code, max attempts (account), lock ms, account tag, owner flag,
# max attempts (number, over all accounts), the number's digits, the account's user id.
# Wrong codes are counted per account (a hash: number -> count) and per number (a hash:
# account -> count). The account is locked at its own max-th wrong code; the number at its
# number-max-th over all accounts, where one account counts at most max: one account alone
# never locks a number (number max > max), several accounts ganging up do. A right code
# forgives only the guesses at its own number, by its own account.
# Answers {status, number, channel, phone, accounts}: number = attempts left (wrong) or lock
# ms (locked); accounts = how many accounts' wrong codes locked the number (0: it was not).
# A right code also answers when it was sent (the funnel's time to verify), read and dropped
# with it. Given a claim of the number after those (KEYS and ARGV of the accounts' CLAIM_STEP
# from the 9th on), a right code sent by the claim's channel claims the number in the same
# step and answers the claim's {status, record} too ('' when no claim was run).
CHECK = (
    CT_EQUAL
    + CLAIM_STEP
    + """
local function total(key)
  local sum = 0
  for _, count in ipairs(redis.call('HVALS', key)) do sum = sum + tonumber(count) end
  return sum
end
local owner = ARGV[5] == '1'
if KEYS[7] ~= '-' then owner = redis.call('HGET', KEYS[7], ARGV[7]) == ARGV[8] end
local locks = {KEYS[3]}
if not owner then locks[2] = KEYS[4] end
for _, lock in ipairs(locks) do
  local left = redis.call('PTTL', lock)
  if left > 0 then return {'locked', left, '', '', 0} end
end
local code = redis.call('HMGET', KEYS[1], 'h', 'c', 'p')
if not code[1] then return {'none', 0, '', '', 0} end
if ct_equal(code[1], ARGV[1]) then
  redis.call('HDEL', KEYS[2], code[3])
  redis.call('HDEL', KEYS[6], ARGV[4])
  redis.call('DEL', KEYS[1], KEYS[5])
  local sent = ''
  if KEYS[8] ~= '-' then sent = redis.call('GETDEL', KEYS[8]) or '' end
  local claimed = {'', ''}
  if KEYS[9] and ARGV[11] == code[2] then
    claimed = claim({unpack(KEYS, 9, 13)}, {unpack(ARGV, 9, 17)})
  end
  return {'ok', 0, code[2], code[3], 0, sent, claimed[1], claimed[2]}
end
local max, lock_ms = tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('HINCRBY', KEYS[2], code[3], 1)
redis.call('PEXPIRE', KEYS[2], lock_ms)
-- The owner's typos do not count against its own number (its lock does not hold it back).
if not owner and tonumber(redis.call('HGET', KEYS[6], ARGV[4]) or '0') < max then
  redis.call('HINCRBY', KEYS[6], ARGV[4], 1)
  redis.call('PEXPIRE', KEYS[6], lock_ms)
end
local status, left = 'wrong', max - total(KEYS[2])
if left <= 0 then
  redis.call('SET', KEYS[3], code[3], 'PX', lock_ms)
  redis.call('DEL', KEYS[1], KEYS[2])
  status = 'locked_now'
end
local accounts = 0
if not owner and total(KEYS[6]) >= tonumber(ARGV[6]) then
  -- The counts stay (they expire with the lock): /unlock by number finds the accounts.
  accounts = redis.call('HLEN', KEYS[6])
  redis.call('SET', KEYS[4], KEYS[3], 'PX', lock_ms)
  redis.call('DEL', KEYS[1])
  if status == 'wrong' then status = 'number_locked_now' end
end
if status == 'wrong' then return {status, left, code[2], code[3], accounts} end
return {status, lock_ms, code[2], code[3], accounts}
"""
)

# KEYS: account lock, account fails, number lock ('-' when not given). The account's lock
# holds its number; the number's lock holds the lock key of the account whose wrong code
# locked it, and the number's counts name every account that guessed at it. Lifting a
# number lifts it and the accounts locked at it; lifting an account lifts its number only
# when that account's wrong code locked it. A lifted account may ask for a code at once.
UNLOCK = """
local lifted, accounts = 0, {}
local function lift_number(key)
  local phone = string.sub(key, string.len('otp-lock:phone:') + 1)
  local fails = 'otp-fails:phone:' .. phone
  local locker = redis.call('GET', key)
  if locker then table.insert(accounts, locker) end
  for _, tag in ipairs(redis.call('HKEYS', fails)) do
    local lock = 'otp-lock:' .. tag
    if redis.call('GET', lock) == phone then table.insert(accounts, lock) end
  end
  redis.call('DEL', fails)
  return redis.call('DEL', key)
end
if KEYS[3] ~= '-' then lifted = lifted + lift_number(KEYS[3]) end
if KEYS[1] ~= '-' then
  local phone = redis.call('GET', KEYS[1])
  if phone then
    local key = 'otp-lock:phone:' .. phone
    if redis.call('GET', key) == KEYS[1] then lifted = lifted + lift_number(key) end
  end
  table.insert(accounts, KEYS[1])
end
for _, account in ipairs(accounts) do
  local was = redis.call('DEL', account)
  lifted = lifted + was
  redis.call('DEL', (string.gsub(account, '^otp%-lock:', 'otp-fails:')))
  if was > 0 then redis.call('DEL', (string.gsub(account, '^otp%-lock:', 'otp-cooldown:'))) end
end
return lifted
"""
