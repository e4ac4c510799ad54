package store

import (
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/cespare/xxhash/v2"

	"github.com/isa-cloud/isa-memstore/ttl"
)

// MinShards is the floor of the shard count. Two goroutines that hit the
// same shard at the same moment serialise, and the waiter spins: with 2
// callers the chance is about 1/shards per call, so more shards waste less
// time waiting, while each costs memory when a namespace opens (about 480
// bytes: the shard, an empty map and an empty b-tree; 30 KB a namespace at
// 64) and time in the operations that visit every shard (stats, SCAN,
// FLUSH, transactions over unknown keys).
//
// 64, measured with BenchmarkEmbedded in bench/cmd/compare (2 goroutines,
// session 5): with 16 shards, spinning on a shard lock
// (runtime.procyield) was 11% of HSET's CPU profile, with 64 it was 3.4%;
// SET, GET, HSET, LPUSH+RPOP and ZADD were 3-15% faster in 9 alternated
// rounds. BenchmarkShards in keyspace_test.go measures parallel SET for
// 1..64 shards; on this noisy 2-core VM its runs spread 2-5x and did not
// tell shard counts apart.
const MinShards = 64

// DefaultShards returns the shard count used when none is configured: four
// shards per usable core, rounded up to a power of two, at least MinShards.
func DefaultShards() int {
	return normalizeShards(4 * runtime.GOMAXPROCS(0))
}

func normalizeShards(n int) int {
	if n < MinShards {
		n = MinShards
	}
	if n > 1<<16 {
		n = 1 << 16
	}
	return 1 << bits.Len(uint(n-1))
}

// Options configure a Keyspace.
type Options struct {
	// Shards is rounded up to a power of two; 0 means DefaultShards().
	Shards int
	// UsedBytes, when set, is adjusted by every size change in this keyspace,
	// so that an engine can enforce one memory limit across many keyspaces
	// without summing them on every write.
	UsedBytes *atomic.Int64
	// Now is the clock (Unix ms) of transactions begun with LazyNow: it is
	// read at most once per transaction, and only when the transaction
	// needs the exact time (a key with a deadline, a TTL to compute).
	// Reading a clock costs more than an in-cache GET's whole lookup on
	// some machines; most commands touch keys without deadlines.
	Now func() int64
	// Coarse, when set, is a cheaper reading of the same clock that may lag
	// behind Now by a few milliseconds (never run ahead of it). LazyNow
	// transactions that never read Now take the seconds-resolution created
	// and accessed times from it, as Redis's LRU clock is coarse too. nil
	// means Now.
	Coarse func() int64
}

// LazyNow, passed as the time to Update, UpdateKeys or UpdateAll, makes the
// transaction read Options.Now when it first needs the time instead.
const LazyNow int64 = math.MinInt64

// Keyspace is one namespace's keys, split into shards by the xxhash of the
// key. All methods are safe for concurrent use.
type Keyspace struct {
	shards []*shard
	mask   uint64
	used   *atomic.Int64
	clock  func() int64 // Options.Now
	coarse func() int64 // Options.Coarse, or Now
	_      [cacheLine]byte
	// volatile counts keys with a deadline across shards, so that the
	// background expiry can skip keyspaces with nothing to expire without
	// taking any lock. It has a cache line of its own: the fields above
	// are read by every call, and a write of this one would take their
	// line from every other core.
	volatile atomic.Int64
}

// shard is one lock's worth of keys. Its layout is about cache lines. With
// callers on several cores a shard's data moves between them, and each
// line a call writes is a miss for the next core that touches the shard
// (profiles of BenchmarkEmbedded put 10-20% of LPUSH+RPOP's and HSET's
// time on such lines). So what a single-key call writes, the lock, the
// command and byte counts and the Tx's per-call fields, shares the first
// line (TestShardLayout checks it); the next lines hold what such a call
// only reads, then the counters fewer calls write (hits and misses, key
// counts).
// Shards are allocated one by one at a size that is a multiple of the
// line, which Go's allocator serves line-aligned (checked by the same
// test), so no two shards share a line either.
type shard struct {
	shardHead
	_ [shardPad]byte
	c counters
	_ [countersPad]byte
}

// shardHead is the part of a shard before its counters.
type shardHead struct {
	mu       sync.Mutex
	commands atomic.Int64
	// bytes is the shard's size in the accounting (see Entry): a counter
	// on the first line because every write that grows or shrinks a value
	// (LPUSH, RPOP, APPEND, ...) changes it.
	bytes atomic.Int64
	// tx is reused by every transaction that holds this shard first: the
	// shard lock makes it exclusively the holder's, and reuse keeps the
	// single-key path free of allocations.
	tx  Tx
	m   map[string]*Entry
	exp *ttl.Index
}

