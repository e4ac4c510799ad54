package redisbackend

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/grpcserver"
)

// regEntry is a key as its registry holds it: the type and whether it
// has a deadline (the score must then be the key's PEXPIRETIME).
type regEntry struct {
	typ    string
	expiry bool
}

// registryOf reads the tenant's registries and checks every score
// against the key's real deadline.
func registryOf(t *testing.T, b *Backend, tn grpcserver.Tenant) map[string]regEntry {
	t.Helper()
	ctx := testCtx(t)
	n, err := b.lay.tenant(tn)
	require.NoError(t, err)
	out := map[string]regEntry{}
	for _, typ := range typeNames {
		zs, err := b.c.ZRangeWithScores(ctx, n.registryKey(typ), 0, -1).Result()
		require.NoError(t, err)
		for _, z := range zs {
			k := z.Member.(string)
			_, dup := out[k]
			require.False(t, dup, "%q is registered under two types", k)
			out[k] = regEntry{typ: typ, expiry: !math.IsInf(z.Score, 1)}
			at, err := b.c.Do(ctx, "pexpiretime", n.key(k)).Int64()
			require.NoError(t, err)
			if math.IsInf(z.Score, 1) {
				assert.Equal(t, int64(-1), at, "%q is registered without deadline", k)
			} else {
				assert.Equal(t, at, int64(z.Score), "%q's registered deadline", k)
			}
			real, err := b.c.Type(ctx, n.key(k)).Result()
			require.NoError(t, err)
			assert.Equal(t, real, typ, "%q's registered type", k)
		}
	}
	return out
}

