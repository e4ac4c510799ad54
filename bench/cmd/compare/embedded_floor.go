package main

import (
	"fmt"
	"strconv"
	"sync"

	"github.com/cespare/xxhash/v2"
	"github.com/tidwall/btree"
)

// The floors of the embedded comparison: for each command, a contender that
// does only the data-structure work any engine with that command's
// semantics must do on this data, and nothing else: no lock, no TTL check,
// no type check, no statistics, no keyspace events. It is measured in the
// same run, with the same keys, distributions and 2 goroutines, as ours and
// miniredis, so that floor/miniredis is the best ratio any engine built on
// these structures could reach here (the embedded analogue of the network
// comparison's CEILING lines), and ours/floor is how much of it we reach.
//
// The floor has no locks because it never shares what it writes: each
// worker writes its own full copy of the data (the same key count and shape
// as the engine's one copy), and the read-only commands (GET, ZRANGE) read
// one shared structure that nobody writes during the rounds. That makes it
// an upper bound no engine can reach, not an engine: an engine serving two
// goroutines on shared data pays for sharing it (LPUSH+RPOP most of all,
// where both goroutines write the same 64 lists).
//
// Like miniredis, the floor keeps the caller's strings (Go strings are
// immutable, so an embedded engine may) and allocates nothing it does not
// need: SET stores the caller's value, ZRANGE fills a buffer the worker
// reuses (an API can take the caller's buffer).

// A shared floor answers the question the floor leaves open by design: how
// much of the gap between the floor and any engine is the sharing itself.
// It is the floor's structures with the floor's operation, but one copy
// that both workers use, as in an engine: one keyspace of sharedShards maps
// (as many as our engine's shards), each behind its own lock, holding
// every key the engine holds at that point of the run (GET's strings,
// INCR's counters, the hashes, lists and sets), since an engine finds a
// hash among all its keys, not among the hashes alone. An operation is a
// lock, a map lookup, a type assertion and the structure's work, nothing
// else (no TTLs, statistics or versions). GET's shared floor reads under
// the lock that an engine whose keys can be written at any time must take.
const sharedShards = 64

// lockedShards is the shared floors' keyspace: sharedShards maps, each
// behind its own lock on its own cache line, holding strings, hashes
// (maps), lists (*floorDeque) and sorted sets (*floorZSet) as an engine's
// keyspace holds every type.
type lockedShards struct {
	shards [sharedShards]lockedShard
}

type lockedShard struct {
	mu sync.Mutex
	m  map[string]any
	_  [64 - 16]byte // one lock per cache line
}

func newLockedShards() *lockedShards {
	s := &lockedShards{}
	for i := range s.shards {
		s.shards[i].m = map[string]any{}
	}
	return s
}

// of is key's shard.
func (s *lockedShards) of(key string) *lockedShard {
	return &s.shards[xxhash.Sum64String(key)%sharedShards]
}

// lookup returns key's value, reading it under its shard's lock.
func (s *lockedShards) lookup(key string) (any, bool) {
	sh := s.of(key)
	sh.mu.Lock()
	v, ok := sh.m[key]
	sh.mu.Unlock()
	return v, ok
}

// valueOf returns key's value in sh, first storing mk's when the key is
// absent (a write command creating its key); the caller holds sh's lock.
func valueOf[T any](sh *lockedShard, key string, mk func() T) T {
	v, ok := sh.m[key].(T)
	if !ok {
		v = mk()
		sh.m[key] = v
	}
	return v
}

// floorEnv holds the floors' data.
type floorEnv struct {
	// get is GET's read-only keyspace: the 100k keys with their values.
	get map[string]string
	// zrange is ZRANGE's read-only sorted sets.
	zrange map[string]*floorZSet
	// w is each worker's private data for the writing commands.
	w [embeddedWorkers]*floorWorker
	// shared is the shared floors' keyspace: one copy for both workers.
	shared *lockedShards
}

