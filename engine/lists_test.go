package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/store"
	"github.com/isa-cloud/isa-memstore/ttl"
)

// hlListDB opens an engine and fills key with values (none: no key).
func hlListDB(t *testing.T, key string, values ...string) *DB {
	t.Helper()
	db, _ := openHL(t, Options{})
	if len(values) > 0 {
		_, err := db.RPush(key, values...)
		require.NoError(t, err)
	}
	return db
}

func hlRequireList(t *testing.T, db *DB, key string, want ...string) {
	t.Helper()
	got, err := db.LRange(key, 0, -1)
	require.NoError(t, err)
	if len(want) == 0 {
		require.Empty(t, got)
		typ, _ := db.Type(key)
		require.Equal(t, TypeNone, typ, "an empty list is no key")
	} else {
		require.Equal(t, want, got)
	}
	verifyHL(t, db)
}

func TestPush(t *testing.T) {
	db := hlListDB(t, "l")
	n, err := db.LPush("l", "a", "b", "c")
	require.NoError(t, err)
	assert.Equal(t, int64(3), n)
	hlRequireList(t, db, "l", "c", "b", "a")
	n, err = db.RPush("l", "d", "e")
	require.NoError(t, err)
	assert.Equal(t, int64(5), n)
	hlRequireList(t, db, "l", "c", "b", "a", "d", "e")
	typ, _ := db.Type("l")
	assert.Equal(t, "list", typ.String())

	for _, tc := range []struct {
		name string
		call func(string, ...string) (int64, error)
	}{
		{"lpush", db.LPush}, {"rpush", db.RPush}, {"lpushx", db.LPushX}, {"rpushx", db.RPushX},
	} {
		_, err := tc.call("l")
		requireHLErr(t, err, ErrInvalidArgument, "ERR wrong number of arguments for '"+tc.name+"' command")
	}
}

func TestPushX(t *testing.T) {
	db := hlListDB(t, "l", "m")
	n, err := db.LPushX("nokey", "a")
	require.NoError(t, err)
	assert.Zero(t, n)
	n, err = db.RPushX("nokey", "a")
	require.NoError(t, err)
	assert.Zero(t, n)
	hlRequireList(t, db, "nokey")
	n, err = db.LPushX("l", "a", "b")
	require.NoError(t, err)
	assert.Equal(t, int64(3), n)
	n, err = db.RPushX("l", "z")
	require.NoError(t, err)
	assert.Equal(t, int64(4), n)
	hlRequireList(t, db, "l", "b", "a", "m", "z")
}

func TestPop(t *testing.T) {
	db := hlListDB(t, "l", "a", "b", "c")
	v, ok, err := db.LPop("l")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "a", v)
	v, ok, err = db.RPop("l")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "c", v)
	v, _, _ = db.RPop("l")
	assert.Equal(t, "b", v)
	hlRequireList(t, db, "l")
	_, ok, err = db.LPop("l")
	require.NoError(t, err)
	assert.False(t, ok)
	_, ok, err = db.RPop("l")
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestPopCount(t *testing.T) {
	for _, tc := range []struct {
		name  string
		right bool
		count int64
		want  []string
		left  []string
	}{
		{"lpop 0", false, 0, []string{}, []string{"a", "b", "c"}},
		{"lpop 2", false, 2, []string{"a", "b"}, []string{"c"}},
		{"lpop all", false, 3, []string{"a", "b", "c"}, nil},
		{"lpop more", false, 5, []string{"a", "b", "c"}, nil},
		{"rpop 2", true, 2, []string{"c", "b"}, []string{"a"}},
		{"rpop 0", true, 0, []string{}, []string{"a", "b", "c"}},
		{"rpop max", true, math.MaxInt64, []string{"c", "b", "a"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := hlListDB(t, "l", "a", "b", "c")
			pop := db.LPopCount
			if tc.right {
				pop = db.RPopCount
			}
			got, found, err := pop("l", tc.count)
			require.NoError(t, err)
			assert.True(t, found)
			assert.NotNil(t, got, "an empty array, not a nil one")
			assert.Equal(t, tc.want, got)
			hlRequireList(t, db, "l", tc.left...)

			got, found, err = pop("nokey", 2)
			require.NoError(t, err)
			assert.False(t, found, "a missing key is a nil array")
			assert.Nil(t, got)
			_, found, err = pop("nokey", 0)
			require.NoError(t, err)
			assert.False(t, found, "count 0 on a missing key is nil too")

			_, _, err = pop("l", -1)
			requireHLErr(t, err, ErrInvalidArgument, "ERR value is out of range, must be positive")
			_, _, err = pop("nokey", -1)
			requireHLErr(t, err, ErrInvalidArgument, "ERR value is out of range, must be positive")
		})
	}
}

