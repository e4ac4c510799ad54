package engine

import (
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/store"
)

// hugeString returns a string of n <= MaxStringSize+1 zero bytes without
// touching its memory: the pages of one large allocation, made once, are
// mapped lazily, so tests can pass a value over MaxStringSize without using
// 512 MB of RAM or zeroing it again and again.
func hugeString(n int) string {
	hugeOnce.Do(func() { hugeBuf = make([]byte, MaxStringSize+1) })
	return unsafe.String(unsafe.SliceData(hugeBuf), n)
}

var (
	hugeOnce sync.Once
	hugeBuf  []byte
)

// keyState is a key's setup for a table test: missing, a string with or
// without a TTL, or a collection.
type keyState struct {
	missing bool
	value   string
	ttl     time.Duration // 0: no TTL
	coll    store.Type    // not TypeNone: a collection of that type
}

var (
	stMissing = keyState{missing: true}
	stPlain   = keyState{value: "old"}
	stVol     = keyState{value: "old", ttl: 10 * time.Second}
	stHash    = keyState{coll: store.TypeHash}
)

func (s keyState) apply(t testing.TB, db *DB, key string) {
	t.Helper()
	switch {
	case s.missing:
	case s.coll != store.TypeNone:
		putColl(t, db, key, s.coll)
		if s.ttl != 0 {
			ok, err := db.Expire(key, s.ttl, 0)
			require.NoError(t, err)
			require.True(t, ok)
		}
	default:
		_, err := db.Set(key, s.value, SetOptions{TTL: s.ttl})
		require.NoError(t, err)
	}
}

func TestGet(t *testing.T) {
	db, te := openTestDB(t)
	stPlain.apply(t, db, "s")
	stVol.apply(t, db, "v")
	stHash.apply(t, db, "h")
	_, err := db.Set("empty", "", SetOptions{})
	require.NoError(t, err)

	for _, tc := range []struct {
		key     string
		want    string
		found   bool
		wantErr error
	}{
		{"s", "old", true, nil},
		{"v", "old", true, nil},
		{"empty", "", true, nil},
		{"nope", "", false, nil},
		{"h", "", false, ErrWrongType},
	} {
		v, found, err := db.Get(tc.key)
		require.ErrorIs(t, err, tc.wantErr, tc.key)
		if tc.wantErr != nil {
			require.EqualError(t, err, "WRONGTYPE Operation against a key holding the wrong kind of value")
		}
		require.Equal(t, tc.want, v, tc.key)
		require.Equal(t, tc.found, found, tc.key)
	}

	// Lazy expiry: at the deadline the key is gone.
	te.clock.Advance(10*time.Second - time.Millisecond)
	requireKey(t, db, "v", "old", 1)
	te.clock.Advance(time.Millisecond)
	requireKey(t, db, "v", "", NoKey)
	checkDB(t, db)
}

