package engine

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/ttl"
)

func TestMaxMemory(t *testing.T) {
	const limit = 4096
	e := coordEngine(t, ttl.NewManual(time.Time{}), Options{MaxMemory: limit})
	db := e.DB("ns")
	other := e.DB("other") // the limit is engine-wide

	stored := map[string]string{}
	var refused error
	for i := 0; refused == nil; i++ {
		k, v := fmt.Sprintf("key-%03d", i), fmt.Sprintf("value-%03d", i)
		target := db
		if i%2 == 1 {
			target = other
		}
		used := e.UsedMemory()
		_, err := target.Set(k, v, SetOptions{})
		if err != nil {
			refused = err
			require.GreaterOrEqual(t, used, int64(limit), "refused only at the limit")
			break
		}
		require.Less(t, used, int64(limit), "accepted only under the limit")
		stored[k] = v
		require.Less(t, i, 1000, "the limit never applied")
	}
	require.ErrorIs(t, refused, ErrOOM)
	require.Equal(t, "OOM command not allowed when used memory > 'maxmemory'.", refused.Error())

	// Every write is refused, whatever the command.
	_, err := db.Append("key-000", "more")
	require.ErrorIs(t, err, ErrOOM)
	_, err = db.Incr("counter")
	require.ErrorIs(t, err, ErrOOM)
	require.ErrorIs(t, db.MSet(KV{"m", "1"}), ErrOOM)
	res, err := db.Batch([]BatchOp{{Op: "SET", Key: "b", Value: "1"}, {Op: "GET", Key: "key-000"}})
	require.NoError(t, err)
	require.ErrorIs(t, res[0].Err, ErrOOM)
	require.NoError(t, res[1].Err, "reads inside a batch still work")
	require.Equal(t, "value-000", res[1].Value)

	// Reads keep working and nothing stored was lost or changed.
	for k, v := range stored {
		target := db
		if _, found, _ := db.Get(k); !found {
			target = other
		}
		got, found, err := target.Get(k)
		require.NoError(t, err)
		require.True(t, found, k)
		require.Equal(t, v, got, k)
	}
	n, err := db.Exists("m", "b", "counter")
	require.NoError(t, err)
	require.Zero(t, n, "refused writes left nothing behind")
	_, err = db.Expire("key-000", time.Hour, 0)
	require.NoError(t, err, "EXPIRE does not grow memory")

	// Deleting frees memory and writes resume.
	var dels []string
	for k := range stored {
		dels = append(dels, k)
		if len(dels) == 10 {
			break
		}
	}
	for _, k := range dels {
		_, err := db.Del(k)
		require.NoError(t, err)
		_, err = other.Del(k)
		require.NoError(t, err)
	}
	require.Less(t, e.UsedMemory(), int64(limit))
	_, err = db.Set("again", "v", SetOptions{})
	require.NoError(t, err)
	v, found, err := db.Get("again")
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, "v", v)
	require.NoError(t, db.ks.Verify())
	require.NoError(t, other.ks.Verify())
}

func TestMaxMemoryExpiryFreesRoom(t *testing.T) {
	clock := ttl.NewManual(time.Time{})
	e := coordEngine(t, clock, Options{MaxMemory: 1024})
	db := e.DB("ns")
	var err error
	for i := 0; err == nil; i++ {
		_, err = db.Set(fmt.Sprint("k", i), "0123456789", SetOptions{TTL: time.Second})
	}
	require.ErrorIs(t, err, ErrOOM)
	clock.Advance(time.Second)
	e.ReclaimExpired()
	require.Zero(t, e.UsedMemory(), "expired keys returned their memory")
	_, err = db.Set("k", "v", SetOptions{})
	require.NoError(t, err)
}

func TestMaxMemoryNegativeRefused(t *testing.T) {
	_, err := Open(Options{MaxMemory: -1})
	require.ErrorIs(t, err, ErrInvalidArgument)
}

// TestUsedMemoryWithAndWithoutLimit checks that the two ways UsedMemory is
// computed (an engine-wide counter with a MaxMemory, a sum of the shard
// counters without) report the same figure through writes, overwrites,
// collections, deletes and flushes across namespaces.
func TestUsedMemoryWithAndWithoutLimit(t *testing.T) {
	clock := ttl.NewManual(time.Time{})
	engines := []*Engine{
		coordEngine(t, clock, Options{}),
		coordEngine(t, clock, Options{MaxMemory: 1 << 30}),
	}
	same := func(msg string) int64 {
		t.Helper()
		a, b := engines[0].UsedMemory(), engines[1].UsedMemory()
		require.Equal(t, a, b, msg)
		return a
	}
	require.Zero(t, same("empty"))
	for _, e := range engines {
		for i := 0; i < 50; i++ {
			db := e.DB(fmt.Sprintf("ns%d", i%3))
			_, err := db.Set(fmt.Sprintf("k%d", i), fmt.Sprintf("v%d", i), SetOptions{})
			require.NoError(t, err)
			_, err = db.RPush("list", "a", "bb")
			require.NoError(t, err)
		}
	}
	full := same("after writes")
	require.Positive(t, full)
	for _, e := range engines {
		_, err := e.DB("ns0").Set("k0", "a much longer value than before", SetOptions{})
		require.NoError(t, err)
		_, err = e.DB("ns1").Del("k1", "list")
		require.NoError(t, err)
	}
	require.NotEqual(t, full, same("after an overwrite and deletes"))
	for _, e := range engines {
		for i := 0; i < 3; i++ {
			e.DB(fmt.Sprintf("ns%d", i)).FlushDB()
		}
	}
	require.Zero(t, same("after flushing every namespace"))
}