// shardPad starts the counters on a line of their own.
const shardPad = (cacheLine - unsafe.Sizeof(shardHead{})%cacheLine) % cacheLine

const cacheLine = 64

// counters are written under the shard lock and read without it, hence the
// atomics. The ones a common call writes come first.
type counters struct {
	hits    atomic.Int64
	misses  atomic.Int64
	keys    atomic.Int64
	expired atomic.Int64
	evicted atomic.Int64
	byType  [numTypes]atomic.Int64
}

// countersPad rounds the shard up to whole lines.
const countersPad = (cacheLine - unsafe.Sizeof(counters{})%cacheLine) % cacheLine

// New returns an empty keyspace.
func New(opts Options) *Keyspace {
	n := opts.Shards
	if n <= 0 {
		n = DefaultShards()
	}
	ks := newKeyspace(normalizeShards(n), opts.UsedBytes)
	ks.clock, ks.coarse = opts.Now, opts.Coarse
	if ks.coarse == nil {
		ks.coarse = ks.clock
	}
	return ks
}

// newKeyspace builds a keyspace with exactly n shards (a power of two),
// bypassing the MinShards floor so that BenchmarkShards can measure small
// counts too.
func newKeyspace(n int, used *atomic.Int64) *Keyspace {
	ks := &Keyspace{shards: make([]*shard, n), mask: uint64(n - 1), used: used}
	for i := range ks.shards {
		s := &shard{shardHead: shardHead{m: make(map[string]*Entry), exp: ttl.NewIndex()}}
		s.tx.ks, s.tx.home, s.tx.first = ks, s, i
		ks.shards[i] = s
	}
	return ks
}

// Shards is the number of shards.
func (ks *Keyspace) Shards() int { return len(ks.shards) }

func (ks *Keyspace) shardOf(key string) int {
	return int(xxhash.Sum64String(key) & ks.mask)
}

// Stats is a snapshot of a keyspace's counters. Keys and Bytes include keys
// that are past their deadline but not yet reclaimed; call ReclaimExpired
// first for exact live figures.
type Stats struct {
	Keys     int64
	Bytes    int64
	ByType   [numTypes]int64
	Hits     int64
	Misses   int64
	Commands int64
	Expired  int64
	Evicted  int64
	Volatile int64
}

// KeysOfType is the number of keys of type t.
func (s Stats) KeysOfType(t Type) int64 {
	if t >= numTypes {
		return 0
	}
	return s.ByType[t]
}

// Stats sums the shard counters: O(shards), independent of the number of keys.
func (ks *Keyspace) Stats() Stats {
	var s Stats
	for _, sh := range ks.shards {
		c := &sh.c
		s.Keys += c.keys.Load()
		s.Bytes += sh.bytes.Load()
		s.Hits += c.hits.Load()
		s.Misses += c.misses.Load()
		s.Commands += sh.commands.Load()
		s.Expired += c.expired.Load()
		s.Evicted += c.evicted.Load()
		for t := range s.ByType {
			s.ByType[t] += c.byType[t].Load()
		}
	}
	s.Volatile = ks.volatile.Load()
	return s
}

// Bytes is Stats().Bytes without reading the other counters: O(shards).
func (ks *Keyspace) Bytes() int64 {
	var n int64
	for i := range ks.shards {
		n += ks.shards[i].bytes.Load()
	}
	return n
}

// Update runs fn in a transaction holding the shard of key. now (Unix ms)
// decides which keys are expired.
func (ks *Keyspace) Update(now int64, key string, fn func(tx *Tx) error) error {
	i := ks.shardOf(key)
	s := ks.shards[i]
	s.mu.Lock()
	defer s.mu.Unlock()
	tx := &s.tx
	tx.begin(now)
	tx.remember(key, i)
	defer tx.end()
	return fn(tx)
}

// UpdateKeys runs fn in a transaction holding the shards of all keys, locked
// in ascending shard order so that concurrent multi-key transactions cannot
// deadlock.
func (ks *Keyspace) UpdateKeys(now int64, keys []string, fn func(tx *Tx) error) error {
	if len(keys) == 1 {
		return ks.Update(now, keys[0], fn)
	}
	var set shardSet
	for _, k := range keys {
		set.add(ks.shardOf(k))
	}
	return ks.updateSet(now, &set, fn)
}

// UpdateAll runs fn in a transaction holding every shard. It is for
// operations whose keys are not known up front (atomic batches, FLUSH).
func (ks *Keyspace) UpdateAll(now int64, fn func(tx *Tx) error) error {
	var set shardSet
	for i := range ks.shards {
		set.add(i)
	}
	return ks.updateSet(now, &set, fn)
}