func TestLLenLIndex(t *testing.T) {
	db := hlListDB(t, "l", "a", "b", "c", "d", "e")
	n, err := db.LLen("l")
	require.NoError(t, err)
	assert.Equal(t, int64(5), n)
	n, err = db.LLen("nokey")
	require.NoError(t, err)
	assert.Zero(t, n)
	for _, tc := range []struct {
		i     int64
		want  string
		found bool
	}{
		{0, "a", true}, {-1, "e", true}, {4, "e", true}, {5, "", false},
		{-5, "a", true}, {-6, "", false}, {math.MaxInt64, "", false}, {math.MinInt64, "", false},
	} {
		v, found, err := db.LIndex("l", tc.i)
		require.NoError(t, err)
		assert.Equal(t, tc.found, found, "index %d", tc.i)
		assert.Equal(t, tc.want, v, "index %d", tc.i)
	}
	_, found, err := db.LIndex("nokey", 0)
	require.NoError(t, err)
	assert.False(t, found)
}

// The LRANGE and LTRIM cases were checked against redis-server 7.0 on the
// list a b c d e.
func TestLRange(t *testing.T) {
	db := hlListDB(t, "l", "a", "b", "c", "d", "e")
	for _, tc := range []struct {
		start, stop int64
		want        string
	}{
		{0, -1, "a b c d e"}, {1, 2, "b c"}, {-2, -1, "d e"}, {-100, 1, "a b"},
		{3, 1, ""}, {5, 10, ""}, {4, 100, "e"}, {-1, -5, ""}, {0, 0, "a"},
		{-6, -5, "a"}, {-5, -5, "a"}, {math.MinInt64, math.MaxInt64, "a b c d e"},
		{math.MaxInt64, math.MinInt64, ""},
	} {
		got, err := db.LRange("l", tc.start, tc.stop)
		require.NoError(t, err)
		assert.NotNil(t, got)
		assert.Equal(t, tc.want, strings.Join(got, " "), "LRANGE %d %d", tc.start, tc.stop)
	}
	got, err := db.LRange("nokey", 0, -1)
	require.NoError(t, err)
	assert.NotNil(t, got)
	assert.Empty(t, got)
}

func TestLTrim(t *testing.T) {
	for _, tc := range []struct {
		start, stop int64
		want        string
	}{
		{1, -2, "b c d"}, {-100, 100, "a b c d e"}, {3, 1, ""}, {2, 2, "c"},
		{-1, -1, "e"}, {5, 10, ""}, {0, -6, ""}, {math.MinInt64, math.MaxInt64, "a b c d e"},
	} {
		t.Run(fmt.Sprint(tc.start, tc.stop), func(t *testing.T) {
			db, clock := openHL(t, Options{})
			_, err := db.RPush("l", "a", "b", "c", "d", "e")
			require.NoError(t, err)
			_, err = db.Expire("l", time.Minute, 0)
			require.NoError(t, err)
			clock.Advance(time.Second)
			require.NoError(t, db.LTrim("l", tc.start, tc.stop))
			want := strings.Fields(tc.want)
			hlRequireList(t, db, "l", want...)
			if len(want) > 0 {
				ms, _ := db.PTTL("l")
				assert.Equal(t, int64(59_000), ms, "LTRIM keeps the TTL")
			}
		})
	}
	db := hlListDB(t, "l")
	require.NoError(t, db.LTrim("nokey", 0, 1))
	hlRequireList(t, db, "nokey")
}

func TestLSet(t *testing.T) {
	db := hlListDB(t, "l", "a", "b", "c")
	require.NoError(t, db.LSet("l", 0, "A"))
	require.NoError(t, db.LSet("l", -1, "C"))
	hlRequireList(t, db, "l", "A", "b", "C")
	requireHLErr(t, db.LSet("l", 3, "x"), ErrInvalidArgument, "ERR index out of range")
	requireHLErr(t, db.LSet("l", -4, "x"), ErrInvalidArgument, "ERR index out of range")
	requireHLErr(t, db.LSet("nokey", 0, "x"), ErrNoSuchKey, "ERR no such key")
	hlRequireList(t, db, "l", "A", "b", "C")
}

