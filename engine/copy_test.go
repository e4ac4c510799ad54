package engine

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fillTypes stores one key of every type in db, each with a TTL on "s".
func fillTypes(t *testing.T, db *DB) {
	t.Helper()
	_, err := db.Set("s", "str", SetOptions{TTL: 10 * time.Second})
	require.NoError(t, err)
	_, err = db.RPush("l", "a", "b")
	require.NoError(t, err)
	_, err = db.HSet("h", FieldValue{"f", "1"})
	require.NoError(t, err)
	_, err = db.SAdd("st", "x", "y")
	require.NoError(t, err)
	_, err = db.ZAdd("z", ZAddOptions{}, ZMember{Member: "m", Score: 2})
	require.NoError(t, err)
}

func TestCopyDeepAndTTL(t *testing.T) {
	te := openTestEngine(t, Options{})
	db, other := te.DB("a"), te.DB("b")
	fillTypes(t, db)
	for _, to := range []*DB{db, other} {
		for _, k := range []string{"s", "l", "h", "st", "z"} {
			ok, err := db.CopyTo(to, k, k+"2", false)
			require.NoError(t, err)
			require.True(t, ok, k)
		}
		requireKey(t, to, "s2", "str", 10000)
		// The copies are independent of the originals.
		_, err := to.RPush("l2", "c")
		require.NoError(t, err)
		_, err = to.HSet("h2", FieldValue{"f", "2"})
		require.NoError(t, err)
		_, err = to.SAdd("st2", "w")
		require.NoError(t, err)
		_, err = to.ZAdd("z2", ZAddOptions{}, ZMember{Member: "m", Score: 5})
		require.NoError(t, err)
		l, _ := db.LRange("l", 0, -1)
		require.Equal(t, []string{"a", "b"}, l)
		v, _, _ := db.HGet("h", "f")
		require.Equal(t, "1", v)
		m, _ := db.SMembers("st")
		require.ElementsMatch(t, []string{"x", "y"}, m)
		sc, _, _ := db.ZScore("z", "m")
		require.Equal(t, 2.0, sc)
		l, _ = to.LRange("l2", 0, -1)
		require.Equal(t, []string{"a", "b", "c"}, l)
		checkDB(t, db)
		checkDB(t, to)
	}
	ok, err := db.Copy("s", "l", false)
	require.NoError(t, err)
	require.False(t, ok, "an existing destination without REPLACE")
	ok, err = db.Copy("s", "l", true)
	require.NoError(t, err)
	require.True(t, ok)
	requireKey(t, db, "l", "str", 10000)
	ok, err = db.Copy("missing", "x", true)
	require.NoError(t, err)
	require.False(t, ok)
	_, err = db.Copy("s", "s", true)
	require.ErrorIs(t, err, errSameObject)
	st, err := other.Stats()
	require.NoError(t, err)
	require.Equal(t, int64(5), st.Keys)
	checkDB(t, db)
	checkDB(t, other)
}

func TestMove(t *testing.T) {
	te := openTestEngine(t, Options{})
	db, other := te.DB("a"), te.DB("b")
	fillTypes(t, db)
	before, found, err := db.KeyInfo("s")
	require.NoError(t, err)
	require.True(t, found)
	te.clock.Advance(5 * time.Second)
	for _, k := range []string{"s", "l", "h", "st", "z"} {
		ok, err := db.Move(k, other)
		require.NoError(t, err)
		require.True(t, ok, k)
	}
	after, found, err := other.KeyInfo("s")
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, before.CreatedAt, after.CreatedAt, "the same key, in another namespace")
	require.Equal(t, te.clock.Now(), after.LastAccessed, "MOVE's lookup is an access, as in Redis (OBJECT IDLETIME 0 after MOVE)")
	requireKey(t, other, "s", "str", 10000-5000)
	n, _ := db.DBSize()
	require.Zero(t, n)
	n, _ = other.DBSize()
	require.Equal(t, int64(5), n)
	_, err = db.Set("s", "here", SetOptions{})
	require.NoError(t, err)
	ok, err := db.Move("s", other)
	require.NoError(t, err)
	require.False(t, ok, "the destination has the key")
	requireKey(t, db, "s", "here", NoExpiry)
	ok, err = db.Move("missing", other)
	require.NoError(t, err)
	require.False(t, ok)
	_, err = db.Move("s", db)
	require.ErrorIs(t, err, errSameObject)
	// An expired key is not moved.
	_, err = db.Set("e", "v", SetOptions{TTL: time.Second})
	require.NoError(t, err)
	te.clock.Advance(2 * time.Second)
	ok, err = db.Move("e", other)
	require.NoError(t, err)
	require.False(t, ok)
	checkDB(t, db)
	checkDB(t, other)
}

// TestCrossNamespaceNoDeadlock runs COPY and MOVE in both directions at
// once: the two keyspaces are locked in one global order, so this ends.
func TestCrossNamespaceNoDeadlock(t *testing.T) {
	te := openTestEngine(t, Options{Shards: 2})
	a, b := te.DB("a"), te.DB("b")
	var wg sync.WaitGroup
	for g, pair := range [][2]*DB{{a, b}, {b, a}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			from, to := pair[0], pair[1]
			for i := 0; i < 2000; i++ {
				k := []string{"x", "y", "z"}[(i+g)%3]
				_, _ = from.Set(k, "v", SetOptions{})
				_, _ = from.CopyTo(to, k, "y", true)
				_, _ = from.Move(k, to)
			}
		}()
	}
	wg.Wait()
	checkDB(t, a)
	checkDB(t, b)
}

func TestCopyMemoryLimit(t *testing.T) {
	te := openTestEngine(t, Options{MaxMemory: 2048})
	db, other := te.DB("a"), te.DB("b")
	_, err := db.Set("big", string(make([]byte, 4096)), SetOptions{})
	require.NoError(t, err)
	_, err = db.CopyTo(other, "big", "c", false)
	require.ErrorIs(t, err, ErrOOM)
	_, err = db.Copy("big", "c", false)
	require.ErrorIs(t, err, ErrOOM)
	ok, err := db.Move("big", other)
	require.NoError(t, err, "MOVE does not grow memory: Redis does not refuse it")
	require.True(t, ok)
}
