--[[
  roster-read.lua: reads the roster and its version in one consistent step (modstream membership store).

  Input:
    KEYS[1]  <prefix>{members}:roster:v1
    KEYS[2]  <prefix>{members}:roster:v1:v
  Output: { version, { employeeId, JSON, employeeId, JSON, ... } }
]]

local version = tonumber(redis.call('GET', KEYS[2])) or 0
return { version, redis.call('HGETALL', KEYS[1]) }
