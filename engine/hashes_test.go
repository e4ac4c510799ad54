package engine

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/store"
	"github.com/isa-cloud/isa-memstore/ttl"
)

// openHL opens an engine on a manual clock whose background expiry never
// runs (its tick channel never fires), so that only lazy expiry happens and
// tests decide when time passes.
func openHL(t testing.TB, opts Options) (*DB, *ttl.Manual) {
	t.Helper()
	clock := ttl.NewManual(time.Time{})
	opts.Clock = clock
	opts.expiryTick = make(chan time.Time)
	e, err := Open(opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Close() })
	return e.DB("hl"), clock
}

// verifyHL checks the keyspace's counters and indexes after mutations.
func verifyHL(t testing.TB, db *DB) {
	t.Helper()
	require.NoError(t, db.ks.Verify())
}

// requireHLErr checks both the kind (errors.Is) and the exact Redis text.
func requireHLErr(t testing.TB, err error, kind error, text string) {
	t.Helper()
	require.Error(t, err)
	require.True(t, errors.Is(err, kind), "%v is not of kind %v", err, kind)
	require.Equal(t, text, err.Error())
}

// hlAbsent marks a field that a table test does not create.
const hlAbsent = "<absent>"

const hlWrongTypeText = "WRONGTYPE Operation against a key holding the wrong kind of value"

func hlPairs(kv ...string) []FieldValue {
	out := make([]FieldValue, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, FieldValue{Field: kv[i], Value: kv[i+1]})
	}
	return out
}

func TestHSetHGet(t *testing.T) {
	db, _ := openHL(t, Options{})
	n, err := db.HSet("h", hlPairs("a", "1", "b", "2", "a", "3")...)
	require.NoError(t, err)
	assert.Equal(t, int64(2), n, "a field named twice is new once")
	verifyHL(t, db)

	n, err = db.HSet("h", hlPairs("b", "20", "c", "30")...)
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)

	for _, tc := range []struct {
		key, field, want string
		found            bool
	}{
		{"h", "a", "3", true},
		{"h", "b", "20", true},
		{"h", "c", "30", true},
		{"h", "zz", "", false},
		{"nokey", "a", "", false},
	} {
		v, found, err := db.HGet(tc.key, tc.field)
		require.NoError(t, err)
		assert.Equal(t, tc.found, found, "%s %s", tc.key, tc.field)
		assert.Equal(t, tc.want, v)
	}

	_, err = db.HSet("h")
	requireHLErr(t, err, ErrInvalidArgument, "ERR wrong number of arguments for 'hset' command")
	typ, err := db.Type("h")
	require.NoError(t, err)
	assert.Equal(t, "hash", typ.String())
	verifyHL(t, db)
}

func TestHSetNX(t *testing.T) {
	db, _ := openHL(t, Options{})
	ok, err := db.HSetNX("h", "f", "1")
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = db.HSetNX("h", "f", "2")
	require.NoError(t, err)
	assert.False(t, ok)
	v, _, _ := db.HGet("h", "f")
	assert.Equal(t, "1", v)
	verifyHL(t, db)
}

func TestHMGet(t *testing.T) {
	db, _ := openHL(t, Options{})
	_, err := db.HSet("h", hlPairs("a", "1", "b", "")...)
	require.NoError(t, err)
	got, err := db.HMGet("h", "a", "x", "b", "a")
	require.NoError(t, err)
	assert.Equal(t, []Maybe{{"1", true}, {}, {"", true}, {"1", true}}, got)
	got, err = db.HMGet("nokey", "a", "b")
	require.NoError(t, err)
	assert.Equal(t, []Maybe{{}, {}}, got)
	_, err = db.HMGet("h")
	requireHLErr(t, err, ErrInvalidArgument, "ERR wrong number of arguments for 'hmget' command")
}