func TestLRem(t *testing.T) {
	// Checked against redis-server 7.0 on a b a c a.
	for _, tc := range []struct {
		count int64
		n     int64
		want  string
	}{
		{0, 3, "b c"}, {1, 1, "b a c a"}, {2, 2, "b c a"}, {-1, 1, "a b a c"},
		{-2, 2, "a b c"}, {10, 3, "b c"}, {-10, 3, "b c"}, {math.MinInt64, 3, "b c"},
		{math.MaxInt64, 3, "b c"},
	} {
		t.Run(fmt.Sprint(tc.count), func(t *testing.T) {
			db := hlListDB(t, "l", "a", "b", "a", "c", "a")
			n, err := db.LRem("l", tc.count, "a")
			require.NoError(t, err)
			assert.Equal(t, tc.n, n)
			hlRequireList(t, db, "l", strings.Fields(tc.want)...)
		})
	}
	db := hlListDB(t, "l", "a", "a")
	n, err := db.LRem("l", 0, "zz")
	require.NoError(t, err)
	assert.Zero(t, n)
	n, err = db.LRem("l", 0, "a")
	require.NoError(t, err)
	assert.Equal(t, int64(2), n)
	hlRequireList(t, db, "l")
	n, err = db.LRem("nokey", 0, "a")
	require.NoError(t, err)
	assert.Zero(t, n)
}

func TestLInsert(t *testing.T) {
	// The sequence checked against redis-server 7.0.
	db := hlListDB(t, "l", "a", "b", "a")
	for _, tc := range []struct {
		where        InsertPosition
		pivot, value string
		want         int64
	}{
		{InsertBefore, "a", "x", 4}, {InsertAfter, "a", "y", 5}, {InsertAfter, "b", "z", 6},
		{InsertBefore, "nope", "q", -1}, {InsertAfter, "a", "a", 7},
	} {
		n, err := db.LInsert("l", tc.where, tc.pivot, tc.value)
		require.NoError(t, err)
		assert.Equal(t, tc.want, n)
	}
	hlRequireList(t, db, "l", "x", "a", "a", "y", "b", "z", "a")
	n, err := db.LInsert("nokey", InsertBefore, "a", "x")
	require.NoError(t, err)
	assert.Zero(t, n)
	hlRequireList(t, db, "nokey")
	_, err = db.LInsert("l", InsertPosition(7), "a", "x")
	requireHLErr(t, err, ErrSyntax, "ERR syntax error")
}

