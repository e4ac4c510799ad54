package store

import "unsafe"

// Tx is a transaction over the shards its Keyspace method locked. It is only
// valid inside the callback it was passed to and must not be retained or
// used from another goroutine. Touching a key whose shard the transaction
// does not hold is a programming error and panics.
//
// Each shard has one Tx, reused by every transaction that holds that shard
// first. Its fields come in two parts (see shard for why): the first few
// are what a transaction writes, and sit in the shard's first cache line
// beside the lock; the rest are fixed when the keyspace is built or only
// change in transactions over several shards, and are only read otherwise.
type Tx struct {
	// Written by every transaction (TestShardLayout keeps them in the
	// shard's first cache line):
	now int64
	// lastKey and lastShard remember the most recently hashed key: a
	// command calls several Tx methods on the same key (GET: Get, then the
	// hit count), and without this each would hash the key again.
	lastKey string
	// held is the entry stored under lastKey, when this transaction has
	// looked it up (Get) or stored it (Put) and removed nothing since:
	// Changed, SetStr and SetDeadline then check that the caller's entry
	// is the stored one without a second map lookup.
	held      *Entry
	lastShard int32
	lazy      bool // now is still to be read from the keyspace's clock (LazyNow)
	cached    bool // lastKey is valid (the empty string is a valid key)
	multi     bool // set holds the shards of a multi-shard transaction

	// Only read by single-shard transactions:
	ks    *Keyspace
	home  *shard    // the shard this Tx belongs to, whose counters take per-transaction counts
	first int       // home's index: the (lowest) shard held
	set   *shardSet // the shards held when multi
	// Hold's state (see hold.go): the shards it locked, released by end,
	// and the held set once it extended the transaction.
	extra []int
	own   shardSet
	// note is the layer above's per-transaction scratch (see SetNote).
	note any
}

// begin starts a transaction at time now (or LazyNow) on the shard's Tx.
// It writes only the per-call fields, which share the lock's cache line.
func (tx *Tx) begin(now int64) {
	tx.now, tx.lazy = now, now == LazyNow
	if tx.lazy && tx.ks.clock == nil {
		panic("store: LazyNow in a keyspace without a clock (Options.Now)")
	}
	tx.cached, tx.held = false, nil
}

// remember records that key hashes to shard i.
func (tx *Tx) remember(key string, i int) {
	tx.lastKey, tx.lastShard, tx.cached = key, int32(i), true
	tx.held = nil
}

// end drops the transaction's references, so that a shard's idle Tx does
// not keep a key, an entry or a shard set alive. Fields already clear are
// not written again: they live on a cache line that single-key calls
// otherwise only read.
func (tx *Tx) end() {
	if len(tx.extra) > 0 {
		tx.releaseExtra()
	}
	if tx.multi {
		tx.multi, tx.set = false, nil
	}
	if tx.note != nil {
		tx.note = nil
	}
	tx.lastKey, tx.cached, tx.held = "", false, nil
}

// stores reports whether e is the entry stored under key in s (s is key's
// shard, just returned by tx.shard(key), so lastKey is key).
func (tx *Tx) stores(s *shard, key string, e *Entry) bool {
	return (e == tx.held && e != nil) || s.m[key] == e
}

// CountCommand counts one command executed in this transaction, for
// statistics. The engine calls it once per command, so an atomic batch of
// ten commands counts ten.
func (tx *Tx) CountCommand() { tx.home.commands.Add(1) }

// Now is the transaction's time (Unix ms). A transaction begun with
// LazyNow reads it from the keyspace's clock on the first call.
func (tx *Tx) Now() int64 {
	if tx.lazy {
		tx.readClock()
	}
	return tx.now
}

func (tx *Tx) readClock() { tx.now, tx.lazy = tx.ks.clock(), false }

// seconds is the time of created and accessed stamps (Unix s): the
// transaction's time if it has one, else the keyspace's coarse clock, so
// that a command on keys without deadlines reads no exact clock at all.
func (tx *Tx) seconds() uint32 {
	if tx.lazy {
		return unixSeconds(tx.ks.coarse())
	}
	return unixSeconds(tx.now)
}

