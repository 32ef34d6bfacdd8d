--[[
  roster-write.lua: writes roster entries (modstream membership store) and bumps the roster version, so
  every instance reloads its cached roster.

  Input:
    KEYS[1]  <prefix>{members}:roster:v1     hash employeeId → employee JSON
    KEYS[2]  <prefix>{members}:roster:v1:v   the version counter (v1: the roster's format version)
    ARGV[1]  '1': replace the whole roster with these entries; '0': upsert them
    ARGV[2..] pairs: employeeId, JSON
  Output: the new version
]]

if ARGV[1] == '1' then
  redis.call('DEL', KEYS[1])
end
for i = 2, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
return redis.call('INCR', KEYS[2])
