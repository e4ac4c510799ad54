package redisbackend

import (
	"context"
	"errors"
	"strings"

	"github.com/redis/go-redis/v9"
)

// The key registry: what GetStatistics counts, without a scan.
//
// Redis keeps no per-prefix counts, and on standalone Redis every tenant
// shares one keyspace, so counting a tenant's keys by SCAN would walk every
// key of every tenant. Instead each tenant has one sorted set per type
// (registryKey) whose members are the tenant's keys of that type (logical
// names) scored by their absolute deadline in Unix ms, +inf when they do
// not expire. Every write the backend makes (tracked, and the batch
// script) records the keys it touched in the same MULTI/EXEC or script:
// for each key, TYPE and PEXPIRETIME decide which registry holds it and
// with which score, and it is removed from the others (from all of them
// once it is gone). Expiry needs no write: GetStatistics first drops the
// members whose deadline has passed by Redis's clock (statsScript), the
// same rule Redis applies to the keys. So a tenant's statistics cost
// O(log n + expired) per type, whatever the size of the keyspace.
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
  for i = 1, 5 do
    if trackTypes[i] == typ then
      redis.call('ZADD', KEYS[i], score, name)
    else
      redis.call('ZREM', KEYS[i], name)
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

// tracked runs the commands queue adds, which may create, delete, retype
// or change the expiry of keys (physical names of tenant n), and records
// keys in the tenant's registries in the same MULTI/EXEC, so no other
// client sees the keys and the registry disagree. The callers read their
// commands' replies; the error returned is Redis's refusal of one of the
// commands (nothing changed then) or a failure to reach Redis, for the
// caller to translate.
//
// Why a transaction around the plain command rather than one script
// running it: the command's reply reaches the caller untouched (a Lua
// script turns integers into doubles, which INCRBY near 2^63 would not
// survive) and its arguments are not limited by Lua's stack.
func (b *Backend) tracked(ctx context.Context, n names, keys []string, queue func(p redis.Pipeliner)) error {
	p := b.c.TxPipeline()
	queue(p)
	tr := p.EvalSha(ctx, trackScript.Hash(), n.trackKeys(keys), len(n.prefix))
	cmds, _ := p.Exec(ctx) // per-command errors below
	for _, c := range cmds[:len(cmds)-1] {
		if err := c.Err(); err != nil && !errors.Is(err, redis.Nil) {
			// Refused at queueing (EXECABORT: nothing ran) or at run
			// time (the command changed nothing; tracking ran anyway),
			// or Redis is unreachable.
			return err
		}
	}
	err := tr.Err()
	if isNoScript(err) {
		// The first write after Redis lost its script cache: record
		// now, loading the script. Tracking reads the keys' current
		// state, so recording just after the write is still right;
		// and any later write to the keys records them again.
		err = trackScript.Run(ctx, b.c, n.trackKeys(keys), len(n.prefix)).Err()
	}
	return err
}

// loadScripts puts the scripts the write path runs with EVALSHA into
// Redis's script cache (on every master of a cluster), so writes need no
// fallback. Best effort: tracked loads the script itself when needed.
func (b *Backend) loadScripts(ctx context.Context) {
	if cc, ok := b.c.(*redis.ClusterClient); ok {
		_ = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
			return trackScript.Load(ctx, c).Err()
		})
		return
	}
	_ = trackScript.Load(ctx, b.c).Err()
}