func (tx *Tx) shard(key string) *shard {
	var i int
	if tx.cached && key == tx.lastKey {
		i = int(tx.lastShard)
	} else {
		i = tx.ks.shardOf(key)
		tx.remember(key, i)
	}
	if !tx.multi {
		if i != tx.first {
			panic("store: key outside the transaction's shards: " + key)
		}
	} else if !tx.set.has(i) {
		panic("store: key outside the transaction's shards: " + key)
	}
	return tx.ks.shards[i]
}

// Get returns key's entry, or nil when it is absent. A key past its deadline
// is deleted on the spot and reported absent, so no caller ever observes an
// expired key. Get marks the key accessed but does not count a keyspace
// hit or miss (use Read for reads that should).
func (tx *Tx) Get(key string) *Entry {
	s := tx.shard(key)
	e := s.m[key]
	if e == nil {
		return nil
	}
	if e.deadline != 0 && e.deadline <= tx.Now() {
		s.exp.Remove(key, e.deadline)
		tx.ks.volatile.Add(-1)
		e.deadline = 0
		s.remove(tx.ks, key, e)
		tx.held = nil
		s.c.expired.Add(1)
		return nil
	}
	e.touch(tx.seconds())
	tx.held = e
	return e
}

// Peek is Get without marking the key accessed, for introspection
// (OBJECT IDLETIME, key info) that must report the last access before it.
// A key past its deadline is still deleted and reported absent.
func (tx *Tx) Peek(key string) *Entry {
	e := tx.shard(key).m[key]
	if e == nil {
		return nil
	}
	if e.deadline != 0 && e.deadline <= tx.Now() {
		return tx.Get(key) // reclaims it
	}
	return e
}

// Read is Get for a read command: it also counts a keyspace hit or miss, as
// Redis does for lookups on behalf of read commands.
func (tx *Tx) Read(key string) *Entry {
	e := tx.Get(key)
	tx.shard(key).countRead(e != nil)
	return e
}

// CountRead records a keyspace hit or miss without a lookup, for commands
// that answer from an entry they already hold.
func (tx *Tx) CountRead(key string, hit bool) { tx.shard(key).countRead(hit) }

// Put stores e under key, replacing (and forgetting the deadline of) any
// previous value. e becomes a new key: its created and accessed times are
// now, and it has no deadline unless SetDeadline gives it one. An empty
// collection is not stored (a key never holds one); any previous value is
// still removed.
func (tx *Tx) Put(key string, e *Entry) {
	s := tx.shard(key)
	if old := s.m[key]; old != nil {
		tx.forgetDeadline(s, key, old)
		s.remove(tx.ks, key, old)
	}
	tx.held = nil
	if e.empty() {
		return
	}
	e.deadline = 0
	e.bump()
	e.created = tx.seconds()
	e.accessed = e.created
	size := e.measure(key)
	if c := e.Coll(); c != nil {
		c.acct().counted = size
	}
	s.m[key] = e
	tx.held = e
	s.c.keys.Add(1)
	s.c.byType[e.typ()].Add(1)
	s.addBytes(tx.ks, size)
}

// Adopt stores e, an entry just taken out of another keyspace (MOVE),
// under key, as Put does, except that it keeps its created and accessed
// times: it is the same key, in another namespace (Redis moves the object
// itself).
func (tx *Tx) Adopt(key string, e *Entry) {
	created, accessed := e.created, e.accessed
	tx.Put(key, e)
	e.created, e.accessed = created, accessed
	tx.held = nil // its accessed stamp is not this transaction's (see Changed)
}

// PutString stores a new string value under key, as Put(key,
// NewString(value)) does, and returns its entry. For keys up to 64 bytes
// the entry and a copy of the key are one allocation, and the map's key
// is that copy: a lookup then compares the key next to the entry it goes
// on to read, instead of chasing one more pointer to the key's bytes.
// Measured with BenchmarkGet (1M keys, old and new test binaries
// alternated 4 times on the 2-core VM): median 806 -> 737 ns/op, within
// this machine's noise but never worse. The copy takes the size class the
// two separate allocations would have taken, except for 17-24-byte keys
// (+8 bytes), and saves an allocation per key.
func (tx *Tx) PutString(key, value string) *Entry {
	var e *Entry
	var buf []byte
	switch n := len(key); {
	case n <= 16:
		e, buf = newKeyed[keyed16]()
	case n <= 32:
		e, buf = newKeyed[keyed32]()
	case n <= 48:
		e, buf = newKeyed[keyed48]()
	case n <= 64:
		e, buf = newKeyed[keyed64]()
	default:
		e = new(Entry)
	}
	if buf != nil {
		key = inlineKey(buf, key)
	}
	e.vt = uint32(TypeString)
	e.setStr(value)
	tx.Put(key, e)
	return e
}

