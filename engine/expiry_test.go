package engine

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fillVolatile writes n keys "<prefix><i>" with TTL (i+1)*step and m
// persistent keys "<prefix>keep<i>".
func fillVolatile(t testing.TB, db *DB, prefix string, n int, step time.Duration, m int) {
	t.Helper()
	for i := 0; i < n; i++ {
		_, err := db.Set(prefix+strconv.Itoa(i), "some value", SetOptions{TTL: time.Duration(i+1) * step})
		require.NoError(t, err)
	}
	for i := 0; i < m; i++ {
		_, err := db.Set(prefix+"keep"+strconv.Itoa(i), "persistent", SetOptions{})
		require.NoError(t, err)
	}
}

// expireUntil drives worker passes until db holds want keys (the worker's
// CPU budget may split the work over several passes), failing after a
// generous number of passes.
func (te *testEngine) expireUntil(t testing.TB, db *DB, want int64) {
	t.Helper()
	for i := 0; i < 10000; i++ {
		if db.ks.Stats().Keys == want {
			return
		}
		te.driveExpiry(t, 1)
	}
	t.Fatalf("after 10000 passes %d keys remain, want %d", db.ks.Stats().Keys, want)
}

func TestExpiryWorkerReclaimsMemory(t *testing.T) {
	te := openTestEngine(t, Options{MaxMemory: 1 << 40}) // keeps the engine-wide counter
	db := te.DB("a")
	fillVolatile(t, db, "k", 1000, time.Millisecond, 100)
	persistentBytes := int64(0)
	keepKeys, _, err := db.Keys("kkeep*", 0)
	require.NoError(t, err)
	require.Len(t, keepKeys, 100)
	full := db.ks.Stats()
	require.EqualValues(t, 1100, full.Keys)
	require.EqualValues(t, 1000, full.Volatile)

	// Nothing is due: passes reclaim nothing.
	te.driveExpiry(t, 3)
	require.Equal(t, full.Keys, db.ks.Stats().Keys)

	// Half the deadlines pass. The worker alone (no command touches the
	// keys) reclaims exactly those, and their memory.
	te.clock.Advance(500 * time.Millisecond)
	te.expireUntil(t, db, 600)
	te.driveExpiry(t, 3)
	st := db.ks.Stats()
	require.EqualValues(t, 600, st.Keys, "keys not yet due are kept")
	require.EqualValues(t, 500, st.Expired)
	require.EqualValues(t, 500, st.Volatile)
	require.Less(t, st.Bytes, full.Bytes)
	checkDB(t, db)

	te.clock.Advance(time.Hour)
	te.expireUntil(t, db, 100)
	st = db.ks.Stats()
	require.EqualValues(t, 1000, st.Expired)
	require.Zero(t, st.Volatile)
	for _, k := range keepKeys {
		v, _, err := db.Get(k)
		require.NoError(t, err)
		require.Equal(t, "persistent", v)
		persistentBytes += int64(len(k)) + int64(len(v))
	}
	require.Equal(t, st.Bytes, te.used.Load(), "the engine-wide total follows")
	require.Less(t, st.Bytes, full.Bytes/5, "the memory of 1000 expired keys is released")
	require.Greater(t, st.Bytes, persistentBytes)
	checkDB(t, db)
}

func TestExpiryWorkerCoversEveryNamespace(t *testing.T) {
	te := openTestEngine(t, Options{})
	dbs := []*DB{te.DB("a"), te.DB("b"), te.DB("c")}
	for _, db := range dbs {
		fillVolatile(t, db, "k", 300, time.Millisecond, 10)
	}
	te.clock.Advance(time.Second)
	for _, db := range dbs {
		te.expireUntil(t, db, 10)
	}
	require.Zero(t, te.ReclaimExpired(), "nothing left for a manual reclaim")
	for _, db := range dbs {
		require.EqualValues(t, 300, db.ks.Stats().Expired)
	}
}

