--[[
  member-claim-idle.lua: claims members whose inactivity is due (modstream membership store). A claimed
  member leaves the idle queue, so no other instance answers it again; its next activity re-arms it, and
  member-idle-rearm.lua puts it back when its finding could not be delivered or is not due yet under the
  rules in force now.

  Input:
    KEYS[1]  <prefix>{members}:idle:v1   zset of member keys by due time (ms)
    ARGV[1]  now (ms)
    ARGV[2]  most members to claim
  Output: one HGETALL array per claimed member, most overdue first
]]

local idle = KEYS[1]
local due = redis.call('ZRANGEBYSCORE', idle, '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, k in ipairs(due) do
  redis.call('ZREM', idle, k)
  local h = redis.call('HGETALL', k)
  if #h > 0 then
    out[#out + 1] = h
  end
end
return out
