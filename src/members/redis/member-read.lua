--[[
  member-read.lua: reads member hashes (modstream membership store).

  Input:
    KEYS[1]  <prefix>{members}:idle:v1 (pins the slot)
    ARGV[1]  'set': ARGV[2] is an index set of member keys (account, group or identity); members whose hash
             is gone are dropped from the set on the way
             'keys': ARGV[2..] are member keys
  Output: one flat array per member found: field, value, field, value, ... (HGETALL)
]]

local keys
local index = nil
if ARGV[1] == 'set' then
  index = ARGV[2]
  keys = redis.call('SMEMBERS', index)
else
  keys = {}
  for i = 2, #ARGV do
    keys[#keys + 1] = ARGV[i]
  end
end
local out = {}
for _, k in ipairs(keys) do
  local h = redis.call('HGETALL', k)
  if #h > 0 then
    out[#out + 1] = h
  elseif index then
    redis.call('SREM', index, k)
  end
end
return out
