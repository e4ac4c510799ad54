package engine

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/store"
)

func TestDel(t *testing.T) {
	db, te := openTestDB(t)
	require.NoError(t, db.MSet(KV{"a", "1"}, KV{"b", "2"}, KV{"c", "3"}))
	stHash.apply(t, db, "h")
	_, err := db.Set("gone", "x", SetOptions{TTL: time.Second})
	require.NoError(t, err)
	te.clock.Advance(time.Second)

	for _, tc := range []struct {
		keys []string
		want int64
	}{
		{[]string{"missing"}, 0},
		{[]string{"a"}, 1},
		{[]string{"a"}, 0},
		{[]string{"gone"}, 0}, // expired counts as missing
		{[]string{"b", "c", "h", "b", "missing"}, 3},
		{nil, 0},
	} {
		n, err := db.Del(tc.keys...)
		require.NoError(t, err)
		require.Equal(t, tc.want, n, "DEL %v", tc.keys)
	}
	size, err := db.DBSize()
	require.NoError(t, err)
	require.Zero(t, size)
	st := db.ks.Stats()
	require.Zero(t, st.Bytes)
	require.Zero(t, te.UsedMemory())
	checkDB(t, db)
}

func TestExists(t *testing.T) {
	db, te := openTestDB(t)
	require.NoError(t, db.MSet(KV{"a", "1"}, KV{"b", "2"}))
	stHash.apply(t, db, "h")
	_, err := db.Set("gone", "x", SetOptions{TTL: time.Second})
	require.NoError(t, err)
	te.clock.Advance(time.Second)
	for _, tc := range []struct {
		keys []string
		want int64
	}{
		{[]string{"a"}, 1},
		{[]string{"missing"}, 0},
		{[]string{"a", "b", "h"}, 3},
		{[]string{"a", "a", "a"}, 3}, // a key named twice counts twice
		{[]string{"gone", "a", "missing"}, 1},
		{nil, 0},
	} {
		n, err := db.Exists(tc.keys...)
		require.NoError(t, err)
		require.Equal(t, tc.want, n, "EXISTS %v", tc.keys)
	}
}

