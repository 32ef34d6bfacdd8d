--[[
  member-claim-once.lua: marks keys as done, once each (modstream membership store: one verdict per
  departure per member, across instances). A mark whose verdict could not be delivered is deleted again
  (RedisMemberStore.releaseOnce: DEL, the same slot), so the finding is made again.

  Input:
    KEYS[1]  <prefix>{members}:idle:v1 (pins the slot)
    ARGV[1]  time to live of the marks (ms)
    ARGV[2..] marker keys (<prefix>{members}:o:v1:<key>)
  Output: per key, 1 when it was not marked before (now marked), else 0
]]

local ttl = ARGV[1]
local out = {}
for i = 2, #ARGV do
  if redis.call('SET', ARGV[i], '1', 'NX', 'PX', ttl) then
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