func TestSet(t *testing.T) {
	const minute = 60000
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) // the manual clock's zero start
	for _, tc := range []struct {
		name    string
		before  keyState
		opts    SetOptions
		want    SetResult
		wantErr string
		// after: the value and PTTL of the key ("" with NoKey: missing).
		value string
		pttl  int64
	}{
		{name: "new key", before: stMissing, want: SetResult{Written: true}, value: "new", pttl: NoExpiry},
		{name: "overwrite clears the TTL", before: stVol, want: SetResult{Written: true}, value: "new", pttl: NoExpiry},
		{name: "overwrite another type", before: stHash, want: SetResult{Written: true}, value: "new", pttl: NoExpiry},
		{name: "EX", before: stMissing, opts: SetOptions{TTL: time.Minute}, want: SetResult{Written: true}, value: "new", pttl: minute},
		{name: "EX replaces a TTL", before: stVol, opts: SetOptions{TTL: time.Minute}, want: SetResult{Written: true}, value: "new", pttl: minute},
		{name: "PX below a millisecond rounds up", before: stMissing, opts: SetOptions{TTL: time.Microsecond}, want: SetResult{Written: true}, value: "new", pttl: 1},
		{name: "PX truncates to milliseconds", before: stMissing, opts: SetOptions{TTL: 1500 * time.Microsecond}, want: SetResult{Written: true}, value: "new", pttl: 1},
		{name: "EXAT future", before: stMissing, opts: SetOptions{ExpireAt: start.Add(time.Minute)}, want: SetResult{Written: true}, value: "new", pttl: minute},
		{name: "EXAT now stores nothing", before: stPlain, opts: SetOptions{ExpireAt: start}, want: SetResult{Written: true}, pttl: NoKey},
		{name: "EXAT past stores nothing", before: stVol, opts: SetOptions{ExpireAt: start.Add(-time.Hour)}, want: SetResult{Written: true}, pttl: NoKey},
		{name: "EXAT past on a missing key", before: stMissing, opts: SetOptions{ExpireAt: time.Unix(1, 0)}, want: SetResult{Written: true}, pttl: NoKey},
		{name: "EXAT past on another type deletes it", before: stHash, opts: SetOptions{ExpireAt: time.Unix(1, 0)}, want: SetResult{Written: true}, pttl: NoKey},
		{name: "NX missing", before: stMissing, opts: SetOptions{NX: true}, want: SetResult{Written: true}, value: "new", pttl: NoExpiry},
		{name: "NX existing", before: stVol, opts: SetOptions{NX: true, TTL: time.Minute}, want: SetResult{}, value: "old", pttl: 10000},
		{name: "NX existing of another type", before: stHash, opts: SetOptions{NX: true}, want: SetResult{}, pttl: NoExpiry},
		{name: "XX missing", before: stMissing, opts: SetOptions{XX: true}, want: SetResult{}, pttl: NoKey},
		{name: "XX existing", before: stVol, opts: SetOptions{XX: true}, want: SetResult{Written: true}, value: "new", pttl: NoExpiry},
		{name: "XX EX existing", before: stPlain, opts: SetOptions{XX: true, TTL: time.Second}, want: SetResult{Written: true}, value: "new", pttl: 1000},
		{name: "KEEPTTL keeps it", before: stVol, opts: SetOptions{KeepTTL: true}, want: SetResult{Written: true}, value: "new", pttl: 10000},
		{name: "KEEPTTL without TTL", before: stPlain, opts: SetOptions{KeepTTL: true}, want: SetResult{Written: true}, value: "new", pttl: NoExpiry},
		{name: "KEEPTTL missing", before: stMissing, opts: SetOptions{KeepTTL: true}, want: SetResult{Written: true}, value: "new", pttl: NoExpiry},
		{name: "KEEPTTL over another type keeps its TTL", before: keyState{coll: store.TypeList, ttl: 5 * time.Second}, opts: SetOptions{KeepTTL: true}, want: SetResult{Written: true}, value: "new", pttl: 5000},
		{name: "KEEPTTL XX", before: stVol, opts: SetOptions{KeepTTL: true, XX: true}, want: SetResult{Written: true}, value: "new", pttl: 10000},
		{name: "GET missing", before: stMissing, opts: SetOptions{Get: true}, want: SetResult{Written: true}, value: "new", pttl: NoExpiry},
		{name: "GET existing", before: stVol, opts: SetOptions{Get: true}, want: SetResult{Written: true, Old: "old", HadOld: true}, value: "new", pttl: NoExpiry},
		{name: "GET empty string", before: keyState{value: ""}, opts: SetOptions{Get: true}, want: SetResult{Written: true, HadOld: true}, value: "new", pttl: NoExpiry},
		{name: "GET another type", before: stHash, opts: SetOptions{Get: true}, wantErr: ErrWrongType.Error(), pttl: NoExpiry},
		{name: "GET NX existing", before: stPlain, opts: SetOptions{Get: true, NX: true}, want: SetResult{Old: "old", HadOld: true}, value: "old", pttl: NoExpiry},
		{name: "GET NX missing", before: stMissing, opts: SetOptions{Get: true, NX: true}, want: SetResult{Written: true}, value: "new", pttl: NoExpiry},
		{name: "GET NX another type", before: stHash, opts: SetOptions{Get: true, NX: true}, wantErr: ErrWrongType.Error(), pttl: NoExpiry},
		{name: "GET XX missing", before: stMissing, opts: SetOptions{Get: true, XX: true}, want: SetResult{}, pttl: NoKey},
		{name: "GET XX existing", before: stVol, opts: SetOptions{Get: true, XX: true, KeepTTL: true}, want: SetResult{Written: true, Old: "old", HadOld: true}, value: "new", pttl: 10000},
		{name: "GET EXAT past", before: stPlain, opts: SetOptions{Get: true, ExpireAt: time.Unix(1, 0)}, want: SetResult{Written: true, Old: "old", HadOld: true}, pttl: NoKey},
		{name: "NX XX", before: stPlain, opts: SetOptions{NX: true, XX: true}, wantErr: "ERR syntax error", value: "old", pttl: NoExpiry},
		{name: "EX KEEPTTL", before: stVol, opts: SetOptions{TTL: time.Second, KeepTTL: true}, wantErr: "ERR syntax error", value: "old", pttl: 10000},
		{name: "EX EXAT", before: stMissing, opts: SetOptions{TTL: time.Second, ExpireAt: start.Add(time.Hour)}, wantErr: "ERR syntax error", pttl: NoKey},
		{name: "EXAT KEEPTTL", before: stMissing, opts: SetOptions{KeepTTL: true, ExpireAt: start.Add(time.Hour)}, wantErr: "ERR syntax error", pttl: NoKey},
		{name: "syntax before invalid expire", before: stMissing, opts: SetOptions{TTL: -time.Second, KeepTTL: true}, wantErr: "ERR syntax error", pttl: NoKey},
		{name: "negative EX", before: stPlain, opts: SetOptions{TTL: -time.Second}, wantErr: "ERR invalid expire time in 'set' command", value: "old", pttl: NoExpiry},
		{name: "EXAT at the epoch", before: stPlain, opts: SetOptions{ExpireAt: time.Unix(0, 0)}, wantErr: "ERR invalid expire time in 'set' command", value: "old", pttl: NoExpiry},
		{name: "EXAT before the epoch", before: stMissing, opts: SetOptions{ExpireAt: time.Unix(-5, 0)}, wantErr: "ERR invalid expire time in 'set' command", pttl: NoKey},
		{name: "invalid expire before GET's type check", before: stHash, opts: SetOptions{Get: true, TTL: -1}, wantErr: "ERR invalid expire time in 'set' command", pttl: NoExpiry},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, te := openTestDB(t)
			require.Equal(t, start, te.clock.Now())
			tc.before.apply(t, db, "k")
			res, err := db.Set("k", "new", tc.opts)
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tc.want, res)
			typ, err := db.Type("k")
			require.NoError(t, err)
			if typ == TypeString || tc.pttl == NoKey {
				requireKey(t, db, "k", tc.value, tc.pttl)
			} else {
				// Still the collection: only its TTL can be checked here.
				pttl, err := db.PTTL("k")
				require.NoError(t, err)
				require.Equal(t, tc.pttl, pttl)
			}
			checkDB(t, db)
		})
	}
}

