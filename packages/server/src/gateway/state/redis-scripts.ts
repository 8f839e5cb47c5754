/**
 * The Lua scripts that make each counter operation atomic in Redis. They mirror sliding-window.ts and fixed-window.ts
 * line for line; the shared test suite (test/gateway-state/state.test.ts) runs both against the same cases.
 * The caller passes the time, so every gateway process (and a test's clock) decides alike.
 */
import { createHash } from "node:crypto";
import { MAX_RATE_WINDOW_SECONDS } from "./gateway-state.js";

export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): LuaScript {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

/**
 * KEYS[i]: one hash per counter, field = epoch second, value = calls counted in that second.
 * ARGV: now (ms), count, mode (peek | hit | add), then limit and window (seconds) of each key.
 * Returns { allowed (1/0), remaining, retry-after seconds }.
 */
export const RATE_SCRIPT = script(`
local now = tonumber(ARGV[1])
local count = tonumber(ARGV[2])
local mode = ARGV[3]
local second = math.floor(now / 1000)
local allowed = true
local wait = 0
local totals = {}
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 + 2 * i])
  local window = tonumber(ARGV[3 + 2 * i])
  local flat = redis.call('HGETALL', key)
  local buckets = {}
  local total = 0
  for j = 1, #flat, 2 do
    local b = tonumber(flat[j])
    if b <= second - ${MAX_RATE_WINDOW_SECONDS} then
      redis.call('HDEL', key, flat[j])
    elseif b > second - window and b <= second then
      local c = tonumber(flat[j + 1])
      total = total + c
      buckets[#buckets + 1] = { b, c }
    end
  end
  if total + count > limit then
    allowed = false
    local w = window * 1000
    if count <= limit then
      table.sort(buckets, function(x, y) return x[1] < y[1] end)
      local excess = total + count - limit
      local freed = 0
      for _, bucket in ipairs(buckets) do
        freed = freed + bucket[2]
        if freed >= excess then
          w = (bucket[1] + window) * 1000 - now
          break
        end
      end
    end
    if w > wait then wait = w end
  end
  totals[i] = { limit, total }
end
local remaining = -1
for _, t in ipairs(totals) do
  local r = t[1] - t[2]
  if allowed then r = r - count end
  if r < 0 then r = 0 end
  if remaining < 0 or r < remaining then remaining = r end
end
if mode == 'add' or (mode == 'hit' and allowed) then
  for _, key in ipairs(KEYS) do
    redis.call('HINCRBY', key, second, count)
    redis.call('EXPIRE', key, ${MAX_RATE_WINDOW_SECONDS + 1})
  end
end
local retry = 0
if not allowed then retry = math.max(1, math.ceil(wait / 1000)) end
return { allowed and 1 or 0, remaining, retry }
`);

/**
 * KEYS[i]: one hash per quota: p = period index, c = calls and b = bytes counted in that period.
 * ARGV: now (ms), calls (checked, and added when counting), bytes (added), mode (peek | hit | add), then for each
 * key: call limit (-1: none), byte limit (-1: none), period (ms; 0: never ends), first period's start (epoch ms).
 * Returns { allowed (1/0), exceeded (0, 1 calls, 2 bandwidth), remaining calls (-1: no call quota),
 * retry-after seconds (-1: never) }.
 */
export const QUOTA_SCRIPT = script(`
local now = tonumber(ARGV[1])
local calls = tonumber(ARGV[2])
local bytes = tonumber(ARGV[3])
local mode = ARGV[4]
local exceeded = 0
local wait = 0
local lifetime = false
local quotas = {}
for i, key in ipairs(KEYS) do
  local base = 4 * i
  local callLimit = tonumber(ARGV[base + 1])
  local byteLimit = tonumber(ARGV[base + 2])
  local period = tonumber(ARGV[base + 3])
  local start = tonumber(ARGV[base + 4])
  local index = 0
  if period > 0 then index = math.floor((now - start) / period) end
  local stored = redis.call('HMGET', key, 'p', 'c', 'b')
  local c, b = 0, 0
  if tonumber(stored[1]) == index then
    c = tonumber(stored[2]) or 0
    b = tonumber(stored[3]) or 0
  end
  local kind = 0
  if callLimit >= 0 and c + calls > callLimit then
    kind = 1
  elseif byteLimit >= 0 and b >= byteLimit then
    kind = 2
  end
  if kind > 0 then
    if exceeded == 0 then exceeded = kind end
    if period == 0 then
      lifetime = true
    else
      local w = start + (index + 1) * period - now
      if w > wait then wait = w end
    end
  end
  quotas[i] = { key, index, c, callLimit, period, start }
end
local allowed = exceeded == 0
local remaining = -1
for _, q in ipairs(quotas) do
  if q[4] >= 0 then
    local r = q[4] - q[3]
    if allowed then r = r - calls end
    if r < 0 then r = 0 end
    if remaining < 0 or r < remaining then remaining = r end
  end
end
if mode == 'add' or (mode == 'hit' and allowed) then
  for _, q in ipairs(quotas) do
    local key, index = q[1], q[2]
    if tonumber(redis.call('HGET', key, 'p')) ~= index then
      redis.call('HSET', key, 'p', index, 'c', 0, 'b', 0)
    end
    redis.call('HINCRBY', key, 'c', calls)
    redis.call('HINCRBY', key, 'b', bytes)
    if q[5] > 0 then
      redis.call('PEXPIRE', key, q[6] + (index + 1) * q[5] - now + 60000)
    end
  end
end
local retry = -1
if not allowed and not lifetime then retry = math.max(1, math.ceil(wait / 1000)) end
return { allowed and 1 or 0, exceeded, remaining, retry }
`);