// TestRegistryFollowsEveryWrite drives every writing method and compares
// the registry with what Redis holds after each step.
func TestRegistryFollowsEveryWrite(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *Backend{"standalone": standalone, "cluster": cluster} {
		t.Run(name, func(t *testing.T) {
			b := open(t)
			ctx := testCtx(t)
			tn := freshTenant()
			str, strTTL := regEntry{"string", false}, regEntry{"string", true}
			hash, list, set, zset := regEntry{"hash", false}, regEntry{"list", false}, regEntry{"set", false}, regEntry{"zset", false}
			want := map[string]regEntry{}
			steps := []struct {
				desc   string
				do     func() error
				change func()
			}{
				{"Set", func() error { return b.Set(ctx, tn, "s", "v", 0) }, func() { want["s"] = str }},
				{"Set with TTL", func() error { return b.Set(ctx, tn, "t", "v", time.Hour) }, func() { want["t"] = strTTL }},
				{"Set drops the TTL", func() error { return b.Set(ctx, tn, "t", "v", 0) }, func() { want["t"] = str }},
				{"IncrBy creates", func() error { _, err := b.IncrBy(ctx, tn, "n", 5); return err }, func() { want["n"] = str }},
				{"DecrBy creates", func() error { _, err := b.DecrBy(ctx, tn, "d", 5); return err }, func() { want["d"] = str }},
				{"Append creates", func() error { _, err := b.Append(ctx, tn, "a", "x"); return err }, func() { want["a"] = str }},
				{"Expire sets a deadline", func() error { _, err := b.Expire(ctx, tn, "a", time.Hour); return err }, func() { want["a"] = strTTL }},
				{"Expire into the past deletes", func() error { _, err := b.Expire(ctx, tn, "d", -time.Second); return err }, func() { delete(want, "d") }},
				{"Rename keeps type and deadline", func() error { return b.Rename(ctx, tn, "a", "a2") }, func() { delete(want, "a"); want["a2"] = strTTL }},
				{"HSet", func() error {
					_, err := b.HSet(ctx, tn, "h", []grpcserver.HashField{{Field: "f", Value: "v"}, {Field: "g", Value: "w"}})
					return err
				}, func() { want["h"] = hash }},
				{"HIncrBy creates", func() error { _, err := b.HIncrBy(ctx, tn, "h2", "f", 1); return err }, func() { want["h2"] = hash }},
				{"HDel empties", func() error { _, err := b.HDel(ctx, tn, "h2", []string{"f"}); return err }, func() { delete(want, "h2") }},
				{"LPush", func() error { _, err := b.LPush(ctx, tn, "l", []string{"a", "b"}); return err }, func() { want["l"] = list }},
				{"RPush", func() error { _, err := b.RPush(ctx, tn, "l2", []string{"a"}); return err }, func() { want["l2"] = list }},
				{"LPop", func() error { _, _, err := b.LPop(ctx, tn, "l"); return err }, func() {}},
				{"RPop empties", func() error { _, _, err := b.RPop(ctx, tn, "l"); return err }, func() { delete(want, "l") }},
				{"LTrim empties", func() error { return b.LTrim(ctx, tn, "l2", 1, 0) }, func() { delete(want, "l2") }},
				{"SAdd", func() error { _, err := b.SAdd(ctx, tn, "st", []string{"a"}); return err }, func() { want["st"] = set }},
				{"SRem empties", func() error { _, err := b.SRem(ctx, tn, "st", []string{"a"}); return err }, func() { delete(want, "st") }},
				{"ZAdd", func() error {
					_, err := b.ZAdd(ctx, tn, "z", []grpcserver.ZMember{{Member: "m", Score: 1}})
					return err
				}, func() { want["z"] = zset }},
				{"ZIncrBy creates", func() error { _, err := b.ZIncrBy(ctx, tn, "z2", "m", 1); return err }, func() { want["z2"] = zset }},
				{"ZRem empties", func() error { _, err := b.ZRem(ctx, tn, "z2", []string{"m"}); return err }, func() { delete(want, "z2") }},
				{"Rename over another type", func() error { return b.Rename(ctx, tn, "z", "s") }, func() { delete(want, "z"); want["s"] = zset }},
				{"Delete", func() error { _, err := b.Delete(ctx, tn, []string{"n", "missing"}); return err }, func() { delete(want, "n") }},
				{"Delete then Set retypes", func() error {
					if _, err := b.Delete(ctx, tn, []string{"h"}); err != nil {
						return err
					}
					return b.Set(ctx, tn, "h", "now a string", time.Minute)
				}, func() { want["h"] = strTTL }},
				{"ExecuteBatch", func() error {
					errs, err := b.ExecuteBatch(ctx, tn, []grpcserver.BatchOp{
						{Op: "SET", Key: "b1", Value: "v", TTL: time.Hour}, {Op: "HSET", Key: "b2", Value: "v"},
						{Op: "INCR", Key: "b3"}, {Op: "APPEND", Key: "b4", Value: "x"}, {Op: "EXPIRE", Key: "b4", TTL: time.Minute},
						{Op: "DEL", Key: "t"}, {Op: "GET", Key: "ghost"}, {Op: "EXPIRE", Key: "b3", TTL: -time.Second},
					})
					for _, e := range errs {
						require.NoError(t, e)
					}
					return err
				}, func() {
					want["b1"], want["b2"], want["b4"] = strTTL, hash, strTTL
					delete(want, "t")
				}},
			}
			for _, st := range steps {
				require.NoError(t, st.do(), st.desc)
				st.change()
				require.Equal(t, want, registryOf(t, b, tn), "after %s", st.desc)
			}

			// Refused writes change nothing.
			_, err := b.LPush(ctx, tn, "h", []string{"x"})
			require.Error(t, err, "WRONGTYPE")
			_, err = b.HSet(ctx, tn, "fresh", nil)
			require.EqualError(t, err, "ERR wrong number of arguments for 'hset' command", "Redis's own text, not the script's")
			require.Error(t, b.Rename(ctx, tn, "ghost", "other"), "no such key")
			require.Equal(t, want, registryOf(t, b, tn), "after refused writes")

			st, err := b.Statistics(ctx, tn)
			require.NoError(t, err)
			byType := map[string]int64{"string": 0, "hash": 0, "list": 0, "set": 0, "zset": 0}
			for _, e := range want {
				byType[e.typ]++
			}
			assert.Equal(t, byType, st.KeysByType)
			assert.Equal(t, int64(len(want)), st.Keys)
		})
	}
}

