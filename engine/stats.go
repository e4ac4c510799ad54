package engine

import (
	"time"

	"github.com/isa-cloud/isa-memstore/store"
)

// Stats are a namespace's statistics, or (inside EngineStats) their totals
// over every namespace. Every figure comes from counters kept up to date by
// the operations themselves, so reading them costs O(shards), not O(keys).
type Stats struct {
	// Keys is the number of live keys; the others split it by type.
	Keys                                int64
	Strings, Hashes, Lists, Sets, ZSets int64
	// MemoryBytes approximates the bytes the keys and values use (the
	// figure the memory limit applies to).
	MemoryBytes int64
	// Commands counts the commands executed: key commands (an atomic batch
	// counts each of its operations) plus lock, session and pub/sub calls.
	Commands int64
	// Hits and Misses count key lookups by read commands that found or did
	// not find the key, as Redis's keyspace_hits and keyspace_misses.
	Hits, Misses int64
	// HitRate is Hits / (Hits + Misses), 0 when there was no lookup.
	HitRate float64
}

// KeysOfType is the number of keys of type t.
func (s Stats) KeysOfType(t Type) int64 {
	switch t {
	case TypeString:
		return s.Strings
	case TypeHash:
		return s.Hashes
	case TypeList:
		return s.Lists
	case TypeSet:
		return s.Sets
	case TypeZSet:
		return s.ZSets
	}
	return 0
}

// TypeDistribution is the number of keys per type, keyed by Redis's type
// names: "string", "hash", "list", "set", "zset" (all present, zero or
// not).
func (s Stats) TypeDistribution() map[string]int64 {
	m := make(map[string]int64, 5)
	for _, t := range []Type{TypeString, TypeHash, TypeList, TypeSet, TypeZSet} {
		m[t.String()] = s.KeysOfType(t)
	}
	return m
}

func (s *Stats) add(ks store.Stats, coord int64) {
	s.Keys += ks.Keys
	s.Strings += ks.KeysOfType(store.TypeString)
	s.Hashes += ks.KeysOfType(store.TypeHash)
	s.Lists += ks.KeysOfType(store.TypeList)
	s.Sets += ks.KeysOfType(store.TypeSet)
	s.ZSets += ks.KeysOfType(store.TypeZSet)
	s.MemoryBytes += ks.Bytes
	s.Commands += ks.Commands + coord
	s.Hits += ks.Hits
	s.Misses += ks.Misses
}

func (s *Stats) finish() {
	if n := s.Hits + s.Misses; n > 0 {
		s.HitRate = float64(s.Hits) / float64(n)
	}
}

// Stats returns the namespace's statistics. Keys past their deadline are
// reclaimed first (as DBSize does), so they are never counted; that costs
// the number of such keys, not the size of the namespace.
func (db *DB) Stats() (Stats, error) {
	now, err := db.begin()
	if err != nil {
		return Stats{}, err
	}
	db.ks.ReclaimExpired(now, 0)
	var s Stats
	s.add(db.ks.Stats(), db.coordCommands.Load())
	s.finish()
	return s, nil
}

// EngineStats are engine-wide statistics.
type EngineStats struct {
	// Stats are the totals over every namespace; HitRate is computed from
	// the total hits and misses.
	Stats
	// Expired counts keys deleted because their deadline passed (lazily
	// or by the background worker) since the engine opened.
	Expired int64
	// Evicted counts keys deleted to make room under the memory limit
	// (always 0 with the default noeviction policy).
	Evicted int64
	// Uptime is the time since Open, on the engine's clock.
	Uptime time.Duration
	// Namespaces is the number of namespaces opened so far.
	Namespaces int
	// Sessions is the number of live sessions across namespaces.
	Sessions int64
}

// Stats returns engine-wide statistics in O(namespaces × shards), after
// reclaiming expired keys and sessions so that they are not counted.
func (e *Engine) Stats() (EngineStats, error) {
	if e.closed.Load() {
		return EngineStats{}, ErrClosed
	}
	now := e.now()
	e.sessions.reclaim(now, 0)
	dbs := *e.dbList.Load()
	s := EngineStats{Namespaces: len(dbs), Uptime: e.clock.Now().Sub(e.started)}
	for _, db := range dbs {
		db.ks.ReclaimExpired(now, 0)
		ks := db.ks.Stats()
		s.add(ks, db.coordCommands.Load())
		s.Expired += ks.Expired
		s.Evicted += ks.Evicted
	}
	s.Sessions = e.sessions.count.Load()
	s.finish()
	return s, nil
}

// UsedMemory is the approximate number of bytes of data across all
// namespaces (the figure Options.MaxMemory limits): read in O(1) when a
// MaxMemory is set, otherwise summed over the namespaces' shard counters
// (O(namespaces x shards), no key is visited; see newDB for why).
func (e *Engine) UsedMemory() int64 {
	if e.maxMemory.Load() > 0 {
		return e.used.Load()
	}
	var n int64
	for _, db := range *e.dbList.Load() {
		n += db.ks.Bytes()
	}
	return n
}

// HealthCheck reports whether the engine serves requests: ErrClosed after
// Close. With deep, it also writes, reads back and deletes a random key in
// a private namespace that no tenant can reach and that statistics do not
// include, so a failing write path (for example the memory limit, ErrOOM)
// shows up.
func (e *Engine) HealthCheck(deep bool) error {
	if e.closed.Load() {
		return ErrClosed
	}
	if !deep {
		return nil
	}
	db := e.health
	key, val := newToken(), newToken()
	if _, err := db.Set(key, val, SetOptions{TTL: time.Minute}); err != nil {
		return err
	}
	got, found, err := db.Get(key)
	if _, derr := db.Del(key); err == nil {
		err = derr
	}
	if err != nil {
		return err
	}
	if !found || got != val {
		return ErrInternal.withText("ERR health check read back a different value")
	}
	return nil
}
