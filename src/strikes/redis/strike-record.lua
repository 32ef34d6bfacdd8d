--[[
  strike-record.lua: records one batch of strikes (modstream strike store), in order.

  Semantics match src/strikes/memory (tests/contract/strikes.contract.ts). A strike recorded at event time
  ts with ttlMs is live at time t while t < ts + ttlMs; `live` is the summed weight of the user's live
  strikes in the group at the request's ts. Strikes expired by the request's ts are dropped first. Then:
    - a messageId already recorded (and not yet expired) records nothing and gets its first answer back,
      flagged as a duplicate;
    - a request whose cooldown id has a live strike is cooled: the count becomes max(live, entryStep);
    - any other request: max(live + weight, entryStep); with a cooldown id, its strike carries that id.
  The difference to `live` is the weight stored and answered. The messageId is stored with the answer (a
  cooled request: a record of weight 0), so that a redelivery gets that answer back; the strike that starts
  a cooldown is stored under the cooldown id, with the weight, beside the message's record of weight 0.
  Beyond the per-log bound, records of weight 0 go first (soonest-expiring), then the soonest-expiring
  strike. The answer is the live count after that.

  State: one binary string per user per group, fixed-width little-endian records in recording order,
  written back with SET ... PX (the longest remaining strike life), 40 bytes per record:
    expiresAt (double), id hash (double: the messageId's, or the cooldown id's), weight (double),
    strikes answered (double), ts (double: the event time it was recorded at, for strike-peek.lua)
  key <prefix>{<platform>:<groupId>}:st:v1:<userId>   (v1: STRIKES_FORMAT in src/redis/keys.ts; bump it when
  this layout changes)

  Input:
    KEYS[1..k]  the distinct strike logs the requests use; requests refer to them by index
    ARGV[1]     requests, 7 little-endian doubles (56 bytes) each: key, messageId hash, ts, weight,
                entryStep (0: no floor), cooldown id hash (0: none), ttlMs
    ARGV[2]     most records one log keeps
  Output: a flat array, per request in order: strikes (string: weights need not be integers),
          duplicate (0|1), weight added (string)
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

local function record(out, key, idHash, t, weight, entryStep, coolHash, ttl, maxStrikes)
  local log = redis.call('GET', key) or ''
  local n = floor(#log / W)
  local kept = {}
  local expires = {}
  local weights = {}
  local m = 0
  local replayed = nil
  local cooled = false
  local live = 0
  local longest = 0
  for i = 0, n - 1 do
    local off = i * W + 1
    local exp, id, w, answered = sunpack(REC, log, off)
    if exp > t then
      if id == idHash then
        replayed = answered
      elseif coolHash ~= 0 and id == coolHash then
        cooled = true
      end
      m = m + 1
      kept[m] = sub(log, off, off + W - 1)
      expires[m] = exp
      weights[m] = w
      live = live + w
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
    out[#out + 1] = '0'
    return
  end

  local target = live + weight
  if cooled then
    target = live
  end
  if entryStep > target then
    target = entryStep
  end
  local added = target - live
  local exp = t + ttl
  -- The new records, packed below once the answer is known: { id hash, weight }.
  local new = {}
  if coolHash ~= 0 and not cooled then
    new[1] = { coolHash, added }
    new[2] = { idHash, 0 }
  else
    new[1] = { idHash, added }
  end
  for _, r in ipairs(new) do
    m = m + 1
    expires[m] = exp
    weights[m] = r[2]
    kept[m] = r
  end
  while m > maxStrikes do
    local drop = nil
    for j = 1, m do
      if weights[j] == 0 and (drop == nil or expires[j] < expires[drop]) then
        drop = j
      end
    end
    if drop == nil then
      drop = 1
      for j = 2, m do
        if expires[j] < expires[drop] then
          drop = j
        end
      end
    end
    table.remove(kept, drop)
    table.remove(expires, drop)
    table.remove(weights, drop)
    m = m - 1
  end

  local strikes = 0
  longest = 0
  for j = 1, m do
    if expires[j] > t then
      strikes = strikes + weights[j]
    end
    if expires[j] - t > longest then
      longest = expires[j] - t
    end
  end
  for j = 1, m do
    local r = kept[j]
    if type(r) == 'table' then
      kept[j] = spack(REC, exp, r[1], r[2], strikes, t)
    end
  end
  if m == 0 then
    redis.call('DEL', key)
  else
    redis.call('SET', key, concat(kept), 'PX', math.max(1, ceil(longest)))
  end
  out[#out + 1] = fmt('%.17g', strikes)
  out[#out + 1] = 0
  out[#out + 1] = fmt('%.17g', added)
end

local reqs = ARGV[1]
local maxStrikes = tonumber(ARGV[2])
local out = {}
for p = 1, #reqs, 56 do
  local k, idHash, t, weight, entryStep, coolHash, ttl = sunpack('<ddddddd', reqs, p)
  record(out, KEYS[k], idHash, t, weight, entryStep, coolHash, ttl, maxStrikes)
end
return out