func TestHGetAllKeysValsOrder(t *testing.T) {
	db, _ := openHL(t, Options{})
	// The same sequence as against Redis 7.0: HSET h a 1 b 2 c 3 a 9; HDEL
	// h b; HSET h b 5 d 6 -> a 9 c 3 b 5 d 6.
	_, err := db.HSet("h", hlPairs("a", "1", "b", "2", "c", "3", "a", "9")...)
	require.NoError(t, err)
	_, err = db.HDel("h", "b")
	require.NoError(t, err)
	_, err = db.HSet("h", hlPairs("b", "5", "d", "6")...)
	require.NoError(t, err)

	all, err := db.HGetAll("h")
	require.NoError(t, err)
	assert.Equal(t, hlPairs("a", "9", "c", "3", "b", "5", "d", "6"), all)
	keys, err := db.HKeys("h")
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "c", "b", "d"}, keys)
	vals, err := db.HVals("h")
	require.NoError(t, err)
	assert.Equal(t, []string{"9", "3", "5", "6"}, vals)

	all, err = db.HGetAll("nokey")
	require.NoError(t, err)
	assert.NotNil(t, all)
	assert.Empty(t, all)
	keys, err = db.HKeys("nokey")
	require.NoError(t, err)
	assert.NotNil(t, keys)
	assert.Empty(t, keys)
	vals, err = db.HVals("nokey")
	require.NoError(t, err)
	assert.Empty(t, vals)
}

func TestHDelDeletesEmptyHash(t *testing.T) {
	db, clock := openHL(t, Options{})
	_, err := db.HSet("h", hlPairs("a", "1", "b", "2")...)
	require.NoError(t, err)
	_, err = db.Expire("h", time.Minute, 0)
	require.NoError(t, err)

	n, err := db.HDel("h", "a", "zz", "a")
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)
	ms, _ := db.PTTL("h")
	assert.Equal(t, int64(60_000), ms, "HDEL keeps the TTL")
	verifyHL(t, db)

	n, err = db.HDel("h", "b")
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)
	typ, _ := db.Type("h")
	assert.Equal(t, TypeNone, typ, "a hash without fields is no key")
	assert.Equal(t, int64(0), db.ks.Stats().Volatile)
	verifyHL(t, db)

	n, err = db.HDel("nokey", "a")
	require.NoError(t, err)
	assert.Zero(t, n)
	_, err = db.HDel("h")
	requireHLErr(t, err, ErrInvalidArgument, "ERR wrong number of arguments for 'hdel' command")

	// The TTL still expires the hash.
	_, err = db.HSet("h2", hlPairs("a", "1")...)
	require.NoError(t, err)
	_, err = db.Expire("h2", time.Second, 0)
	require.NoError(t, err)
	_, err = db.HSet("h2", hlPairs("b", "2")...)
	require.NoError(t, err)
	clock.Advance(time.Second)
	_, found, err := db.HGet("h2", "a")
	require.NoError(t, err)
	assert.False(t, found)
	verifyHL(t, db)
}

func TestHExistsHLenHStrLen(t *testing.T) {
	db, _ := openHL(t, Options{})
	_, err := db.HSet("h", hlPairs("a", "hello", "b", "")...)
	require.NoError(t, err)
	for _, tc := range []struct {
		key, field string
		exists     bool
		strlen     int64
	}{
		{"h", "a", true, 5},
		{"h", "b", true, 0},
		{"h", "c", false, 0},
		{"nokey", "a", false, 0},
	} {
		ok, err := db.HExists(tc.key, tc.field)
		require.NoError(t, err)
		assert.Equal(t, tc.exists, ok)
		n, err := db.HStrLen(tc.key, tc.field)
		require.NoError(t, err)
		assert.Equal(t, tc.strlen, n)
	}
	n, err := db.HLen("h")
	require.NoError(t, err)
	assert.Equal(t, int64(2), n)
	n, err = db.HLen("nokey")
	require.NoError(t, err)
	assert.Zero(t, n)
}