func TestSetErrorsKeepTheKey(t *testing.T) {
	db, _ := openTestDB(t)
	stVol.apply(t, db, "k")
	_, err := db.Set("k", hugeString(MaxStringSize+1), SetOptions{})
	require.ErrorIs(t, err, ErrTooLarge)
	require.EqualError(t, err, "ERR string exceeds maximum allowed size (proto-max-bulk-len)")
	requireKey(t, db, "k", "old", 10000)
}

func TestSetReusesEntryAndKeepsAccounting(t *testing.T) {
	db, te := openTestDB(t)
	for i, v := range []string{"a", strings.Repeat("b", 100), "", "ccc"} {
		_, err := db.Set("k", v, SetOptions{TTL: time.Duration(i+1) * time.Second})
		require.NoError(t, err)
		checkDB(t, db)
		st := db.ks.Stats()
		require.EqualValues(t, 1, st.Keys)
		require.EqualValues(t, 1, st.Volatile)
		require.Equal(t, st.Bytes, te.UsedMemory())
	}
	requireKey(t, db, "k", "ccc", 4000)
}

func TestSetNX(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before keyState
		want   bool
		value  string
		pttl   int64
	}{
		{"missing", stMissing, true, "new", NoExpiry},
		{"existing", stVol, false, "old", 10000},
		{"another type", stHash, false, "", NoExpiry},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openTestDB(t)
			tc.before.apply(t, db, "k")
			ok, err := db.SetNX("k", "new")
			require.NoError(t, err)
			require.Equal(t, tc.want, ok)
			if tc.before.coll == store.TypeNone {
				requireKey(t, db, "k", tc.value, tc.pttl)
			}
		})
	}
	t.Run("expired counts as missing", func(t *testing.T) {
		db, te := openTestDB(t)
		stVol.apply(t, db, "k")
		te.clock.Advance(10 * time.Second)
		ok, err := db.SetNX("k", "new")
		require.NoError(t, err)
		require.True(t, ok)
		requireKey(t, db, "k", "new", NoExpiry)
	})
}