// TestReclaimPassRotatesAfterBudgetCut: when the budget runs out in one
// namespace, the next pass starts with the following one, so a namespace
// with a steady flood of deadlines cannot starve the others.
func TestReclaimPassRotatesAfterBudgetCut(t *testing.T) {
	te := openTestEngine(t, Options{})
	a, b := te.DB("a"), te.DB("b")
	// More due keys than one batch per shard, in both namespaces.
	due := a.ks.Shards() * reclaimBatch * 4
	fillVolatile(t, a, "k", due, time.Millisecond, 0)
	fillVolatile(t, b, "k", due, time.Millisecond, 0)
	te.clock.Advance(time.Hour)

	// A negative budget is spent as soon as anything is reclaimed: each
	// pass reclaims one batch from one namespace.
	next := te.reclaimPass(-1, 0)
	require.Positive(t, a.ks.Stats().Expired)
	require.Zero(t, b.ks.Stats().Expired)
	require.Equal(t, 1, next, "the next pass starts after the namespace that was cut")
	next = te.reclaimPass(-1, next)
	require.Positive(t, b.ks.Stats().Expired, "b got its turn although a still has due keys")
	require.Equal(t, 0, next)

	// With a real budget, passes finish the work.
	for i := 0; i < 100 && (a.ks.Stats().Keys > 0 || b.ks.Stats().Keys > 0); i++ {
		next = te.reclaimPass(time.Hour, next)
	}
	require.Zero(t, a.ks.Stats().Keys)
	require.Zero(t, b.ks.Stats().Keys)
	require.Equal(t, 1, te.reclaimPass(time.Hour, 1), "a complete pass starts from the same place next time")
}

func TestReclaimPassWithoutNamespaces(t *testing.T) {
	te := openTestEngine(t, Options{})
	require.Zero(t, te.reclaimPass(time.Second, 3))
	te.driveExpiry(t, 2)
	require.Zero(t, te.ReclaimExpired())
}

func TestEngineReclaimExpired(t *testing.T) {
	te := openTestEngine(t, Options{})
	a, b := te.DB("a"), te.DB("b")
	fillVolatile(t, a, "k", 10, time.Second, 5)
	fillVolatile(t, b, "k", 20, time.Second, 0)
	require.Zero(t, te.ReclaimExpired())
	te.clock.Advance(5 * time.Second)
	require.Equal(t, 5+5, te.ReclaimExpired())
	te.clock.Advance(time.Hour)
	require.Equal(t, 5+15, te.ReclaimExpired())
	require.EqualValues(t, 5, a.ks.Stats().Keys)
	require.Zero(t, b.ks.Stats().Keys)
	require.Zero(t, b.ks.Stats().Bytes)
}

func TestCloseStopsTheWorker(t *testing.T) {
	te := openTestEngine(t, Options{})
	te.driveExpiry(t, 1)
	require.NoError(t, te.Close())
	select {
	case <-te.done:
	default:
		t.Fatal("Close returned before the worker stopped")
	}
}

// TestExpiryInRealTime uses the system clock: a key with a short TTL must
// disappear from memory on its own, with no command touching it (the
// complaint about miniredis is that keys never expire by themselves).
func TestExpiryInRealTime(t *testing.T) {
	e, err := Open(Options{ExpiryInterval: 5 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, e.Close()) })
	db := e.DB("rt")
	_, err = db.Set("short", "lived", SetOptions{TTL: 50 * time.Millisecond})
	require.NoError(t, err)
	_, err = db.Set("long", "lived", SetOptions{TTL: time.Hour})
	require.NoError(t, err)
	require.Positive(t, db.ks.Stats().Bytes)

	// Waiting for a background goroutine: a bounded poll, well under 2s.
	require.Eventually(t, func() bool { return db.ks.Stats().Keys == 1 }, 1900*time.Millisecond, 5*time.Millisecond,
		"the worker did not reclaim the expired key")
	st := db.ks.Stats()
	require.EqualValues(t, 1, st.Expired)
	require.Equal(t, st.Bytes, e.UsedMemory())
	v, found, err := db.Get("long")
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, "lived", v)
	require.NoError(t, db.ks.Verify())
}
