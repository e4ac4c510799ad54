package engine

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/store"
	"github.com/isa-cloud/isa-memstore/ttl"
)

// testEngine is an engine on a manual clock whose background worker only
// runs when the test sends on tick (see driveExpiry), so nothing happens
// behind the test's back.
type testEngine struct {
	*Engine
	clock  *ttl.Manual
	tick   chan time.Time
	passed chan struct{}
}

// openTestEngine opens a testEngine with opts (Clock and the expiry tick are
// filled in). When the test ends it checks that every namespace's keyspace,
// expiry index and counters agree, then closes the engine.
func openTestEngine(t testing.TB, opts Options) *testEngine {
	t.Helper()
	clock := ttl.NewManual(time.Time{})
	tick, passed := make(chan time.Time), make(chan struct{})
	opts.Clock = clock
	opts.expiryTick, opts.expiryPassed = tick, passed
	e, err := Open(opts)
	require.NoError(t, err)
	t.Cleanup(func() {
		for _, db := range e.DBs() {
			if err := db.ks.Verify(); err != nil {
				t.Errorf("namespace %q: %v", db.Name(), err)
			}
		}
		require.NoError(t, e.Close())
	})
	return &testEngine{Engine: e, clock: clock, tick: tick, passed: passed}
}

// openTestDB returns namespace "test" of a fresh testEngine.
func openTestDB(t testing.TB) (*DB, *testEngine) {
	t.Helper()
	te := openTestEngine(t, Options{})
	return te.DB("test"), te
}

// driveExpiry makes the background worker run n complete passes: it sends
// a tick, then waits for the worker to report the pass finished, so the
// test knows exactly what the worker did.
func (te *testEngine) driveExpiry(t testing.TB, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		select {
		case te.tick <- te.clock.Now():
		case <-time.After(10 * time.Second):
			t.Fatal("the expiry worker did not take a tick")
		}
		select {
		case <-te.passed:
		case <-time.After(10 * time.Second):
			t.Fatal("the expiry worker did not finish its pass")
		}
	}
}

// checkDB fails the test if db's keyspace, index and counters disagree.
func checkDB(t testing.TB, db *DB) {
	t.Helper()
	require.NoError(t, db.ks.Verify())
}

func TestOpenDefaults(t *testing.T) {
	e, err := Open(Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Close() })
	require.IsType(t, ttl.System{}, e.Clock())
	require.Equal(t, 10*time.Millisecond, e.opts.ExpiryInterval)
	require.Equal(t, 0.25, e.opts.ExpiryCPUFraction)
	require.Equal(t, store.DefaultShards(), e.DB("x").ks.Shards())

	e2, err := Open(Options{Shards: 64, ExpiryCPUFraction: 7, ExpiryInterval: time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { _ = e2.Close() })
	require.Equal(t, 64, e2.DB("x").ks.Shards())
	require.Equal(t, 0.25, e2.opts.ExpiryCPUFraction, "a fraction above one core is replaced by the default")
	require.Equal(t, time.Second, e2.opts.ExpiryInterval)
}

func TestOpenRejectsNegativeMaxMemory(t *testing.T) {
	e, err := Open(Options{MaxMemory: -1})
	require.Nil(t, e)
	require.ErrorIs(t, err, ErrInvalidArgument)
	require.EqualError(t, err, "ERR MaxMemory must not be negative")
}

// A limit set while the engine runs counts what the namespaces already
// hold, applies to namespaces opened later, and lifting it frees writes
// again; a negative one is refused and changes nothing.
func TestSetMaxMemory(t *testing.T) {
	te := openTestEngine(t, Options{})
	a := te.DB("a")
	_, err := a.Set("big", strings.Repeat("x", 4000), SetOptions{})
	require.NoError(t, err)
	before := te.UsedMemory()

	require.ErrorIs(t, te.SetMaxMemory(-1), ErrInvalidArgument)
	require.Zero(t, te.MaxMemory())

	require.NoError(t, te.SetMaxMemory(4096))
	require.EqualValues(t, 4096, te.MaxMemory())
	require.Equal(t, before, te.UsedMemory(), "the counter starts from what is stored")
	_, err = a.Set("more", strings.Repeat("y", 200), SetOptions{})
	require.NoError(t, err, "under the limit")
	_, err = te.DB("b").Set("k", "v", SetOptions{})
	require.ErrorIs(t, err, ErrOOM, "a namespace opened after the limit counts toward it")
	n, err := a.Del("big")
	require.NoError(t, err)
	require.EqualValues(t, 1, n, "deletes work over the limit")
	_, err = te.DB("b").Set("k", "v", SetOptions{})
	require.NoError(t, err)
	require.Equal(t, a.ks.Stats().Bytes+te.DB("b").ks.Stats().Bytes, te.UsedMemory())

	require.NoError(t, te.SetMaxMemory(10))
	_, err = a.Set("k", "v", SetOptions{})
	require.ErrorIs(t, err, ErrOOM, "a lower limit applies at once")
	require.NoError(t, te.SetMaxMemory(0))
	require.Zero(t, te.used.Load(), "lifted, the shared counter is detached and empty")
	_, err = a.Set("k", "v", SetOptions{})
	require.NoError(t, err)
	require.NoError(t, te.SetMaxMemory(1<<20))
	require.Equal(t, a.ks.Stats().Bytes+te.DB("b").ks.Stats().Bytes, te.used.Load(), "set again, it counts afresh")
}

