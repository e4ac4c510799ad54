package redisbackend

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/isa-cloud/isa-memstore/grpcserver"
)

// typeNames are the key types GetStatistics reports, all of them always.
var typeNames = []string{"string", "hash", "list", "set", "zset"}

// Statistics implements grpcserver.InfoBackend.
//
// Keys and their types are counted from the tenant's key registry
// (registry.go), which the backend's writes keep: one script drops the
// expired members and answers each type's count and a random sample, so
// the cost is O(log n + expired) per type, for this tenant only, never a
// scan of the keyspace. memory_used_bytes is an estimate: each type's count
// times the average MEMORY USAGE of its sample (at most statsSample keys
// per type). Keys other programs wrote under the tenant's names are not in
// the registry and not counted. Commands and the hit rate come from the
// per-tenant counters (counters.go), flushed to Redis first so every
// process's calls are included.
func (b *Backend) Statistics(ctx context.Context, t grpcserver.Tenant) (grpcserver.Stats, error) {
	n, err := b.begin(t)
	if err != nil {
		return grpcserver.Stats{}, err
	}
	st := grpcserver.Stats{KeysByType: make(map[string]int64, len(typeNames))}

	pending := b.counters.take(t)
	p := b.c.Pipeline()
	queueIncr(p, ctx, n.statsKey(), pending)
	hm := p.HMGet(ctx, n.statsKey(), fieldCommands, fieldHits, fieldMisses)
	if _, err := p.Exec(ctx); err != nil {
		b.counters.add(t, pending) // nothing was written: Redis is unreachable
		return grpcserver.Stats{}, b.translate(ctx, err)
	}
	var c [3]int64
	for i, v := range hm.Val() {
		if s, ok := v.(string); ok {
			c[i], _ = strconv.ParseInt(s, 10, 64)
		}
	}
	st.Commands = c[0]
	if c[1]+c[2] > 0 {
		st.HitRate = float64(c[1]) / float64(c[1]+c[2])
	}

	regs := n.trackKeys(nil)
	res, err := statsScript.Run(ctx, b.c, regs, statsSample).Slice()
	if err != nil {
		return grpcserver.Stats{}, b.translate(ctx, err)
	}
	if len(res) != len(typeNames) {
		return grpcserver.Stats{}, fmt.Errorf("redisbackend: statistics script answered %d types, want %d", len(res), len(typeNames))
	}
	counts := make([]int64, len(typeNames))
	samples := make([][]string, len(typeNames))
	for i, r := range res {
		pair, _ := r.([]any)
		if len(pair) != 2 {
			return grpcserver.Stats{}, fmt.Errorf("redisbackend: statistics script answered %T for %s", r, typeNames[i])
		}
		counts[i], _ = pair[0].(int64)
		for _, m := range pair[1].([]any) {
			if s, ok := m.(string); ok {
				samples[i] = append(samples[i], s)
			}
		}
	}

	// The sample's MEMORY USAGE, in one pipeline (one node: the keys share
	// the tenant's slot in a cluster).
	mems := make([][]*redis.IntCmd, len(typeNames))
	p = b.c.Pipeline()
	for i, sample := range samples {
		for _, k := range sample {
			mems[i] = append(mems[i], p.MemoryUsage(ctx, n.key(k)))
		}
	}
	if p.Len() > 0 {
		_, _ = p.Exec(ctx) // per-key errors below: a sampled key may be gone
	}
	for i, typ := range typeNames {
		var sum, seen int64
		for j, m := range mems[i] {
			v, err := m.Result()
			switch {
			case errors.Is(err, redis.Nil):
				// Registered but gone: evicted or deleted by another
				// program (expired keys were dropped above). Forget it,
				// unless a write has brought it back meanwhile.
				k := samples[i][j]
				if err := forgetScript.Run(ctx, b.c, []string{n.registryKey(typ), n.key(k)}, k).Err(); err != nil {
					return grpcserver.Stats{}, b.translate(ctx, err)
				}
				counts[i]--
			case err != nil:
				return grpcserver.Stats{}, b.translate(ctx, err)
			default:
				sum += v
				seen++
			}
		}
		st.KeysByType[typ] = counts[i]
		st.Keys += counts[i]
		if seen > 0 {
			st.MemoryBytes += int64(float64(sum) / float64(seen) * float64(counts[i]))
		}
	}
	return st, nil
}