func TestHIncrBy(t *testing.T) {
	for _, tc := range []struct {
		name    string
		initial string // hlAbsent: no such field
		delta   int64
		want    int64
		err     error
		text    string
	}{
		{"hlAbsent field", hlAbsent, 5, 5, nil, ""},
		{"add", "10", 5, 15, nil, ""},
		{"subtract", "10", -15, -5, nil, ""},
		{"to max", "-1", math.MaxInt64, math.MaxInt64 - 1, nil, ""},
		{"max overflow", strconv.FormatInt(math.MaxInt64, 10), 1, 0, ErrOverflow, "ERR increment or decrement would overflow"},
		{"min overflow", strconv.FormatInt(math.MinInt64, 10), -1, 0, ErrOverflow, "ERR increment or decrement would overflow"},
		{"min plus min", "-9", math.MinInt64, 0, ErrOverflow, "ERR increment or decrement would overflow"},
		{"min ok", "9", math.MinInt64, math.MinInt64 + 9, nil, ""},
		{"not an integer", "abc", 1, 0, ErrNotInteger, "ERR hash value is not an integer"},
		{"float", "1.5", 1, 0, ErrNotInteger, "ERR hash value is not an integer"},
		{"leading space", " 1", 1, 0, ErrNotInteger, "ERR hash value is not an integer"},
		{"empty", "", 1, 0, ErrNotInteger, "ERR hash value is not an integer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openHL(t, Options{})
			_, err := db.HSet("h", hlPairs("other", "x")...)
			require.NoError(t, err)
			if tc.initial != hlAbsent {
				_, err := db.HSet("h", hlPairs("f", tc.initial)...)
				require.NoError(t, err)
			}
			got, err := db.HIncrBy("h", "f", tc.delta)
			if tc.err != nil {
				requireHLErr(t, err, tc.err, tc.text)
				v, _, _ := db.HGet("h", "f")
				assert.Equal(t, tc.initial, v, "unchanged on error")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			v, _, _ := db.HGet("h", "f")
			assert.Equal(t, strconv.FormatInt(tc.want, 10), v)
			verifyHL(t, db)
		})
	}
}

func TestHIncrByFloat(t *testing.T) {
	for _, tc := range []struct {
		name    string
		initial string // hlAbsent: no such field
		delta   float64
		want    string
		err     error
		text    string
	}{
		{"hlAbsent field", hlAbsent, 2.5, "2.5", nil, ""},
		{"long double sum", "0.1", 0.2, "0.3", nil, ""},
		{"trailing zeros", "10.50", 0.1, "10.6", nil, ""},
		{"exponent", "5.0e3", 2.0e2, "5200", nil, ""},
		{"to zero", "1002.5", -1002.5, "0", nil, ""},
		{"integer value", "17", 1, "18", nil, ""},
		{"not a float", "abc", 1, "", ErrNotFloat, "ERR hash value is not a float"},
		{"empty", "", 1, "", ErrNotFloat, "ERR hash value is not a float"},
		{"leading space", " 1", 1, "", ErrNotFloat, "ERR hash value is not a float"},
		{"inf delta", "1", math.Inf(1), "", ErrNaNOrInf, "ERR value is NaN or Infinity"},
		{"nan delta", "1", math.NaN(), "", ErrNaNOrInf, "ERR value is NaN or Infinity"},
		{"inf stored", "inf", 1, "", ErrNaNOrInf, "ERR increment would produce NaN or Infinity"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openHL(t, Options{})
			_, err := db.HSet("h", hlPairs("other", "x")...)
			require.NoError(t, err)
			if tc.initial != hlAbsent {
				_, err := db.HSet("h", hlPairs("f", tc.initial)...)
				require.NoError(t, err)
			}
			got, err := db.HIncrByFloat("h", "f", tc.delta)
			if tc.err != nil {
				requireHLErr(t, err, tc.err, tc.text)
				v, _, _ := db.HGet("h", "f")
				assert.Equal(t, tc.initial, v, "unchanged on error")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			v, _, _ := db.HGet("h", "f")
			assert.Equal(t, tc.want, v)
			verifyHL(t, db)
		})
	}
	// A new key created by HINCRBYFLOAT / HINCRBY.
	db, _ := openHL(t, Options{})
	v, err := db.HIncrByFloat("new", "f", -0.5)
	require.NoError(t, err)
	assert.Equal(t, "-0.5", v)
	n, err := db.HIncrBy("new2", "f", -7)
	require.NoError(t, err)
	assert.Equal(t, int64(-7), n)
	verifyHL(t, db)
}

