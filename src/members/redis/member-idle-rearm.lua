--[[
  member-idle-rearm.lua: puts claimed members back in the idle queue (modstream membership store): their
  inactivity finding could not be delivered, or is not due yet under the rules in force now.

  Input:
    KEYS[1]  <prefix>{members}:idle:v1   zset of member keys by when inactivity is due
    ARGV     triples per member: member key, the last activity it was claimed with (ms), when it is due (ms)
  A member is put back only when it is still known, still last active at that time (a member active since
  was re-armed by that activity) and not queued already.
  Output: 0
]]

local idle = KEYS[1]
for i = 1, #ARGV, 3 do
  local k = ARGV[i]
  local active = redis.call('HGET', k, 'active')
  if active and tonumber(active) == tonumber(ARGV[i + 1]) then
    redis.call('ZADD', idle, 'NX', ARGV[i + 2], k)
  end
end
return 0
