--[[
  roster-write.lua: writes roster entries (modstream membership store). A write of any size becomes
  visible at once: all but its last call stage entries under a temporary key of their own, and the last
  call applies everything and bumps the roster version (so every instance reloads its cached roster).
  Readers (roster-read.lua) therefore see the roster before or after a write, never a part of it.

  Input:
    KEYS[1]  <prefix>{members}:roster:v1                  hash employeeId → employee JSON
    KEYS[2]  <prefix>{members}:roster:v1:v                the version counter (v1: the roster's format version)
    KEYS[3]  <prefix>{members}:roster:v1:staging:<id>     this write's staged entries (one id per write)
    ARGV[1]  'stage': add these entries to the staging hash (it expires after ARGV[2] ms if the write
             never finishes); 'replace': the roster becomes the staged entries plus these; 'upsert': the
             staged entries and these are written over the roster
    ARGV[2]  time to live of the staging hash (ms)
    ARGV[3]  'replace' / 'upsert': how many distinct entries the earlier calls staged (0 when none). The
             staging hash must hold that many: if it expired or was evicted half-way, the write fails
             (an error reply, nothing applied) instead of applying a part of the roster as the whole.
             'stage': ignored (0)
    ARGV[4..] pairs: employeeId, JSON
  Output: 'stage': 0; otherwise the new version. Error reply 'ROSTER_STAGING_LOST' on a count mismatch.
]]

local roster, version, staging = KEYS[1], KEYS[2], KEYS[3]
local mode = ARGV[1]

local function put(key)
  for i = 4, #ARGV, 2 do
    redis.call('HSET', key, ARGV[i], ARGV[i + 1])
  end
end

if mode == 'stage' then
  put(staging)
  redis.call('PEXPIRE', staging, ARGV[2])
  return 0
end

local expected = tonumber(ARGV[3])
local held = redis.call('HLEN', staging)
if held ~= expected then
  redis.call('DEL', staging)
  return redis.error_reply(
    'ROSTER_STAGING_LOST the staged part of this roster write holds '
      .. held
      .. ' entries, not '
      .. tostring(ARGV[3])
      .. ' (expired or evicted): nothing was written'
  )
end
local staged = held > 0
if mode == 'replace' then
  if staged then
    put(staging)
    redis.call('RENAME', staging, roster)
    redis.call('PERSIST', roster) -- RENAME keeps the staging key's time to live
  else
    redis.call('DEL', roster)
    put(roster)
  end
else
  if staged then
    local entries = redis.call('HGETALL', staging)
    for i = 1, #entries, 2 do
      redis.call('HSET', roster, entries[i], entries[i + 1])
    end
    redis.call('DEL', staging)
  end
  put(roster)
end
return redis.call('INCR', version)