func (ks *Keyspace) updateSet(now int64, set *shardSet, fn func(tx *Tx) error) error {
	if set.count() == 0 {
		set.add(0)
	}
	first := -1
	set.each(len(ks.shards), func(i int) {
		ks.shards[i].mu.Lock()
		if first < 0 {
			first = i
		}
	})
	defer set.each(len(ks.shards), func(i int) { ks.shards[i].mu.Unlock() })
	tx := &ks.shards[first].tx
	tx.begin(now)
	tx.multi = true
	tx.set = set
	defer tx.end()
	return fn(tx)
}

// shardSet is a bitmap of shard indexes; iterating it in index order is the
// ascending lock order.
type shardSet struct {
	words []uint64
	small [2]uint64 // up to 128 shards without allocating
}

func (s *shardSet) add(i int) {
	if s.words == nil {
		s.words = s.small[:]
	}
	for i/64 >= len(s.words) {
		s.words = append(s.words, 0)
	}
	s.words[i/64] |= 1 << (i % 64)
}

func (s *shardSet) has(i int) bool {
	return i/64 < len(s.words) && s.words[i/64]&(1<<(i%64)) != 0
}

func (s *shardSet) count() int {
	n := 0
	for _, w := range s.words {
		n += bits.OnesCount64(w)
	}
	return n
}

func (s *shardSet) each(limit int, fn func(i int)) {
	for i := 0; i < limit && i/64 < len(s.words); i++ {
		if s.has(i) {
			fn(i)
		}
	}
}

// Scan calls fn for every live key, one shard at a time, holding only that
// shard's lock so that a long listing never blocks the whole keyspace. Keys
// past their deadline are reclaimed on the way and never passed to fn. fn
// must not call back into the keyspace. Returning false stops the scan.
func (ks *Keyspace) Scan(now int64, fn func(key string, e *Entry) bool) {
	for i := range ks.shards {
		s := ks.shards[i]
		s.mu.Lock()
		s.reclaim(ks, now, 0)
		cont := true
		for k, e := range s.m {
			if !fn(k, e) {
				cont = false
				break
			}
		}
		s.mu.Unlock()
		if !cont {
			return
		}
	}
}

// ReclaimExpired deletes keys whose deadline is <= now, at most max per
// shard (max <= 0: all), earliest first, and returns how many it deleted.
// The engine's background worker calls it with a budget; counting methods
// call it without one so that counts never include expired keys.
func (ks *Keyspace) ReclaimExpired(now int64, max int) int {
	if ks.volatile.Load() == 0 {
		return 0
	}
	n := 0
	for i := range ks.shards {
		s := ks.shards[i]
		s.mu.Lock()
		n += s.reclaim(ks, now, max)
		s.mu.Unlock()
	}
	return n
}

// NextDeadline returns the earliest deadline of any key, if there is one.
func (ks *Keyspace) NextDeadline() (int64, bool) {
	if ks.volatile.Load() == 0 {
		return 0, false
	}
	best, found := int64(0), false
	for i := range ks.shards {
		s := ks.shards[i]
		s.mu.Lock()
		_, at, ok := s.exp.Min()
		s.mu.Unlock()
		if ok && (!found || at < best) {
			best, found = at, true
		}
	}
	return best, found
}

// reclaim must be called with s.mu held.
func (s *shard) reclaim(ks *Keyspace, now int64, max int) int {
	return s.exp.PopDue(now, max, func(key string, _ int64) {
		if e, ok := s.m[key]; ok {
			e.deadline = 0 // already out of the index
			ks.volatile.Add(-1)
			s.remove(ks, key, e)
			s.c.expired.Add(1)
		}
	})
}

// remove deletes key from the shard's map and counters; the caller has
// already taken it out of the expiry index.
func (s *shard) remove(ks *Keyspace, key string, e *Entry) {
	delete(s.m, key)
	s.c.keys.Add(-1)
	s.c.byType[e.typ()].Add(-1)
	s.addBytes(ks, -e.counted(key))
}

// countRead counts a keyspace hit or miss.
func (s *shard) countRead(hit bool) {
	if hit {
		s.c.hits.Add(1)
	} else {
		s.c.misses.Add(1)
	}
}

func (s *shard) addBytes(ks *Keyspace, d int64) {
	if d == 0 {
		return
	}
	s.bytes.Add(d)
	if ks.used != nil {
		ks.used.Add(d)
	}
}

// SetUsedBytes makes used the counter this keyspace adjusts on every size
// change (Options.UsedBytes), nil for none, so that an engine can turn a
// memory limit on or off while it runs. The keyspace's current size moves
// from the old counter to the new one. Every shard is locked while it
// switches, as every adjustment is made under its shard's lock, so no
// change is counted twice or lost.
func (ks *Keyspace) SetUsedBytes(used *atomic.Int64) {
	for _, s := range ks.shards {
		s.mu.Lock()
	}
	defer func() {
		for _, s := range ks.shards {
			s.mu.Unlock()
		}
	}()
	if used == ks.used {
		return
	}
	var size int64
	for _, s := range ks.shards {
		size += s.bytes.Load()
	}
	if ks.used != nil {
		ks.used.Add(-size)
	}
	if used != nil {
		used.Add(size)
	}
	ks.used = used
}