func TestHashWrongType(t *testing.T) {
	db, _ := openHL(t, Options{})
	_, err := db.Set("s", "v", SetOptions{})
	require.NoError(t, err)
	_, err = db.RPush("l", "x")
	require.NoError(t, err)
	calls := map[string]func(key string) error{
		"HSET":         func(k string) error { _, err := db.HSet(k, hlPairs("f", "v")...); return err },
		"HSETNX":       func(k string) error { _, err := db.HSetNX(k, "f", "v"); return err },
		"HGET":         func(k string) error { _, _, err := db.HGet(k, "f"); return err },
		"HMGET":        func(k string) error { _, err := db.HMGet(k, "f"); return err },
		"HGETALL":      func(k string) error { _, err := db.HGetAll(k); return err },
		"HKEYS":        func(k string) error { _, err := db.HKeys(k); return err },
		"HVALS":        func(k string) error { _, err := db.HVals(k); return err },
		"HDEL":         func(k string) error { _, err := db.HDel(k, "f"); return err },
		"HEXISTS":      func(k string) error { _, err := db.HExists(k, "f"); return err },
		"HLEN":         func(k string) error { _, err := db.HLen(k); return err },
		"HSTRLEN":      func(k string) error { _, err := db.HStrLen(k, "f"); return err },
		"HINCRBY":      func(k string) error { _, err := db.HIncrBy(k, "f", 1); return err },
		"HINCRBYFLOAT": func(k string) error { _, err := db.HIncrByFloat(k, "f", 1); return err },
	}
	for name, call := range calls {
		for _, key := range []string{"s", "l"} {
			err := call(key)
			require.ErrorIs(t, err, ErrWrongType, "%s on %s", name, key)
			requireHLErr(t, err, ErrWrongType, hlWrongTypeText)
		}
	}
	v, _, _ := db.Get("s")
	assert.Equal(t, "v", v)
	verifyHL(t, db)
}

func TestHashSizeAccountingAndStats(t *testing.T) {
	db, _ := openHL(t, Options{})
	_, err := db.HSet("h", hlPairs("ab", "cde")...)
	require.NoError(t, err)
	st := db.ks.Stats()
	assert.Equal(t, int64(1), st.KeysOfType(store.TypeHash))
	base := st.Bytes
	_, err = db.HSet("h", hlPairs("f", "1234567890")...)
	require.NoError(t, err)
	assert.Equal(t, base+int64(1+10+store.HashFieldOverhead), db.ks.Stats().Bytes)
	_, err = db.HSet("h", hlPairs("f", "1")...)
	require.NoError(t, err)
	assert.Equal(t, base+int64(1+1+store.HashFieldOverhead), db.ks.Stats().Bytes)
	_, err = db.HDel("h", "f", "ab")
	require.NoError(t, err)
	assert.Zero(t, db.ks.Stats().Bytes)
	assert.Zero(t, db.ks.Stats().KeysOfType(store.TypeHash))
	verifyHL(t, db)
}

func TestHashMemoryLimit(t *testing.T) {
	db, _ := openHL(t, Options{MaxMemory: 1})
	_, err := db.HSet("h", hlPairs("f", "v")...)
	require.NoError(t, err, "the first write starts under the limit")
	_, err = db.HSet("h", hlPairs("g", "v")...)
	require.ErrorIs(t, err, ErrOOM)
	_, err = db.HSetNX("h", "g", "v")
	require.ErrorIs(t, err, ErrOOM)
	_, err = db.HIncrBy("h", "n", 1)
	require.ErrorIs(t, err, ErrOOM)
	_, err = db.HIncrByFloat("h", "n", 1)
	require.ErrorIs(t, err, ErrOOM)
	// Reads and deletes still work.
	v, _, err := db.HGet("h", "f")
	require.NoError(t, err)
	assert.Equal(t, "v", v)
	n, err := db.HDel("h", "f")
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)
	verifyHL(t, db)
}

func TestHashCommandsInAtomicBatch(t *testing.T) {
	db, _ := openHL(t, Options{})
	err := db.Atomic([]string{"a", "b"}, func(tx Txn) error {
		if _, err := tx.HSet("a", hlPairs("f", "1")...); err != nil {
			return err
		}
		v, _, err := tx.HGet("a", "f")
		if err != nil {
			return err
		}
		_, err = tx.HSet("b", hlPairs("copy", v)...)
		return err
	})
	require.NoError(t, err)
	v, _, _ := db.HGet("b", "copy")
	assert.Equal(t, "1", v)
	assert.Equal(t, int64(3), db.ks.Stats().Commands-1, "three commands, plus this HGET")
	verifyHL(t, db)
}

// ---- random operations against a model ---------------------------------