func TestLPos(t *testing.T) {
	// Positions checked against redis-server 7.0 on a b a c a.
	db := hlListDB(t, "l", "a", "b", "a", "c", "a")
	single := []struct {
		elem  string
		opts  LPosOptions
		want  int64
		found bool
	}{
		{"a", LPosOptions{}, 0, true},
		{"c", LPosOptions{}, 3, true},
		{"z", LPosOptions{}, 0, false},
		{"a", LPosOptions{Rank: 2}, 2, true},
		{"a", LPosOptions{Rank: 3}, 4, true},
		{"a", LPosOptions{Rank: 4}, 0, false},
		{"a", LPosOptions{Rank: -1}, 4, true},
		{"a", LPosOptions{Rank: -3}, 0, true},
		{"a", LPosOptions{Rank: 2, MaxLen: 3}, 2, true},
		{"a", LPosOptions{Rank: 2, MaxLen: 2}, 0, false},
		{"a", LPosOptions{Rank: -2, MaxLen: 2}, 0, false},
		{"a", LPosOptions{Rank: math.MaxInt64}, 0, false},
		// Redis negates RANK in a C long: the most negative rank wraps and
		// behaves as "any match from the tail".
		{"a", LPosOptions{Rank: math.MinInt64}, 4, true},
	}
	for _, tc := range single {
		pos, found, err := db.LPos("l", tc.elem, tc.opts)
		require.NoError(t, err)
		assert.Equal(t, tc.found, found, "%s %+v", tc.elem, tc.opts)
		assert.Equal(t, tc.want, pos, "%s %+v", tc.elem, tc.opts)
	}
	multi := []struct {
		count int64
		opts  LPosOptions
		want  []int64
	}{
		{0, LPosOptions{}, []int64{0, 2, 4}},
		{2, LPosOptions{}, []int64{0, 2}},
		{1, LPosOptions{}, []int64{0}},
		{0, LPosOptions{Rank: 2}, []int64{2, 4}},
		{2, LPosOptions{Rank: -1}, []int64{4, 2}},
		{1, LPosOptions{Rank: -2}, []int64{2}},
		{0, LPosOptions{MaxLen: 3}, []int64{0, 2}},
		{3, LPosOptions{Rank: 2, MaxLen: 2}, []int64{}},
		{1, LPosOptions{Rank: math.MinInt64}, []int64{4, 2, 0}},
		{0, LPosOptions{Rank: math.MinInt64, MaxLen: 2}, []int64{4}},
	}
	for _, tc := range multi {
		got, err := db.LPosCount("l", "a", tc.count, tc.opts)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, "COUNT %d %+v", tc.count, tc.opts)
	}
	got, err := db.LPosCount("l", "z", 0, LPosOptions{})
	require.NoError(t, err)
	assert.Equal(t, []int64{}, got)
	got, err = db.LPosCount("nokey", "a", 1, LPosOptions{})
	require.NoError(t, err)
	assert.Equal(t, []int64{}, got)
	_, found, err := db.LPos("nokey", "a", LPosOptions{})
	require.NoError(t, err)
	assert.False(t, found)

	const countNeg, maxLenNeg = "ERR COUNT can't be negative", "ERR MAXLEN can't be negative"
	_, err = db.LPosCount("l", "a", -1, LPosOptions{})
	requireHLErr(t, err, ErrInvalidArgument, countNeg)
	_, err = db.LPosCount("nokey", "a", -1, LPosOptions{})
	requireHLErr(t, err, ErrInvalidArgument, countNeg)
	_, _, err = db.LPos("l", "a", LPosOptions{MaxLen: -1})
	requireHLErr(t, err, ErrInvalidArgument, maxLenNeg)
	requireHLErr(t, LPosRankZero(), ErrInvalidArgument,
		"ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")
	// The options are checked before the key's type, as Redis does.
	_, err = db.Set("s", "v", SetOptions{})
	require.NoError(t, err)
	_, _, err = db.LPos("s", "a", LPosOptions{MaxLen: -1})
	requireHLErr(t, err, ErrInvalidArgument, maxLenNeg)
}

func TestLMove(t *testing.T) {
	// The sequence checked against redis-server 7.0.
	db, clock := openHL(t, Options{})
	_, err := db.RPush("m1", "a", "b", "c")
	require.NoError(t, err)
	_, err = db.Expire("m1", time.Minute, 0)
	require.NoError(t, err)
	for _, tc := range []struct {
		src, dst string
		from, to ListSide
		want     string
	}{
		{"m1", "m2", ListLeft, ListRight, "a"},
		{"m1", "m2", ListRight, ListLeft, "c"},
		{"m1", "m1", ListLeft, ListRight, "b"},
	} {
		v, found, err := db.LMove(tc.src, tc.dst, tc.from, tc.to)
		require.NoError(t, err)
		assert.True(t, found)
		assert.Equal(t, tc.want, v)
	}
	hlRequireList(t, db, "m1", "b")
	hlRequireList(t, db, "m2", "c", "a")
	ms, _ := db.PTTL("m1")
	assert.Equal(t, int64(60_000), ms)
	ms, _ = db.PTTL("m2")
	assert.Equal(t, NoExpiry, ms, "the new destination has no TTL")

	v, found, err := db.LMove("m1", "m2", ListLeft, ListLeft)
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, "b", v)
	hlRequireList(t, db, "m1")
	hlRequireList(t, db, "m2", "b", "c", "a")

	_, found, err = db.LMove("nokey", "m2", ListLeft, ListLeft)
	require.NoError(t, err)
	assert.False(t, found)

	// Rotation of a one-element list leaves it in place.
	_, err = db.RPush("one", "x")
	require.NoError(t, err)
	v, _, err = db.LMove("one", "one", ListLeft, ListRight)
	require.NoError(t, err)
	assert.Equal(t, "x", v)
	hlRequireList(t, db, "one", "x")

	// Type errors: on the source, on the destination (nothing moves), and
	// none when the source is missing, as Redis.
	_, err = db.Set("s", "v", SetOptions{})
	require.NoError(t, err)
	_, _, err = db.LMove("s", "m2", ListLeft, ListLeft)
	requireHLErr(t, err, ErrWrongType, hlWrongTypeText)
	_, _, err = db.LMove("m2", "s", ListLeft, ListLeft)
	requireHLErr(t, err, ErrWrongType, hlWrongTypeText)
	hlRequireList(t, db, "m2", "b", "c", "a")
	_, found, err = db.LMove("nokey", "s", ListLeft, ListLeft)
	require.NoError(t, err)
	assert.False(t, found)
	_, _, err = db.LMove("m2", "m1", ListSide(9), ListLeft)
	requireHLErr(t, err, ErrSyntax, "ERR syntax error")

	clock.Advance(time.Minute)
	hlRequireList(t, db, "one", "x")
}