// floorWorker is one worker's private copy of the written structures. The
// floors fold what they read into sink, a heap field the compiler cannot
// drop stores to, so that no lookup is optimised away; it sits between
// paddings so that the two workers never write the same cache line.
type floorWorker struct {
	_      [64]byte
	sink   int
	_      [64]byte
	set    map[string]string            // SET's keyspace
	ctrs   map[string]string            // INCR's counters, as text like Redis's
	hashes map[string]map[string]string // HSET: key -> field -> value
	lists  map[string]*floorDeque       // LPUSH+RPOP
	zsets  map[string]*floorZSet        // ZADD
	zbuf   []floorZItem                 // ZRANGE's reused output buffer
}

func newFloorEnv() *floorEnv {
	f := &floorEnv{
		get: make(map[string]string, embKeys), zrange: make(map[string]*floorZSet, embZSets),
		shared: newLockedShards(),
	}
	for w := range f.w {
		f.w[w] = &floorWorker{
			set:    map[string]string{},
			ctrs:   map[string]string{},
			hashes: map[string]map[string]string{},
			lists:  map[string]*floorDeque{},
			zsets:  map[string]*floorZSet{},
			zbuf:   make([]floorZItem, 0, embZMembers),
		}
	}
	return f
}

// floorDeque is a list as a ring buffer over a slice: push at the head, pop
// at the tail, both O(1) with no allocation once it has grown.
type floorDeque struct {
	buf  []string // len is a power of two
	head int      // index of the first element
	n    int
}

func (d *floorDeque) pushFront(v string) {
	if d.n == len(d.buf) {
		d.grow()
	}
	d.head = (d.head - 1) & (len(d.buf) - 1)
	d.buf[d.head] = v
	d.n++
}

// popBack removes and returns the last element; false when empty.
func (d *floorDeque) popBack() (string, bool) {
	if d.n == 0 {
		return "", false
	}
	i := (d.head + d.n - 1) & (len(d.buf) - 1)
	v := d.buf[i]
	d.buf[i] = "" // drop the reference, as a list that pops must
	d.n--
	return v, true
}

func (d *floorDeque) grow() {
	buf := make([]string, max(8, 2*len(d.buf)))
	for i := range d.n {
		buf[i] = d.buf[(d.head+i)&(len(d.buf)-1)]
	}
	d.buf, d.head = buf, 0
}

// floorZItem is a sorted-set member in score order (ties by member, as
// Redis orders them).
type floorZItem struct {
	score  float64
	member string
}

func floorZLess(a, b floorZItem) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	return a.member < b.member
}

// floorZSet is the least a sorted set with Redis's commands needs: a member
// -> score index (ZADD must find a member's old score; ZSCORE) and an
// ordered index of (score, member) (ZRANGE and ZRANK read in order). The
// scores are behind pointers so that ZADD finds and updates one with a
// single probe.
type floorZSet struct {
	scores map[string]*float64
	tree   *btree.BTreeG[floorZItem]
}

// floorZDegree is the B-tree's degree: with up to 127 items a node, a
// 100-member set is one sorted array, the cheapest order at this size (at
// 1 goroutine, ZADD's floor cost 4.5-5 us at degree 4, 1.8-2.2 us at 8,
// 1.1-1.4 us at 16, 1.0-1.25 us at 32 and 0.67-1.0 us at 64, under load).
const floorZDegree = 64

func newFloorZSet() *floorZSet {
	return &floorZSet{
		scores: make(map[string]*float64, embZMembers),
		tree:   btree.NewBTreeGOptions(floorZLess, btree.Options{NoLocks: true, Degree: floorZDegree}),
	}
}

// add sets member's score (ZADD): unchanged when equal, otherwise the old
// (score, member) leaves the order and the new one enters it. It returns 1
// when the member is new, like ZADD's count.
func (z *floorZSet) add(member string, score float64) int {
	p := z.scores[member]
	if p == nil {
		s := score
		z.scores[member] = &s
		z.tree.Set(floorZItem{score, member})
		return 1
	}
	if *p == score {
		return 0
	}
	z.tree.Delete(floorZItem{*p, member})
	*p = score
	z.tree.Set(floorZItem{score, member})
	return 0
}

