package redisbackend

import (
	"context"
	"hash/maphash"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/isa-cloud/isa-memstore/grpcserver"
)

// Per-tenant command and keyspace hit/miss counters (GetStatistics).
//
// Redis counts commands and hits per server, not per tenant, and counting
// in Redis on every call would cost a second command per call. So each
// process counts in memory and adds its counts to a hash per tenant in Redis
// (HINCRBY, statsKey) every HealthInterval and before answering
// GetStatistics: the figures are shared by every isa-memstore in front of
// the same Redis, and no call pays more than a map update.

// counts are one tenant's counts not yet added to Redis.
type counts struct {
	commands, hits, misses int64
}

func (c *counts) add(o counts) {
	c.commands += o.commands
	c.hits += o.hits
	c.misses += o.misses
}

// counterShards spreads tenants over mutexes so concurrent calls of
// different tenants rarely meet.
const counterShards = 32

type counterTable struct {
	seed   maphash.Seed
	once   sync.Once
	shards [counterShards]counterShard
}

type counterShard struct {
	mu sync.Mutex
	m  map[grpcserver.Tenant]*counts
	_  [40]byte // keep neighbouring mutexes off one cache line
}

func (ct *counterTable) shard(t grpcserver.Tenant) *counterShard {
	ct.once.Do(func() { ct.seed = maphash.MakeSeed() })
	var h maphash.Hash
	h.SetSeed(ct.seed)
	h.WriteString(t.Org)
	h.WriteByte(0)
	h.WriteString(t.User)
	return &ct.shards[h.Sum64()%counterShards]
}

// add adds c to t's pending counts.
func (ct *counterTable) add(t grpcserver.Tenant, c counts) {
	sh := ct.shard(t)
	sh.mu.Lock()
	p := sh.m[t]
	if p == nil {
		if sh.m == nil {
			sh.m = make(map[grpcserver.Tenant]*counts)
		}
		p = &counts{}
		sh.m[t] = p
	}
	p.add(c)
	sh.mu.Unlock()
}

// command counts n commands of t.
func (ct *counterTable) command(t grpcserver.Tenant, n int64) { ct.add(t, counts{commands: n}) }

// lookups counts key lookups of read commands: hits found the key.
func (ct *counterTable) lookups(t grpcserver.Tenant, hits, misses int64) {
	if hits != 0 || misses != 0 {
		ct.add(t, counts{hits: hits, misses: misses})
	}
}

// lookup counts one key lookup.
func (ct *counterTable) lookup(t grpcserver.Tenant, hit bool) {
	if hit {
		ct.lookups(t, 1, 0)
	} else {
		ct.lookups(t, 0, 1)
	}
}

// take removes and returns t's pending counts.
func (ct *counterTable) take(t grpcserver.Tenant) counts {
	sh := ct.shard(t)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	p := sh.m[t]
	if p == nil {
		return counts{}
	}
	delete(sh.m, t)
	return *p
}

// takeAll removes and returns every tenant's pending counts.
func (ct *counterTable) takeAll() map[grpcserver.Tenant]counts {
	out := make(map[grpcserver.Tenant]counts)
	for i := range ct.shards {
		sh := &ct.shards[i]
		sh.mu.Lock()
		for t, p := range sh.m {
			out[t] = *p
		}
		sh.m = nil
		sh.mu.Unlock()
	}
	return out
}

// Fields of the counters hash in Redis.
const (
	fieldCommands = "commands"
	fieldHits     = "hits"
	fieldMisses   = "misses"
)

// queueIncr queues the HINCRBYs adding c to t's hash.
func queueIncr(p redis.Pipeliner, ctx context.Context, key string, c counts) {
	if c.commands != 0 {
		p.HIncrBy(ctx, key, fieldCommands, c.commands)
	}
	if c.hits != 0 {
		p.HIncrBy(ctx, key, fieldHits, c.hits)
	}
	if c.misses != 0 {
		p.HIncrBy(ctx, key, fieldMisses, c.misses)
	}
}

// flushCounters adds every pending count to Redis; what cannot be written
// (Redis is down) stays pending for the next flush.
func (b *Backend) flushCounters(ctx context.Context) {
	all := b.counters.takeAll()
	if len(all) == 0 {
		return
	}
	p := b.c.Pipeline()
	for t, c := range all {
		n, err := b.lay.tenant(t)
		if err != nil {
			continue // never counted: begin refuses such ids
		}
		queueIncr(p, ctx, n.statsKey(), c)
	}
	if _, err := p.Exec(ctx); err != nil {
		// Some increments may have landed; re-adding all of them could
		// count twice, dropping them could lose counts. Counts are
		// statistics: prefer never to inflate them.
		b.log.Debug("redis: flushing command counters failed", "error", err.Error())
	}
}