func TestExpire(t *testing.T) {
	const (
		none = 0  // the key has no TTL before
		ten  = 10 // the key's TTL before, in seconds
	)
	type call struct {
		ttl   time.Duration
		flags ExpireFlags
	}
	for _, tc := range []struct {
		name    string
		before  keyState
		call    call
		want    bool
		wantErr string
		pttl    int64 // after: NoKey if deleted
	}{
		{"set", stPlain, call{ttl: time.Minute}, true, "", 60000},
		{"replace", stVol, call{ttl: time.Minute}, true, "", 60000},
		{"shorten", stVol, call{ttl: time.Second}, true, "", 1000},
		{"sub-millisecond rounds up", stPlain, call{ttl: time.Nanosecond}, true, "", 1},
		{"missing", stMissing, call{ttl: time.Minute}, false, "", NoKey},
		{"on a collection", keyState{coll: store.TypeSet}, call{ttl: time.Second}, true, "", 1000},
		{"zero deletes", stVol, call{ttl: 0}, true, "", NoKey},
		{"negative deletes", stPlain, call{ttl: -time.Hour}, true, "", NoKey},
		{"negative on missing", stMissing, call{ttl: -time.Hour}, false, "", NoKey},
		{"NX without TTL", stPlain, call{time.Minute, ExpireNX}, true, "", 60000},
		{"NX with TTL", stVol, call{time.Minute, ExpireNX}, false, "", 10000},
		{"NX negative deletes", stPlain, call{-time.Second, ExpireNX}, true, "", NoKey},
		{"XX without TTL", stPlain, call{time.Minute, ExpireXX}, false, "", NoExpiry},
		{"XX with TTL", stVol, call{time.Minute, ExpireXX}, true, "", 60000},
		{"GT without TTL", stPlain, call{time.Minute, ExpireGT}, false, "", NoExpiry},
		{"GT later", stVol, call{time.Minute, ExpireGT}, true, "", 60000},
		{"GT equal", stVol, call{10 * time.Second, ExpireGT}, false, "", 10000},
		{"GT earlier", stVol, call{time.Second, ExpireGT}, false, "", 10000},
		{"GT negative", stVol, call{-time.Second, ExpireGT}, false, "", 10000},
		{"LT without TTL", stPlain, call{time.Minute, ExpireLT}, true, "", 60000},
		{"LT earlier", stVol, call{time.Second, ExpireLT}, true, "", 1000},
		{"LT equal", stVol, call{10 * time.Second, ExpireLT}, false, "", 10000},
		{"LT later", stVol, call{time.Minute, ExpireLT}, false, "", 10000},
		{"LT negative deletes", stVol, call{-time.Second, ExpireLT}, true, "", NoKey},
		{"XX GT", stVol, call{time.Minute, ExpireXX | ExpireGT}, true, "", 60000},
		{"XX GT without TTL", stPlain, call{time.Minute, ExpireXX | ExpireGT}, false, "", NoExpiry},
		{"XX LT without TTL", stPlain, call{time.Second, ExpireXX | ExpireLT}, false, "", NoExpiry},
		{"XX LT", stVol, call{time.Second, ExpireXX | ExpireLT}, true, "", 1000},
		{"NX XX", stPlain, call{time.Minute, ExpireNX | ExpireXX}, false, "ERR NX and XX, GT or LT options at the same time are not compatible", NoExpiry},
		{"NX GT", stPlain, call{time.Minute, ExpireNX | ExpireGT}, false, "ERR NX and XX, GT or LT options at the same time are not compatible", NoExpiry},
		{"NX LT", stVol, call{time.Minute, ExpireNX | ExpireLT}, false, "ERR NX and XX, GT or LT options at the same time are not compatible", 10000},
		{"NX GT LT reports NX", stPlain, call{time.Minute, ExpireNX | ExpireGT | ExpireLT}, false, "ERR NX and XX, GT or LT options at the same time are not compatible", NoExpiry},
		{"GT LT", stVol, call{time.Minute, ExpireGT | ExpireLT}, false, "ERR GT and LT options at the same time are not compatible", 10000},
		{"flags are checked on a missing key", stMissing, call{time.Minute, ExpireGT | ExpireLT}, false, "ERR GT and LT options at the same time are not compatible", NoKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openTestDB(t)
			tc.before.apply(t, db, "k")
			ok, err := db.Expire("k", tc.call.ttl, tc.call.flags)
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
				require.ErrorIs(t, err, ErrInvalidArgument)
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tc.want, ok)
			pttl, err := db.PTTL("k")
			require.NoError(t, err)
			require.Equal(t, tc.pttl, pttl)
			checkDB(t, db)
		})
	}
}

func TestExpireAtAndMillis(t *testing.T) {
	db, te := openTestDB(t)
	now := te.clock.Now()
	stPlain.apply(t, db, "k")

	ok, err := db.ExpireAt("k", now.Add(90*time.Second), 0)
	require.NoError(t, err)
	require.True(t, ok)
	at, err := db.PExpireTime("k")
	require.NoError(t, err)
	require.Equal(t, now.Add(90*time.Second).UnixMilli(), at)
	ttlS, err := db.TTL("k")
	require.NoError(t, err)
	require.EqualValues(t, 90, ttlS)

	// GT/LT compare absolute deadlines.
	ok, err = db.ExpireAt("k", now.Add(80*time.Second), ExpireGT)
	require.NoError(t, err)
	require.False(t, ok)
	ok, err = db.ExpireAt("k", now.Add(80*time.Second), ExpireLT)
	require.NoError(t, err)
	require.True(t, ok)

	// The protocol edges' form: seconds already converted to ms, relative or
	// absolute, with the command's name in error texts.
	ok, err = db.ExpireMillis("expire", "k", 5000, false, 0)
	require.NoError(t, err)
	require.True(t, ok)
	requireKey(t, db, "k", "old", 5000)
	_, err = db.ExpireMillis("expire", "k", math.MaxInt64, false, 0)
	require.EqualError(t, err, "ERR invalid expire time in 'expire' command")
	require.ErrorIs(t, err, ErrInvalidExpire)
	_, err = db.ExpireMillis("pexpire", "missing", math.MaxInt64-now.UnixMilli()+1, false, 0)
	require.EqualError(t, err, "ERR invalid expire time in 'pexpire' command", "checked before the key lookup")
	requireKey(t, db, "k", "old", 5000)

	// The largest relative TTL that does not overflow, and the largest
	// absolute deadline, are accepted.
	ok, err = db.ExpireMillis("pexpire", "k", math.MaxInt64-now.UnixMilli(), false, 0)
	require.NoError(t, err)
	require.True(t, ok)
	at, err = db.PExpireTime("k")
	require.NoError(t, err)
	require.EqualValues(t, int64(math.MaxInt64), at)
	ok, err = db.ExpireMillis("pexpireat", "k", math.MaxInt64, true, 0)
	require.NoError(t, err)
	require.True(t, ok)

	// An absolute deadline in the past deletes; a very negative relative
	// one too.
	ok, err = db.ExpireMillis("pexpire", "k", math.MinInt64, false, 0)
	require.NoError(t, err)
	require.True(t, ok)
	requireKey(t, db, "k", "", NoKey)
	stPlain.apply(t, db, "k")
	ok, err = db.ExpireAt("k", now, 0)
	require.NoError(t, err)
	require.True(t, ok)
	requireKey(t, db, "k", "", NoKey)
	stPlain.apply(t, db, "k")
	ok, err = db.ExpireAt("k", time.Unix(0, 0), ExpireNX)
	require.NoError(t, err)
	require.True(t, ok)
	requireKey(t, db, "k", "", NoKey)
	checkDB(t, db)
}