// TestWriteOutsideScripts: the writes that cannot go through a script (an
// exact 64-bit reply, more arguments than Lua's stack takes) are recorded
// too, and answer exactly.
func TestWriteOutsideScripts(t *testing.T) {
	b := standalone(t)
	ctx := testCtx(t)
	tn := freshTenant()
	v, err := b.IncrBy(ctx, tn, "n", math.MaxInt64-1)
	require.NoError(t, err)
	v, err = b.IncrBy(ctx, tn, "n", 1)
	require.NoError(t, err)
	assert.Equal(t, int64(math.MaxInt64), v, "a double would have rounded it")
	v, err = b.HIncrBy(ctx, tn, "h", "f", math.MinInt64)
	require.NoError(t, err)
	assert.Equal(t, int64(math.MinInt64), v)

	fields := make([]grpcserver.HashField, maxScriptArgs)
	for i := range fields {
		fields[i] = grpcserver.HashField{Field: strconv.Itoa(i), Value: "v"}
	}
	added, err := b.HSet(ctx, tn, "big", fields)
	require.NoError(t, err)
	assert.Equal(t, int64(maxScriptArgs), added)
	members := make([]string, 10000) // beyond Lua's 8000 stack slots
	for i := range members {
		members[i] = strconv.Itoa(i)
	}
	added, err = b.SAdd(ctx, tn, "bigset", members)
	require.NoError(t, err)
	assert.Equal(t, int64(len(members)), added)
	assert.Equal(t, map[string]regEntry{"n": {"string", false}, "h": {"hash", false}, "big": {"hash", false}, "bigset": {"set", false}},
		registryOf(t, b, tn))
}

// TestStatisticsDropExpired: members whose deadline has passed are not
// counted and leave the registry, without touching the keys. Time cannot
// be made to pass here, so the registry is given a deadline in the past
// for a key that still exists: only the deadline can have removed it.
func TestStatisticsDropExpired(t *testing.T) {
	b := standalone(t)
	ctx := testCtx(t)
	tn := freshTenant()
	n, _ := b.lay.tenant(tn)
	require.NoError(t, b.Set(ctx, tn, "old", "v", time.Hour))
	require.NoError(t, b.Set(ctx, tn, "live", "v", time.Hour))
	past := time.Now().Add(-time.Minute).UnixMilli()
	require.NoError(t, b.c.ZAddXX(ctx, n.registryKey("string"), redis.Z{Score: float64(past), Member: "old"}).Err())

	st, err := b.Statistics(ctx, tn)
	require.NoError(t, err)
	assert.Equal(t, int64(1), st.Keys)
	assert.Equal(t, int64(1), st.KeysByType["string"])
	_, err = b.c.ZScore(ctx, n.registryKey("string"), "old").Result()
	assert.ErrorIs(t, err, redis.Nil, "the expired member left the registry")
	_, err = b.c.ZScore(ctx, n.registryKey("string"), "live").Result()
	assert.NoError(t, err)
}

// TestStatisticsForgetVanishedKeys: a registered key deleted behind the
// backend's back (eviction, another program) is not counted once sampled.
func TestStatisticsForgetVanishedKeys(t *testing.T) {
	b := standalone(t)
	ctx := testCtx(t)
	tn := freshTenant()
	n, _ := b.lay.tenant(tn)
	_, err := b.SAdd(ctx, tn, "gone", []string{"m"})
	require.NoError(t, err)
	_, err = b.SAdd(ctx, tn, "kept", []string{"m"})
	require.NoError(t, err)
	require.NoError(t, b.c.Del(ctx, n.key("gone")).Err())

	st, err := b.Statistics(ctx, tn)
	require.NoError(t, err)
	assert.Equal(t, int64(1), st.KeysByType["set"])
	assert.Equal(t, int64(1), st.Keys)
	assert.Equal(t, map[string]regEntry{"kept": {"set", false}}, registryOf(t, b, tn))
}