func TestListWrongType(t *testing.T) {
	db, _ := openHL(t, Options{})
	_, err := db.Set("s", "v", SetOptions{})
	require.NoError(t, err)
	_, err = db.HSet("h", FieldValue{"f", "v"})
	require.NoError(t, err)
	calls := map[string]func(key string) error{
		"LPUSH":     func(k string) error { _, err := db.LPush(k, "x"); return err },
		"RPUSH":     func(k string) error { _, err := db.RPush(k, "x"); return err },
		"LPUSHX":    func(k string) error { _, err := db.LPushX(k, "x"); return err },
		"RPUSHX":    func(k string) error { _, err := db.RPushX(k, "x"); return err },
		"LPOP":      func(k string) error { _, _, err := db.LPop(k); return err },
		"RPOP":      func(k string) error { _, _, err := db.RPop(k); return err },
		"LPOP 0":    func(k string) error { _, _, err := db.LPopCount(k, 0); return err },
		"RPOP 2":    func(k string) error { _, _, err := db.RPopCount(k, 2); return err },
		"LLEN":      func(k string) error { _, err := db.LLen(k); return err },
		"LINDEX":    func(k string) error { _, _, err := db.LIndex(k, 0); return err },
		"LRANGE":    func(k string) error { _, err := db.LRange(k, 0, -1); return err },
		"LTRIM":     func(k string) error { return db.LTrim(k, 0, 1) },
		"LSET":      func(k string) error { return db.LSet(k, 0, "x") },
		"LREM":      func(k string) error { _, err := db.LRem(k, 0, "x"); return err },
		"LINSERT":   func(k string) error { _, err := db.LInsert(k, InsertAfter, "p", "x"); return err },
		"LPOS":      func(k string) error { _, _, err := db.LPos(k, "x", LPosOptions{}); return err },
		"LPOSCOUNT": func(k string) error { _, err := db.LPosCount(k, "x", 0, LPosOptions{}); return err },
		"LMOVE":     func(k string) error { _, _, err := db.LMove(k, "dst", ListLeft, ListRight); return err },
	}
	for name, call := range calls {
		for _, key := range []string{"s", "h"} {
			err := call(key)
			require.ErrorIs(t, err, ErrWrongType, "%s on %s", name, key)
			requireHLErr(t, err, ErrWrongType, hlWrongTypeText)
		}
	}
	v, _, _ := db.Get("s")
	assert.Equal(t, "v", v)
	typ, _ := db.Type("dst")
	assert.Equal(t, TypeNone, typ)
	verifyHL(t, db)
}

func TestListSizeAccountingAndStats(t *testing.T) {
	db, _ := openHL(t, Options{})
	_, err := db.RPush("l", "abc")
	require.NoError(t, err)
	st := db.ks.Stats()
	assert.Equal(t, int64(1), st.KeysOfType(store.TypeList))
	base := st.Bytes
	_, err = db.LPush("l", "12345")
	require.NoError(t, err)
	assert.Equal(t, base+5+store.ListElemOverhead, db.ks.Stats().Bytes)
	require.NoError(t, db.LSet("l", 0, "1"))
	assert.Equal(t, base+1+store.ListElemOverhead, db.ks.Stats().Bytes)
	_, _, err = db.LPopCount("l", 10)
	require.NoError(t, err)
	st = db.ks.Stats()
	assert.Zero(t, st.Bytes)
	assert.Zero(t, st.Keys)
	assert.Zero(t, st.KeysOfType(store.TypeList))
	verifyHL(t, db)
}