func TestTTLAndPTTL(t *testing.T) {
	db, te := openTestDB(t)
	stPlain.apply(t, db, "persistent")
	stHash.apply(t, db, "h")
	for _, tc := range []struct {
		pttl    time.Duration
		wantTTL int64
	}{
		{1 * time.Millisecond, 0},
		{499 * time.Millisecond, 0},
		{500 * time.Millisecond, 1}, // rounded to the nearest second, as Redis
		{1499 * time.Millisecond, 1},
		{1500 * time.Millisecond, 2},
		{100 * time.Second, 100},
	} {
		_, err := db.Set("k", "v", SetOptions{TTL: tc.pttl})
		require.NoError(t, err)
		pttl, err := db.PTTL("k")
		require.NoError(t, err)
		require.Equal(t, tc.pttl.Milliseconds(), pttl)
		ttlS, err := db.TTL("k")
		require.NoError(t, err)
		require.Equal(t, tc.wantTTL, ttlS, "TTL for PTTL %v", tc.pttl)
	}
	for _, key := range []string{"persistent", "h"} {
		ttlS, err := db.TTL(key)
		require.NoError(t, err)
		require.Equal(t, int64(-1), ttlS)
		pttl, err := db.PTTL(key)
		require.NoError(t, err)
		require.Equal(t, int64(-1), pttl)
		at, err := db.PExpireTime(key)
		require.NoError(t, err)
		require.Equal(t, int64(-1), at)
	}
	for _, f := range []func(string) (int64, error){db.TTL, db.PTTL, db.PExpireTime} {
		v, err := f("missing")
		require.NoError(t, err)
		require.Equal(t, int64(-2), v)
	}
	// The remaining time follows the clock, and at the deadline the key is
	// missing (-2), never "0 left".
	_, err := db.Set("k", "v", SetOptions{TTL: 3 * time.Second})
	require.NoError(t, err)
	te.clock.Advance(2999 * time.Millisecond)
	pttl, err := db.PTTL("k")
	require.NoError(t, err)
	require.EqualValues(t, 1, pttl)
	te.clock.Advance(time.Millisecond)
	pttl, err = db.PTTL("k")
	require.NoError(t, err)
	require.Equal(t, NoKey, pttl)
}

func TestPersist(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before keyState
		want   bool
		pttl   int64
	}{
		{"with TTL", stVol, true, NoExpiry},
		{"without TTL", stPlain, false, NoExpiry},
		{"missing", stMissing, false, NoKey},
		{"collection with TTL", keyState{coll: store.TypeZSet, ttl: time.Second}, true, NoExpiry},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, te := openTestDB(t)
			tc.before.apply(t, db, "k")
			ok, err := db.Persist("k")
			require.NoError(t, err)
			require.Equal(t, tc.want, ok)
			pttl, err := db.PTTL("k")
			require.NoError(t, err)
			require.Equal(t, tc.pttl, pttl)
			// A persisted key survives its old deadline.
			te.clock.Advance(time.Hour)
			n, err := db.Exists("k")
			require.NoError(t, err)
			require.Equal(t, tc.pttl != NoKey, n == 1)
			require.Zero(t, db.ks.Stats().Volatile)
		})
	}
}

