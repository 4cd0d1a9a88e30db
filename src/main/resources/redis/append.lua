-- Appends publications to a channel's log in Redis, in one step.
-- KEYS[1] the channel's meta hash (epoch, seq, state), KEYS[2] its stream (entry id <seq>-0).
-- ARGV[1] epoch, ARGV[2] key expiry in ms, ARGV[3] entries the stream keeps (0 = none),
-- ARGV[4] the state's snapshot after these publications ('' = unchanged), ARGV[5] '1' to start the
-- stream again rather than fail on a hole, ARGV[6] n, then per publication: seq, accepted at
-- (wall-clock ms), key ('' = none), 'd' or 'p', payload.
-- A publication at or before the stored position is already there and skipped, so a write may be
-- repeated. One that would leave a hole fails with GAP <stored seq>, unless ARGV[5] says that Redis lost
-- what is missing: then the stream starts again with it (what came before cannot be replayed).
local epoch = ARGV[1]
local stored = redis.call('HGET', KEYS[1], 'epoch')
local top = 0
if stored == epoch then
  top = tonumber(redis.call('HGET', KEYS[1], 'seq'))
else
  -- Nothing stored, or another epoch's log: this epoch's log replaces it.
  redis.call('DEL', KEYS[1], KEYS[2])
end
local keep = tonumber(ARGV[3])
local n = tonumber(ARGV[6])
local last = top
for i = 0, n - 1 do
  local at = 7 + i * 5
  local seq = tonumber(ARGV[at])
  if seq > top then
    if top > 0 and seq ~= top + 1 then
      if ARGV[5] ~= '1' then
        return redis.error_reply('GAP ' .. top)
      end
      redis.call('DEL', KEYS[2])
    end
    if keep > 0 then
      if ARGV[at + 2] ~= '' then
        redis.call('XADD', KEYS[2], 'MAXLEN', '~', keep, seq .. '-0', 't', ARGV[at + 1], 'k', ARGV[at + 2],
          ARGV[at + 3], ARGV[at + 4])
      else
        redis.call('XADD', KEYS[2], 'MAXLEN', '~', keep, seq .. '-0', 't', ARGV[at + 1], ARGV[at + 3], ARGV[at + 4])
      end
    end
    top = seq
  end
  last = seq
end
redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', top)
-- Writers may repeat older writes: a snapshot never replaces a newer one.
if ARGV[4] ~= '' and last >= tonumber(redis.call('HGET', KEYS[1], 'stateSeq') or '0') then
  redis.call('HSET', KEYS[1], 'state', ARGV[4], 'stateSeq', last)
end
local ttl = tonumber(ARGV[2])
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('PEXPIRE', KEYS[2], ttl)
end
-- A channel with state keeps it (and its position) until it is replaced, like a node keeps it.
if redis.call('HEXISTS', KEYS[1], 'state') == 1 then
  redis.call('PERSIST', KEYS[1])
else
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return top