func TestCloseIsIdempotentAndRefusesCalls(t *testing.T) {
	te := openTestEngine(t, Options{})
	db := te.DB("a")
	_, err := db.Set("k", "v", SetOptions{})
	require.NoError(t, err)
	require.NoError(t, te.Close())
	require.NoError(t, te.Close())

	for name, call := range map[string]func() error{
		"Get":         func() error { _, _, err := db.Get("k"); return err },
		"Set":         func() error { _, err := db.Set("k", "v", SetOptions{}); return err },
		"SetNX":       func() error { _, err := db.SetNX("k", "v"); return err },
		"GetSet":      func() error { _, _, err := db.GetSet("k", "v"); return err },
		"GetDel":      func() error { _, _, err := db.GetDel("k"); return err },
		"MGet":        func() error { _, err := db.MGet("k"); return err },
		"MSet":        func() error { return db.MSet(KV{"k", "v"}) },
		"MSetNX":      func() error { _, err := db.MSetNX(KV{"k", "v"}); return err },
		"Append":      func() error { _, err := db.Append("k", "v"); return err },
		"StrLen":      func() error { _, err := db.StrLen("k"); return err },
		"Incr":        func() error { _, err := db.Incr("k"); return err },
		"Decr":        func() error { _, err := db.Decr("k"); return err },
		"IncrBy":      func() error { _, err := db.IncrBy("k", 2); return err },
		"DecrBy":      func() error { _, err := db.DecrBy("k", 2); return err },
		"IncrByFloat": func() error { _, err := db.IncrByFloat("k", 2); return err },
		"Del":         func() error { _, err := db.Del("k"); return err },
		"Exists":      func() error { _, err := db.Exists("k"); return err },
		"Expire":      func() error { _, err := db.Expire("k", time.Second, 0); return err },
		"ExpireAt":    func() error { _, err := db.ExpireAt("k", time.Now(), 0); return err },
		"TTL":         func() error { _, err := db.TTL("k"); return err },
		"PTTL":        func() error { _, err := db.PTTL("k"); return err },
		"PExpireTime": func() error { _, err := db.PExpireTime("k"); return err },
		"Persist":     func() error { _, err := db.Persist("k"); return err },
		"Rename":      func() error { return db.Rename("k", "j") },
		"RenameNX":    func() error { _, err := db.RenameNX("k", "j"); return err },
		"Type":        func() error { _, err := db.Type("k"); return err },
		"Keys":        func() error { _, _, err := db.Keys("*", 0); return err },
		"DBSize":      func() error { _, err := db.DBSize(); return err },
		"FlushDB":     func() error { _, err := db.FlushDB(); return err },
		"Atomic":      func() error { return db.Atomic(nil, func(Txn) error { return nil }) },
	} {
		err := call()
		require.ErrorIs(t, err, ErrClosed, name)
		require.EqualError(t, err, "ERR the engine is closed", name)
	}
}

func TestDBNamespaces(t *testing.T) {
	te := openTestEngine(t, Options{})
	a, b := te.DB("a"), te.DB("b")
	require.Same(t, a, te.DB("a"), "a namespace is opened once")
	require.Equal(t, "a", a.Name())
	require.Same(t, te.Engine, a.Engine())
	require.ElementsMatch(t, []*DB{a, b}, te.DBs())

	// Namespaces are isolated: same key names, different values, separate
	// counts, flushes, TTLs and listings.
	for _, db := range []*DB{a, b} {
		require.NoError(t, db.MSet(KV{"k", db.Name()}, KV{"only-" + db.Name(), "1"}))
	}
	_, err := a.Expire("k", time.Minute, 0)
	require.NoError(t, err)
	for _, db := range []*DB{a, b} {
		v, _, err := db.Get("k")
		require.NoError(t, err)
		require.Equal(t, db.Name(), v)
		keys, total, err := db.Keys("*", 0)
		require.NoError(t, err)
		require.Equal(t, []string{"k", "only-" + db.Name()}, keys)
		require.Equal(t, 2, total)
	}
	ttlB, err := b.TTL("k")
	require.NoError(t, err)
	require.Equal(t, NoExpiry, ttlB)
	n, err := a.FlushDB()
	require.NoError(t, err)
	require.EqualValues(t, 2, n)
	size, err := b.DBSize()
	require.NoError(t, err)
	require.EqualValues(t, 2, size)
	require.NoError(t, b.Rename("k", "renamed"))
	ex, err := a.Exists("renamed", "k")
	require.NoError(t, err)
	require.Zero(t, ex)
}

