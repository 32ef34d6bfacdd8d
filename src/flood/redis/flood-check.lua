--[[
  flood-check.lua: the flood limiter's sliding windows for one batch (modstream).

  One call carries many operations, applied in order. In Redis Cluster all keys of one call share a hash
  slot (the caller groups operations by hash tag); on a standalone server one call carries the whole batch.

  Windows are exact and match src/flood/memory: a message at time t counts every recorded message of the
  same key whose time is > t - W (later times included), plus itself.

  State: binary strings of fixed-width little-endian records, each with a header. Cheaper than sorted sets:
  a message costs one GET and one APPEND or SET, where sorted sets need five commands or more; searches are
  binary searches and C-level string.find, never a Lua loop over every record. Records carry the answer
  first given, so a redelivered message (same time and id) gets it back and nothing is recorded twice.

    sender log  <prefix>{<platform>:<groupId>}:fs:<userId>: a user's messages in one group
      header    refreshedAt (double): event time of the last SET ... PX. APPEND keeps the TTL, so the log is
                rewritten (TTL renewed to 2 x keep) once t - refreshedAt reaches keep.
      records   one per message, sorted by time, 32 bytes: ts (double), messageId hash (double),
                text hash (double; 0 = no text), rateCount (uint32), duplicateCount (uint32)
      keep      senderKeepMs = max(rateWindowMs, duplicateWindowMs)

    cross log   <prefix>{u:<platform>:<userId>}:fx:<textHash>: where a user sent one text
      header    refreshedAt (double), number of group records g (double)
      groups    g records, one per distinct group, sorted by time, 16 bytes:
                  last time sent there (double), group hash (double)
      answers   one per message, sorted by time, 24 bytes: ts (double), messageId hash (double),
                groupCount (double)
      keep      crossKeepMs = max(crossGroupWindowMs, senderKeepMs); always rewritten with SET ... PX 2 x keep

  Records at or before t - keep are dropped when a log is rewritten; a log keeps at most maxEntries records
  per section (the oldest go first; counts saturate there).

  Input:
    KEYS[1..k]  the distinct keys the operations use; operations refer to them by index
    ARGV[1]     limit sets, 7 little-endian doubles (56 bytes) each, referred to by index from 0:
                  rateWindowMs, rateMax, duplicateWindowMs, senderKeepMs, crossGroupWindowMs, crossKeepMs,
                  maxEntries
    ARGV[2]     operations, 7 little-endian doubles (56 bytes) each:
                  1, key, limitSet, 0,         ts, idHash, textHash    rate + duplicate (sender log)
                  2, key, limitSet, 0,         ts, idHash, groupHash   cross-group (cross log)
                  3, key, limitSet, rateCount, ts, idHash, textHash    record a message the caller answered
                                                                       itself (its local block list)
                (binary, not JSON: the last 24 bytes of an operation are the first 24 of its sender record;
                ids and texts travel as 53-bit hashes, exact in a double)
  Output: one flat array of integers, per operation in order (counts are < 2^20, so one integer carries
  them all: fewer reply values to build here and to parse there):
    1 -> rateCount + duplicateCount * 2^20 + replayed * 2^40, then t1 .. tk
         where, only when rateCount > rateMax and the message is new, k = rateCount and t1..tk are the
         times of the sender's messages in the rate window (this one included), ascending, for the caller's
         local block list
    2 -> groupCount + replayed * 2^40
    3 -> recorded (0|1)
]]

local spack = struct.pack
local sunpack = struct.unpack
local sub = string.sub
local find = string.find
local concat = table.concat
local floor = math.floor

local D = 1048576 -- 2^20
local REPLAYED = 1099511627776 -- 2^40
local SENDER_HEADER = 8
local SENDER_W = 32
local CROSS_HEADER = 16
local GROUP_W = 16
local ANSWER_W = 24

-- Packed answers repeat (1,0; 2,0; ...): pack each distinct pair once per call.
local packedCounts = {}
local function countsBytes(rateCount, dupCount)
  local k = rateCount * 1048576 + dupCount
  local r = packedCounts[k]
  if r == nil then
    r = spack('<I4I4', rateCount, dupCount)
    packedCounts[k] = r
  end
  return r
end

-- First index (0-based) among n records of width w starting at byte `base` whose time (the record's first
-- double) is > t. Records are sorted by time; most answers are at an end, so those are tried first.
local function firstAfter(s, base, w, n, t)
  if n == 0 or sunpack('<d', s, base + (n - 1) * w) <= t then
    return n
  end
  if sunpack('<d', s, base) > t then
    return 0
  end
  local lo, hi = 1, n - 1
  while lo < hi do
    local mid = floor((lo + hi) / 2)
    if sunpack('<d', s, base + mid * w) <= t then
      lo = mid + 1
    else
      hi = mid
    end
  end
  return lo
end