func TestGetSet(t *testing.T) {
	for _, tc := range []struct {
		name    string
		before  keyState
		old     string
		found   bool
		wantErr error
		pttl    int64
	}{
		{"missing", stMissing, "", false, nil, NoExpiry},
		{"existing clears the TTL", stVol, "old", true, nil, NoExpiry},
		{"another type", stHash, "", false, ErrWrongType, NoExpiry},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openTestDB(t)
			tc.before.apply(t, db, "k")
			old, found, err := db.GetSet("k", "new")
			require.ErrorIs(t, err, tc.wantErr)
			require.Equal(t, tc.old, old)
			require.Equal(t, tc.found, found)
			if tc.wantErr == nil {
				requireKey(t, db, "k", "new", tc.pttl)
			} else {
				typ, _ := db.Type("k")
				require.Equal(t, TypeHash, typ, "a failed GETSET leaves the key alone")
			}
		})
	}
}

func TestGetDel(t *testing.T) {
	for _, tc := range []struct {
		name    string
		before  keyState
		value   string
		found   bool
		wantErr error
		typ     Type // after
	}{
		{"missing", stMissing, "", false, nil, TypeNone},
		{"existing", stPlain, "old", true, nil, TypeNone},
		{"existing with TTL", stVol, "old", true, nil, TypeNone},
		{"another type is kept", stHash, "", false, ErrWrongType, TypeHash},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openTestDB(t)
			tc.before.apply(t, db, "k")
			v, found, err := db.GetDel("k")
			require.ErrorIs(t, err, tc.wantErr)
			require.Equal(t, tc.value, v)
			require.Equal(t, tc.found, found)
			typ, err := db.Type("k")
			require.NoError(t, err)
			require.Equal(t, tc.typ, typ)
			checkDB(t, db)
		})
	}
}

func TestMGet(t *testing.T) {
	db, te := openTestDB(t)
	require.NoError(t, db.MSet(KV{"a", "1"}, KV{"b", ""}))
	stHash.apply(t, db, "h")
	_, err := db.Set("gone", "x", SetOptions{TTL: time.Second})
	require.NoError(t, err)
	te.clock.Advance(time.Second)

	got, err := db.MGet("a", "missing", "b", "h", "gone", "a")
	require.NoError(t, err, "MGET never fails on type")
	require.Equal(t, []Maybe{{"1", true}, {}, {"", true}, {}, {}, {"1", true}}, got)

	got, err = db.MGet()
	require.NoError(t, err)
	require.Empty(t, got)
}

