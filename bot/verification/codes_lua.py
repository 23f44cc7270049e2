"""The Lua scripts of the code store (kept apart so the logic reads as a whole)."""

# KEYS: code, fails, account lock, number lock, cooldown.
# ARGV: digest, channel, phone, nonce, ttl ms, cooldown ms, account tag.
# The cooldown holds 'channel:phone': it slows down resends of the same code, not a switch
# to the other channel (offered when a send fails) or to another number.
ISSUE = """
for _, lock in ipairs({KEYS[3], KEYS[4]}) do
  local left = redis.call('PTTL', lock)
  if left > 0 then return {'locked', left} end
end
local target = ARGV[2] .. ':' .. ARGV[3]
if redis.call('GET', KEYS[5]) == target then
  local cooling = redis.call('PTTL', KEYS[5])
  if cooling > 0 then return {'cooldown', cooling} end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'h', ARGV[1], 'c', ARGV[2], 'p', ARGV[3], 'n', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
if tonumber(ARGV[6]) > 0 then redis.call('SET', KEYS[5], target, 'PX', ARGV[6]) end
return {'ok', 0}
"""

# KEYS: cooldown. ARGV: 'channel:phone'. A send that failed for good must not hold back a retry.
END_COOLDOWN = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
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

# KEYS: code, fails, account lock, number lock, cooldown.
# ARGV: digest of the typed code, max attempts, lock ms.
# Answers {status, number, channel, phone}: number = attempts left (wrong) or lock ms (locked).
CHECK = (
    CT_EQUAL
    + """
for _, lock in ipairs({KEYS[3], KEYS[4]}) do
  local left = redis.call('PTTL', lock)
  if left > 0 then return {'locked', left, '', ''} end
end
local code = redis.call('HMGET', KEYS[1], 'h', 'c', 'p')
if not code[1] then return {'none', 0, '', ''} end
if ct_equal(code[1], ARGV[1]) then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[5])
  return {'ok', 0, code[2], code[3]}
end
local fails = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
if fails >= tonumber(ARGV[2]) then
  redis.call('SET', KEYS[3], code[3], 'PX', ARGV[3])
  redis.call('SET', KEYS[4], KEYS[3], 'PX', ARGV[3])
  redis.call('DEL', KEYS[1], KEYS[2])
  return {'locked_now', tonumber(ARGV[3]), code[2], code[3]}
end
return {'wrong', tonumber(ARGV[2]) - fails, code[2], code[3]}
"""
)

# KEYS: account lock, account fails, number lock ('-' when not given). Each lock names the
# other side (the account's lock holds the number, the number's lock holds the account's
# lock key), so lifting one lifts both; lifting a lock also ends the resend cooldown.
UNLOCK = """
local lifted = 0
local account, number = KEYS[1], KEYS[3]
if number ~= '-' then
  local other = redis.call('GET', number)
  if other then account = other end
  lifted = lifted + redis.call('DEL', number)
end
if account ~= '-' then
  local phone = redis.call('GET', account)
  if phone then lifted = lifted + redis.call('DEL', 'otp-lock:phone:' .. phone) end
  lifted = lifted + redis.call('DEL', account)
  local fails = string.gsub(account, '^otp%-lock:', 'otp-fails:')
  redis.call('DEL', fails)
  -- An admin lifted a real lock: the user may ask for a new code right away.
  if lifted > 0 then
    redis.call('DEL', (string.gsub(account, '^otp%-lock:', 'otp-cooldown:')))
  end
end
return lifted
"""