func TestListMemoryLimit(t *testing.T) {
	db, _ := openHL(t, Options{MaxMemory: 1})
	_, err := db.RPush("l", "a", "b", "c")
	require.NoError(t, err)
	for name, call := range map[string]func() error{
		"LPUSH":   func() error { _, err := db.LPush("l", "x"); return err },
		"RPUSHX":  func() error { _, err := db.RPushX("l", "x"); return err },
		"LSET":    func() error { return db.LSet("l", 0, "x") },
		"LINSERT": func() error { _, err := db.LInsert("l", InsertAfter, "a", "x"); return err },
		"LMOVE":   func() error { _, _, err := db.LMove("l", "l2", ListLeft, ListLeft); return err },
	} {
		require.ErrorIs(t, call(), ErrOOM, name)
	}
	// Commands that only shrink the list still work.
	v, _, err := db.LPop("l")
	require.NoError(t, err)
	assert.Equal(t, "a", v)
	n, err := db.LRem("l", 0, "b")
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)
	require.NoError(t, db.LTrim("l", 1, 0))
	hlRequireList(t, db, "l")
}

func TestListCommandsInAtomicBatch(t *testing.T) {
	db, _ := openHL(t, Options{})
	err := db.Atomic([]string{"src", "dst"}, func(tx Txn) error {
		if _, err := tx.RPush("src", "a", "b"); err != nil {
			return err
		}
		_, _, err := tx.LMove("src", "dst", ListRight, ListLeft)
		return err
	})
	require.NoError(t, err)
	hlRequireList(t, db, "src", "a")
	hlRequireList(t, db, "dst", "b")
}

// ---- random operations against a model ---------------------------------

var hlListKeys = []string{"l0", "l1", "l2"}

// hlModelRange is LRANGE written as a filter over positions, a formulation
// independent of the engine's clamping.
func hlModelRange(l []string, start, stop int64) []string {
	n := int64(len(l))
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	out := []string{}
	for i := int64(0); i < n; i++ {
		if i >= start && i <= stop {
			out = append(out, l[i])
		}
	}
	return out
}

// hlModelLPos lists every match in scan order within MaxLen, then applies
// RANK and COUNT.
func hlModelLPos(l []string, elem string, rank, count, maxLen int64) []int64 {
	var all []int64
	n := int64(len(l))
	for i := int64(0); i < n && (maxLen == 0 || i < maxLen); i++ {
		pos := i
		if rank < 0 {
			pos = n - 1 - i
		}
		if l[pos] == elem {
			all = append(all, pos)
		}
	}
	skip := rank - 1
	if rank < 0 {
		skip = -rank - 1
	}
	out := []int64{}
	for i := skip; i < int64(len(all)); i++ {
		if count != 0 && int64(len(out)) == count {
			break
		}
		out = append(out, all[i])
	}
	return out
}