func TestMSet(t *testing.T) {
	db, _ := openTestDB(t)
	stVol.apply(t, db, "vol")
	stHash.apply(t, db, "h")
	require.NoError(t, db.MSet(KV{"a", "1"}, KV{"vol", "2"}, KV{"h", "3"}, KV{"a", "4"}))
	requireKey(t, db, "a", "4", NoExpiry) // later pairs win
	requireKey(t, db, "vol", "2", NoExpiry)
	requireKey(t, db, "h", "3", NoExpiry)

	err := db.MSet()
	require.ErrorIs(t, err, ErrInvalidArgument)
	require.EqualError(t, err, "ERR wrong number of arguments for 'mset' command")

	err = db.MSet(KV{"a", "x"}, KV{"b", hugeString(MaxStringSize + 1)})
	require.ErrorIs(t, err, ErrTooLarge)
	requireKey(t, db, "a", "4", NoExpiry) // nothing written
	requireKey(t, db, "b", "", NoKey)
	checkDB(t, db)
}

func TestMSetNX(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before map[string]keyState
		pairs  []KV
		want   bool
	}{
		{"all missing", nil, []KV{{"a", "1"}, {"b", "2"}}, true},
		{"one exists", map[string]keyState{"b": stPlain}, []KV{{"a", "1"}, {"b", "2"}}, false},
		{"one of another type exists", map[string]keyState{"b": stHash}, []KV{{"a", "1"}, {"b", "2"}}, false},
		{"the same key twice", nil, []KV{{"a", "1"}, {"a", "2"}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openTestDB(t)
			for k, s := range tc.before {
				s.apply(t, db, k)
			}
			ok, err := db.MSetNX(tc.pairs...)
			require.NoError(t, err)
			require.Equal(t, tc.want, ok)
			final := map[string]string{}
			for _, p := range tc.pairs {
				final[p.Key] = p.Value // later pairs win
			}
			for k, v := range final {
				got, found, err := db.Get(k)
				if tc.before[k].coll != store.TypeNone {
					require.ErrorIs(t, err, ErrWrongType, "the existing key is untouched")
					continue
				}
				require.NoError(t, err)
				switch {
				case tc.want:
					require.Equal(t, v, got)
				case tc.before[k].missing || tc.before[k] == (keyState{}):
					require.False(t, found, "nothing is written when any key exists")
				default:
					require.Equal(t, tc.before[k].value, got)
				}
			}
		})
	}
	db, _ := openTestDB(t)
	_, err := db.MSetNX()
	require.EqualError(t, err, "ERR wrong number of arguments for 'msetnx' command")
}

func TestAppend(t *testing.T) {
	for _, tc := range []struct {
		name    string
		before  keyState
		arg     string
		want    int64
		wantErr error
		value   string
		pttl    int64
	}{
		{"missing creates", stMissing, "abc", 3, nil, "abc", NoExpiry},
		{"existing keeps the TTL", stVol, "abc", 6, nil, "oldabc", 10000},
		{"empty suffix", stPlain, "", 3, nil, "old", NoExpiry},
		{"empty on missing creates an empty string", stMissing, "", 0, nil, "", NoExpiry},
		{"another type", stHash, "x", 0, ErrWrongType, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openTestDB(t)
			tc.before.apply(t, db, "k")
			n, err := db.Append("k", tc.arg)
			require.ErrorIs(t, err, tc.wantErr)
			require.Equal(t, tc.want, n)
			if tc.wantErr == nil {
				requireKey(t, db, "k", tc.value, tc.pttl)
			}
			checkDB(t, db)
		})
	}
	t.Run("too large", func(t *testing.T) {
		db, _ := openTestDB(t)
		stPlain.apply(t, db, "k")
		_, err := db.Append("k", hugeString(MaxStringSize-2))
		require.ErrorIs(t, err, ErrTooLarge)
		requireKey(t, db, "k", "old", NoExpiry)
	})
}

