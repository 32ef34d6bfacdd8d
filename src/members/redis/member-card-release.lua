--[[
  member-card-release.lua: forgets card check keys (modstream membership store) whose card finding could
  not be delivered, so the card is checked again when it is next seen.

  Input:
    KEYS[1]  <prefix>{members}:idle:v1 (pins the slot)
    ARGV     pairs per member: member key, the check key to forget (left alone when the member's key has
             changed since)
  Output: 0
]]

for i = 1, #ARGV, 2 do
  if redis.call('HGET', ARGV[i], 'chk') == ARGV[i + 1] then
    redis.call('HDEL', ARGV[i], 'chk')
  end
end
return 0