// hlListOp runs one random list command on db and on the model and compares
// the replies.
func hlListOp(t testing.TB, db *DB, clock *ttl.Manual, m *hlModel, src hlSource) {
	key := hlListKeys[src.intn(len(hlListKeys))]
	elem := func() string { return []string{"a", "b", "c", ""}[src.intn(4)] }
	idx := func() int64 { return int64(src.intn(13) - 6) }
	wrongKey := func(k string) bool { typ := m.typ(k); return typ != store.TypeNone && typ != store.TypeList }
	wrong := wrongKey(key)
	l, exists := m.lists[key]
	checkWT := func(err error) bool {
		t.Helper()
		if wrong {
			requireHLErr(t, err, ErrWrongType, hlWrongTypeText)
			return true
		}
		require.NoError(t, err)
		return false
	}
	switch src.intn(17) {
	case 0, 1, 2, 3:
		vals := make([]string, 1+src.intn(3))
		for i := range vals {
			vals[i] = elem()
		}
		left, x := src.intn(2) == 0, src.intn(4) == 0
		var n int64
		var err error
		switch {
		case left && x:
			n, err = db.LPushX(key, vals...)
		case left:
			n, err = db.LPush(key, vals...)
		case x:
			n, err = db.RPushX(key, vals...)
		default:
			n, err = db.RPush(key, vals...)
		}
		if checkWT(err) {
			return
		}
		if x && !exists {
			require.Zero(t, n)
			return
		}
		for _, v := range vals {
			if left {
				l = append([]string{v}, l...)
			} else {
				l = append(l, v)
			}
		}
		m.lists[key] = l
		require.Equal(t, int64(len(l)), n)
	case 4, 5:
		left := src.intn(2) == 0
		if src.intn(2) == 0 {
			var v string
			var found bool
			var err error
			if left {
				v, found, err = db.LPop(key)
			} else {
				v, found, err = db.RPop(key)
			}
			if checkWT(err) {
				return
			}
			require.Equal(t, exists, found)
			if !exists {
				return
			}
			if left {
				require.Equal(t, l[0], v)
				m.lists[key] = l[1:]
			} else {
				require.Equal(t, l[len(l)-1], v)
				m.lists[key] = l[:len(l)-1]
			}
			m.tidy(key)
			return
		}
		count := int64(src.intn(5) - 1)
		var got []string
		var found bool
		var err error
		if left {
			got, found, err = db.LPopCount(key, count)
		} else {
			got, found, err = db.RPopCount(key, count)
		}
		if count < 0 {
			requireHLErr(t, err, ErrInvalidArgument, "ERR value is out of range, must be positive")
			return
		}
		if checkWT(err) {
			return
		}
		require.Equal(t, exists, found)
		if !exists {
			require.Nil(t, got)
			return
		}
		want := []string{}
		for range min(int(count), len(l)) {
			if left {
				want, l = append(want, l[0]), l[1:]
			} else {
				want, l = append(want, l[len(l)-1]), l[:len(l)-1]
			}
		}
		require.Equal(t, want, got)
		m.lists[key] = l
		m.tidy(key)
	case 6:
		n, err := db.LLen(key)
		if checkWT(err) {
			return
		}
		require.Equal(t, int64(len(l)), n)
	case 7:
		i := idx()
		v, found, err := db.LIndex(key, i)
		if checkWT(err) {
			return
		}
		want := hlModelRange(l, i, i)
		if i == -1 && len(l) > 0 {
			want = l[len(l)-1:]
		}
		require.Equal(t, len(want) == 1, found, "LINDEX %d on %v", i, l)
		if found {
			require.Equal(t, want[0], v)
		}
	case 8:
		start, stop := idx(), idx()
		got, err := db.LRange(key, start, stop)
		if checkWT(err) {
			return
		}
		require.Equal(t, hlModelRange(l, start, stop), got, "LRANGE %d %d on %v", start, stop, l)
	case 9:
		start, stop := idx(), idx()
		err := db.LTrim(key, start, stop)
		if checkWT(err) {
			return
		}
		if exists {
			m.lists[key] = hlModelRange(l, start, stop)
			m.tidy(key)
		}
	case 10:
		i, v := idx(), elem()
		err := db.LSet(key, i, v)
		if wrong {
			requireHLErr(t, err, ErrWrongType, hlWrongTypeText)
			return
		}
		if !exists {
			requireHLErr(t, err, ErrNoSuchKey, "ERR no such key")
			return
		}
		j := i
		if j < 0 {
			j += int64(len(l))
		}
		if j < 0 || j >= int64(len(l)) {
			requireHLErr(t, err, ErrInvalidArgument, "ERR index out of range")
			return
		}
		require.NoError(t, err)
		l[j] = v
	case 11:
		count, v := int64(src.intn(5)-2), elem()
		n, err := db.LRem(key, count, v)
		if checkWT(err) {
			return
		}
		var want int64
		if count >= 0 {
			for i := 0; i < len(l); {
				if l[i] == v && (count == 0 || want < count) {
					l = slices.Delete(l, i, i+1)
					want++
					continue
				}
				i++
			}
		} else {
			for i := len(l) - 1; i >= 0; i-- {
				if l[i] == v && want < -count {
					l = slices.Delete(l, i, i+1)
					want++
				}
			}
		}
		require.Equal(t, want, n)
		if exists {
			m.lists[key] = l
			m.tidy(key)
		}
	case 12:
		where, pivot, v := InsertPosition(src.intn(2)), elem(), elem()
		n, err := db.LInsert(key, where, pivot, v)
		if checkWT(err) {
			return
		}
		if !exists {
			require.Zero(t, n)
			return
		}
		at := slices.Index(l, pivot)
		if at < 0 {
			require.Equal(t, int64(-1), n)
			return
		}
		if where == InsertAfter {
			at++
		}
		m.lists[key] = slices.Insert(l, at, v)
		require.Equal(t, int64(len(l)+1), n)
	case 13:
		e := elem()
		rank := int64(src.intn(7) - 3)
		count, maxLen := int64(src.intn(4)-1), int64(src.intn(5)-1)
		opts := LPosOptions{Rank: rank, MaxLen: maxLen}
		got, err := db.LPosCount(key, e, count, opts)
		switch {
		case count < 0:
			requireHLErr(t, err, ErrInvalidArgument, "ERR COUNT can't be negative")
			return
		case maxLen < 0:
			requireHLErr(t, err, ErrInvalidArgument, "ERR MAXLEN can't be negative")
			return
		}
		if checkWT(err) {
			return
		}
		if rank == 0 {
			rank = 1
		}
		want := hlModelLPos(l, e, rank, count, maxLen)
		require.Equal(t, want, got, "LPOS %q RANK %d COUNT %d MAXLEN %d on %v", e, rank, count, maxLen, l)
		pos, found, err := db.LPos(key, e, opts)
		require.NoError(t, err)
		if want := hlModelLPos(l, e, rank, 1, maxLen); len(want) > 0 {
			require.True(t, found)
			require.Equal(t, want[0], pos)
		} else {
			require.False(t, found)
		}
	case 14, 15:
		dst := hlListKeys[src.intn(len(hlListKeys))]
		from, to := ListSide(src.intn(2)), ListSide(src.intn(2))
		v, found, err := db.LMove(key, dst, from, to)
		switch {
		case wrong:
			requireHLErr(t, err, ErrWrongType, hlWrongTypeText)
			return
		case !exists:
			require.NoError(t, err)
			require.False(t, found)
			return
		case wrongKey(dst):
			requireHLErr(t, err, ErrWrongType, hlWrongTypeText)
			return
		}
		require.NoError(t, err)
		require.True(t, found)
		var want string
		if from == ListLeft {
			want, l = l[0], l[1:]
		} else {
			want, l = l[len(l)-1], l[:len(l)-1]
		}
		require.Equal(t, want, v)
		m.lists[key] = l
		d := m.lists[dst]
		if to == ListLeft {
			d = append([]string{v}, d...)
		} else {
			d = append(slices.Clone(d), v)
		}
		m.lists[dst] = d
		m.tidy(key)
	case 16:
		if !hlCommonOp(t, db, clock, m, src, key) {
			_, err := db.LLen(key)
			checkWT(err)
		}
	}
}