func TestStrLen(t *testing.T) {
	db, _ := openTestDB(t)
	stPlain.apply(t, db, "k")
	_, err := db.Set("utf8", "héllo", SetOptions{})
	require.NoError(t, err)
	stHash.apply(t, db, "h")
	for _, tc := range []struct {
		key     string
		want    int64
		wantErr error
	}{
		{"k", 3, nil},
		{"utf8", 6, nil}, // bytes, not runes
		{"missing", 0, nil},
		{"h", 0, ErrWrongType},
	} {
		n, err := db.StrLen(tc.key)
		require.ErrorIs(t, err, tc.wantErr, tc.key)
		require.Equal(t, tc.want, n, tc.key)
	}
}

func TestIncrDecr(t *testing.T) {
	maxS, minS := "9223372036854775807", "-9223372036854775808"
	type call func(db *DB) (int64, error)
	incr := func(db *DB) (int64, error) { return db.Incr("k") }
	decr := func(db *DB) (int64, error) { return db.Decr("k") }
	incrBy := func(d int64) call { return func(db *DB) (int64, error) { return db.IncrBy("k", d) } }
	decrBy := func(d int64) call { return func(db *DB) (int64, error) { return db.DecrBy("k", d) } }
	for _, tc := range []struct {
		name    string
		before  keyState
		call    call
		want    int64
		wantErr string
		value   string // after ("" = unchanged from before)
		pttl    int64
	}{
		{"INCR missing", stMissing, incr, 1, "", "1", NoExpiry},
		{"DECR missing", stMissing, decr, -1, "", "-1", NoExpiry},
		{"INCRBY missing", stMissing, incrBy(10), 10, "", "10", NoExpiry},
		{"DECRBY missing", stMissing, decrBy(10), -10, "", "-10", NoExpiry},
		{"INCR keeps the TTL", keyState{value: "41", ttl: time.Second}, incr, 42, "", "42", 1000},
		{"INCRBY negative", keyState{value: "5"}, incrBy(-7), -2, "", "-2", NoExpiry},
		{"DECRBY negative", keyState{value: "5"}, decrBy(-7), 12, "", "12", NoExpiry},
		{"INCRBY zero", keyState{value: "5"}, incrBy(0), 5, "", "5", NoExpiry},
		{"to max", keyState{value: "9223372036854775806"}, incr, math.MaxInt64, "", maxS, NoExpiry},
		{"to min", keyState{value: "-9223372036854775807"}, decr, math.MinInt64, "", minS, NoExpiry},
		{"INCR overflow", keyState{value: maxS}, incr, 0, "ERR increment or decrement would overflow", maxS, NoExpiry},
		{"DECR overflow", keyState{value: minS}, decr, 0, "ERR increment or decrement would overflow", minS, NoExpiry},
		{"INCRBY overflow", keyState{value: "1"}, incrBy(math.MaxInt64), 0, "ERR increment or decrement would overflow", "1", NoExpiry},
		{"INCRBY min on negative", keyState{value: "-1"}, incrBy(math.MinInt64), 0, "ERR increment or decrement would overflow", "-1", NoExpiry},
		{"INCRBY min on zero", keyState{value: "0"}, incrBy(math.MinInt64), math.MinInt64, "", minS, NoExpiry},
		{"INCRBY min on max", keyState{value: maxS}, incrBy(math.MinInt64), -1, "", "-1", NoExpiry},
		{"DECRBY min is refused", keyState{value: "0"}, decrBy(math.MinInt64), 0, "ERR decrement would overflow", "0", NoExpiry},
		{"DECRBY min is refused on a missing key", stMissing, decrBy(math.MinInt64), 0, "ERR decrement would overflow", "", NoKey},
		{"DECRBY max", keyState{value: "-1"}, decrBy(math.MaxInt64), math.MinInt64, "", minS, NoExpiry},
		{"not an integer", stPlain, incr, 0, "ERR value is not an integer or out of range", "old", NoExpiry},
		{"empty string", keyState{value: ""}, incr, 0, "ERR value is not an integer or out of range", "", NoExpiry},
		{"float", keyState{value: "1.5"}, incr, 0, "ERR value is not an integer or out of range", "1.5", NoExpiry},
		{"leading space", keyState{value: " 1"}, incr, 0, "ERR value is not an integer or out of range", " 1", NoExpiry},
		{"plus sign", keyState{value: "+1"}, incr, 0, "ERR value is not an integer or out of range", "+1", NoExpiry},
		{"leading zero", keyState{value: "01"}, incr, 0, "ERR value is not an integer or out of range", "01", NoExpiry},
		{"beyond int64", keyState{value: "9223372036854775808"}, incr, 0, "ERR value is not an integer or out of range", "9223372036854775808", NoExpiry},
		{"another type", stHash, incr, 0, ErrWrongType.Error(), "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openTestDB(t)
			tc.before.apply(t, db, "k")
			n, err := tc.call(db)
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tc.want, n)
			if tc.before.coll == store.TypeNone {
				requireKey(t, db, "k", tc.value, tc.pttl)
			}
			checkDB(t, db)
		})
	}
	t.Run("error kinds", func(t *testing.T) {
		db, _ := openTestDB(t)
		stPlain.apply(t, db, "k")
		_, err := db.Incr("k")
		require.ErrorIs(t, err, ErrNotInteger)
		_, err = db.DecrBy("k", math.MinInt64)
		require.ErrorIs(t, err, ErrOverflow)
		require.NoError(t, db.MSet(KV{"k", "1"}))
		_, err = db.IncrBy("k", math.MaxInt64)
		require.ErrorIs(t, err, ErrOverflow)
	})
}