// rangeAll appends the whole set in order to dst (ZRANGE 0 -1 WITHSCORES).
func (z *floorZSet) rangeAll(dst []floorZItem) []floorZItem {
	z.tree.Walk(func(items []floorZItem) bool {
		dst = append(dst, items...)
		return true
	})
	return dst
}

// The floor operations, one per embedded command; each returns worker w's
// operation like ours and peer.

func floorSet(env *embeddedEnv, w int) func(int) {
	m := env.floor.w[w].set
	return func(i int) { m[env.keys[walk(w, i, embKeys)]] = env.value }
}

func floorGet(env *embeddedEnv, w int) func(int) {
	m, fw := env.floor.get, env.floor.w[w]
	return func(i int) {
		v, ok := m[env.keys[walk(w, i, embKeys)]]
		if !ok {
			fail("floor GET", fmt.Errorf("key missing"))
		}
		fw.sink += len(v)
	}
}

// sharedFloorGet is floorGet in the shared keyspace.
func sharedFloorGet(env *embeddedEnv, w int) func(int) {
	ks, fw := env.floor.shared, env.floor.w[w]
	return func(i int) {
		x, _ := ks.lookup(env.keys[walk(w, i, embKeys)])
		v, ok := x.(string)
		if !ok {
			fail("shared floor GET", fmt.Errorf("key missing"))
		}
		fw.sink += len(v)
	}
}

func floorIncr(env *embeddedEnv, w int) func(int) {
	fw := env.floor.w[w]
	m := fw.ctrs
	return func(i int) {
		k := env.ctrs[walk(w, i, embKeys)]
		var n int64
		if s, ok := m[k]; ok {
			var err error
			if n, err = strconv.ParseInt(s, 10, 64); err != nil {
				fail("floor INCR", err)
			}
		}
		n++
		m[k] = strconv.FormatInt(n, 10)
		fw.sink += int(n)
	}
}

func floorHSet(env *embeddedEnv, w int) func(int) {
	fw := env.floor.w[w]
	return func(i int) {
		j := walk(w, i, embHashes*embFields)
		k := env.hashes[j%embHashes]
		h := fw.hashes[k]
		if h == nil {
			h = map[string]string{}
			fw.hashes[k] = h
		}
		// HSET answers how many fields were new; the length before and
		// after tells it without a second probe.
		n := len(h)
		h[env.fields[j/embHashes]] = env.value
		fw.sink += len(h) - n
	}
}

// sharedFloorHSet is floorHSet on one copy of the hashes in the shared
// keyspace.
func sharedFloorHSet(env *embeddedEnv, w int) func(int) {
	fw, ks := env.floor.w[w], env.floor.shared
	return func(i int) {
		j := walk(w, i, embHashes*embFields)
		k := env.hashes[j%embHashes]
		sh := ks.of(k)
		sh.mu.Lock()
		h := valueOf(sh, k, func() map[string]string { return map[string]string{} })
		n := len(h)
		h[env.fields[j/embHashes]] = env.value
		fw.sink += len(h) - n
		sh.mu.Unlock()
	}
}

func floorLPushRPop(env *embeddedEnv, w int) func(int) {
	fw := env.floor.w[w]
	return func(i int) {
		d := fw.lists[env.lists[walk(w, i, embLists)]]
		d.pushFront(env.value)
		v, ok := d.popBack()
		if !ok {
			fail("floor RPOP", fmt.Errorf("list empty"))
		}
		fw.sink += len(v)
	}
}

// sharedFloorLPushRPop is floorLPushRPop on one copy of the 64 lists in
// the shared keyspace. LPUSH and RPOP are two commands, so it takes the
// lock and finds the list twice, as any engine must.
func sharedFloorLPushRPop(env *embeddedEnv, w int) func(int) {
	fw, ks := env.floor.w[w], env.floor.shared
	list := func(sh *lockedShard, k string) *floorDeque {
		d, ok := sh.m[k].(*floorDeque)
		if !ok {
			fail("shared floor LPUSH+RPOP", fmt.Errorf("list %s missing", k))
		}
		return d
	}
	return func(i int) {
		k := env.lists[walk(w, i, embLists)]
		sh := ks.of(k)
		sh.mu.Lock()
		list(sh, k).pushFront(env.value)
		sh.mu.Unlock()
		sh = ks.of(k)
		sh.mu.Lock()
		v, ok := list(sh, k).popBack()
		sh.mu.Unlock()
		if !ok {
			fail("shared floor RPOP", fmt.Errorf("list empty"))
		}
		fw.sink += len(v)
	}
}