// TestStatisticsIgnoreForeignKeys: keys other programs wrote under the
// tenant's names (the earlier service's data) are served but not counted:
// the registry only knows the backend's own writes (see README).
func TestStatisticsIgnoreForeignKeys(t *testing.T) {
	b := standalone(t)
	ctx := testCtx(t)
	tn := freshTenant()
	n, _ := b.lay.tenant(tn)
	require.NoError(t, b.c.Set(ctx, n.key("legacy"), "v", 0).Err())
	require.NoError(t, b.Set(ctx, tn, "own", "v", 0))
	v, found, err := b.Get(ctx, tn, "legacy")
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, "v", v)
	st, err := b.Statistics(ctx, tn)
	require.NoError(t, err)
	assert.Equal(t, int64(1), st.Keys)
}

// TestStatisticsCostNoScan runs on a private server, so its command
// counts are this test's alone: GetStatistics sends no SCAN, KEYS or
// per-key TYPE however many keys other tenants have, and its memory
// estimate is close to the real usage.
func TestStatisticsCostNoScan(t *testing.T) {
	srv := startRedis(t, freePort(t))
	b := newBackend(t, Options{Addrs: []string{srv.addr()}})
	ctx := testCtx(t)
	other, tn := freshTenant(), freshTenant()
	p := b.c.Pipeline()
	for i := range 5000 {
		p.Set(ctx, "unrelated:"+strconv.Itoa(i), "v", 0)
	}
	_, err := p.Exec(ctx)
	require.NoError(t, err)
	for i := range 200 {
		require.NoError(t, b.Set(ctx, other, "k"+strconv.Itoa(i), "v", 0))
	}
	value := strings.Repeat("x", 1000)
	var real int64
	for i := range 40 {
		k := "key" + strconv.Itoa(100+i) // same length: same usage
		require.NoError(t, b.Set(ctx, tn, k, value, 0))
		m, err := b.c.MemoryUsage(ctx, "org-"+tn.Org+":user-"+tn.User+":"+k).Result()
		require.NoError(t, err)
		real += m
	}
	_, err = b.HSet(ctx, tn, "h", []grpcserver.HashField{{Field: "f", Value: "v"}})
	require.NoError(t, err)
	hm, err := b.c.MemoryUsage(ctx, "org-"+tn.Org+":user-"+tn.User+":h").Result()
	require.NoError(t, err)
	real += hm

	require.NoError(t, b.c.ConfigResetStat(ctx).Err())
	st, err := b.Statistics(ctx, tn)
	require.NoError(t, err)
	assert.Equal(t, int64(41), st.Keys)
	assert.InEpsilon(t, real, st.MemoryBytes, 0.05, "estimate %d, real %d", st.MemoryBytes, real)

	stats, err := b.c.Info(ctx, "commandstats").Result()
	require.NoError(t, err)
	for _, cmd := range []string{"scan", "keys", "type"} {
		assert.NotContains(t, stats, "cmdstat_"+cmd+":", "GetStatistics sent %s", cmd)
	}
	assert.Contains(t, stats, "cmdstat_memory|usage:calls=17,", "16 sampled strings and the one hash")
}

