package redisbackend

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// The key registry: what GetStatistics counts, without a scan.
//
// Redis keeps no per-prefix counts, and on standalone Redis every tenant
// shares one keyspace, so counting a tenant's keys by SCAN would walk every
// key of every tenant. Instead each tenant has one sorted set per type
// (registryKey) whose members are the tenant's keys of that type (logical
// names) scored by their absolute deadline in Unix ms, +inf when they do
// not expire. Every write the backend makes (write, and the batch
// script) records the keys it touched atomically with the change, in the
// same script (or MULTI/EXEC): for each key, TYPE and PEXPIRETIME (Redis's
// own deadline, so no clock of ours is involved) decide which registry
// holds it and with which score, and it is removed from the others (from
// all of them once it is gone; a key is in one registry at most, so an
// overwrite that keeps the type needs no removal). Expiry needs no write:
// GetStatistics first drops the members whose deadline has passed by
// Redis's clock (statsScript), the rule Redis applies to the keys. So a
// tenant's statistics cost O(log n + expired) per type, whatever the size
// of the keyspace.
//
// The registries carry the tenant's hash tag, so in a cluster they live in
// the tenant's slot, next to its keys, and scripts and transactions over
// both stay legal.
//
// What the registry cannot see: keys written to Redis by other programs
// (the earlier service's data under the same names, redis-cli), and keys
// Redis evicts under a maxmemory policy or others delete. The first are not
// counted; the others are counted until a GetStatistics sample meets them
// (sampled keys that are gone are removed from the registry then).

// registryKey is the tenant's registry of keys of type typ.
func (n names) registryKey(typ string) string {
	return internalRoot + "keys:" + n.tag + ":" + typ
}

// trackKeys are the KEYS of trackScript: the registries, in typeNames
// order, then the physical names of the keys to record.
func (n names) trackKeys(keys []string) []string {
	out := make([]string, 0, len(typeNames)+len(keys))
	for _, typ := range typeNames {
		out = append(out, n.registryKey(typ))
	}
	return append(out, keys...)
}

// trackLua defines track(key, plen): it records key (a physical name,
// the tenant's prefix being plen bytes long) in the registries KEYS[1..5].
// TYPE and PEXPIRETIME see the key as the commands before it in the same
// script or transaction left it.
const trackLua = `
local trackTypes = {'string', 'hash', 'list', 'set', 'zset'}
local function track(key, plen)
  local name = string.sub(key, plen + 1)
  local typ = redis.call('TYPE', key)['ok']
  local score = 'inf'
  if typ ~= 'none' then
    local at = redis.call('PEXPIRETIME', key)
    if at >= 0 then score = at end
  end
  local other = true
  for i = 1, 5 do
    if trackTypes[i] == typ then
      -- 0: the key was already registered under this type, so under
      -- no other (the common case: an overwrite).
      other = redis.call('ZADD', KEYS[i], score, name) == 1
    end
  end
  if other then
    for i = 1, 5 do
      if trackTypes[i] ~= typ then redis.call('ZREM', KEYS[i], name) end
    end
  end
end
`

// trackScript: KEYS as trackKeys; ARGV[1] the length of the tenant's
// prefix. Records KEYS[6..].
var trackScript = redis.NewScript(trackLua + `
local plen = tonumber(ARGV[1])
for k = 6, #KEYS do track(KEYS[k], plen) end
return 0
`)

// statsSample is how many keys per type GetStatistics asks MEMORY USAGE
// of: the memory figure is an estimate (count x the sample's average), so
// its cost does not grow with the tenant's keys.
const statsSample = 16

// statsScript: KEYS[1..5] the registries; ARGV[1] the sample size. Drops
// the members whose deadline has passed (Redis expires a key once its
// deadline is behind the clock, so "(now" keeps the ones due right now),
// and answers, per type, {count, random sample of members}.
var statsScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
for i = 1, #KEYS do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', '(' .. now)
  local n = redis.call('ZCARD', KEYS[i])
  local sample = {}
  if n > 0 then sample = redis.call('ZRANDMEMBER', KEYS[i], ARGV[1]) end
  out[i] = {n, sample}
end
return out
`)

// forgetScript: KEYS[1] a registry, KEYS[2] a key; ARGV[1] its member.
// Removes the member if the key does not exist (a write may have brought
// it back since it was found missing).
var forgetScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[2]) == 0 then
  return redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0
`)