// hlRunListOps runs steps random list operations, checking the whole state
// every few steps.
func hlRunListOps(t testing.TB, db *DB, clock *ttl.Manual, src hlSource, steps int, more func() bool) {
	m := newHLModel(clock.Now().UnixMilli())
	for i := 0; i < steps && more(); i++ {
		hlListOp(t, db, clock, m, src)
		if i%5 == 0 {
			hlCheckModel(t, db, m, hlListKeys)
		}
	}
	hlCheckModel(t, db, m, hlListKeys)
}

func TestListRandomAgainstModel(t *testing.T) {
	for seed := range uint64(30) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			db, clock := openHL(t, Options{})
			src := hlRand{rand.New(rand.NewPCG(seed, 2))}
			hlRunListOps(t, db, clock, src, 600, func() bool { return true })
		})
	}
}

// FuzzListOps decodes a sequence of list commands (plus string writes, DEL,
// EXPIRE and clock steps on the same keys) from the input and checks every
// reply and the final state against the model.
func FuzzListOps(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 1, 0, 1, 1, 3})
	f.Add([]byte("lpush rpop lmove lpos linsert lrem ltrim"))
	f.Add([]byte{0, 0, 3, 0, 1, 14, 0, 1, 1, 1, 13, 0, 1, 3, 2, 4, 16, 2, 0, 8, 2, 3})
	f.Fuzz(func(t *testing.T, in []byte) {
		db, clock := openHL(t, Options{Shards: 1})
		src := &hlBytes{in}
		hlRunListOps(t, db, clock, src, 400, func() bool { return len(src.b) > 0 })
	})
}
