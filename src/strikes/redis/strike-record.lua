--[[
  strike-record.lua: records one batch of strikes (modstream strike store), in order.

  Semantics match src/strikes/memory (tests/contract/strikes.contract.ts): a strike recorded at event time
  ts with ttlMs is live at time t while t < ts + ttlMs; a request's answer is the summed weight of its
  user's live strikes in its group at the request's ts, its own strike included. A messageId already
  recorded (and not yet expired) records nothing and gets its first answer back, flagged as a duplicate;
  strikes expired by the request's ts are dropped whether it is a duplicate or not.

  State: one binary string per user per group, fixed-width little-endian records in recording order,
  written back with SET ... PX (the longest remaining strike life), 40 bytes per strike:
    expiresAt (double), messageId hash (double), weight (double), strikes answered (double),
    ts (double: the event time it was recorded at, for strike-peek.lua)
  key <prefix>{<platform>:<groupId>}:st:v1:<userId>   (v1: STRIKES_FORMAT in src/redis/keys.ts, bumped when
  this layout changes)

  Input:
    KEYS[1..k]  the distinct strike logs the requests use; requests refer to them by index
    ARGV[1]     requests, 5 little-endian doubles (40 bytes) each: key, messageId hash, ts, weight, ttlMs
    ARGV[2]     most strikes one log keeps (the soonest-expiring is dropped beyond it)
  Output: a flat array, per request in order: strikes (string: weights need not be integers),
          duplicate (0|1)
]]

local sunpack = struct.unpack
local spack = struct.pack
local sub = string.sub
local concat = table.concat
local fmt = string.format
local floor = math.floor
local ceil = math.ceil

local REC = '<ddddd'
local W = 40

local function record(out, key, idHash, t, weight, ttl, maxStrikes)
  local log = redis.call('GET', key) or ''
  local n = floor(#log / W)
  local kept = {}
  local expires = {}
  local weights = {}
  local m = 0
  local replayed = nil
  local longest = 0
  for i = 0, n - 1 do
    local off = i * W + 1
    local exp, id, w, answered = sunpack(REC, log, off)
    if exp > t then
      if id == idHash then
        replayed = answered
      end
      m = m + 1
      kept[m] = sub(log, off, off + W - 1)
      expires[m] = exp
      weights[m] = w
      if exp - t > longest then
        longest = exp - t
      end
    end
  end
  if replayed ~= nil then
    -- Recorded before: nothing new; strikes that expired by now are still dropped.
    if m < n then
      redis.call('SET', key, concat(kept), 'PX', math.max(1, ceil(longest)))
    end
    out[#out + 1] = fmt('%.17g', replayed)
    out[#out + 1] = 1
    return
  end

  m = m + 1
  expires[m] = t + ttl
  weights[m] = weight
  kept[m] = false -- the new record, packed below once its answer is known
  if m > maxStrikes then
    local soonest = 1
    for j = 2, m do
      if expires[j] < expires[soonest] then
        soonest = j
      end
    end
    table.remove(kept, soonest)
    table.remove(expires, soonest)
    table.remove(weights, soonest)
    m = m - 1
  end

  local strikes = 0
  longest = 0
  local mine = nil
  for j = 1, m do
    if expires[j] > t then
      strikes = strikes + weights[j]
    end
    if expires[j] - t > longest then
      longest = expires[j] - t
    end
    if kept[j] == false then
      mine = j
    end
  end
  if mine ~= nil then
    kept[mine] = spack(REC, t + ttl, idHash, weight, strikes, t)
  end
  if m == 0 then
    redis.call('DEL', key)
  else
    redis.call('SET', key, concat(kept), 'PX', math.max(1, ceil(longest)))
  end
  out[#out + 1] = fmt('%.17g', strikes)
  out[#out + 1] = 0
end

local reqs = ARGV[1]
local maxStrikes = tonumber(ARGV[2])
local out = {}
for p = 1, #reqs, 40 do
  local k, idHash, t, weight, ttl = sunpack('<ddddd', reqs, p)
  record(out, KEYS[k], idHash, t, weight, ttl, maxStrikes)
end
return out
