-- Reads a channel's log from Redis, in one step: {meta hash as a flat list, newest ARGV[1] entries}.
-- KEYS[1] the channel's meta hash, KEYS[2] its stream.
local meta = redis.call('HGETALL', KEYS[1])
if #meta == 0 then
  return {meta, {}}
end
local count = tonumber(ARGV[1])
local entries = {}
if count > 0 then
  entries = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', count)
end
return {meta, entries}
