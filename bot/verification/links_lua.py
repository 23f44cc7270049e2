"""The Lua scripts of the link store (kept apart so the logic reads as a whole)."""

# KEYS: the account's current-code pointer, the new code's key.
# ARGV: account id, digest of the new code, ttl ms, prefix of code keys.
# A new code revokes the account's previous one: only the last code shown in the portal works.
ISSUE = """
local old = redis.call('GET', KEYS[1])
if old then redis.call('DEL', ARGV[4] .. old) end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
"""

# KEYS: the user's wrong-code counter, the typed code's key.
# ARGV: max wrong codes, lock ms.
# Counting and redeeming are one step, like one-time codes: parallel guesses cannot slip
# past the cap. Answers {status, value}: ok + account id, wrong + tries left, locked + ms.
REDEEM = """
local fails = tonumber(redis.call('GET', KEYS[1]) or '0')
if fails >= tonumber(ARGV[1]) then return {'locked', redis.call('PTTL', KEYS[1])} end
local account = redis.call('GET', KEYS[2])
if account then
  redis.call('DEL', KEYS[2])
  return {'ok', account}
end
fails = redis.call('INCR', KEYS[1])
if fails == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if fails >= tonumber(ARGV[1]) then return {'locked', redis.call('PTTL', KEYS[1])} end
return {'wrong', tonumber(ARGV[1]) - fails}
"""

# KEYS: user -> account bucket, account -> user bucket, old account's bucket ('-'),
# old user's bucket ('-'), the user's own link key, the old user's ('-').
# ARGV: user id, account id, expected old account, expected old user.
# One Zalo user per portal account and one portal account per Zalo user: linking again
# moves the link, in one step ('stale': someone linked in between, read again). The user's
# own key repeats the link so that the events stage's claim reads it with the conversation.
LINK = """
if (redis.call('HGET', KEYS[1], ARGV[1]) or '') ~= ARGV[3] then return 'stale' end
if (redis.call('HGET', KEYS[2], ARGV[2]) or '') ~= ARGV[4] then return 'stale' end
if ARGV[3] ~= '' then redis.call('HDEL', KEYS[3], ARGV[3]) end
if ARGV[4] ~= '' then
  redis.call('HDEL', KEYS[4], ARGV[4])
  redis.call('DEL', KEYS[6])
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
redis.call('SET', KEYS[5], ARGV[2])
return 'ok'
"""

# KEYS: one user -> account bucket. ARGV: the prefix of the users' own link keys
# ('linked:{<oa>:'). Copies each link of the bucket to its user's own key (the upgrade to
# those keys); atomic, so a link moved meanwhile is copied as it is now.
MIRROR = """
local links = redis.call('HGETALL', KEYS[1])
for i = 1, #links, 2 do redis.call('SET', ARGV[1] .. links[i] .. '}', links[i + 1]) end
return #links / 2
"""