-- Records [from, n) of width w at `base` whose 8 bytes at `field` equal `bytes` (string.find in C; a
-- match that is not at a record's field offset is skipped).
local function countField(s, base, w, from, n, field, bytes)
  local count = 0
  local pos = base + from * w
  local stop = base + n * w
  while true do
    local at = find(s, bytes, pos, true)
    if at == nil or at >= stop then
      return count
    end
    if (at - base) % w == field then
      count = count + 1
      pos = at + w - field
    else
      pos = at + 1
    end
  end
end

local function senderCheck(out, key, t, idHash, textHash, ops, p, L)
  local rateWindow, rateMax, dupWindow, keep, maxEntries = L[1], L[2], L[3], L[4], L[7]
  local o = #out
  local log = redis.call('GET', key)
  if not log then
    local dupCount = textHash ~= 0 and 1 or 0
    redis.call('SET', key, spack('<d', t) .. sub(ops, p + 32, p + 55) .. countsBytes(1, dupCount), 'PX', 2 * keep)
    out[o + 1] = 1 + dupCount * D
    if rateMax < 1 then
      out[o + 2] = t
    end
    return
  end
  local base = SENDER_HEADER + 1
  local n = floor((#log - SENDER_HEADER) / SENDER_W)
  -- The usual case costs two unpacks: the header with the first record's time, and the last record.
  local refreshedAt, firstTs = sunpack('<dd', log, 1)
  local lastTs, lastId = sunpack('<dd', log, base + (n - 1) * SENDER_W)

  -- A redelivery has the time of its first delivery: only records at exactly t, before `ins`, can be it.
  local ins = n
  if lastTs > t then
    ins = firstAfter(log, base, SENDER_W, n, t)
  end
  if ins == n and lastTs == t and lastId == idHash then
    local _, _, _, rc, dc = sunpack('<dddI4I4', log, base + (n - 1) * SENDER_W)
    out[o + 1] = rc + dc * D + REPLAYED
    return
  end
  local j = ins - 1
  while j >= 0 do
    local ets, eid = sunpack('<dd', log, base + j * SENDER_W)
    if ets ~= t then
      break
    end
    if eid == idHash then
      local _, _, _, rc, dc = sunpack('<dddI4I4', log, base + j * SENDER_W)
      out[o + 1] = rc + dc * D + REPLAYED
      return
    end
    j = j - 1
  end

  local rateFrom = 0
  if firstTs <= t - rateWindow then
    rateFrom = firstAfter(log, base, SENDER_W, n, t - rateWindow)
  end
  local rateCount = n - rateFrom + 1
  local dupCount = 0
  if textHash ~= 0 then
    local from = 0
    if firstTs <= t - dupWindow then
      from = firstAfter(log, base, SENDER_W, n, t - dupWindow)
    end
    dupCount = 1 + countField(log, base, SENDER_W, from, n, 16, sub(ops, p + 48, p + 55))
  end

  -- Write back: APPEND when the record goes last, nothing is to be dropped and the TTL is fresh enough.
  local head = 0
  if firstTs <= t - keep then
    head = firstAfter(log, base, SENDER_W, n, t - keep)
  end
  local over = n - head + 1 - maxEntries
  if over > 0 then
    head = head + over
  end
  local rec = sub(ops, p + 32, p + 55) .. countsBytes(rateCount, dupCount)
  if head == 0 and ins == n and t - refreshedAt < keep then
    redis.call('APPEND', key, rec)
  else
    local body
    if ins <= head then
      body = rec .. sub(log, base + head * SENDER_W)
    else
      body = sub(log, base + head * SENDER_W, base + ins * SENDER_W - 1) .. rec .. sub(log, base + ins * SENDER_W)
    end
    redis.call('SET', key, spack('<d', t) .. body, 'PX', 2 * keep)
  end

  out[o + 1] = rateCount + dupCount * D
  if rateCount <= rateMax then
    return
  end
  -- Over the limit: the window's times, ascending, for the caller's local block list.
  o = o + 1
  for k = rateFrom, n - 1 do
    if k == ins then
      o = o + 1
      out[o] = t
    end
    o = o + 1
    out[o] = sunpack('<d', log, base + k * SENDER_W)
  end
  if ins >= n then
    out[o + 1] = t
  end
end

local function senderBackfill(out, key, t, idHash, rec24, L, rateCount)
  local keep, maxEntries = L[4], L[7]
  local log = redis.call('GET', key) or spack('<d', t)
  local base = SENDER_HEADER + 1
  local n = floor((#log - SENDER_HEADER) / SENDER_W)
  local ins = firstAfter(log, base, SENDER_W, n, t)
  local j = ins - 1
  while j >= 0 do
    local ets, eid = sunpack('<dd', log, base + j * SENDER_W)
    if ets ~= t then
      break
    end
    if eid == idHash then
      out[#out + 1] = 0
      return
    end
    j = j - 1
  end
  local head = firstAfter(log, base, SENDER_W, n, t - keep)
  local over = n - head + 1 - maxEntries
  if over > 0 then
    head = head + over
  end
  local rec = rec24 .. countsBytes(rateCount, 0)
  local body
  if ins <= head then
    body = rec .. sub(log, base + head * SENDER_W)
  else
    body = sub(log, base + head * SENDER_W, base + ins * SENDER_W - 1) .. rec .. sub(log, base + ins * SENDER_W)
  end
  redis.call('SET', key, spack('<d', t) .. body, 'PX', 2 * keep)
  out[#out + 1] = 1
end

local function crossCheck(out, key, t, idHash, groupHash, groupBytes, L)
  local window, keep, maxEntries = L[5], L[6], L[7]
  local o = #out
  local log = redis.call('GET', key)
  if not log then
    redis.call('SET', key, spack('<ddddddd', t, 1, t, groupHash, t, idHash, 1), 'PX', 2 * keep)
    out[o + 1] = 1
    return
  end
  local _, g = sunpack('<dd', log, 1)
  local gBase = CROSS_HEADER + 1
  local aBase = gBase + g * GROUP_W
  local a = floor((#log - aBase + 1) / ANSWER_W)

  -- A redelivery: an answer at exactly t with this id (answers are sorted by time, look from the end).
  local ains = firstAfter(log, aBase, ANSWER_W, a, t)
  local j = ains - 1
  while j >= 0 do
    local ets, eid, gc = sunpack('<ddd', log, aBase + j * ANSWER_W)
    if ets ~= t then
      break
    end
    if eid == idHash then
      out[o + 1] = gc + REPLAYED
      return
    end
    j = j - 1
  end

  -- This group's record, if any (its hash at offset 8 of a group record).
  local mine = -1
  local pos = gBase
  local stop = aBase
  while true do
    local at = find(log, groupBytes, pos, true)
    if at == nil or at >= stop then
      break
    end
    if (at - gBase) % GROUP_W == 8 then
      mine = floor((at - gBase) / GROUP_W)
      break
    end
    pos = at + 1
  end

  local cut = t - window
  local groupCount = g - firstAfter(log, gBase, GROUP_W, g, cut)
  local last = t
  if mine >= 0 then
    local mineLast = sunpack('<d', log, gBase + mine * GROUP_W)
    if mineLast > cut then
      groupCount = groupCount - 1 -- counted below as this group
    end
    if mineLast > last then
      last = mineLast
    end
  end
  groupCount = groupCount + 1

  -- Rewrite: groups without this one's old record, older than keep dropped, this one at its new time;
  -- answers older than keep dropped, this one added.
  local parts = {}
  local gHead = firstAfter(log, gBase, GROUP_W, g, t - keep)
  local gIns = firstAfter(log, gBase, GROUP_W, g, last)
  local newG = 0
  local function copyGroups(from, to) -- [from, to), skipping this group's old record
    if mine >= from and mine < to then
      copyGroups(from, mine)
      copyGroups(mine + 1, to)
      return
    end
    if to > from then
      parts[#parts + 1] = sub(log, gBase + from * GROUP_W, gBase + to * GROUP_W - 1)
      newG = newG + (to - from)
    end
  end
  if gIns < gHead then
    gIns = gHead
  end
  copyGroups(gHead, gIns)
  parts[#parts + 1] = spack('<d', last) .. groupBytes
  newG = newG + 1
  copyGroups(gIns, g)
  if newG > maxEntries then
    -- Drop the oldest group records (they are first).
    local body = concat(parts)
    local drop = newG - maxEntries
    parts = { sub(body, drop * GROUP_W + 1) }
    newG = maxEntries
  end

  local aHead = firstAfter(log, aBase, ANSWER_W, a, t - keep)
  local aOver = a - aHead + 1 - maxEntries
  if aOver > 0 then
    aHead = aHead + aOver
  end
  local answer = spack('<ddd', t, idHash, groupCount)
  if ains <= aHead then
    parts[#parts + 1] = answer
    parts[#parts + 1] = sub(log, aBase + aHead * ANSWER_W)
  else
    parts[#parts + 1] = sub(log, aBase + aHead * ANSWER_W, aBase + ains * ANSWER_W - 1)
    parts[#parts + 1] = answer
    parts[#parts + 1] = sub(log, aBase + ains * ANSWER_W)
  end
  redis.call('SET', key, spack('<dd', t, newG) .. concat(parts), 'PX', 2 * keep)
  out[o + 1] = groupCount
end

local limits = ARGV[1]
local sets = {}
for s = 0, floor(#limits / 56) - 1 do
  sets[s] = { sunpack('<ddddddd', limits, s * 56 + 1) }
end

local ops = ARGV[2]
local out = {}
for p = 1, #ops, 56 do
  local kind, k, set, extra, t, idHash, hash = sunpack('<ddddddd', ops, p)
  if kind == 1 then
    senderCheck(out, KEYS[k], t, idHash, hash, ops, p, sets[set])
  elseif kind == 2 then
    crossCheck(out, KEYS[k], t, idHash, hash, sub(ops, p + 48, p + 55), sets[set])
  elseif kind == 3 then
    senderBackfill(out, KEYS[k], t, idHash, sub(ops, p + 32, p + 55), sets[set], extra)
  else
    return redis.error_reply('flood-check: unknown operation ' .. tostring(kind))
  end
end
return out
