"""The send limits' Lua, as functions: the limits' own script and the code's issue share it."""

# Every limit of a send in one step: each is tested and, only when all have room, each counts
# the send, atomically. The keys and values are the `limits` library's own (a moving window: a
# list of timestamps, newest first, as its acquire_moving_window.lua keeps it; a fixed window:
# a counter), so its window stats and clear() read them as before. The limits are KEYS[first]
# to the last key, one each; ARGV[at] is now, then each limit's kind ('moving' or 'fixed'),
# amount and window in seconds. first_full answers the first full limit's position (1-based),
# 0 when all have room; count_send counts the send in each.
LIMITS = """
local function limit_of(first, at, i)
  local arg = at + 3 * (i - first) + 1
  return KEYS[i], ARGV[arg], tonumber(ARGV[arg + 1]), tonumber(ARGV[arg + 2])
end
local function first_full(first, at)
  local now = tonumber(ARGV[at])
  for i = first, #KEYS do
    local key, kind, amount, window = limit_of(first, at, i)
    if kind == 'moving' then
      local oldest = amount > 0 and redis.call('LINDEX', key, amount - 1)
      if amount < 1 or (oldest and tonumber(oldest) >= now - window) then
        return i - first + 1
      end
    elseif tonumber(redis.call('GET', key) or '0') >= amount then
      return i - first + 1
    end
  end
  return 0
end
local function count_send(first, at)
  for i = first, #KEYS do
    local key, kind, amount, window = limit_of(first, at, i)
    if kind == 'moving' then
      redis.call('LPUSH', key, ARGV[at])
      redis.call('LTRIM', key, 0, amount - 1)
      redis.call('EXPIRE', key, window)
    elseif redis.call('INCR', key) == 1 then
      redis.call('EXPIRE', key, window)
    end
  end
end
"""

# KEYS: one per limit. ARGV: now, then each limit's kind, amount and window. Answers the
# first full limit's position, or 0 when the send was counted.
ACQUIRE = (
    LIMITS
    + """
local full = first_full(1, 1)
if full > 0 then return full end
count_send(1, 1)
return 0
"""
)
