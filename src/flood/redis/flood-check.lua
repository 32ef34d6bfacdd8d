--[[
  flood-check.lua: the flood limiter's sliding windows for one batch (modstream).

  One call carries many operations, applied in order. In Redis Cluster all keys of one call share a hash
  slot (the caller groups operations by bucket tag); on a standalone server one call carries the whole batch.

  Windows are exact and match src/flood/memory: a message at time t counts every recorded message of the
  same sender (or, cross-group, every group the same user sent the same text to) whose time is > t - W
  (later times included), plus itself. For the sender family, what the in-memory limiter has forgotten is
  not counted either: records at or before latest - keep, where latest is the newest time recorded for
  that sender.

  Layout: epoch hashes. Time is cut into epochs of `keep` ms, and one hash per (bucket, keep, epoch)
  holds, for every sender seen in that epoch, the records of that epoch:

    sender family  <prefix>{fs:<bucket>}:v1:<keep>:<epoch>   field: the sender, `{platform:group}user`
                   (RedisKeys.floodSenderField); keep = senderKeepMs = max(rateWindowMs, duplicateWindowMs),
                   per limit set (a sender's records all come from its group, under one limit set)
      value        records sorted by time, 32 bytes: ts (double), messageId hash (double), text hash (double;
                   0 = no text), rateCount (uint32), duplicateCount (uint32) — the answer first given
    cross family   <prefix>{fx:<bucket>}:v1:<keep>:<epoch>   field: `{u:platform:user}textHash`;
                   keep = one epoch length for every request whatever its limits (60 s by default), so that
                   the copies a user sends to groups with different flood limits meet in one value; each
                   request still counts with its own crossGroupWindowMs
      value        header: number of group records g (double); then g group records sorted by time, 16
                   bytes: last time sent there in this epoch (double), group hash (double); then answers
                   sorted by time, 24 bytes: ts (double), messageId hash (double), groupCount (double)
    horizon        <prefix>{fx:<bucket>}:v1:<keep>:h   a string: the largest `back` (see below) a request
                   of any instance needed within the last hour (written by requests with back > 1 only)

  A message in epoch E reads its field in epochs E-back .. E+1 (everything inside its windows, and the
  newer records of a message that arrives late by less than an epoch) with one HMGET per hash for the whole
  call, and writes epoch E with one HSET per hash: a few reads and one write per hash and call instead of
  a GET and a SET per message, which is what bounds the decisions per second of a Redis core. back is 1
  for the sender family (keep covers its windows) and ceil(crossGroupWindowMs / keep), at least 1, for the
  cross family. A call that writes epoch E sets the hash's TTL to (h+2) x keep, where the horizon h is 1,
  or for the cross family the largest back any request (of any instance: it is kept in the horizon key)
  needed within the last hour; and when h is no more than the call's own back, it unlinks epoch
  E-(back+2) (lazily freed, so a big hash never blocks Redis the way its synchronous expiry would; with a
  larger horizon the TTL removes it). A message later than an epoch behind the newest of its family may
  miss records the in-memory limiter still counts; nothing else differs.

  v1 is the format version of both families (FLOOD_FORMAT in src/redis/keys.ts): bumped when these records
  change, so that new code never reads old records (old hashes expire by their TTL).

  A value keeps at most maxEntries records per section (the oldest go first; counts saturate there).

  Input:
    KEYS[1..k]  per epoch group (see ARGV[2]): its epoch hashes, the hash to unlink after a write, and for
                the cross family its bucket's horizon key
    ARGV[1]     limit sets, 6 little-endian doubles (48 bytes) each, referred to by index from 0:
                  rateWindowMs, rateMax, duplicateWindowMs, senderKeepMs, crossGroupWindowMs, maxEntries
    ARGV[2]     epoch groups, 7 doubles (56 bytes) each, referred to by index from 0, one family and bucket:
                  first  the KEYS index of epoch E-back; epochs E-back .. E+1 follow it in KEYS
                  back   epochs read before E (>= 1)
                  old    the KEYS index of epoch E-(back+2), unlinked after a write if the horizon is not
                         above `back`
                  hkey   the KEYS index of the horizon key (cross family), 0 for none (sender family: h = 1)
                  keep   the epoch length (ms)
                  from, n  where the group's fields start in ARGV and how many there are
    ARGV[3]     operations, 8 little-endian doubles (64 bytes) each:
                  1, group, limitSet, 0,         ts, idHash, textHash,  slot   rate + duplicate (sender)
                  2, group, limitSet, 0,         ts, idHash, groupHash, slot   cross-group
                  3, group, limitSet, rateCount, ts, idHash, textHash,  slot   record a message the caller
                                                                               answered itself (its local
                                                                               block list)
                (binary, not JSON: bytes 32..55 of an operation are the first 24 bytes of its sender record;
                ids and texts travel as 53-bit hashes, exact in a double; slot is the operation's field,
                1-based, among its group's)
    ARGV[4..]   the groups' distinct fields, each group's in one run
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
local unpack = unpack

local D = 1048576 -- 2^20
local REPLAYED = 1099511627776 -- 2^40
local SENDER_W = 32
local GROUP_W = 16
local ANSWER_W = 24
local CROSS_HEADER = 8
local OP_W = 64
local LIMIT_SET_W = 48
local GROUP_SET_W = 56
-- A horizon (see the header) lasts this long after the last request that needed it.
local HORIZON_MS = 3600000
-- Lua's C stack bounds unpack(): HMGET and HSET go in chunks.
local CHUNK = 2000
-- The double 1 (a cross value's header with one group, and a first answer's count).
local ONE = struct.pack('<d', 1)

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

-- Index (0-based) of the record of width w among [from, n) at `base` whose 8 bytes at `field` are
-- `bytes`, or -1.
local function findField(s, base, w, from, n, field, bytes)
  local pos = base + from * w
  local stop = base + n * w
  while true do
    local at = find(s, bytes, pos, true)
    if at == nil or at >= stop then
      return -1
    end
    if (at - base) % w == field then
      return floor((at - base) / w)
    end
    pos = at + 1
  end
end

-- The limit sets and epoch groups.
local limits = ARGV[1]
local sets = {}
for s = 0, floor(#limits / LIMIT_SET_W) - 1 do
  sets[s] = { sunpack('<dddddd', limits, s * LIMIT_SET_W + 1) }
end
local ops = ARGV[3]

-- Read: per epoch group, its fields in epochs E-back .. E+1, one HMGET per hash (none for a hash that
-- does not exist). The caller sends one epoch per family, bucket and keep in a call, so no hash is read
-- twice, and operations refer to their field by its slot in the group: group[1], group[2], group[3] are
-- the values of epochs E-1, E, E+1 by slot (false or nil when absent), group.older those of E-back ..
-- E-2 (cross family, long windows only); group[2] is kept up to date by the writes below so that a later
-- operation sees an earlier one.
local function readFields(key, from, n)
  if redis.call('EXISTS', key) == 0 then
    return {}
  elseif n <= CHUNK then
    -- One HMGET's reply is the slot-indexed table itself (false where absent), no copy.
    return redis.call('HMGET', key, unpack(ARGV, from, from + n - 1))
  end
  local values = {}
  for a = from, from + n - 1, CHUNK do
    local b = math.min(a + CHUNK - 1, from + n - 1)
    local got = redis.call('HMGET', key, unpack(ARGV, a, b))
    for i = a, b do
      values[i - from + 1] = got[i - a + 1]
    end
  end
  return values
end

local groupBytes = ARGV[2]
local groups = {}
local nGroups = floor(#groupBytes / GROUP_SET_W)
for g = 0, nGroups - 1 do
  local first, back, kOld, hkey, keep, from, n = sunpack('<ddddddd', groupBytes, g * GROUP_SET_W + 1)
  local group = {
    first = first, back = back, old = kOld, hkey = hkey, keep = keep, from = from, cur = first + back,
    dirty = {}, isDirty = {},
  }
  local older = nil
  for j = 1, back + 2 do
    local values = readFields(KEYS[first + j - 1], from, n)
    if j < back then
      older = older or {}
      older[j] = values
    else
      group[j - back + 1] = values
    end
  end
  group.older = older
  groups[g] = group
end

-- A write: the field's new value in epoch E, flushed at the end.
local function store(g, slot, value)
  if not g.isDirty[slot] then
    g.isDirty[slot] = true
    g.dirty[#g.dirty + 1] = slot
  end
  g[2][slot] = value
end

-- The newest time among three sorted sections (records of width w at base, n of each).
local function newest(a, na, b, nb, c, nc, base, w)
  if nc > 0 then
    return sunpack('<d', c, base + (nc - 1) * w)
  elseif nb > 0 then
    return sunpack('<d', b, base + (nb - 1) * w)
  elseif na > 0 then
    return sunpack('<d', a, base + (na - 1) * w)
  end
  return nil
end

-- Inserts `rec` (width w) into the n sorted records of `s` at index `at`, keeping at most maxEntries
-- (the oldest, first, go).
local function insertRecord(s, n, at, rec, w, maxEntries)
  local out
  if at == n then
    out = s .. rec
  else
    out = sub(s, 1, at * w) .. rec .. sub(s, at * w + 1)
  end
  if n + 1 > maxEntries then
    out = sub(out, (n + 1 - maxEntries) * w + 1)
  end
  return out
end

local function senderCheck(out, g, slot, t, idHash, textHash, p, L)
  local rateWindow, rateMax, dupWindow, keep, maxEntries = L[1], L[2], L[3], L[4], L[6]
  local o = #out
  -- (The usual cases, a first message and one newer than the sender's records, are answered inline in the
  -- operation loop below.)
  local cur, prev, nxt = g[2][slot] or '', g[1][slot] or '', g[3][slot] or ''
  local np, nc, nn = #prev / SENDER_W, #cur / SENDER_W, #nxt / SENDER_W

  -- A redelivery has the time of its first delivery, in this epoch: only records at exactly t can be it.
  local ins = firstAfter(cur, 1, SENDER_W, nc, t)
  local j = ins - 1
  while j >= 0 do
    local ets, eid = sunpack('<dd', cur, 1 + j * SENDER_W)
    if ets ~= t then
      break
    end
    if eid == idHash then
      local _, _, _, rc, dc = sunpack('<dddI4I4', cur, 1 + j * SENDER_W)
      out[o + 1] = rc + dc * D + REPLAYED
      return
    end
    j = j - 1
  end

  local rateCut = t - rateWindow
  local dupCut = t - dupWindow
  local latest = newest(prev, np, cur, nc, nxt, nn, 1, SENDER_W)
  if latest ~= nil then
    local forgotten = latest - keep
    if forgotten > rateCut then
      rateCut = forgotten
    end
    if forgotten > dupCut then
      dupCut = forgotten
    end
  end
  local pFrom = firstAfter(prev, 1, SENDER_W, np, rateCut)
  local cFrom = firstAfter(cur, 1, SENDER_W, nc, rateCut)
  local nFrom = firstAfter(nxt, 1, SENDER_W, nn, rateCut)
  local rateCount = (np - pFrom) + (nc - cFrom) + (nn - nFrom) + 1
  local dupCount = 0
  if textHash ~= 0 then
    local bytes = sub(ops, p + 48, p + 55)
    dupCount = 1
      + countField(prev, 1, SENDER_W, firstAfter(prev, 1, SENDER_W, np, dupCut), np, 16, bytes)
      + countField(cur, 1, SENDER_W, firstAfter(cur, 1, SENDER_W, nc, dupCut), nc, 16, bytes)
      + countField(nxt, 1, SENDER_W, firstAfter(nxt, 1, SENDER_W, nn, dupCut), nn, 16, bytes)
  end

  local rec = sub(ops, p + 32, p + 55) .. countsBytes(rateCount, dupCount)
  store(g, slot, insertRecord(cur, nc, ins, rec, SENDER_W, maxEntries))

  out[o + 1] = rateCount + dupCount * D
  if rateCount <= rateMax then
    return
  end
  -- Over the limit: the window's times, ascending, for the caller's local block list.
  o = o + 1
  for k = pFrom, np - 1 do
    o = o + 1
    out[o] = sunpack('<d', prev, 1 + k * SENDER_W)
  end
  for k = cFrom, nc - 1 do
    if k == ins then
      o = o + 1
      out[o] = t
    end
    o = o + 1
    out[o] = sunpack('<d', cur, 1 + k * SENDER_W)
  end
  if ins >= nc then
    o = o + 1
    out[o] = t
  end
  for k = nFrom, nn - 1 do
    o = o + 1
    out[o] = sunpack('<d', nxt, 1 + k * SENDER_W)
  end
end

local function senderBackfill(out, g, slot, t, idHash, rec24, L, rateCount)
  local maxEntries = L[6]
  local cur = g[2][slot] or ''
  local nc = #cur / SENDER_W
  local ins = firstAfter(cur, 1, SENDER_W, nc, t)
  local j = ins - 1
  while j >= 0 do
    local ets, eid = sunpack('<dd', cur, 1 + j * SENDER_W)
    if ets ~= t then
      break
    end
    if eid == idHash then
      out[#out + 1] = 0
      return
    end
    j = j - 1
  end
  store(g, slot, insertRecord(cur, nc, ins, rec24 .. countsBytes(rateCount, 0), SENDER_W, maxEntries))
  out[#out + 1] = 1
end

-- A cross value's group records count and answers count.
local function crossShape(v)
  if v == '' then
    return 0, 0
  end
  local g = sunpack('<d', v, 1)
  return g, (#v - CROSS_HEADER - g * GROUP_W) / ANSWER_W
end

-- Scratch lists of the sections a cross check counts in (reused: no table per message).
local secValue, secFrom, secCount = {}, {}, {}

-- Adds cross value v (false, nil or '' when absent) to the sections when it has group records after cut;
-- returns the number of sections.
local function addSection(ns, v, gBase, cut)
  if v and v ~= '' then
    local n = crossShape(v)
    local from = firstAfter(v, gBase, GROUP_W, n, cut)
    if from < n then
      ns = ns + 1
      secValue[ns], secFrom[ns], secCount[ns] = v, from, n
    end
  end
  return ns
end

local function crossCheck(out, g, slot, t, idHash, mineBytes, L)
  local window, maxEntries = L[5], L[6]
  local o = #out
  local cur = g[2][slot] or ''
  local gc, ac = crossShape(cur)
  local gBase = CROSS_HEADER + 1
  local aBase = gBase + gc * GROUP_W

  -- A redelivery: an answer at exactly t with this id (answers are sorted by time, look from the end).
  local ains = firstAfter(cur, aBase, ANSWER_W, ac, t)
  local j = ains - 1
  while j >= 0 do
    local ets, eid, count = sunpack('<ddd', cur, aBase + j * ANSWER_W)
    if ets ~= t then
      break
    end
    if eid == idHash then
      out[o + 1] = count + REPLAYED
      return
    end
    j = j - 1
  end

  -- This group's record in this epoch, if any (found once: the count below and the rewrite use it).
  local mine = findField(cur, gBase, GROUP_W, 0, gc, 8, mineBytes)

  -- Distinct groups sent to after t - window (in any epoch read), this one counted once whatever its
  -- records say. The sections holding live records: every epoch read, E-back .. E+1.
  local cut = t - window
  local ns = 0
  local older = g.older
  if older ~= nil then
    for k = 1, #older do
      ns = addSection(ns, older[k][slot], gBase, cut)
    end
  end
  ns = addSection(ns, g[1][slot], gBase, cut)
  ns = addSection(ns, cur, gBase, cut)
  ns = addSection(ns, g[3][slot], gBase, cut)
  local others = 0
  if ns == 1 then
    -- One section holds every live group (the usual case): a count and one search in C.
    others = secCount[1] - secFrom[1]
    if findField(secValue[1], gBase, GROUP_W, secFrom[1], secCount[1], 8, mineBytes) >= 0 then
      others = others - 1
    end
  elseif ns > 1 then
    -- Across epochs a group may appear in several sections: count distinct ones.
    local seen = { [mineBytes] = true }
    for q = 1, ns do
      local v = secValue[q]
      for k = secFrom[q], secCount[q] - 1 do
        local at = gBase + k * GROUP_W + 8
        local h = sub(v, at, at + 7)
        if not seen[h] then
          seen[h] = true
          others = others + 1
        end
      end
    end
  end
  local groupCount = others + 1

  -- Rewrite this epoch: this group's record moved to max(its last, t), kept sorted; the answer added.
  local last = t
  if mine >= 0 then
    local mineLast = sunpack('<d', cur, gBase + mine * GROUP_W)
    if mineLast > last then
      last = mineLast
    end
  end
  -- Where the record goes, counted in cur; after `mine` (whose time is <= last) when that exists.
  local gIns = firstAfter(cur, gBase, GROUP_W, gc, last)
  local rec = spack('<d', last) .. mineBytes
  local answer = spack('<ddd', t, idHash, groupCount)
  local newG = mine >= 0 and gc or gc + 1
  if newG <= maxEntries and ac < maxEntries then
    -- One concatenation (one copy of the value besides its slices): a spammer's value holds hundreds of
    -- groups and answers, and rewriting it piece by piece cost several copies per message.
    local gi = gBase + gIns * GROUP_W
    local ai = aBase + ains * ANSWER_W
    local value
    if mine >= 0 then
      local m = gBase + mine * GROUP_W
      value = spack('<d', newG) .. sub(cur, gBase, m - 1) .. sub(cur, m + GROUP_W, gi - 1) .. rec
        .. sub(cur, gi, ai - 1) .. answer .. sub(cur, ai)
    else
      value = spack('<d', newG) .. sub(cur, gBase, gi - 1) .. rec .. sub(cur, gi, ai - 1) .. answer .. sub(cur, ai)
    end
    store(g, slot, value)
  else
    -- At the cap: the oldest records go (counts saturate, as in memory).
    local groupsPart
    if mine >= 0 then
      groupsPart = sub(cur, gBase, gBase + mine * GROUP_W - 1) .. sub(cur, gBase + (mine + 1) * GROUP_W, aBase - 1)
      gIns = gIns - 1
    else
      groupsPart = sub(cur, gBase, aBase - 1)
    end
    local gLeft = mine >= 0 and gc - 1 or gc
    groupsPart = insertRecord(groupsPart, gLeft, gIns, rec, GROUP_W, maxEntries)
    local answers = insertRecord(sub(cur, aBase), ac, ains, answer, ANSWER_W, maxEntries)
    store(g, slot, spack('<d', #groupsPart / GROUP_W) .. groupsPart .. answers)
  end
  out[o + 1] = groupCount
end

-- True when no epoch before E-1 holds the field (always, but for cross groups reading further back).
local function absentBefore(group, slot)
  local older = group.older
  if older ~= nil then
    for k = 1, #older do
      if older[k][slot] then
        return false
      end
    end
  end
  return true
end

local out = {}
local nOut = 0
for p = 1, #ops, OP_W do
  local kind, g, set, extra, t, idHash, hash, slot = sunpack('<dddddddd', ops, p)
  local group = groups[g]
  -- The common cases inline (a Lua call costs about what a field write does) set `value`, the field's new
  -- value in epoch E, and `counted`, the reply; the others go through the functions above.
  local value, counted
  if kind == 1 then
    -- The sender's first message in three epochs, and a later one in the same epoch, newer than its
    -- records and under the limit.
    if not group[1][slot] and not group[3][slot] then
      local cur = group[2][slot]
      local L = sets[set]
      if not cur then
        -- (With rateMax < 1 it is over the limit already: the general path lists the window's times.)
        if L[2] >= 1 then
          local dupCount = hash ~= 0 and 1 or 0
          value = sub(ops, p + 32, p + 55) .. countsBytes(1, dupCount)
          counted = 1 + dupCount * D
        end
      else
        local size = #cur
        local nc = size / SENDER_W
        -- Newer than every record: no redelivery (it would have its first time, recorded here), insertion
        -- at the end, and nothing forgotten inside the windows (latest - keep < t - keep <= t - window).
        if sunpack('<d', cur, size - SENDER_W + 1) < t then
          local rateCut = t - L[1]
          local from = 0
          if sunpack('<d', cur, 1) <= rateCut then
            from = firstAfter(cur, 1, SENDER_W, nc, rateCut)
          end
          local rateCount = nc - from + 1
          if rateCount <= L[2] then
            local dupCount = 0
            if hash ~= 0 then
              local dupFrom = firstAfter(cur, 1, SENDER_W, nc, t - L[3])
              dupCount = 1 + countField(cur, 1, SENDER_W, dupFrom, nc, 16, sub(ops, p + 48, p + 55))
            end
            -- insertRecord at the end, inline.
            value = cur .. sub(ops, p + 32, p + 55) .. countsBytes(rateCount, dupCount)
            if nc + 1 > L[6] then
              value = sub(value, (nc + 1 - L[6]) * SENDER_W + 1)
            end
            counted = rateCount + dupCount * D
          end
        end
      end
    end
    if value == nil then
      senderCheck(out, group, slot, t, idHash, hash, p, sets[set])
      nOut = #out
    end
  elseif kind == 2 then
    if not group[1][slot] and not group[2][slot] and not group[3][slot] and absentBefore(group, slot) then
      -- The first time in three epochs this user sends this text (the usual case): one group, one answer.
      -- Bytes 32..39 of the operation are ts, 40..47 the id hash, 48..55 the group hash.
      value = ONE .. sub(ops, p + 32, p + 39) .. sub(ops, p + 48, p + 55) .. sub(ops, p + 32, p + 47) .. ONE
      counted = 1
    else
      crossCheck(out, group, slot, t, idHash, sub(ops, p + 48, p + 55), sets[set])
      nOut = #out
    end
  elseif kind == 3 then
    senderBackfill(out, group, slot, t, idHash, sub(ops, p + 32, p + 55), sets[set], extra)
    nOut = #out
  else
    return redis.error_reply('flood-check: unknown operation ' .. tostring(kind))
  end
  if value ~= nil then
    -- store(), inline.
    if not group.isDirty[slot] then
      group.isDirty[slot] = true
      group.dirty[#group.dirty + 1] = slot
    end
    group[2][slot] = value
    nOut = nOut + 1
    out[nOut] = counted
  end
end

-- Flush: per written hash one HSET (in chunks) and one PEXPIRE, and unless the horizon is larger than
-- this call's back, the epoch back+2 before it unlinked (never a hash this call reads: one epoch per
-- family, bucket and keep in a call). The horizon is read (and raised by a long window) once per hash.
for g = 0, nGroups - 1 do
  local group = groups[g]
  local dirty = group.dirty
  if #dirty > 0 then
    local back = group.back
    local h = 1
    if group.hkey > 0 then
      local hkey = KEYS[group.hkey]
      h = tonumber(redis.call('GET', hkey)) or 1
      if back > 1 and back >= h then
        h = back
        redis.call('SET', hkey, back, 'PX', HORIZON_MS)
      end
    end
    local key = KEYS[group.cur]
    local values = group[2]
    local base = group.from - 1
    local args = {}
    local n = 0
    for i = 1, #dirty do
      local slot = dirty[i]
      args[n + 1] = ARGV[base + slot]
      args[n + 2] = values[slot]
      n = n + 2
      if n >= 2 * CHUNK then
        redis.call('HSET', key, unpack(args, 1, n))
        n = 0
      end
    end
    if n > 0 then
      redis.call('HSET', key, unpack(args, 1, n))
    end
    redis.call('PEXPIRE', key, (h + 2) * group.keep)
    if h <= back then
      redis.call('UNLINK', KEYS[group.old])
    end
  end
end
return out
