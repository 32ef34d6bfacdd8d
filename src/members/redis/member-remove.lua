--[[
  member-remove.lua: forgets members who left a group (modstream membership store), in order.

  Input:
    KEYS[1]  <prefix>{members}:idle:v1
    ARGV     triples per member: member key, account set key, group set key
  Output: per member, 1 when it was known, else 0
]]

local idle = KEYS[1]
local out = {}
for i = 1, #ARGV, 3 do
  local k, uk, gk = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if redis.call('EXISTS', k) == 1 then
    local idk = redis.call('HGET', k, 'idk')
    if idk then
      redis.call('SREM', idk, k)
    end
    redis.call('SREM', uk, k)
    redis.call('SREM', gk, k)
    redis.call('ZREM', idle, k)
    redis.call('DEL', k)
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
