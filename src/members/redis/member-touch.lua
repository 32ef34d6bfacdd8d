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
  Member hash fields: p g u card id idk role joined active chk
  Output: a flat array, per request in order: known (0|1), checkCard (0|1)
]]

local idle = KEYS[1]
local decode = cjson.decode
local null = cjson.null
local out = {}

local function present(v)
  return v ~= nil and v ~= null
end

for i = 1, #ARGV do
  local t = decode(ARGV[i])
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
    local newIdk = t.idk or ''
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

  out[#out + 1] = known and 1 or 0
  out[#out + 1] = check
end
return out