func TestIncrByFloat(t *testing.T) {
	for _, tc := range []struct {
		name    string
		before  keyState
		delta   float64
		want    string
		wantErr string
		pttl    int64
	}{
		{"missing", stMissing, 1.5, "1.5", "", NoExpiry},
		{"integer value", keyState{value: "10"}, 0.5, "10.5", "", NoExpiry},
		{"keeps the TTL", keyState{value: "1", ttl: time.Second}, 1, "2", "", 1000},
		{"long double arithmetic", keyState{value: "0.1"}, 0.2, "0.3", "", NoExpiry},
		{"to an integer", keyState{value: "2.5"}, 0.5, "3", "", NoExpiry},
		{"negative", keyState{value: "1"}, -3.25, "-2.25", "", NoExpiry},
		{"to zero", keyState{value: "0.5"}, -0.5, "0", "", NoExpiry},
		{"negative zero", stMissing, math.Copysign(0, -1), "0", "", NoExpiry},
		{"exponent in the value", keyState{value: "1e3"}, 1, "1001", "", NoExpiry},
		{"large value", keyState{value: "1e20"}, 1, "100000000000000000000", "", NoExpiry},
		{"small value", stMissing, 1e-17, "0.00000000000000001", "", NoExpiry},
		{"below the printed precision", stMissing, 1e-18, "0", "", NoExpiry},
		{"hex value", keyState{value: "0x10"}, 1, "17", "", NoExpiry},
		{"value with a trailing dot", keyState{value: "5."}, 1, "6", "", NoExpiry},
		{"value beyond double range", keyState{value: "1e308"}, 1e308, "199999999999999999993371759311691291321120199694831134415594095989843469737676123744200253843777078640893494450108026446304269499187921167194841628860392837535918200039206381557326219209014213335878306791577877829121087126122536729803237260434173178506889763247582601711514636284849020905456510092687857156096", "", NoExpiry},
		{"not a float", stPlain, 1, "", "ERR value is not a valid float", NoExpiry},
		{"empty", keyState{value: ""}, 1, "", "ERR value is not a valid float", NoExpiry},
		{"space", keyState{value: " 1"}, 1, "", "ERR value is not a valid float", NoExpiry},
		{"trailing space", keyState{value: "1 "}, 1, "", "ERR value is not a valid float", NoExpiry},
		{"nan value", keyState{value: "nan"}, 1, "", "ERR value is not a valid float", NoExpiry},
		{"value beyond long double range", keyState{value: "1e4933"}, 1, "", "ERR value is not a valid float", NoExpiry},
		{"value rounding to zero", keyState{value: "1e-5000"}, 1, "", "ERR value is not a valid float", NoExpiry},
		{"infinite value", keyState{value: "inf"}, 1, "", "ERR increment would produce NaN or Infinity", NoExpiry},
		{"infinite delta", keyState{value: "1"}, math.Inf(1), "", "ERR increment would produce NaN or Infinity", NoExpiry},
		{"NaN delta", keyState{value: "1"}, math.NaN(), "", "ERR increment would produce NaN or Infinity", NoExpiry},
		{"near the top of the long double range", keyState{value: "1e4932"}, 1e308, "", "", NoExpiry},
		{"another type", stHash, 1, "", ErrWrongType.Error(), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openTestDB(t)
			tc.before.apply(t, db, "k")
			v, err := db.IncrByFloat("k", tc.delta)
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
				require.Empty(t, v)
				if tc.before.coll == store.TypeNone {
					requireKey(t, db, "k", tc.before.value, map[bool]int64{true: NoKey, false: NoExpiry}[tc.before.missing])
				}
				return
			}
			require.NoError(t, err)
			if tc.want != "" {
				require.Equal(t, tc.want, v)
				requireKey(t, db, "k", tc.want, tc.pttl)
			}
			checkDB(t, db)
		})
	}
	t.Run("error kinds", func(t *testing.T) {
		db, _ := openTestDB(t)
		stPlain.apply(t, db, "k")
		_, err := db.IncrByFloat("k", 1)
		require.ErrorIs(t, err, ErrNotFloat)
		_, err = db.IncrByFloat("k2", math.Inf(-1))
		require.ErrorIs(t, err, ErrNaNOrInf)
	})
}