func TestDBConcurrentOpen(t *testing.T) {
	te := openTestEngine(t, Options{})
	var wg sync.WaitGroup
	got := make([]*DB, 16)
	for i := range got {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			got[i] = te.DB("ns" + strconv.Itoa(i%4))
		}(i)
	}
	wg.Wait()
	for i := range got {
		require.Same(t, got[i%4], got[i])
	}
	require.Len(t, te.DBs(), 4)
}

func TestMaxMemoryStrings(t *testing.T) {
	te := openTestEngine(t, Options{MaxMemory: 1000})
	db, other := te.DB("a"), te.DB("b")
	big := string(make([]byte, 600))
	_, err := db.Set("big", big, SetOptions{})
	require.NoError(t, err, "under the limit before the write: accepted")
	_, err = db.Set("big2", big, SetOptions{})
	require.NoError(t, err, "a write that starts under the limit may end above it")

	oom := func(err error) {
		t.Helper()
		require.ErrorIs(t, err, ErrOOM)
		require.EqualError(t, err, "OOM command not allowed when used memory > 'maxmemory'.")
	}
	// Every write is refused, in every namespace: the limit is engine-wide.
	_, err = db.Set("x", "1", SetOptions{})
	oom(err)
	_, err = other.Set("x", "1", SetOptions{})
	oom(err)
	_, err = db.Append("big", "x")
	oom(err)
	_, err = db.Incr("n")
	oom(err)
	_, err = db.IncrByFloat("n", 1)
	oom(err)
	oom(db.MSet(KV{"a", "b"}))
	_, err = db.SetNX("x", "1")
	oom(err)

	// Reads, TTL changes and deletes still work, and deleting frees room.
	v, ok, err := db.Get("big")
	require.NoError(t, err)
	require.True(t, ok)
	require.Len(t, v, 600)
	_, err = db.Expire("big", time.Minute, 0)
	require.NoError(t, err)
	n, err := db.Del("big", "big2")
	require.NoError(t, err)
	require.EqualValues(t, 2, n)
	require.Zero(t, te.UsedMemory())
	_, err = other.Set("x", "1", SetOptions{})
	require.NoError(t, err)
}

func TestAtomic(t *testing.T) {
	db, _ := openTestDB(t)
	keys := keysInDistinctShards(t, db, 3)
	a, b, c := keys[0], keys[1], keys[2]

	// A batch: commands see each other's effects, errors do not undo earlier
	// commands, and the callback's error is returned.
	stop := errors.New("stop")
	err := db.Atomic([]string{a, b}, func(t2 Txn) error {
		_, err := t2.Set(a, "1", SetOptions{})
		require.NoError(t, err)
		n, err := t2.IncrBy(a, 5)
		require.NoError(t, err)
		require.EqualValues(t, 6, n)
		_, err = t2.Set(b, "x", SetOptions{})
		require.NoError(t, err)
		_, err = t2.IncrBy(b, 1)
		require.ErrorIs(t, err, ErrNotInteger)
		return stop
	})
	require.ErrorIs(t, err, stop)
	got, err := db.MGet(a, b)
	require.NoError(t, err)
	require.Equal(t, []Maybe{{"6", true}, {"x", true}}, got)

	// A key outside the declared ones is a programming error.
	require.Panics(t, func() {
		_ = db.Atomic([]string{a}, func(t2 Txn) error { t2.Get(c); return nil })
	})
	// nil keys: every shard.
	require.NoError(t, db.Atomic(nil, func(t2 Txn) error {
		require.EqualValues(t, 2, t2.Del(a, b, c))
		return nil
	}))
	checkDB(t, db)
}

// keysInDistinctShards returns n keys of db that live in n different shards.
func keysInDistinctShards(t testing.TB, db *DB, n int) []string {
	t.Helper()
	var out []string
next:
	for i := 0; len(out) < n; i++ {
		require.Less(t, i, 1<<16, "no %d keys in distinct shards", n)
		k := "key" + strconv.Itoa(i)
		for _, o := range out {
			if sameShard(db, o, k) {
				continue next
			}
		}
		out = append(out, k)
	}
	return out
}