func TestRename(t *testing.T) {
	type state map[string]keyState
	for _, tc := range []struct {
		name    string
		before  state
		src     string
		dst     string
		nx      bool
		want    bool
		wantErr string
		// after: value/PTTL of dst (NoKey: missing) and whether src remains.
		value   string
		pttl    int64
		srcLeft bool
	}{
		{name: "to a new key", before: state{"s": stPlain}, src: "s", dst: "d", want: true, value: "old", pttl: NoExpiry},
		{name: "keeps the TTL", before: state{"s": stVol}, src: "s", dst: "d", want: true, value: "old", pttl: 10000},
		{name: "replaces dst and its TTL", before: state{"s": stPlain, "d": keyState{value: "x", ttl: time.Hour}}, src: "s", dst: "d", want: true, value: "old", pttl: NoExpiry},
		{name: "replaces a dst of another type", before: state{"s": stVol, "d": stHash}, src: "s", dst: "d", want: true, value: "old", pttl: 10000},
		{name: "missing src", before: state{"d": stPlain}, src: "s", dst: "d", wantErr: "ERR no such key", value: "old", pttl: NoExpiry},
		{name: "missing src and dst", before: state{}, src: "s", dst: "d", wantErr: "ERR no such key", pttl: NoKey},
		{name: "same key", before: state{"s": stVol}, src: "s", dst: "s", want: true, value: "old", pttl: 10000, srcLeft: true},
		{name: "same key missing", before: state{}, src: "s", dst: "s", wantErr: "ERR no such key", pttl: NoKey},
		{name: "NX to a new key", before: state{"s": stVol}, src: "s", dst: "d", nx: true, want: true, value: "old", pttl: 10000},
		{name: "NX onto an existing key", before: state{"s": stVol, "d": keyState{value: "x"}}, src: "s", dst: "d", nx: true, want: false, value: "x", pttl: NoExpiry, srcLeft: true},
		{name: "NX onto another type", before: state{"s": stPlain, "d": stHash}, src: "s", dst: "d", nx: true, want: false, srcLeft: true},
		{name: "NX missing src", before: state{"d": stPlain}, src: "s", dst: "d", nx: true, wantErr: "ERR no such key", value: "old", pttl: NoExpiry},
		{name: "NX same key", before: state{"s": stPlain}, src: "s", dst: "s", nx: true, want: false, value: "old", pttl: NoExpiry, srcLeft: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openTestDB(t)
			for k, s := range tc.before {
				s.apply(t, db, k)
			}
			var ok bool
			var err error
			if tc.nx {
				ok, err = db.RenameNX(tc.src, tc.dst)
			} else {
				err = db.Rename(tc.src, tc.dst)
				ok = err == nil
			}
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
				require.ErrorIs(t, err, ErrNoSuchKey)
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tc.want, ok)
			if typ, _ := db.Type(tc.dst); typ == TypeString || tc.pttl == NoKey {
				requireKey(t, db, tc.dst, tc.value, tc.pttl)
			}
			n, err := db.Exists(tc.src)
			require.NoError(t, err)
			require.Equal(t, tc.srcLeft, n == 1, "src left behind")
			checkDB(t, db)
		})
	}
}

func TestRenameExpiry(t *testing.T) {
	db, te := openTestDB(t)
	keys := keysInDistinctShards(t, db, 2)
	src, dst := keys[0], keys[1]
	_, err := db.Set(src, "v", SetOptions{TTL: time.Second})
	require.NoError(t, err)
	require.NoError(t, db.Rename(src, dst))
	te.clock.Advance(time.Second)
	requireKey(t, db, dst, "", NoKey)

	// An expired src is missing; an expired dst does not block RENAMENX.
	_, err = db.Set(src, "v", SetOptions{TTL: time.Second})
	require.NoError(t, err)
	te.clock.Advance(time.Second)
	require.ErrorIs(t, db.Rename(src, dst), ErrNoSuchKey)
	_, err = db.Set(src, "v", SetOptions{})
	require.NoError(t, err)
	_, err = db.Set(dst, "old", SetOptions{TTL: time.Second})
	require.NoError(t, err)
	te.clock.Advance(time.Second)
	ok, err := db.RenameNX(src, dst)
	require.NoError(t, err)
	require.True(t, ok)
	requireKey(t, db, dst, "v", NoExpiry)
	require.Zero(t, db.ks.Stats().Volatile)
	checkDB(t, db)
}