// Flush deletes every key, shard by shard, and returns how many it deleted.
func (ks *Keyspace) Flush() int64 {
	var n int64
	for i := range ks.shards {
		s := ks.shards[i]
		s.mu.Lock()
		n += int64(len(s.m))
		ks.volatile.Add(-int64(s.exp.Len()))
		s.addBytes(ks, -s.bytes.Load())
		s.c.keys.Store(0)
		for t := range s.c.byType {
			s.c.byType[t].Store(0)
		}
		s.m = make(map[string]*Entry)
		s.exp.Clear()
		s.mu.Unlock()
	}
	return n
}

// Verify recounts everything and checks that the keyspace, the expiry index
// and the counters agree. It is for tests: it holds each shard's lock while
// it walks it.
func (ks *Keyspace) Verify() error {
	var volatile int64
	for i := range ks.shards {
		s := ks.shards[i]
		s.mu.Lock()
		err := s.verify(i, ks)
		volatile += int64(s.exp.Len())
		s.mu.Unlock()
		if err != nil {
			return err
		}
	}
	if v := ks.volatile.Load(); v != volatile {
		return fmt.Errorf("volatile counter %d, index holds %d", v, volatile)
	}
	return nil
}

func (s *shard) verify(i int, ks *Keyspace) error {
	var bytes int64
	var byType [numTypes]int64
	withDeadline := 0
	for k, e := range s.m {
		if ks.shardOf(k) != i {
			return fmt.Errorf("key %q in shard %d, belongs in %d", k, i, ks.shardOf(k))
		}
		if e.empty() {
			return fmt.Errorf("key %q holds an empty %s", k, e.typ())
		}
		if e.counted(k) != e.measure(k) {
			return fmt.Errorf("key %q accounted %d bytes, measures %d", k, e.counted(k), e.measure(k))
		}
		bytes += e.measure(k)
		byType[e.typ()]++
		if e.deadline != 0 {
			withDeadline++
			if !s.exp.Remove(k, e.deadline) {
				return fmt.Errorf("key %q has deadline %d missing from the index", k, e.deadline)
			}
			s.exp.Add(k, e.deadline)
		}
	}
	if s.exp.Len() != withDeadline {
		return fmt.Errorf("shard %d: index has %d deadlines, %d keys have one", i, s.exp.Len(), withDeadline)
	}
	if got := s.c.keys.Load(); got != int64(len(s.m)) {
		return fmt.Errorf("shard %d: keys counter %d, recount %d", i, got, len(s.m))
	}
	if got := s.bytes.Load(); got != bytes {
		return fmt.Errorf("shard %d: bytes counter %d, recount %d", i, got, bytes)
	}
	for t := range byType {
		if got := s.c.byType[t].Load(); got != byType[t] {
			return fmt.Errorf("shard %d: %s counter %d, recount %d", i, Type(t), got, byType[t])
		}
	}
	return nil
}

// ReadString is GET without a transaction: the string at key, with the
// accessed stamp and the hit, miss and command counts a transaction's Read
// would make. found is false for a missing key, wrongType true for a key of
// another type. A key past its deadline is neither read nor counted:
// expired is true and the caller runs the command in a transaction
// (Update), which deletes the key. It needs a keyspace with a clock.
//
// GET is the most common command, and a transaction costs it more than
// the lookup: the callbacks, and the writes to the shard's Tx. Measured
// with BenchmarkEmbedded/get/ours in bench/cmd/compare (2 goroutines, old
// and new test binaries alternated): 718 -> 504 ns/op median when the
// Tx's fields had lines of their own (session 4), and still 649 -> 426
// with them on the lock's line (session 5, 9 rounds).
func (ks *Keyspace) ReadString(key string) (val string, found, wrongType, expired bool) {
	s := ks.shards[ks.shardOf(key)]
	s.mu.Lock()
	e := s.m[key]
	if e == nil {
		s.commands.Add(1)
		s.countRead(false)
		s.mu.Unlock()
		return "", false, false, false
	}
	if e.deadline != 0 && e.deadline <= ks.clock() {
		s.mu.Unlock()
		return "", false, false, true
	}
	e.touch(unixSeconds(ks.coarse()))
	s.commands.Add(1)
	s.countRead(true)
	if e.typ() != TypeString {
		s.mu.Unlock()
		return "", false, true, false
	}
	val = e.Str()
	s.mu.Unlock()
	return val, true, false, false
}
