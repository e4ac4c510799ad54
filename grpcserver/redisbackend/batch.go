package redisbackend

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/isa-cloud/isa-memstore/engine"
	"github.com/isa-cloud/isa-memstore/grpcserver"
)

// Atomic batches run as one script: Redis runs a script without
// interleaving any other client's command, which is MULTI/EXEC's
// atomicity, and redis.pcall lets each command fail alone with Redis's own
// error reply, which MULTI/EXEC also gives but go-redis's transaction
// pipeline folds into one error. All keys of a batch belong to one tenant,
// so in a cluster they share a hash slot, as a script requires.
//
// The operations are the engine's batch operations, with the arguments the
// gRPC layer gives (no field, no delta): INCR and DECR step by 1, HSET and
// HGET use the empty field.

// batchScript: KEYS[1..5] are the tenant's key registries (trackKeys),
// KEYS[5+i] is op i's key. ARGV[1] is the length of the tenant's prefix;
// then, op after op, its opcode and its argument (the value, or EXPIRE's
// TTL in ms); SET has a third, its TTL in ms ("0": none). Each op answers
// 1 (done), 0 (done, nothing found) or Redis's error text. The keys of
// the writing ops are recorded in the registries at the end, in the same
// script (registry.go).
var batchScript = redis.NewScript(trackLua + `
local out = {}
local written = {}
local a = 2
for i = 6, #KEYS do
  local k, op = KEYS[i], ARGV[a]
  local r
  if op == 'set' then
    if ARGV[a+2] == '0' then
      r = redis.pcall('SET', k, ARGV[a+1])
    else
      r = redis.pcall('SET', k, ARGV[a+1], 'PX', ARGV[a+2])
    end
    a = a + 3
  else
    local v = ARGV[a+1]
    a = a + 2
    if op == 'get' then r = redis.pcall('GET', k)
    elseif op == 'del' then r = redis.pcall('DEL', k)
    elseif op == 'incr' then r = redis.pcall('INCRBY', k, 1)
    elseif op == 'decr' then r = redis.pcall('DECRBY', k, 1)
    elseif op == 'expire' then r = redis.pcall('PEXPIRE', k, v)
    elseif op == 'append' then r = redis.pcall('APPEND', k, v)
    elseif op == 'hset' then r = redis.pcall('HSET', k, '', v)
    elseif op == 'hget' then r = redis.pcall('HGET', k, '')
    end
  end
  if op ~= 'get' and op ~= 'hget' then written[k] = true end
  if type(r) == 'table' and r.err then
    out[i - 5] = r.err
  elseif r == false then
    out[i - 5] = 0
  else
    out[i - 5] = 1
  end
end
local plen = tonumber(ARGV[1])
for k in pairs(written) do track(k, plen) end
return out
`)

// batchOpName lowers an operation name as the engine does (ASCII letters
// only) and maps it to the script's opcode; ok is false for an operation
// the engine does not know.
func batchOpName(op string) (string, bool) {
	if len(op) > 16 {
		return "", false
	}
	b := []byte(op)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	switch s := string(b); s {
	case "set", "get", "del", "incr", "decr", "expire", "append", "hset", "hget":
		return s, true
	case "delete":
		return "del", true
	}
	return "", false
}

// ExecuteBatch implements grpcserver.BatchBackend.
func (b *Backend) ExecuteBatch(ctx context.Context, t grpcserver.Tenant, ops []grpcserver.BatchOp) ([]error, error) {
	n, err := b.begin(t)
	if err != nil {
		return nil, err
	}
	errs := make([]error, len(ops))
	keys := n.trackKeys(nil)
	args := make([]any, 0, 1+2*len(ops))
	args = append(args, len(n.prefix))
	idx := make([]int, 0, len(ops)) // ops sent, by position in keys
	isGet := make([]bool, 0, len(ops))
	for i, op := range ops {
		name, ok := batchOpName(op.Op)
		if !ok {
			errs[i] = engine.ErrUnknownCommand
			continue
		}
		keys = append(keys, n.key(op.Key))
		idx = append(idx, i)
		isGet = append(isGet, name == "get" || name == "hget")
		switch name {
		case "set":
			args = append(args, name, op.Value, setTTLArg(op.TTL))
		case "expire":
			args = append(args, name, ttlMillis(op.TTL))
		default:
			args = append(args, name, op.Value)
		}
	}
	if len(ops) > 1 {
		b.counters.command(t, int64(len(ops)-1)) // begin counted one
	}
	if len(idx) == 0 {
		return errs, nil
	}
	res, err := batchScript.Run(ctx, b.c, keys, args...).Slice()
	if err != nil {
		return nil, b.translate(ctx, err)
	}
	var hits, misses int64
	for j, r := range res {
		switch r := r.(type) {
		case int64:
			if isGet[j] && r == 1 {
				hits++
			} else if isGet[j] {
				misses++
			}
		case string:
			if e, ok := replyError(r); ok {
				errs[idx[j]] = e
			} else {
				errs[idx[j]] = unavailable(redisText(r))
			}
		}
	}
	b.counters.lookups(t, hits, misses)
	return errs, nil
}

// setTTLArg is SET's PX argument in a batch: "0" for no expiry. A
// negative TTL goes to Redis as it is, so SET answers its own error ("ERR
// invalid expire time in 'set' command"), as the engine does.
func setTTLArg(ttl time.Duration) int64 {
	if ttl == 0 {
		return 0
	}
	if ttl < 0 {
		return min(ttl.Milliseconds(), -1)
	}
	return ttlMillis(ttl)
}

// redisText is an error with Redis's reply text.
type redisText string

func (e redisText) Error() string { return string(e) }