// hlSource yields the choices of a random operation sequence: from a
// seeded generator in the model tests, from the input bytes in the fuzz
// targets.
type hlSource interface {
	intn(n int) int
}

type hlRand struct{ r *rand.Rand }

func (s hlRand) intn(n int) int { return s.r.IntN(n) }

type hlBytes struct{ b []byte }

func (s *hlBytes) intn(n int) int {
	if len(s.b) == 0 {
		return 0
	}
	v := int(s.b[0]) % n
	s.b = s.b[1:]
	return v
}

// hlModel is the reference for the random tests: plain Go maps and slices
// with Redis's semantics written out the simple way, plus deadlines.
type hlModel struct {
	now      int64
	strs     map[string]string
	hashes   map[string]*hlHash
	lists    map[string][]string
	deadline map[string]int64
}

type hlHash struct {
	order  []string
	values map[string]string
}

func newHLModel(now int64) *hlModel {
	return &hlModel{now: now, strs: map[string]string{}, hashes: map[string]*hlHash{},
		lists: map[string][]string{}, deadline: map[string]int64{}}
}

func (m *hlModel) typ(k string) store.Type {
	switch {
	case m.strs[k] != "" || hlHas(m.strs, k):
		return store.TypeString
	case m.hashes[k] != nil:
		return store.TypeHash
	case m.lists[k] != nil:
		return store.TypeList
	}
	return store.TypeNone
}

func hlHas[V any](m map[string]V, k string) bool { _, ok := m[k]; return ok }

func (m *hlModel) del(k string) bool {
	t := m.typ(k)
	delete(m.strs, k)
	delete(m.hashes, k)
	delete(m.lists, k)
	delete(m.deadline, k)
	return t != store.TypeNone
}

// advance moves time and expires keys, as lazy expiry will on access.
func (m *hlModel) advance(ms int64) {
	m.now += ms
	for k, d := range m.deadline {
		if d <= m.now {
			m.del(k)
		}
	}
}

// tidy deletes an emptied collection, as the store does.
func (m *hlModel) tidy(k string) {
	if h := m.hashes[k]; h != nil && len(h.order) == 0 {
		m.del(k)
	}
	if l, ok := m.lists[k]; ok && len(l) == 0 {
		m.del(k)
	}
}

// hlCommonOp runs an operation shared by the hash and list sequences: string
// writes that collide with collection keys, DEL, EXPIRE and time passing.
// It reports whether it chose one.
func hlCommonOp(t testing.TB, db *DB, clock *ttl.Manual, m *hlModel, src hlSource, key string) bool {
	switch src.intn(12) {
	case 0:
		_, err := db.Set(key, "str", SetOptions{})
		require.NoError(t, err)
		m.del(key)
		m.strs[key] = "str"
	case 1:
		n, err := db.Del(key)
		require.NoError(t, err)
		require.Equal(t, m.del(key), n == 1)
	case 2:
		ok, err := db.Expire(key, 100*time.Millisecond, 0)
		require.NoError(t, err)
		exists := m.typ(key) != store.TypeNone
		require.Equal(t, exists, ok)
		if exists {
			m.deadline[key] = m.now + 100
		}
	case 3:
		clock.Advance(60 * time.Millisecond)
		m.advance(60)
	default:
		return false
	}
	return true
}

// hlCheckModel compares every key of the key space with the model.
func hlCheckModel(t testing.TB, db *DB, m *hlModel, keys []string) {
	t.Helper()
	for _, k := range keys {
		typ, err := db.Type(k)
		require.NoError(t, err)
		require.Equal(t, m.typ(k), typ, "type of %q", k)
		ms, err := db.PTTL(k)
		require.NoError(t, err)
		switch d, ok := m.deadline[k]; {
		case typ == store.TypeNone:
			require.Equal(t, NoKey, ms)
		case ok:
			require.Equal(t, d-m.now, ms, "ttl of %q", k)
		default:
			require.Equal(t, NoExpiry, ms, "ttl of %q", k)
		}
		switch typ {
		case store.TypeHash:
			h := m.hashes[k]
			want := make([]FieldValue, len(h.order))
			for i, f := range h.order {
				want[i] = FieldValue{f, h.values[f]}
			}
			got, err := db.HGetAll(k)
			require.NoError(t, err)
			require.Equal(t, want, got, "hash %q", k)
		case store.TypeList:
			got, err := db.LRange(k, 0, -1)
			require.NoError(t, err)
			require.Equal(t, m.lists[k], got, "list %q", k)
		}
	}
	verifyHL(t, db)
}

