--[[
  member-touch.lua: records what was seen of a batch of members (modstream membership store), in order.
  Semantics match src/members/memory (tests/unit/members/member-store.contract.ts).

  Every key shares the hash tag {members} (see keys.ts); KEYS[1] pins the slot. The member, account,
  group and identity keys are computed by the client and passed in each request, because the member key
  is also what the indexes hold.

  Input:
    KEYS[1]  <prefix>{members}:idle:v1   zset of member keys by when inactivity is due
    ARGV[i]  one request per argument, JSON:
             { k = member key, uk = account set, gk = group set, p, g, u, ts,
               card?, idk? (identity set key, "" when the card does not parse), id? (identity),
               role?, activeAt?, joinedAt?, chk? (card check key), idleMs? }
             The client checks every request first (store.ts touchProblem: no lone surrogate, finite
             numbers). As a safety net, a request that cannot be decoded or has a field of the wrong type
             is refused here before anything of it is written: one bad request never fails the batch.
  Member hash fields: p g u card id idk role joined active chk
  Output: a flat array, per request in order: known (1|0, or -1: refused, nothing written), checkCard (0|1),
          role (the stored role after the request, '' when none)
]]

local idle = KEYS[1]
local decode = cjson.decode
local null = cjson.null
local out = {}

local function present(v)
  return v ~= nil and v ~= null
end

local function num(v)
  return type(v) == 'number' and v == v and v ~= math.huge and v ~= -math.huge
end

-- The field lists valid() checks, built once per script call (not once per request).
local IDS = { 'k', 'uk', 'gk', 'p', 'g', 'u' }
local NUMBERS = { 'activeAt', 'joinedAt', 'idleMs' }
local STRINGS = { 'card', 'idk', 'id', 'chk', 'role' }

-- The safety net behind the client's touchProblem (which refuses these before sending): it refuses only
-- what a client skipping that check would send. Cheap: a few type tests per request, no allocation.
local function valid(t)
  if type(t) ~= 'table' then
    return false
  end
  for i = 1, #IDS do
    if type(t[IDS[i]]) ~= 'string' then
      return false
    end
  end
  if not num(t.ts) then
    return false
  end
  for i = 1, #NUMBERS do
    local v = t[NUMBERS[i]]
    if present(v) and not num(v) then
      return false
    end
  end
  for i = 1, #STRINGS do
    local v = t[STRINGS[i]]
    if present(v) and type(v) ~= 'string' then
      return false
    end
  end
  if present(t.card) and type(t.idk) == 'string' and t.idk ~= '' and type(t.id) ~= 'string' then
    return false
  end
  return true
end

-- Applies one (valid) request; answers known, checkCard, the stored role.
local function apply(t)
  local k = t.k
  local known = redis.call('EXISTS', k) == 1
  local active = 0
  if known then
    active = tonumber(redis.call('HGET', k, 'active')) or 0
  else
    redis.call('HSET', k, 'p', t.p, 'g', t.g, 'u', t.u)
    redis.call('SADD', t.uk, k)
    redis.call('SADD', t.gk, k)
    if present(t.activeAt) then
      active = t.activeAt
    elseif present(t.joinedAt) then
      active = t.joinedAt
    else
      active = t.ts
    end
    redis.call('HSET', k, 'active', string.format('%.17g', active))
  end

  local check = 0
  if present(t.card) then
    redis.call('HSET', k, 'card', t.card)
    local newIdk = type(t.idk) == 'string' and t.idk or ''
    local oldIdk = redis.call('HGET', k, 'idk') or ''
    if newIdk ~= oldIdk then
      if oldIdk ~= '' then
        redis.call('SREM', oldIdk, k)
      end
      if newIdk ~= '' then
        redis.call('SADD', newIdk, k)
        redis.call('HSET', k, 'idk', newIdk, 'id', t.id)
      else
        redis.call('HDEL', k, 'idk', 'id')
      end
    end
    if present(t.chk) and redis.call('HGET', k, 'chk') ~= t.chk then
      redis.call('HSET', k, 'chk', t.chk)
      check = 1
    end
  end
  if present(t.role) then
    redis.call('HSET', k, 'role', t.role)
  end
  if present(t.joinedAt) then
    redis.call('HSET', k, 'joined', string.format('%.17g', t.joinedAt))
  end

  local moved = false
  if known and present(t.activeAt) and t.activeAt > active then
    active = t.activeAt
    moved = true
    redis.call('HSET', k, 'active', string.format('%.17g', active))
  end
  -- The idle queue is (re)armed when a member is first seen and at each new activity only: a claimed
  -- member stays out of it until it speaks again.
  if not known or moved then
    if present(t.idleMs) and t.idleMs > 0 then
      redis.call('ZADD', idle, active + t.idleMs, k)
    else
      redis.call('ZREM', idle, k)
    end
  end

  return known and 1 or 0, check, redis.call('HGET', k, 'role') or ''
end

for i = 1, #ARGV do
  local ok, t = pcall(decode, ARGV[i])
  local known, check, role = -1, 0, ''
  if ok and valid(t) then
    known, check, role = apply(t)
  end
  out[#out + 1] = known
  out[#out + 1] = check
  out[#out + 1] = role
end
return out