// keyedN is an Entry with room for a key of up to N bytes in the same
// allocation; each N fills a malloc size class (48, 64, 80, 96 bytes).
type (
	keyed16 struct {
		Entry
		k [16]byte
	}
	keyed32 struct {
		Entry
		k [32]byte
	}
	keyed48 struct {
		Entry
		k [48]byte
	}
	keyed64 struct {
		Entry
		k [64]byte
	}
)

func (x *keyed16) parts() (*Entry, []byte) { return &x.Entry, x.k[:] }
func (x *keyed32) parts() (*Entry, []byte) { return &x.Entry, x.k[:] }
func (x *keyed48) parts() (*Entry, []byte) { return &x.Entry, x.k[:] }
func (x *keyed64) parts() (*Entry, []byte) { return &x.Entry, x.k[:] }

// newKeyed allocates a T and returns its Entry and key room.
func newKeyed[T any, P interface {
	*T
	parts() (*Entry, []byte)
}]() (*Entry, []byte) {
	return P(new(T)).parts()
}

// inlineKey copies key into buf and returns the copy as a string. buf is
// never written again, so the string is as immutable as any other.
func inlineKey(buf []byte, key string) string {
	n := copy(buf, key)
	if n == 0 {
		return ""
	}
	return unsafe.String(&buf[0], n)
}

// SetStr replaces the value of the string entry e stored under key, keeping
// its TTL, and updates the size accounting.
func (tx *Tx) SetStr(key string, e *Entry, value string) {
	s, old := tx.beginStr(key, e, "SetStr")
	e.setStr(value)
	tx.endStr(s, key, e, old)
}

// AppendStr appends suffix to the string entry e stored under key, keeping
// its TTL, and updates the size accounting. Unlike SetStr with the
// concatenation, it copies the value only when its buffer is full (see
// Entry.appendStr), so a run of appends costs amortised O(len(suffix)).
func (tx *Tx) AppendStr(key string, e *Entry, suffix string) {
	s, old := tx.beginStr(key, e, "AppendStr")
	e.appendStr(suffix)
	tx.endStr(s, key, e, old)
}

// MutateStr changes the string entry e stored under key in place, keeping
// its TTL: it makes the value at least n bytes long (zero bytes added at
// the end), calls fn with the value's bytes to change them, and updates
// the size accounting. fn must keep no reference to the bytes. The value
// is copied only when a string handed out shares it or it must grow past
// its buffer (see Entry.mutableStr), so SETBIT on a large bitmap costs
// what it writes. A nil fn changes no byte but still counts a write, and
// moves a plain value into a buffer as any write would, as Redis's SETBIT
// of a bit to the value it has does (the value becomes raw).
func (tx *Tx) MutateStr(key string, e *Entry, n int, fn func(b []byte)) {
	s, old := tx.beginStr(key, e, "MutateStr")
	if fn != nil {
		fn(e.mutableStr(n))
	} else if !e.Raw() {
		e.mutableStr(0)
	}
	tx.endStr(s, key, e, old)
}

// beginStr checks that e is the string stored under key before op changes
// it, and returns key's shard and e's size before the change.
func (tx *Tx) beginStr(key string, e *Entry, op string) (*shard, int64) {
	s := tx.shard(key)
	if !tx.stores(s, key, e) || e.typ() != TypeString {
		panic("store: " + op + " on an entry that is not a string stored under " + key)
	}
	return s, e.measure(key)
}

// endStr does what every change of a string value is followed by: the
// write count, the size accounting, the accessed stamp.
func (tx *Tx) endStr(s *shard, key string, e *Entry, old int64) {
	e.bump()
	s.addBytes(tx.ks, e.measure(key)-old)
	e.touch(tx.seconds())
}

// sameString reports whether a and b are the same bytes in memory (not
// merely equal): a check with no call, for fast paths that fall back to
// ==.
func sameString(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}