func TestType(t *testing.T) {
	db, te := openTestDB(t)
	stPlain.apply(t, db, "s")
	for _, typ := range []store.Type{store.TypeHash, store.TypeList, store.TypeSet, store.TypeZSet} {
		putColl(t, db, typ.String(), typ)
	}
	_, err := db.Set("gone", "x", SetOptions{TTL: time.Second})
	require.NoError(t, err)
	te.clock.Advance(time.Second)
	for key, want := range map[string]string{
		"s": "string", "hash": "hash", "list": "list", "set": "set", "zset": "zset",
		"missing": "none", "gone": "none",
	} {
		typ, err := db.Type(key)
		require.NoError(t, err)
		require.Equal(t, want, typ.String(), key)
	}
	require.Equal(t, TypeString, store.TypeString)
	require.Equal(t, TypeZSet, store.TypeZSet)
}

func TestKeys(t *testing.T) {
	db, te := openTestDB(t)
	all := []string{"", "a", "a*b", "ab", "abc", "b", "h", "user:1", "user:10", "user:2", "user:x", "x\\y"}
	for _, k := range all {
		if k == "h" {
			stHash.apply(t, db, k)
			continue
		}
		_, err := db.Set(k, "v", SetOptions{})
		require.NoError(t, err)
	}
	_, err := db.Set("user:gone", "v", SetOptions{TTL: time.Second})
	require.NoError(t, err)
	te.clock.Advance(time.Second) // user:gone expires and is never listed

	sorted := append([]string(nil), all...)
	sort.Strings(sorted)
	for _, tc := range []struct {
		pattern string
		want    []string
	}{
		{"*", sorted},
		{"", sorted}, // empty pattern = "*"
		{"?*", sorted[1:]},
		{"user:*", []string{"user:1", "user:10", "user:2", "user:x"}},
		{"user:?", []string{"user:1", "user:2", "user:x"}},
		{"user:[0-9]", []string{"user:1", "user:2"}},
		{"user:[^0-9]", []string{"user:x"}},
		{"user:[!0-9]", []string{"user:1", "user:2"}}, // '!' is a member, not a negation
		{"[a-b]", []string{"a", "b"}},
		{"[b-a]", []string{"a", "b"}}, // reversed range
		{"a?c", []string{"abc"}},
		{"a\\*b", []string{"a*b"}}, // escaped star: literal
		{"a*b", []string{"a*b", "ab"}},
		{"x\\\\y", []string{"x\\y"}}, // escaped backslash
		{"abc", []string{"abc"}},     // literal: a lookup
		{"nope", nil},
		{"user:gone", nil}, // literal lookup of an expired key
		{"user:g*", nil},
		{"h", []string{"h"}}, // any type
		{"*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", nil},
	} {
		keys, total, err := db.Keys(tc.pattern, 0)
		require.NoError(t, err)
		require.Equal(t, tc.want, keys, "KEYS %q", tc.pattern)
		require.Equal(t, len(tc.want), total, "KEYS %q", tc.pattern)
	}

	// limit truncates the sorted list; total counts every match.
	for _, tc := range []struct {
		limit int
		want  []string
	}{
		{-1, []string{"user:1", "user:10", "user:2", "user:x"}},
		{1, []string{"user:1"}},
		{3, []string{"user:1", "user:10", "user:2"}},
		{4, []string{"user:1", "user:10", "user:2", "user:x"}},
		{100, []string{"user:1", "user:10", "user:2", "user:x"}},
	} {
		keys, total, err := db.Keys("user:*", tc.limit)
		require.NoError(t, err)
		require.Equal(t, tc.want, keys, "limit %d", tc.limit)
		require.Equal(t, 4, total)
	}
	keys, total, err := db.Keys("abc", 1)
	require.NoError(t, err)
	require.Equal(t, []string{"abc"}, keys)
	require.Equal(t, 1, total)
}