func TestStringCommandsCountReads(t *testing.T) {
	db, _ := openTestDB(t)
	stPlain.apply(t, db, "k")
	before := db.ks.Stats()
	_, _, _ = db.Get("k")
	_, _, _ = db.Get("nope")
	_, _ = db.MGet("k", "nope", "nope2")
	_, _ = db.Set("k", "v", SetOptions{Get: true})
	_, _ = db.Set("nope3", "v", SetOptions{Get: true, NX: true})
	st := db.ks.Stats()
	require.EqualValues(t, 3, st.Hits-before.Hits)
	require.EqualValues(t, 4, st.Misses-before.Misses)
	require.EqualValues(t, 5, st.Commands-before.Commands)
}

// BenchmarkAppend builds 1 MB strings 16 bytes at a time (APPEND to a log
// key), starting a new key each time one is full.
func BenchmarkAppend(b *testing.B) {
	db, _ := openTestDB(b)
	const chunk = "0123456789abcdef"
	const perKey = 1 << 16 // 1 MB of 16-byte chunks
	for i := 0; b.Loop(); i++ {
		key := "log:" + strconv.Itoa(i/perKey%2)
		if i%perKey == 0 {
			if _, err := db.Del(key); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := db.Append(key, chunk); err != nil {
			b.Fatal(err)
		}
	}
}