// Changed must follow any in-place change to e's collection: it updates the
// size accounting, and deletes the key if the collection became empty. It
// reports whether the key still exists. (Strings change through SetStr.)
func (tx *Tx) Changed(key string, e *Entry) bool {
	// The common caller changes the entry this transaction just looked up
	// (Get) or stored (Put): its shard is the last one hashed, and its
	// accessed stamp is already this transaction's, so neither the key
	// comparison nor the clock is needed again (together 5-10% of the CPU
	// of LPUSH+RPOP at 1 goroutine, BenchmarkEmbedded). The key must be
	// the very string last hashed: held is the entry stored under it.
	var s *shard
	fresh := e == tx.held && e != nil && tx.cached && sameString(key, tx.lastKey)
	if fresh {
		s = tx.ks.shards[tx.lastShard]
	} else if s = tx.shard(key); !tx.stores(s, key, e) {
		panic("store: Changed on an entry not stored under " + key)
	}
	c := e.Coll()
	if c != nil && c.Len() == 0 {
		tx.forgetDeadline(s, key, e)
		s.remove(tx.ks, key, e)
		tx.held = nil
		return false
	}
	e.bump()
	// A size that did not change is not written again: a change that
	// keeps it (HSET of a value as long as the old one) then only reads
	// the collection's header line instead of taking it from the other
	// core's cache.
	if c != nil {
		size := measureColl(key, c)
		if a := c.acct(); a.counted != size {
			s.addBytes(tx.ks, size-a.counted)
			a.counted = size
		}
	}
	if !fresh {
		e.touch(tx.seconds())
	}
	return true
}

// Delete removes key and reports whether it existed (expired keys count as
// absent).
func (tx *Tx) Delete(key string) bool {
	e := tx.Get(key)
	if e == nil {
		return false
	}
	s := tx.shard(key)
	tx.forgetDeadline(s, key, e)
	s.remove(tx.ks, key, e)
	tx.held = nil
	return true
}

// SetDeadline sets e's expiry to at (Unix ms); 0 makes the key persistent.
// A deadline at or before now deletes the key at once (as Redis does for a
// negative TTL) and reports false.
func (tx *Tx) SetDeadline(key string, e *Entry, at int64) bool {
	s := tx.shard(key)
	if !tx.stores(s, key, e) {
		panic("store: SetDeadline on an entry not stored under " + key)
	}
	tx.forgetDeadline(s, key, e)
	e.bump()
	if at != 0 && at <= tx.Now() {
		s.remove(tx.ks, key, e)
		tx.held = nil
		return false
	}
	if at != 0 {
		e.deadline = at
		s.exp.Add(key, at)
		tx.ks.volatile.Add(1)
	}
	return true
}

// Rename moves src's entry to dst, replacing dst, keeping the deadline and
// the created time. It reports false when src does not exist. src == dst is
// a no-op that reports whether the key exists.
func (tx *Tx) Rename(src, dst string) bool {
	e := tx.Get(src)
	if e == nil {
		return false
	}
	if src == dst {
		return true
	}
	ss := tx.shard(src)
	deadline, created := e.deadline, e.created
	tx.forgetDeadline(ss, src, e)
	ss.remove(tx.ks, src, e)
	tx.held = nil
	tx.Put(dst, e)
	e.created = created
	if deadline != 0 {
		tx.SetDeadline(dst, e, deadline)
	}
	return true
}

func (tx *Tx) forgetDeadline(s *shard, key string, e *Entry) {
	if e.deadline != 0 {
		s.exp.Remove(key, e.deadline)
		tx.ks.volatile.Add(-1)
		e.deadline = 0
	}
}

// Each calls fn for every live key in the shards the transaction holds (all
// of them for UpdateAll), reclaiming expired keys first. fn must not add or
// delete keys; returning false stops the walk.
func (tx *Tx) Each(fn func(key string, e *Entry) bool) {
	visit := func(i int) bool {
		s := tx.ks.shards[i]
		s.reclaim(tx.ks, tx.Now(), 0)
		tx.held = nil
		for k, e := range s.m {
			if !fn(k, e) {
				return false
			}
		}
		return true
	}
	if !tx.multi {
		visit(tx.first)
		return
	}
	cont := true
	tx.set.each(len(tx.ks.shards), func(i int) {
		if cont {
			cont = visit(i)
		}
	})
}