var hlHashKeys = []string{"h0", "h1", "h2"}

// hlHashOp runs one random hash command on db and on the model and compares
// the replies.
func hlHashOp(t testing.TB, db *DB, clock *ttl.Manual, m *hlModel, src hlSource) {
	key := hlHashKeys[src.intn(len(hlHashKeys))]
	field := func() string { return []string{"a", "b", "c", "d", ""}[src.intn(5)] }
	value := func() string {
		return []string{"1", "-2", "x", "", "9223372036854775806", "2.5", "-9223372036854775807"}[src.intn(7)]
	}
	isHash := m.typ(key) == store.TypeHash
	wrong := m.typ(key) != store.TypeNone && !isHash
	h := m.hashes[key]
	getModel := func() *hlHash {
		if h == nil {
			h = &hlHash{values: map[string]string{}}
			m.hashes[key] = h
		}
		return h
	}
	checkWT := func(err error) bool {
		t.Helper()
		if wrong {
			requireHLErr(t, err, ErrWrongType, hlWrongTypeText)
			return true
		}
		require.NoError(t, err)
		return false
	}
	switch src.intn(14) {
	case 0, 1:
		pairs := make([]FieldValue, 1+src.intn(3))
		for i := range pairs {
			pairs[i] = FieldValue{field(), value()}
		}
		n, err := db.HSet(key, pairs...)
		if checkWT(err) {
			return
		}
		var want int64
		hm := getModel()
		for _, p := range pairs {
			if !hlHas(hm.values, p.Field) {
				hm.order = append(hm.order, p.Field)
				want++
			}
			hm.values[p.Field] = p.Value
		}
		require.Equal(t, want, n)
	case 2:
		f, v := field(), value()
		ok, err := db.HSetNX(key, f, v)
		if checkWT(err) {
			return
		}
		want := h == nil || !hlHas(h.values, f)
		require.Equal(t, want, ok)
		if want {
			hm := getModel()
			hm.order = append(hm.order, f)
			hm.values[f] = v
		}
	case 3:
		f := field()
		v, found, err := db.HGet(key, f)
		if checkWT(err) {
			return
		}
		wv, wf := "", false
		if h != nil {
			wv, wf = h.values[f]
		}
		require.Equal(t, wf, found)
		require.Equal(t, wv, v)
	case 4:
		fs := []string{field(), field()}
		got, err := db.HMGet(key, fs...)
		if checkWT(err) {
			return
		}
		for i, f := range fs {
			wv, wf := "", false
			if h != nil {
				wv, wf = h.values[f]
			}
			require.Equal(t, Maybe{wv, wf}, got[i])
		}
	case 5:
		fs := []string{field(), field()}
		n, err := db.HDel(key, fs...)
		if checkWT(err) {
			return
		}
		var want int64
		if h != nil {
			for _, f := range fs {
				if hlHas(h.values, f) {
					want++
					delete(h.values, f)
					h.order = slices.DeleteFunc(h.order, func(x string) bool { return x == f })
				}
			}
			m.tidy(key)
		}
		require.Equal(t, want, n)
	case 6:
		f := field()
		ok, err := db.HExists(key, f)
		if checkWT(err) {
			return
		}
		require.Equal(t, h != nil && hlHas(h.values, f), ok)
	case 7:
		n, err := db.HLen(key)
		if checkWT(err) {
			return
		}
		want := 0
		if h != nil {
			want = len(h.order)
		}
		require.Equal(t, int64(want), n)
	case 8:
		f := field()
		n, err := db.HStrLen(key, f)
		if checkWT(err) {
			return
		}
		want := 0
		if h != nil {
			want = len(h.values[f])
		}
		require.Equal(t, int64(want), n)
	case 9:
		keys, err := db.HKeys(key)
		if checkWT(err) {
			return
		}
		vals, err := db.HVals(key)
		require.NoError(t, err)
		want := []string{}
		var wantV []string
		if h != nil {
			want = h.order
			for _, f := range h.order {
				wantV = append(wantV, h.values[f])
			}
		}
		require.Equal(t, want, keys)
		require.Equal(t, len(want), len(vals))
		if len(wantV) > 0 {
			require.Equal(t, wantV, vals)
		}
	case 10, 11:
		f := field()
		delta := []int64{1, -1, 7, math.MaxInt64, math.MinInt64, 0}[src.intn(6)]
		n, err := db.HIncrBy(key, f, delta)
		if wrong {
			requireHLErr(t, err, ErrWrongType, hlWrongTypeText)
			return
		}
		cur, had := "0", false
		if h != nil {
			if v, ok := h.values[f]; ok {
				cur, had = v, true
			}
		}
		c, perr := strconv.ParseInt(cur, 10, 64)
		if perr != nil || (had && cur != strconv.FormatInt(c, 10)) {
			requireHLErr(t, err, ErrNotInteger, "ERR hash value is not an integer")
			return
		}
		sum := c + delta
		if (delta > 0 && sum < c) || (delta < 0 && sum > c) {
			requireHLErr(t, err, ErrOverflow, "ERR increment or decrement would overflow")
			return
		}
		require.NoError(t, err)
		require.Equal(t, sum, n)
		hm := getModel()
		if !had {
			hm.order = append(hm.order, f)
		}
		hm.values[f] = strconv.FormatInt(sum, 10)
	case 12:
		f := field()
		delta := []float64{0.5, -1.25, 3, math.Inf(1)}[src.intn(4)]
		got, err := db.HIncrByFloat(key, f, delta)
		if math.IsInf(delta, 0) {
			requireHLErr(t, err, ErrNaNOrInf, "ERR value is NaN or Infinity")
			return
		}
		if wrong {
			requireHLErr(t, err, ErrWrongType, hlWrongTypeText)
			return
		}
		cur, had := "0", false
		if h != nil {
			if v, ok := h.values[f]; ok {
				cur, had = v, true
			}
		}
		c, perr := strconv.ParseFloat(cur, 64)
		if perr != nil || cur == "" {
			requireHLErr(t, err, ErrNotFloat, "ERR hash value is not a float")
			return
		}
		require.NoError(t, err)
		// Beyond 2^53 float64 is not the long double reference: only
		// check the exact values where both agree.
		if sum := c + delta; math.Abs(sum) < 1<<50 {
			require.Equal(t, strconv.FormatFloat(sum, 'f', -1, 64), got)
		}
		hm := getModel()
		if !had {
			hm.order = append(hm.order, f)
		}
		hm.values[f] = got
	case 13:
		if !hlCommonOp(t, db, clock, m, src, key) {
			_, err := db.HGetAll(key)
			checkWT(err)
		}
	}
}