// isNoScript reports whether err is Redis's NOSCRIPT: its script cache
// lost the script (a restart, a failover, SCRIPT FLUSH).
func isNoScript(err error) bool {
	var re redis.Error
	return errors.As(err, &re) && strings.HasPrefix(re.Error(), "NOSCRIPT")
}

// maxScriptArgs bounds the arguments write passes through writeScript:
// Lua's unpack needs a stack slot per argument (at most 8000 in Redis's
// Lua); longer commands take the transaction.
const maxScriptArgs = 1024

// scriptArity is the start of Redis's reply to a command called from a
// script with too few arguments. It differs from the reply outside a
// script ("ERR wrong number of arguments for 'hset' command", the
// engine's), so such calls are retried as plain commands.
const scriptArity = "ERR Wrong number of args calling Redis command from script"

// writeScript: KEYS as trackKeys; ARGV[1] the length of the tenant's
// prefix, ARGV[2..] a command. Runs the command and, when it succeeds,
// records KEYS[6..]; answers the command's reply (or error) as it is.
var writeScript = redis.NewScript(trackLua + `
local r = redis.pcall(unpack(ARGV, 2))
if type(r) == 'table' and r.err then return r end
local plen = tonumber(ARGV[1])
for k = 6, #KEYS do track(KEYS[k], plen) end
return r
`)

// write runs one command that may create, delete, retype or change the
// expiry of keys (physical names of tenant n, which the command names
// among its args) and records keys in the tenant's registries atomically
// with it, in one script: no other client sees the keys and the registry
// disagree. The reply is the command's, as from Do; a command Redis
// refuses changes nothing and records nothing.
//
// A script turns integer replies into Lua's doubles, exact only below
// 2^53: commands whose reply can be larger (INCRBY, DECRBY, HINCRBY) go
// through writeTx instead.
func (b *Backend) write(ctx context.Context, n names, keys []string, args ...any) *redis.Cmd {
	if len(args) > maxScriptArgs {
		return b.writeTx(ctx, n, keys, args...)
	}
	cmd := writeScript.Run(ctx, b.c, n.trackKeys(keys), append([]any{len(n.prefix)}, args...)...)
	if err := cmd.Err(); err != nil && strings.HasPrefix(err.Error(), scriptArity) {
		return b.writeTx(ctx, n, keys, args...) // for Redis's own error text
	}
	return cmd
}

// writeInt is write for a command that answers an integer.
func (b *Backend) writeInt(ctx context.Context, n names, keys []string, args ...any) (int64, error) {
	v, err := b.write(ctx, n, keys, args...).Int64()
	return v, b.translate(ctx, err)
}

// writeIntTx is writeInt through writeTx, for integers of any size.
func (b *Backend) writeIntTx(ctx context.Context, n names, keys []string, args ...any) (int64, error) {
	v, err := b.writeTx(ctx, n, keys, args...).Int64()
	return v, b.translate(ctx, err)
}

// writeTx is write as a MULTI/EXEC of the plain command and trackScript:
// the reply reaches the caller untouched and the arguments are not
// limited by Lua's stack.
func (b *Backend) writeTx(ctx context.Context, n names, keys []string, args ...any) *redis.Cmd {
	p := b.c.TxPipeline()
	cmd := p.Do(ctx, args...)
	tr := p.EvalSha(ctx, trackScript.Hash(), n.trackKeys(keys), len(n.prefix))
	_, _ = p.Exec(ctx) // per-command errors below
	if err := cmd.Err(); err != nil {
		// Refused at queueing (EXECABORT: nothing ran) or at run time
		// (the command changed nothing), or Redis is unreachable.
		return cmd
	}
	err := tr.Err()
	if isNoScript(err) {
		// The first write after Redis lost its script cache: record
		// now, loading the script. Tracking reads the keys' current
		// state, so recording just after the write is still right,
		// and any later write to the keys records them again.
		err = trackScript.Run(ctx, b.c, n.trackKeys(keys), len(n.prefix)).Err()
	}
	if err != nil {
		cmd.SetErr(err)
	}
	return cmd
}

// loadScripts puts the scripts the write path runs with EVALSHA into
// Redis's script cache (on every master of a cluster), so writes need no
// fallback. Best effort: Script.Run and writeTx load them when needed.
func (b *Backend) loadScripts(ctx context.Context) {
	if cc, ok := b.c.(*redis.ClusterClient); ok {
		_ = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
			for _, s := range []*redis.Script{trackScript, writeScript} {
				if err := s.Load(ctx, c).Err(); err != nil {
					return err
				}
			}
			return nil
		})
		return
	}
	_ = trackScript.Load(ctx, b.c).Err()
	_ = writeScript.Load(ctx, b.c).Err()
}

