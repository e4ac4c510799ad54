package engine

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/ttl"
)

func TestBatchOperations(t *testing.T) {
	clock := ttl.NewManual(time.Time{})
	e := coordEngine(t, clock, Options{})
	db := e.DB("ns")
	_, err := db.Set("text", "abc", SetOptions{})
	require.NoError(t, err)
	_, err = db.Set("old", "x", SetOptions{})
	require.NoError(t, err)

	ops := []BatchOp{
		{Op: "SET", Key: "a", Value: "1"},
		{Op: "set", Key: "b", Value: "2", TTL: 300 * time.Second},
		{Op: "Get", Key: "a"},
		{Op: "GET", Key: "missing"},
		{Op: "INCR", Key: "n"},
		{Op: "incr", Key: "n", Delta: 5},
		{Op: "DECR", Key: "n", Delta: 2},
		{Op: "INCR", Key: "text"},
		{Op: "APPEND", Key: "greeting", Value: "Hello"},
		{Op: "append", Key: "greeting", Value: " World"},
		{Op: "FLY", Key: "a"},
		{Op: "SET", Key: "bad", Value: "v", TTL: -time.Second},
		{Op: "EXPIRE", Key: "a", TTL: 10 * time.Second},
		{Op: "EXPIRE", Key: "nothing", TTL: 10 * time.Second},
		{Op: "DEL", Key: "old"},
		{Op: "DELETE", Key: "old"},
		{Op: "decr", Key: "m"},
		{Op: "GET", Key: "a"},
	}
	res, err := db.Batch(ops)
	require.NoError(t, err)
	require.Len(t, res, len(ops))

	want := []BatchResult{
		{Found: true},
		{Found: true},
		{Value: "1", Found: true},
		{},
		{Value: "1", Found: true, Int: 1},
		{Value: "6", Found: true, Int: 6},
		{Value: "4", Found: true, Int: 4},
		{Err: ErrNotInteger},
		{Found: true, Int: 5},
		{Found: true, Int: 11},
		{Err: ErrUnknownCommand},
		{Err: ErrInvalidExpire},
		{Found: true, Int: 1},
		{},
		{Found: true, Int: 1},
		{},
		{Value: "-1", Found: true, Int: -1},
		{Value: "1", Found: true},
	}
	for i, w := range want {
		got := res[i]
		if w.Err != nil {
			require.ErrorIs(t, got.Err, w.Err, "op %d %s", i, ops[i].Op)
			require.Equal(t, BatchResult{Err: got.Err}, got, "a failed op has no result")
			continue
		}
		require.NoError(t, got.Err, "op %d %s", i, ops[i].Op)
		require.Equal(t, w, got, "op %d %s", i, ops[i].Op)
	}
	require.Equal(t, "ERR unknown command 'FLY', with args beginning with: 'a' ", res[10].Err.Error())
	require.Equal(t, "ERR invalid expire time in 'set' command", res[11].Err.Error())

	// The effects are those of the single commands.
	check := func(key, want string) {
		t.Helper()
		v, found, err := db.Get(key)
		require.NoError(t, err)
		require.True(t, found, key)
		require.Equal(t, want, v, key)
	}
	check("a", "1")
	check("b", "2")
	check("n", "4")
	check("text", "abc")
	check("greeting", "Hello World")
	pttl, err := db.PTTL("b")
	require.NoError(t, err)
	require.EqualValues(t, 300_000, pttl)
	pttl, err = db.PTTL("a")
	require.NoError(t, err)
	require.EqualValues(t, 10_000, pttl)
	n, err := db.Exists("old", "bad", "nothing", "missing")
	require.NoError(t, err)
	require.Zero(t, n)
	require.NoError(t, db.ks.Verify())

	// EXPIRE with a non-positive TTL deletes, as Redis.
	res, err = db.Batch([]BatchOp{{Op: "expire", Key: "a"}, {Op: "get", Key: "a"}})
	require.NoError(t, err)
	require.Equal(t, []BatchResult{{Found: true, Int: 1}, {}}, res)
}