// TestTrackingSurvivesScriptFlush: after Redis loses its script cache
// (restart, failover), the first write still reaches the registry.
func TestTrackingSurvivesScriptFlush(t *testing.T) {
	srv := startRedis(t, freePort(t))
	b := newBackend(t, Options{Addrs: []string{srv.addr()}})
	ctx := testCtx(t)
	tn := freshTenant()
	require.NoError(t, b.c.ScriptFlush(ctx).Err())
	require.NoError(t, b.Set(ctx, tn, "k", "v", 0))
	require.NoError(t, b.c.ScriptFlush(ctx).Err())
	_, err := b.ExecuteBatch(ctx, tn, []grpcserver.BatchOp{{Op: "HSET", Key: "h", Value: "v"}})
	require.NoError(t, err)
	require.NoError(t, b.c.ScriptFlush(ctx).Err())
	_, err = b.IncrBy(ctx, tn, "n", 1) // the transaction's EVALSHA fails: recorded after it
	require.NoError(t, err)
	assert.Equal(t, map[string]regEntry{"k": {"string", false}, "h": {"hash", false}, "n": {"string", false}}, registryOf(t, b, tn))
}

// TestRebuildRegistries: keys written by others are recorded, and members
// whose keys others deleted are dropped, by the explicit rebuild.
func TestRebuildRegistries(t *testing.T) {
	for name, open := range map[string]func(*testing.T) *Backend{
		// A private server: the rebuild walks the whole keyspace, and
		// its count is then this test's alone.
		"standalone": func(t *testing.T) *Backend {
			return newBackend(t, Options{Addrs: []string{startRedis(t, freePort(t)).addr()}})
		},
		"cluster": func(t *testing.T) *Backend { return cluster(t) },
	} {
		t.Run(name, func(t *testing.T) {
			b := open(t)
			ctx := testCtx(t)
			tn, solo := freshTenant(), grpcserver.Tenant{User: "u" + newToken()[:12]}
			n, _ := b.lay.tenant(tn)
			ns, _ := b.lay.tenant(solo)
			require.NoError(t, b.Set(ctx, tn, "own", "v", 0))
			require.NoError(t, b.Set(ctx, tn, "deleted", "v", 0))
			require.NoError(t, b.c.Del(ctx, n.key("deleted")).Err())
			// The earlier service's data, written straight into Redis.
			require.NoError(t, b.c.Set(ctx, n.key("legacy"), "v", time.Hour).Err())
			require.NoError(t, b.c.HSet(ctx, n.key("x:y"), "f", "v").Err())
			require.NoError(t, b.c.RPush(ctx, ns.key("l"), "a").Err())
			require.NoError(t, b.c.Set(ctx, "not-a-tenant:k", "v", 0).Err())

			recorded, err := b.RebuildRegistries(ctx)
			require.NoError(t, err)
			if name == "standalone" {
				assert.Equal(t, int64(4), recorded, "own, legacy, x:y and l")
			}
			assert.Equal(t, map[string]regEntry{"own": {"string", false}, "legacy": {"string", true}, "x:y": {"hash", false}}, registryOf(t, b, tn))
			assert.Equal(t, map[string]regEntry{"l": {"list", false}}, registryOf(t, b, solo))
			st, err := b.Statistics(ctx, tn)
			require.NoError(t, err)
			assert.Equal(t, int64(3), st.Keys)
		})
	}
}

func TestParseLayout(t *testing.T) {
	for _, cluster := range []bool{false, true} {
		l := layout{cluster: cluster}
		for _, tn := range []grpcserver.Tenant{{Org: "o", User: "u"}, {User: "u"}, {Org: "org-x", User: "user-y"}} {
			n, err := l.tenant(tn)
			require.NoError(t, err)
			for _, k := range []string{"k", "", "a:b", "{x}"} {
				got, ok := l.parse(n.key(k))
				require.True(t, ok, "%q", n.key(k))
				assert.Equal(t, n.prefix, got.prefix)
				assert.Equal(t, n.tag, got.tag)
			}
		}
		for _, phys := range []string{"isa-memstore:stats:{user-u}", "plain", "org-o:k", "user-", "{user-u}", "{other}:k"} {
			_, ok := l.parse(phys)
			assert.False(t, ok, "%q (cluster %v)", phys, cluster)
		}
	}
}