// sameShard reports whether a and b live in the same shard of db: a
// transaction on a alone can touch b only if they do.
func sameShard(db *DB, a, b string) (same bool) {
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	_ = db.ks.Update(0, a, func(tx *store.Tx) error { tx.Get(b); return nil })
	return true
}

// oneElement is a real collection of type typ holding one element, for
// the string and key commands' WRONGTYPE paths.
func oneElement(typ store.Type) store.Collection {
	switch typ {
	case store.TypeHash:
		h := store.NewHash()
		h.Set("f", "v")
		return h
	case store.TypeList:
		return store.NewList("e")
	case store.TypeSet:
		s := store.NewSet(1)
		s.Add("m")
		return s
	case store.TypeZSet:
		z := store.NewZSet()
		z.Set("m", 1)
		return z
	}
	panic("oneElement: not a collection type: " + typ.String())
}

// putColl stores a one-element collection of type typ at key.
func putColl(t testing.TB, db *DB, key string, typ store.Type) {
	t.Helper()
	now, err := db.begin()
	require.NoError(t, err)
	require.NoError(t, db.ks.Update(now, key, func(tx *store.Tx) error {
		tx.Put(key, store.NewCollection(oneElement(typ)))
		return nil
	}))
}

// requireKey checks key's value and PTTL: wantPTTL is NoKey when the key
// must be missing (want is then ignored), NoExpiry when it has no TTL.
func requireKey(t testing.TB, db *DB, key, want string, wantPTTL int64) {
	t.Helper()
	v, found, err := db.Get(key)
	require.NoError(t, err)
	pttl, err := db.PTTL(key)
	require.NoError(t, err)
	require.Equal(t, wantPTTL, pttl, "PTTL of %q", key)
	if wantPTTL == NoKey {
		require.False(t, found, "%q must not exist", key)
		return
	}
	require.True(t, found, "%q must exist", key)
	require.Equal(t, want, v, "value of %q", key)
}

func TestWallClock(t *testing.T) {
	require.Nil(t, newWallClock(ttl.NewManual(time.Time{})), "only the system clock takes the fast path")
	w := newWallClock(ttl.System{})
	require.NotNil(t, w)
	for i := 0; i < 1000; i++ {
		before := time.Now().UnixMilli()
		got := w.nowMilli()
		after := time.Now().UnixMilli()
		// The offset was taken from the wall clock moments ago: the
		// monotonic reading cannot have drifted by a millisecond since.
		require.GreaterOrEqual(t, got, before-1)
		require.LessOrEqual(t, got, after+1)
	}
	// A stale offset (as after a step of the system clock) is corrected by
	// sync, which the expiry worker calls every interval.
	w.offset.Add(int64(time.Hour))
	require.Greater(t, w.nowMilli(), time.Now().Add(59*time.Minute).UnixMilli())
	w.sync()
	within := func(read func() int64) {
		t.Helper()
		before := time.Now().UnixMilli()
		got := read()
		after := time.Now().UnixMilli()
		require.GreaterOrEqual(t, got, before-1)
		require.LessOrEqual(t, got, after+1)
	}
	within(w.nowMilli)

	e, err := Open(Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Close() })
	require.NotNil(t, e.wall)
	within(e.now)
}

// TestCoarseNow checks the clock of created/accessed stamps: the
// worker-synced wall time with the system clock and a frequent worker,
// never ahead of now and at most a few worker intervals behind it; the
// exact clock otherwise (so tests with a manual clock see exact stamps).
func TestCoarseNow(t *testing.T) {
	e, err := Open(Options{ExpiryInterval: 5 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Close() })
	require.True(t, e.coarse)
	for range 100 {
		c := e.coarseNow()
		now := e.now()
		require.LessOrEqual(t, c, now+1, "never ahead (1 ms for the two clocks' rounding)")
	}
	// It moves with the worker's ticks: within a second it must have
	// caught up with a time read now (the worker ticks every 5 ms).
	target := e.now()
	require.Eventually(t, func() bool { return e.coarseNow() >= target },
		time.Second, time.Millisecond)

	slow, err := Open(Options{ExpiryInterval: time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { _ = slow.Close() })
	require.False(t, slow.coarse, "a worker that syncs rarely is too slow a clock")

	te := openTestEngine(t, Options{})
	require.False(t, te.Engine.coarse)
	require.Equal(t, te.Engine.now(), te.Engine.coarseNow(), "manual clock: exact")
}
