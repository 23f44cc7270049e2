"""The Lua scripts of the code store (kept apart so the logic reads as a whole)."""

# KEYS: code, account lock, number lock, account cooldown, number cooldown.
# ARGV: digest, channel, phone, nonce, ttl ms, cooldown ms, account tag, owner flag.
# The cooldown holds per account and number (any channel) and per number (any account, any
# channel): switching channels or methods does not send a second code sooner; a corrected
# number may get its code at once (the per-account daily limit bounds that). The number's
# lock does not hold back its verified owner (owner flag '1'): others' guesses caused it.
ISSUE = """
local locks = {KEYS[2]}
if ARGV[8] ~= '1' then locks[2] = KEYS[3] end
for _, lock in ipairs(locks) do
  local left = redis.call('PTTL', lock)
  if left > 0 then return {'locked', left} end
end
local cooling = {KEYS[5]}
if redis.call('GET', KEYS[4]) == ARGV[3] then cooling[2] = KEYS[4] end
for _, key in ipairs(cooling) do
  local left = redis.call('PTTL', key)
  if left > 0 then return {'cooldown', left} end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'h', ARGV[1], 'c', ARGV[2], 'p', ARGV[3], 'n', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
if tonumber(ARGV[6]) > 0 then
  redis.call('SET', KEYS[4], ARGV[3], 'PX', ARGV[6])
  redis.call('SET', KEYS[5], ARGV[7], 'PX', ARGV[6])
end
return {'ok', 0}
"""

# KEYS: account cooldown, number cooldown. ARGV: phone, account tag.
# A send that failed for good must not hold back a retry (by the other channel, say).
END_COOLDOWN = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
if redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end
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

# KEYS: code, account fails, account lock, number lock, account cooldown, number fails,
# number cooldown. ARGV: digest of the typed code, max attempts, lock ms, account tag, owner.
# Wrong codes are counted per account (a hash: number -> count) and per number (a hash:
# account -> count), so five accounts cannot take 4 guesses each at one number; a right code
# forgives only the guesses at its own number, by its own account.
# Answers {status, number, channel, phone}: number = attempts left (wrong) or lock ms (locked).
CHECK = (
    CT_EQUAL
    + """
local function total(key)
  local sum = 0
  for _, count in ipairs(redis.call('HVALS', key)) do sum = sum + tonumber(count) end
  return sum
end
local locks = {KEYS[3]}
if ARGV[5] ~= '1' then locks[2] = KEYS[4] end
for _, lock in ipairs(locks) do
  local left = redis.call('PTTL', lock)
  if left > 0 then return {'locked', left, '', ''} end
end
local code = redis.call('HMGET', KEYS[1], 'h', 'c', 'p')
if not code[1] then return {'none', 0, '', ''} end
if ct_equal(code[1], ARGV[1]) then
  redis.call('HDEL', KEYS[2], code[3])
  redis.call('HDEL', KEYS[6], ARGV[4])
  redis.call('DEL', KEYS[1], KEYS[5])
  if redis.call('GET', KEYS[7]) == ARGV[4] then redis.call('DEL', KEYS[7]) end
  return {'ok', 0, code[2], code[3]}
end
redis.call('HINCRBY', KEYS[2], code[3], 1)
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('HINCRBY', KEYS[6], ARGV[4], 1)
redis.call('PEXPIRE', KEYS[6], ARGV[3])
local max = tonumber(ARGV[2])
local left = math.min(max - total(KEYS[2]), max - total(KEYS[6]))
if left <= 0 then
  if total(KEYS[2]) >= max then redis.call('SET', KEYS[3], code[3], 'PX', ARGV[3]) end
  redis.call('SET', KEYS[4], KEYS[3], 'PX', ARGV[3])
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[6])
  return {'locked_now', tonumber(ARGV[3]), code[2], code[3]}
end
return {'wrong', left, code[2], code[3]}
"""
)

# KEYS: account lock, account fails, number lock ('-' when not given). Each lock names the
# other side (the account's lock holds the number, the number's lock holds the account's
# lock key), so lifting one lifts both; lifting a lock also ends the resend cooldown.
UNLOCK = """
local lifted = 0
local account, number = KEYS[1], KEYS[3]
local function lift_number(key)
  local phone = string.sub(key, string.len('otp-lock:phone:') + 1)
  redis.call('DEL', 'otp-fails:phone:' .. phone, 'otp-cooldown:phone:' .. phone)
  return redis.call('DEL', key)
end
if number ~= '-' then
  local other = redis.call('GET', number)
  if other then account = other end
  lifted = lifted + lift_number(number)
end
if account ~= '-' then
  local phone = redis.call('GET', account)
  if phone then lifted = lifted + lift_number('otp-lock:phone:' .. phone) end
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