func floorZAdd(env *embeddedEnv, w int) func(int) {
	fw := env.floor.w[w]
	return func(i int) {
		j := walk(w, i, embZSets*embZMembers)
		k := env.zsets[j%embZSets]
		z := fw.zsets[k]
		if z == nil {
			z = newFloorZSet()
			fw.zsets[k] = z
		}
		fw.sink += z.add(env.fields[j/embZSets], float64(i))
	}
}

// sharedFloorZAdd is floorZAdd on one copy of the sets that both workers
// write, in the shared keyspace.
func sharedFloorZAdd(env *embeddedEnv, w int) func(int) {
	fw, ks := env.floor.w[w], env.floor.shared
	return func(i int) {
		j := walk(w, i, embZSets*embZMembers)
		k := env.zsets[j%embZSets]
		sh := ks.of(k)
		sh.mu.Lock()
		z := valueOf(sh, k, newFloorZSet)
		fw.sink += z.add(env.fields[j/embZSets], float64(i))
		sh.mu.Unlock()
	}
}

func floorZRange(env *embeddedEnv, w int) func(int) {
	fw := env.floor.w[w]
	return func(i int) {
		z := env.floor.zrange[env.zsets[walk(w, i, embZSets)]]
		fw.zbuf = z.rangeAll(fw.zbuf[:0])
		if len(fw.zbuf) != embZMembers {
			fail("floor ZRANGE", fmt.Errorf("%d members", len(fw.zbuf)))
		}
		fw.sink += len(fw.zbuf[embZMembers-1].member)
	}
}

// The floors' loads mirror the commands' loads.

func floorLoadGet(env *embeddedEnv) {
	for _, k := range env.keys {
		env.floor.get[k] = env.value
		env.floor.shared.of(k).m[k] = env.value
	}
}

// floorLoadCtrs gives the shared keyspace INCR's counters, which the
// engine and miniredis hold from INCR's rounds on.
func floorLoadCtrs(env *embeddedEnv) {
	for _, k := range env.ctrs {
		env.floor.shared.of(k).m[k] = "1"
	}
}

func floorLoadLists(env *embeddedEnv) {
	list := func() *floorDeque {
		d := &floorDeque{}
		for range embListLen {
			d.pushFront(env.value)
		}
		return d
	}
	for _, k := range env.lists {
		for _, fw := range env.floor.w {
			fw.lists[k] = list()
		}
		env.floor.shared.of(k).m[k] = list()
	}
}

func floorLoadZRange(env *embeddedEnv) {
	for _, k := range env.zsets {
		z := newFloorZSet()
		for m := range embZMembers {
			z.add(env.fields[m], float64(m))
		}
		env.floor.zrange[k] = z
	}
}

// floorLine is the FLOOR line printed after the embedded table, e.g.
//
//	FLOOR embedded-get: 4.12 (bare Go map lookup, vs miniredis); engine/floor 0.45
//	FLOOR embedded-zadd shared: 3.56 (..., vs miniredis); engine/shared floor 0.87
//
// ratio is floor/miniredis throughput (the best ratio the target could
// reach with these structures here), frac ours/floor; shared says the
// floor is a shared one.
func floorLine(name, about string, shared bool, ratio, frac float64) string {
	label, floor := name, "floor"
	if shared {
		label, floor = name+" shared", "shared floor"
	}
	return fmt.Sprintf("FLOOR embedded-%s: %s (%s, vs miniredis); engine/%s %s",
		label, strconv.FormatFloat(ratio, 'f', 2, 64), about, floor, strconv.FormatFloat(frac, 'f', 2, 64))
}