// KeyInfo implements grpcserver.InfoBackend. OBJECT IDLETIME is asked
// first and none of the commands touches the key, so the call does not
// count as an access.
//
// Redis keeps no creation time: CreatedAt is the last access, the latest
// moment the key is known to have existed (it was created no later).
func (b *Backend) KeyInfo(ctx context.Context, t grpcserver.Tenant, key string) (grpcserver.KeyInfo, bool, error) {
	n, err := b.begin(t)
	if err != nil {
		return grpcserver.KeyInfo{}, false, err
	}
	k := n.key(key)
	p := b.c.Pipeline()
	idle := p.ObjectIdleTime(ctx, k)
	typ := p.Type(ctx, k)
	pttl := p.Do(ctx, "pttl", k)
	mem := p.MemoryUsage(ctx, k)
	_, _ = p.Exec(ctx)
	now := time.Now()
	kind, err := typ.Result()
	if err != nil {
		return grpcserver.KeyInfo{}, false, b.translate(ctx, err)
	}
	if kind == "none" {
		return grpcserver.KeyInfo{}, false, nil
	}
	ms, err := pttl.Int64()
	if err != nil {
		return grpcserver.KeyInfo{}, false, b.translate(ctx, err)
	}
	if ms == -2 {
		return grpcserver.KeyInfo{}, false, nil // expired between TYPE and PTTL
	}
	info := grpcserver.KeyInfo{Type: kind, TTLSeconds: ms}
	if ms >= 0 {
		info.TTLSeconds = (ms + 500) / 1000 // rounded as TTL rounds
	}
	info.Size, _ = mem.Result() // 0 if the key vanished meanwhile
	info.LastAccessed = now
	if d, err := idle.Result(); err == nil {
		// Idle time is whole seconds (0 with an LFU policy, which
		// tracks no idle time and answers an error instead).
		info.LastAccessed = now.Add(-d)
	}
	info.CreatedAt = info.LastAccessed
	return info, true, nil
}

// healthProbes makes the deep health check's keys unique per call.
var healthProbes atomic.Int64

// Health implements grpcserver.InfoBackend: used memory is Redis's
// used_memory (summed over the masters of a cluster). The deep check
// writes, reads back and deletes a key under the backend's own root, which
// no tenant can reach.
func (b *Backend) Health(ctx context.Context, deep bool) (int64, error) {
	if err := b.ready(); err != nil {
		return 0, err
	}
	used, err := b.usedMemory(ctx)
	if err != nil {
		return 0, b.translate(ctx, err)
	}
	if !deep {
		return used, nil
	}
	key := internalRoot + "health:" + newToken() + ":" + strconv.FormatInt(healthProbes.Add(1), 10)
	val := newToken()
	if err := b.c.Set(ctx, key, val, time.Minute).Err(); err != nil {
		return used, b.translate(ctx, err)
	}
	got, err := b.c.Get(ctx, key).Result()
	if derr := b.c.Del(ctx, key).Err(); err == nil {
		err = derr
	}
	if err != nil {
		return used, b.translate(ctx, err)
	}
	if got != val {
		return used, errors.New("redisbackend: the health check read back a different value")
	}
	return used, nil
}

// usedMemory is INFO memory's used_memory, summed over a cluster's masters.
func (b *Backend) usedMemory(ctx context.Context) (int64, error) {
	one := func(c interface {
		Info(context.Context, ...string) *redis.StringCmd
	}) (int64, error) {
		info, err := c.Info(ctx, "memory").Result()
		if err != nil {
			return 0, err
		}
		for _, line := range strings.Split(info, "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
				return strconv.ParseInt(v, 10, 64)
			}
		}
		return 0, nil
	}
	cc, ok := b.c.(*redis.ClusterClient)
	if !ok {
		return one(b.c)
	}
	var total atomic.Int64
	err := cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
		n, err := one(c)
		total.Add(n)
		return err
	})
	return total.Load(), err
}