func TestBatchSpecExample(t *testing.T) {
	e := coordEngine(t, ttl.NewManual(time.Time{}), Options{})
	db := e.DB("ns")
	res, err := db.Batch([]BatchOp{
		{Op: "SET", Key: "a", Value: "1"},
		{Op: "SET", Key: "b", Value: "2", TTL: 300 * time.Second},
		{Op: "GET", Key: "a"},
	})
	require.NoError(t, err)
	for _, r := range res {
		require.NoError(t, r.Err)
	}
	require.Equal(t, "1", res[2].Value)

	res, err = db.Batch(nil)
	require.NoError(t, err)
	require.Empty(t, res)
}

func TestBatchCountsEachCommand(t *testing.T) {
	e := coordEngine(t, ttl.NewManual(time.Time{}), Options{})
	db := e.DB("ns")
	before := db.ks.Stats().Commands
	_, err := db.Batch([]BatchOp{
		{Op: "SET", Key: "a", Value: "1"}, {Op: "GET", Key: "a"}, {Op: "GET", Key: "b"}, {Op: "nope"},
	})
	require.NoError(t, err)
	s := db.ks.Stats()
	require.EqualValues(t, 3, s.Commands-before, "known operations count, unknown ones are rejected")
	require.EqualValues(t, 1, s.Hits)
	require.EqualValues(t, 1, s.Misses)
}

func TestBatchIsAtomicForReaders(t *testing.T) {
	e := coordEngine(t, nil, Options{})
	db := e.DB("ns")
	keys := []string{"a", "b", "c", "d"} // likely on different shards
	const rounds = 2000

	var wg sync.WaitGroup
	stop := make(chan struct{})
	torn := make(chan []Maybe, 1)
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				vals, err := db.MGet(keys...)
				if err != nil {
					t.Error(err)
					return
				}
				for _, v := range vals[1:] {
					if v != vals[0] {
						select {
						case torn <- vals:
						default:
						}
						return
					}
				}
			}
		}()
	}
	for i := 0; i < rounds; i++ {
		v := strconv.Itoa(i)
		ops := make([]BatchOp, len(keys))
		for j, k := range keys {
			ops[j] = BatchOp{Op: "SET", Key: k, Value: v}
		}
		res, err := db.Batch(ops)
		require.NoError(t, err)
		for _, r := range res {
			require.NoError(t, r.Err)
		}
	}
	close(stop)
	wg.Wait()
	select {
	case vals := <-torn:
		t.Fatalf("a reader saw half a batch: %v", vals)
	default:
	}
	vals, err := db.MGet(keys...)
	require.NoError(t, err)
	for _, v := range vals {
		require.Equal(t, Maybe{Value: strconv.Itoa(rounds - 1), Found: true}, v)
	}
}

func TestBatchClosedEngine(t *testing.T) {
	e := coordEngine(t, ttl.NewManual(time.Time{}), Options{})
	db := e.DB("ns")
	require.NoError(t, e.Close())
	_, err := db.Batch([]BatchOp{{Op: "GET", Key: "a"}})
	require.ErrorIs(t, err, ErrClosed)
	_, err = db.Batch(nil)
	require.ErrorIs(t, err, ErrClosed)
}

func TestBatchHashOperations(t *testing.T) {
	e := coordEngine(t, ttl.NewManual(time.Time{}), Options{})
	db := e.DB("ns")
	_, err := db.Set("str", "x", SetOptions{})
	require.NoError(t, err)

	res, err := db.Batch([]BatchOp{
		{Op: "HSET", Key: "h", Field: "f", Value: "1"},
		{Op: "hset", Key: "h", Field: "f", Value: "2"},
		{Op: "HGET", Key: "h", Field: "f"},
		{Op: "hget", Key: "h", Field: "missing"},
		{Op: "HSET", Key: "str", Field: "f", Value: "1"},
		{Op: "HGET", Key: "str", Field: "f"},
	})
	require.NoError(t, err)
	require.Equal(t, BatchResult{Found: true, Int: 1}, res[0], "a new field")
	require.Equal(t, BatchResult{Found: true, Int: 0}, res[1], "an overwritten field is not new")
	require.Equal(t, BatchResult{Value: "2", Found: true}, res[2])
	require.Equal(t, BatchResult{}, res[3])
	require.ErrorIs(t, res[4].Err, ErrWrongType)
	require.ErrorIs(t, res[5].Err, ErrWrongType)

	v, found, err := db.HGet("h", "f")
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, "2", v)
	require.NoError(t, db.ks.Verify())
}