// hlRunHashOps runs steps random hash operations, checking the whole state
// every few steps.
func hlRunHashOps(t testing.TB, db *DB, clock *ttl.Manual, src hlSource, steps int, more func() bool) {
	m := newHLModel(clock.Now().UnixMilli())
	for i := 0; i < steps && more(); i++ {
		hlHashOp(t, db, clock, m, src)
		if i%5 == 0 {
			hlCheckModel(t, db, m, hlHashKeys)
		}
	}
	hlCheckModel(t, db, m, hlHashKeys)
}

func TestHashRandomAgainstModel(t *testing.T) {
	for seed := range uint64(30) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			db, clock := openHL(t, Options{})
			src := hlRand{rand.New(rand.NewPCG(seed, 1))}
			hlRunHashOps(t, db, clock, src, 600, func() bool { return true })
		})
	}
}

// FuzzHashOps decodes a sequence of hash commands (plus string writes, DEL,
// EXPIRE and clock steps on the same keys) from the input and checks every
// reply and the final state against the model.
func FuzzHashOps(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 1, 0, 1, 1, 3})
	f.Add([]byte("hset hdel hincrby hincrbyfloat wrongtype expire"))
	f.Add([]byte{2, 10, 3, 4, 5, 0, 13, 0, 2, 10, 4, 4, 0, 13, 3, 1, 9, 1, 12, 2})
	f.Fuzz(func(t *testing.T, in []byte) {
		db, clock := openHL(t, Options{Shards: 1})
		src := &hlBytes{in}
		hlRunHashOps(t, db, clock, src, 400, func() bool { return len(src.b) > 0 })
	})
}