// rebuildBatch is how many keys one trackScript call of RebuildRegistries
// records: a short step for Redis, which serves other clients between
// steps.
const rebuildBatch = 500

// RebuildRegistries brings every tenant's key registry in line with the
// keys Redis holds, for data the backend did not write itself (the
// earlier service's keys under the same names, a restore from a dump) or
// registries left behind by keys deleted outside the backend. It walks the
// whole keyspace with SCAN on every master, so it is an explicit, one-shot
// maintenance step (isa-memstore --redis-rebuild-registry), never part of
// serving. It answers how many tenant keys it found (and recorded).
//
// Names are parsed with the backend's layout: org-{org}:user-{user}:{key}
// or user-{user}:{key} on standalone Redis, the same in a hash tag in a
// cluster; keys of other shapes are not a tenant's and are left alone. It
// is safe while the backend serves: recording reads each key's current
// state, as every write does.
func (b *Backend) RebuildRegistries(ctx context.Context) (int64, error) {
	if err := b.ready(); err != nil {
		return 0, err
	}
	var total int64
	one := func(ctx context.Context, node scanner) error {
		// First the keys Redis holds, then the members the registries
		// hold, so keys that are gone leave them.
		pending := map[string]*rebuildTenant{}
		flush := func(bt *rebuildTenant) error {
			if len(bt.keys) == 0 {
				return nil
			}
			err := trackScript.Run(ctx, b.c, bt.n.trackKeys(bt.keys), len(bt.n.prefix)).Err()
			bt.keys = bt.keys[:0]
			return err
		}
		add := func(n names, phys string) error {
			bt := pending[n.prefix]
			if bt == nil {
				bt = &rebuildTenant{n: n}
				pending[n.prefix] = bt
			}
			bt.keys = append(bt.keys, phys)
			if len(bt.keys) >= rebuildBatch {
				return flush(bt)
			}
			return nil
		}
		var cursor uint64
		for {
			keys, next, err := node.Scan(ctx, cursor, "*", scanCount).Result()
			if err != nil {
				return err
			}
			for _, k := range keys {
				if reg, ok := strings.CutPrefix(k, internalRoot+"keys:"); ok {
					if err := b.recheckRegistry(ctx, reg, k, add); err != nil {
						return err
					}
					continue
				}
				if n, ok := b.lay.parse(k); ok {
					total++
					if err := add(n, k); err != nil {
						return err
					}
				}
			}
			if cursor = next; cursor == 0 {
				break
			}
		}
		for _, bt := range pending {
			if err := flush(bt); err != nil {
				return err
			}
		}
		return nil
	}
	var err error
	if cc, ok := b.c.(*redis.ClusterClient); ok {
		var mu sync.Mutex // ForEachMaster runs the masters concurrently
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
			mu.Lock()
			defer mu.Unlock()
			return one(ctx, c)
		})
	} else {
		err = one(ctx, b.c)
	}
	return total, b.translate(ctx, err)
}

// rebuildTenant collects one tenant's keys for RebuildRegistries.
type rebuildTenant struct {
	n    names
	keys []string
}

// recheckRegistry queues every member of the registry key reg (its name
// without internalRoot+"keys:", that is "{tag}:type") for recording, so a
// member whose key is gone is removed.
func (b *Backend) recheckRegistry(ctx context.Context, reg, key string, add func(names, string) error) error {
	i := strings.LastIndexByte(reg, ':')
	if i < 0 || !strings.HasPrefix(reg, "{") || reg[i-1] != '}' {
		return nil
	}
	tag := reg[:i]
	n := names{tag: tag, prefix: tag[1:len(tag)-1] + ":"}
	if b.lay.cluster {
		n.prefix = tag + ":"
	}
	var cursor uint64
	for {
		members, next, err := b.c.ZScan(ctx, key, cursor, "", scanCount).Result()
		if err != nil {
			return err
		}
		for j := 0; j < len(members); j += 2 { // member, score pairs
			if err := add(n, n.key(members[j])); err != nil {
				return err
			}
		}
		if cursor = next; cursor == 0 {
			return nil
		}
	}
}