func TestKeysNeverShowsExpiredKeys(t *testing.T) {
	db, te := openTestDB(t)
	for i := 0; i < 200; i++ {
		_, err := db.Set("k"+strconv.Itoa(i), "v", SetOptions{TTL: time.Duration(i+1) * time.Millisecond})
		require.NoError(t, err)
	}
	for step := 0; step <= 200; step += 7 {
		keys, total, err := db.Keys("k*", 0)
		require.NoError(t, err)
		require.Equal(t, 200-step, total, "after %dms", step)
		for _, k := range keys {
			i, err := strconv.Atoi(strings.TrimPrefix(k, "k"))
			require.NoError(t, err)
			require.Greater(t, i+1, step, "%s listed after its deadline", k)
		}
		te.clock.Advance(7 * time.Millisecond)
	}
}

func TestDBSize(t *testing.T) {
	db, te := openTestDB(t)
	n, err := db.DBSize()
	require.NoError(t, err)
	require.Zero(t, n)
	for i := 0; i < 100; i++ {
		opts := SetOptions{}
		if i%2 == 0 {
			opts.TTL = time.Duration(1+i) * time.Second
		}
		_, err := db.Set("k"+strconv.Itoa(i), "v", opts)
		require.NoError(t, err)
	}
	stHash.apply(t, db, "h")
	n, err = db.DBSize()
	require.NoError(t, err)
	require.EqualValues(t, 101, n)
	te.clock.Advance(50 * time.Second) // keys 0, 2, ..., 48 expire
	n, err = db.DBSize()
	require.NoError(t, err)
	require.EqualValues(t, 101-25, n, "DBSIZE never counts expired keys")
	te.clock.Advance(time.Hour)
	n, err = db.DBSize()
	require.NoError(t, err)
	require.EqualValues(t, 51, n)
}

func TestFlushDB(t *testing.T) {
	db, te := openTestDB(t)
	other := te.DB("other")
	require.NoError(t, other.MSet(KV{"a", "1"}))
	require.NoError(t, db.MSet(KV{"a", "1"}, KV{"b", "2"}))
	stHash.apply(t, db, "h")
	_, err := db.Set("gone", "x", SetOptions{TTL: time.Second})
	require.NoError(t, err)
	te.clock.Advance(time.Second)

	n, err := db.FlushDB()
	require.NoError(t, err)
	require.EqualValues(t, 3, n, "the count covers live keys only")
	size, err := db.DBSize()
	require.NoError(t, err)
	require.Zero(t, size)
	keys, _, err := db.Keys("*", 0)
	require.NoError(t, err)
	require.Empty(t, keys)
	st := db.ks.Stats()
	require.Zero(t, st.Bytes)
	require.Zero(t, st.KeysOfType(TypeHash))
	require.Equal(t, other.ks.Stats().Bytes, te.UsedMemory(), "only the other namespace's bytes remain")
	requireKey(t, other, "a", "1", NoExpiry)
	n, err = db.FlushDB()
	require.NoError(t, err)
	require.Zero(t, n)
	checkDB(t, db)
}

func TestKeyCommandsCountReads(t *testing.T) {
	// As in Redis, EXISTS, TYPE, TTL and PTTL count keyspace hits and
	// misses; DEL, PERSIST, EXPIRE and KEYS do not.
	db, _ := openTestDB(t)
	stVol.apply(t, db, "k")
	before := db.ks.Stats()
	_, _ = db.Exists("k", "nope")
	_, _ = db.Type("k")
	_, _ = db.Type("nope")
	_, _ = db.TTL("k")
	_, _ = db.PTTL("nope")
	st := db.ks.Stats()
	require.EqualValues(t, 3, st.Hits-before.Hits)
	require.EqualValues(t, 3, st.Misses-before.Misses)

	before = st
	_, _ = db.Persist("nope")
	_, _ = db.Expire("k", time.Hour, 0)
	_, _, _ = db.Keys("k", 0)
	_, _, _ = db.Keys("*", 0)
	_, _ = db.Del("k", "nope")
	st = db.ks.Stats()
	require.Equal(t, before.Hits, st.Hits)
	require.Equal(t, before.Misses, st.Misses)
}
