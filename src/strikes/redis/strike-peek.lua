--[[
  strike-peek.lua: reads live strike counts for one batch without recording anything (modstream strike
  store; dry-run and exempt senders). Read-only.

  The count at time t is the summed weight of one user's strikes in one group recorded at an event time
  before t and live at t (t < expiresAt): what is recorded later never changes the answer for t, so a
  redelivered message is told the same count. Records: see strike-record.lua (40 bytes: expiresAt, id
  hash, weight, strikes answered, ts).

  Input:
    KEYS[1..k]  the distinct strike logs the requests use; requests refer to them by index
    ARGV[1]     requests, 2 little-endian doubles (16 bytes) each: key, ts
  Output: a flat array of strings, the live count per request in order
]]

local sunpack = struct.unpack
local floor = math.floor
local W = 40

local logs = {}
local reqs = ARGV[1]
local out = {}
for p = 1, #reqs, 16 do
  local k, t = sunpack('<dd', reqs, p)
  local log = logs[k]
  if log == nil then
    log = redis.call('GET', KEYS[k]) or ''
    logs[k] = log
  end
  local strikes = 0
  for i = 0, floor(#log / W) - 1 do
    local exp, _, w, _, at = sunpack('<ddddd', log, i * W + 1)
    if exp > t and at < t then
      strikes = strikes + w
    end
  end
  out[#out + 1] = string.format('%.17g', strikes)
end
return out
