package engine

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/store"
	"github.com/isa-cloud/isa-memstore/ttl"
)

// openSZ opens an engine on a manual clock whose background expiry never
// runs, so that only lazy expiry happens and the test decides when time
// passes.
func openSZ(t testing.TB, opts Options) (*DB, *ttl.Manual) {
	t.Helper()
	clock := ttl.NewManual(time.Unix(1_700_000_000, 0))
	opts.Clock = clock
	opts.expiryTick = make(chan time.Time)
	e, err := Open(opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Close() })
	return e.DB("sz"), clock
}

// szVerify checks the keyspace's counters and indexes, and every set's and
// sorted set's own invariants, including their byte counts.
func szVerify(t testing.TB, db *DB) {
	t.Helper()
	require.NoError(t, db.ks.Verify())
	db.ks.Scan(db.e.now(), func(k string, e *store.Entry) bool {
		switch c := e.Coll().(type) {
		case *store.Set:
			require.NoError(t, c.Verify(), "key %q", k)
		case *store.ZSet:
			require.NoError(t, c.Verify(), "key %q", k)
		}
		return true
	})
}

// szErr checks an error's kind (errors.Is) and its exact Redis text.
func szErr(t testing.TB, err error, kind error, text string) {
	t.Helper()
	require.Error(t, err)
	require.True(t, errors.Is(err, kind), "%v is not of kind %v", err, kind)
	require.Equal(t, text, err.Error())
}

const szWrongType = "WRONGTYPE Operation against a key holding the wrong kind of value"

// seedSZRand makes SPOP and SRANDMEMBER draw from a seeded source for the
// rest of the test. Tests that call it must not run in parallel.
func seedSZRand(t testing.TB, seed uint64) {
	r := rand.New(rand.NewPCG(seed, seed))
	var mu sync.Mutex
	prev := randIntN
	randIntN = func(n int) int {
		mu.Lock()
		defer mu.Unlock()
		return r.IntN(n)
	}
	t.Cleanup(func() { randIntN = prev })
}

// szFixture creates the keys every table test starts from: sets s1 {a b c}
// and s2 {b c d}, and a string key str.
func szFixture(t testing.TB, db *DB) {
	t.Helper()
	_, err := db.SAdd("s1", "a", "b", "c")
	require.NoError(t, err)
	_, err = db.SAdd("s2", "b", "c", "d")
	require.NoError(t, err)
	_, err = db.Set("str", "v", SetOptions{})
	require.NoError(t, err)
}

func TestSAdd(t *testing.T) {
	db, _ := openSZ(t, Options{})
	szFixture(t, db)
	for _, tc := range []struct {
		key     string
		members []string
		want    int64
		err     error
		text    string
		after   []string
	}{
		{key: "new", members: []string{"x", "y", "x"}, want: 2, after: []string{"x", "y"}},
		{key: "s1", members: []string{"a", "z"}, want: 1, after: []string{"a", "b", "c", "z"}},
		{key: "s1", members: []string{"a"}, want: 0, after: []string{"a", "b", "c", "z"}},
		{key: "e", members: []string{""}, want: 1, after: []string{""}},
		{key: "str", members: []string{"a"}, err: ErrWrongType, text: szWrongType},
		{key: "s1", members: nil, err: ErrInvalidArgument, text: "ERR wrong number of arguments for 'sadd' command"},
	} {
		t.Run(fmt.Sprint(tc.key, tc.members), func(t *testing.T) {
			n, err := db.SAdd(tc.key, tc.members...)
			if tc.err != nil {
				szErr(t, err, tc.err, tc.text)
			} else {
				require.NoError(t, err)
				require.Equal(t, tc.want, n)
				got, err := db.SMembers(tc.key)
				require.NoError(t, err)
				require.Equal(t, tc.after, got)
				typ, _ := db.Type(tc.key)
				require.Equal(t, TypeSet, typ)
			}
			szVerify(t, db)
		})
	}
	v, _, _ := db.Get("str")
	require.Equal(t, "v", v, "a refused SADD leaves the key alone")
}

func TestSRem(t *testing.T) {
	db, _ := openSZ(t, Options{})
	szFixture(t, db)
	for _, tc := range []struct {
		key     string
		members []string
		want    int64
		err     error
		text    string
		after   []string // nil: the key is gone
	}{
		{key: "missing", members: []string{"a"}, want: 0},
		{key: "s1", members: []string{"a", "a", "zz"}, want: 1, after: []string{"b", "c"}},
		{key: "s1", members: []string{"zz"}, want: 0, after: []string{"b", "c"}},
		{key: "s1", members: []string{"b", "c"}, want: 2},
		{key: "str", members: []string{"a"}, err: ErrWrongType, text: szWrongType},
		{key: "s2", members: nil, err: ErrInvalidArgument, text: "ERR wrong number of arguments for 'srem' command"},
	} {
		t.Run(fmt.Sprint(tc.key, tc.members), func(t *testing.T) {
			n, err := db.SRem(tc.key, tc.members...)
			if tc.err != nil {
				szErr(t, err, tc.err, tc.text)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, n)
			got, err := db.SMembers(tc.key)
			require.NoError(t, err)
			if tc.after == nil {
				require.Empty(t, got)
				ex, _ := db.Exists(tc.key)
				require.Zero(t, ex, "an emptied set is deleted")
			} else {
				require.Equal(t, tc.after, got)
			}
			szVerify(t, db)
		})
	}
}

func TestSetReads(t *testing.T) {
	db, _ := openSZ(t, Options{})
	szFixture(t, db)

	members, err := db.SMembers("s1")
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b", "c"}, members)
	members, err = db.SMembers("missing")
	require.NoError(t, err)
	require.Equal(t, []string{}, members)
	_, err = db.SMembers("str")
	szErr(t, err, ErrWrongType, szWrongType)

	ok, err := db.SIsMember("s1", "a")
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = db.SIsMember("s1", "d")
	require.NoError(t, err)
	require.False(t, ok)
	ok, err = db.SIsMember("missing", "a")
	require.NoError(t, err)
	require.False(t, ok)
	_, err = db.SIsMember("str", "a")
	szErr(t, err, ErrWrongType, szWrongType)

	flags, err := db.SMIsMember("s1", "a", "zz", "a")
	require.NoError(t, err)
	require.Equal(t, []bool{true, false, true}, flags)
	flags, err = db.SMIsMember("missing", "a")
	require.NoError(t, err)
	require.Equal(t, []bool{false}, flags)
	_, err = db.SMIsMember("str", "a")
	szErr(t, err, ErrWrongType, szWrongType)
	_, err = db.SMIsMember("s1")
	szErr(t, err, ErrInvalidArgument, "ERR wrong number of arguments for 'smismember' command")

	n, err := db.SCard("s1")
	require.NoError(t, err)
	require.Equal(t, int64(3), n)
	n, err = db.SCard("missing")
	require.NoError(t, err)
	require.Zero(t, n)
	_, err = db.SCard("str")
	szErr(t, err, ErrWrongType, szWrongType)

	// Reads count keyspace hits and misses, as Redis's lookupKeyRead.
	before := db.ks.Stats()
	_, _ = db.SIsMember("s1", "a")
	_, _ = db.SCard("missing")
	after := db.ks.Stats()
	require.Equal(t, before.Hits+1, after.Hits)
	require.Equal(t, before.Misses+1, after.Misses)
}

func TestSetAlgebra(t *testing.T) {
	db, _ := openSZ(t, Options{})
	szFixture(t, db)
	_, err := db.SAdd("s3", "c", "e")
	require.NoError(t, err)
	for _, tc := range []struct {
		op   setOp
		keys []string
		want []string
		err  error
		text string
	}{
		{op: opUnion, keys: []string{"s1", "s2"}, want: []string{"a", "b", "c", "d"}},
		{op: opUnion, keys: []string{"s1", "missing", "s3"}, want: []string{"a", "b", "c", "e"}},
		{op: opUnion, keys: []string{"missing"}, want: []string{}},
		{op: opInter, keys: []string{"s1", "s2"}, want: []string{"b", "c"}},
		{op: opInter, keys: []string{"s1", "s2", "s3"}, want: []string{"c"}},
		{op: opInter, keys: []string{"s1", "missing"}, want: []string{}},
		{op: opInter, keys: []string{"s1"}, want: []string{"a", "b", "c"}},
		{op: opDiff, keys: []string{"s1", "s2"}, want: []string{"a"}},
		{op: opDiff, keys: []string{"s2", "s1", "s3"}, want: []string{"d"}},
		{op: opDiff, keys: []string{"s1", "missing"}, want: []string{"a", "b", "c"}},
		{op: opDiff, keys: []string{"missing", "s1"}, want: []string{}},
		{op: opDiff, keys: []string{"s1", "s1"}, want: []string{}},
		// Every key is type-checked, wherever it is and even when an
		// earlier key is missing (Redis 7).
		{op: opUnion, keys: []string{"missing", "str"}, err: ErrWrongType, text: szWrongType},
		{op: opInter, keys: []string{"missing", "str"}, err: ErrWrongType, text: szWrongType},
		{op: opInter, keys: []string{"str", "s1"}, err: ErrWrongType, text: szWrongType},
		{op: opDiff, keys: []string{"missing", "str"}, err: ErrWrongType, text: szWrongType},
		{op: opDiff, keys: []string{"s1", "s1", "str"}, err: ErrWrongType, text: szWrongType},
		{op: opUnion, keys: nil, err: ErrInvalidArgument, text: "ERR wrong number of arguments for 'sunion' command"},
		{op: opInter, keys: nil, err: ErrInvalidArgument, text: "ERR wrong number of arguments for 'sinter' command"},
		{op: opDiff, keys: nil, err: ErrInvalidArgument, text: "ERR wrong number of arguments for 'sdiff' command"},
	} {
		t.Run(fmt.Sprint(tc.op.name(false), tc.keys), func(t *testing.T) {
			got, err := db.setAlgebra(tc.op, tc.keys)
			if tc.err != nil {
				szErr(t, err, tc.err, tc.text)
			} else {
				require.NoError(t, err)
				require.Equal(t, tc.want, got)
			}
			// The same through the public methods and the store variant.
			var pub []string
			var perr error
			switch tc.op {
			case opUnion:
				pub, perr = db.SUnion(tc.keys...)
			case opInter:
				pub, perr = db.SInter(tc.keys...)
			default:
				pub, perr = db.SDiff(tc.keys...)
			}
			require.Equal(t, err, perr)
			require.Equal(t, got, pub)

			n, err := db.setStore(tc.op, "dst", tc.keys)
			if tc.err != nil {
				want := tc.text
				if tc.keys == nil {
					want = "ERR wrong number of arguments for '" + tc.op.name(true) + "' command"
				}
				szErr(t, err, tc.err, want)
				return
			}
			require.NoError(t, err)
			require.Equal(t, int64(len(tc.want)), n)
			stored, err := db.SMembers("dst")
			require.NoError(t, err)
			require.Equal(t, tc.want, stored)
			szVerify(t, db)
		})
	}
}

func TestSetStoreReplacesDestination(t *testing.T) {
	db, clock := openSZ(t, Options{})
	szFixture(t, db)

	// A string destination is replaced by a set.
	n, err := db.SInterStore("str", "s1", "s2")
	require.NoError(t, err)
	require.Equal(t, int64(2), n)
	typ, _ := db.Type("str")
	require.Equal(t, TypeSet, typ)

	// The destination may be a source; it loses its TTL.
	ok, err := db.Expire("s2", time.Minute, 0)
	require.NoError(t, err)
	require.True(t, ok)
	n, err = db.SUnionStore("s2", "s1", "s2")
	require.NoError(t, err)
	require.Equal(t, int64(4), n)
	ttl, _ := db.PTTL("s2")
	require.Equal(t, NoExpiry, ttl)
	members, _ := db.SMembers("s2")
	require.Equal(t, []string{"a", "b", "c", "d"}, members)

	// An empty result deletes the destination, whatever it held.
	_, _ = db.Set("d", "v", SetOptions{})
	n, err = db.SDiffStore("d", "s1", "s2")
	require.NoError(t, err)
	require.Zero(t, n)
	ex, _ := db.Exists("d")
	require.Zero(t, ex)
	n, err = db.SInterStore("s2", "s1", "missing")
	require.NoError(t, err)
	require.Zero(t, n)
	ex, _ = db.Exists("s2")
	require.Zero(t, ex)

	// A wrong-typed source leaves the destination alone.
	_, _ = db.Set("str2", "v", SetOptions{})
	_, _ = db.SAdd("keep", "k")
	_, err = db.SUnionStore("keep", "s1", "str2")
	szErr(t, err, ErrWrongType, szWrongType)
	members, _ = db.SMembers("keep")
	require.Equal(t, []string{"k"}, members)

	// Expired sources are missing sets.
	_, _ = db.Expire("s1", time.Second, 0)
	clock.Advance(2 * time.Second)
	n, err = db.SUnionStore("u", "s1", "keep")
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
	szVerify(t, db)
}

func TestSPop(t *testing.T) {
	seedSZRand(t, 1)
	db, _ := openSZ(t, Options{})
	szFixture(t, db)

	_, found, err := db.SPop("missing")
	require.NoError(t, err)
	require.False(t, found)
	_, _, err = db.SPop("str")
	szErr(t, err, ErrWrongType, szWrongType)

	m, found, err := db.SPop("s1")
	require.NoError(t, err)
	require.True(t, found)
	require.Contains(t, []string{"a", "b", "c"}, m)
	left, _ := db.SMembers("s1")
	require.Len(t, left, 2)
	require.NotContains(t, left, m)

	for _, tc := range []struct {
		key   string
		count int64
		n     int
		err   error
		text  string
	}{
		// The count is checked before the key, as Redis parses it first.
		{key: "str", count: -1, err: ErrInvalidArgument, text: "ERR value is out of range, must be positive"},
		{key: "missing", count: -1, err: ErrInvalidArgument, text: "ERR value is out of range, must be positive"},
		{key: "str", count: 0, err: ErrWrongType, text: szWrongType},
		{key: "missing", count: 3, n: 0},
		{key: "s2", count: 0, n: 0},
		{key: "s2", count: 2, n: 2},
		{key: "s2", count: math.MaxInt64, n: 1},
	} {
		t.Run(fmt.Sprint(tc.key, tc.count), func(t *testing.T) {
			before, _ := db.SMembers(tc.key)
			got, err := db.SPopCount(tc.key, tc.count)
			if tc.err != nil {
				szErr(t, err, tc.err, tc.text)
				return
			}
			require.NoError(t, err)
			require.Len(t, got, tc.n)
			require.True(t, slices.IsSorted(got))
			after, _ := db.SMembers(tc.key)
			require.Len(t, after, len(before)-tc.n)
			for _, m := range got {
				require.Contains(t, before, m)
				require.NotContains(t, after, m)
			}
			szVerify(t, db)
		})
	}
	ex, _ := db.Exists("s2")
	require.Zero(t, ex, "popping every member deletes the set")
	_, _, _ = db.SPop("s1")
	_, _, _ = db.SPop("s1")
	ex, _ = db.Exists("s1")
	require.Zero(t, ex)
	szVerify(t, db)
}

func TestSRandMember(t *testing.T) {
	seedSZRand(t, 2)
	db, _ := openSZ(t, Options{})
	szFixture(t, db)

	_, found, err := db.SRandMember("missing")
	require.NoError(t, err)
	require.False(t, found)
	_, _, err = db.SRandMember("str")
	szErr(t, err, ErrWrongType, szWrongType)
	m, found, err := db.SRandMember("s1")
	require.NoError(t, err)
	require.True(t, found)
	require.Contains(t, []string{"a", "b", "c"}, m)

	outOfRange := "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
	for _, tc := range []struct {
		key      string
		count    int64
		n        int
		distinct bool
		err      error
		text     string
	}{
		{key: "str", count: math.MinInt64, err: ErrInvalidArgument, text: outOfRange},
		{key: "str", count: -maxRandomCount - 1, err: ErrInvalidArgument, text: "ERR value is out of range, value must between -16777216 and 9223372036854775807"},
		{key: "str", count: 0, err: ErrWrongType, text: szWrongType},
		{key: "missing", count: 5, n: 0},
		{key: "missing", count: -5, n: 0},
		{key: "s1", count: 0, n: 0},
		{key: "s1", count: 2, n: 2, distinct: true},
		{key: "s1", count: 3, n: 3, distinct: true},
		{key: "s1", count: math.MaxInt64, n: 3, distinct: true},
		{key: "s1", count: -7, n: 7},
	} {
		t.Run(fmt.Sprint(tc.key, tc.count), func(t *testing.T) {
			got, err := db.SRandMemberCount(tc.key, tc.count)
			if tc.err != nil {
				szErr(t, err, tc.err, tc.text)
				return
			}
			require.NoError(t, err)
			require.Len(t, got, tc.n)
			require.True(t, slices.IsSorted(got))
			for _, m := range got {
				require.Contains(t, []string{"a", "b", "c"}, m)
			}
			if tc.distinct {
				require.Len(t, slices.Compact(slices.Clone(got)), tc.n)
			}
		})
	}
	// A negative count draws independently: with 300 draws from 3
	// members, repeats are certain and every member shows up.
	got, err := db.SRandMemberCount("s1", -300)
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b", "c"}, slices.Compact(got))
	left, _ := db.SMembers("s1")
	require.Equal(t, []string{"a", "b", "c"}, left, "SRANDMEMBER does not remove")
}

func TestSMove(t *testing.T) {
	for _, tc := range []struct {
		name          string
		src, dst, m   string
		want          bool
		err           error
		srcAft, dstAf []string
	}{
		{name: "moves", src: "s1", dst: "s2", m: "a", want: true, srcAft: []string{"b", "c"}, dstAf: []string{"a", "b", "c", "d"}},
		{name: "already in dst", src: "s1", dst: "s2", m: "b", want: true, srcAft: []string{"a", "c"}, dstAf: []string{"b", "c", "d"}},
		{name: "not a member", src: "s1", dst: "s2", m: "zz", srcAft: []string{"a", "b", "c"}, dstAf: []string{"b", "c", "d"}},
		{name: "new dst", src: "s1", dst: "new", m: "a", want: true, srcAft: []string{"a", "b", "c"}[1:], dstAf: []string{"a"}},
		{name: "same key member", src: "s1", dst: "s1", m: "a", want: true, srcAft: []string{"a", "b", "c"}},
		{name: "same key non-member", src: "s1", dst: "s1", m: "zz", srcAft: []string{"a", "b", "c"}},
		{name: "missing src", src: "missing", dst: "s2", m: "a", dstAf: []string{"b", "c", "d"}},
		// A missing source answers 0 before the destination's type is
		// looked at; otherwise either key of the wrong type is an error.
		{name: "missing src, string dst", src: "missing", dst: "str", m: "a"},
		{name: "string dst", src: "s1", dst: "str", m: "a", err: ErrWrongType, srcAft: []string{"a", "b", "c"}},
		{name: "string dst non-member", src: "s1", dst: "str", m: "zz", err: ErrWrongType},
		{name: "string src", src: "str", dst: "s1", m: "a", err: ErrWrongType, dstAf: []string{"a", "b", "c"}},
		{name: "string src missing dst", src: "str", dst: "missing", m: "a", err: ErrWrongType},
		{name: "string both", src: "str", dst: "str", m: "a", err: ErrWrongType},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openSZ(t, Options{})
			szFixture(t, db)
			ok, err := db.SMove(tc.src, tc.dst, tc.m)
			if tc.err != nil {
				szErr(t, err, tc.err, szWrongType)
			} else {
				require.NoError(t, err)
				require.Equal(t, tc.want, ok)
			}
			if tc.srcAft != nil {
				got, _ := db.SMembers(tc.src)
				require.Equal(t, tc.srcAft, got)
			}
			if tc.dstAf != nil {
				got, _ := db.SMembers(tc.dst)
				require.Equal(t, tc.dstAf, got)
			}
			szVerify(t, db)
		})
	}

	// Moving the last member deletes the source; the source's TTL stays,
	// the new destination has none.
	db, _ := openSZ(t, Options{})
	_, _ = db.SAdd("one", "x", "y")
	_, _ = db.Expire("one", time.Minute, 0)
	ok, err := db.SMove("one", "other", "x")
	require.NoError(t, err)
	require.True(t, ok)
	ttl, _ := db.PTTL("one")
	require.Equal(t, time.Minute.Milliseconds(), ttl)
	ttl, _ = db.PTTL("other")
	require.Equal(t, NoExpiry, ttl)
	ok, err = db.SMove("one", "other", "y")
	require.NoError(t, err)
	require.True(t, ok)
	ex, _ := db.Exists("one")
	require.Zero(t, ex)
	members, _ := db.SMembers("other")
	require.Equal(t, []string{"x", "y"}, members)
	szVerify(t, db)
}

func TestSetTTLSurvivesChanges(t *testing.T) {
	seedSZRand(t, 3)
	db, clock := openSZ(t, Options{})
	_, _ = db.SAdd("k", "a", "b", "c", "d")
	_, _ = db.Expire("k", 10*time.Second, 0)
	clock.Advance(time.Second)
	_, _ = db.SAdd("k", "e")
	_, _ = db.SRem("k", "a")
	_, _, _ = db.SPop("k")
	_, _ = db.SPopCount("k", 1)
	ttl, _ := db.PTTL("k")
	require.Equal(t, int64(9000), ttl)
	szVerify(t, db)

	clock.Advance(9 * time.Second)
	n, err := db.SCard("k")
	require.NoError(t, err)
	require.Zero(t, n, "an expired set is a missing set")
	n, err = db.SAdd("k", "z")
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
	ttl, _ = db.PTTL("k")
	require.Equal(t, NoExpiry, ttl, "a set created over an expired key has no TTL")
	szVerify(t, db)
}

func TestSetSizeAccountingAndMemoryLimit(t *testing.T) {
	db, _ := openSZ(t, Options{MaxMemory: 4096})
	big := make([]string, 80)
	for i := range big {
		big[i] = fmt.Sprintf("member-%03d", i)
	}
	_, err := db.SAdd("k", big...)
	require.NoError(t, err)
	st := db.ks.Stats()
	require.Equal(t, int64(1), st.KeysOfType(TypeSet))
	require.Positive(t, st.Bytes)
	szVerify(t, db)

	// Over the limit: growing commands are refused, shrinking ones work.
	_, err = db.SAdd("k", "more")
	szErr(t, err, ErrOOM, ErrOOM.Error())
	_, err = db.SUnionStore("k2", "k")
	szErr(t, err, ErrOOM, ErrOOM.Error())
	n, err := db.SRem("k", big[:70]...)
	require.NoError(t, err)
	require.Equal(t, int64(70), n)
	require.Less(t, db.ks.Stats().Bytes, st.Bytes)
	_, err = db.SAdd("k", "more")
	require.NoError(t, err)
	szVerify(t, db)
}

func TestSetCommandsInAtomicBatch(t *testing.T) {
	db, _ := openSZ(t, Options{})
	before := db.ks.Stats().Commands
	err := db.Atomic([]string{"a", "b", "c"}, func(tx Txn) error {
		if _, err := tx.SAdd("a", "1", "2"); err != nil {
			return err
		}
		if _, err := tx.SAdd("b", "2", "3"); err != nil {
			return err
		}
		n, err := tx.SInterStore("c", "a", "b")
		require.Equal(t, int64(1), n)
		return err
	})
	require.NoError(t, err)
	require.Equal(t, before+3, db.ks.Stats().Commands, "a batch counts each command")
	got, _ := db.SMembers("c")
	require.Equal(t, []string{"2"}, got)
	szVerify(t, db)
}

// ---- random operations against a model ----

// szSource supplies the random choices of an operation sequence: a seeded
// generator for the model test, fuzz bytes for the fuzz targets.
type szSource interface {
	intn(n int) int
	more() bool
}

type szRand struct {
	r    *rand.Rand
	left int
}

func (s *szRand) intn(n int) int { return s.r.IntN(n) }
func (s *szRand) more() bool     { s.left--; return s.left >= 0 }

type szBytes struct{ b []byte }

func (s *szBytes) intn(n int) int {
	if len(s.b) == 0 {
		return 0
	}
	v := int(s.b[0])
	s.b = s.b[1:]
	return v % n
}
func (s *szBytes) more() bool { return len(s.b) > 0 }

// setModel is the obvious model of a keyspace of sets and strings with
// deadlines.
type setModel struct {
	sets     map[string]map[string]bool
	strs     map[string]string
	deadline map[string]int64
	now      int64
}

func newSetModel(now int64) *setModel {
	return &setModel{sets: map[string]map[string]bool{}, strs: map[string]string{}, deadline: map[string]int64{}, now: now}
}

func (m *setModel) expire() {
	for k, at := range m.deadline {
		if at <= m.now {
			delete(m.sets, k)
			delete(m.strs, k)
			delete(m.deadline, k)
		}
	}
}

func (m *setModel) del(k string) {
	delete(m.sets, k)
	delete(m.strs, k)
	delete(m.deadline, k)
}

// set returns k's members, or wrong when k holds a string.
func (m *setModel) set(k string) (s map[string]bool, wrong bool) {
	m.expire()
	if _, ok := m.strs[k]; ok {
		return nil, true
	}
	return m.sets[k], false
}

func (m *setModel) tidy(k string) {
	if s, ok := m.sets[k]; ok && len(s) == 0 {
		m.del(k)
	}
}

func sortedMembers(s map[string]bool) []string {
	return append([]string{}, slices.Sorted(maps.Keys(s))...)
}

var (
	szSetKeys    = []string{"s0", "s1", "s2", "s3"}
	szSetMembers = []string{"a", "b", "c", "d", "e", "f", ""}
)

func pick[T any](src szSource, xs []T) T { return xs[src.intn(len(xs))] }

func pickN[T any](src szSource, xs []T, lo int) []T {
	out := make([]T, lo+src.intn(4))
	for i := range out {
		out[i] = pick(src, xs)
	}
	return out
}

// checkWrong asserts err is WRONGTYPE when wrong, no error otherwise, and
// reports whether the reply should be compared.
func checkWrong(t testing.TB, err error, wrong bool) bool {
	t.Helper()
	if wrong {
		szErr(t, err, ErrWrongType, szWrongType)
		return false
	}
	require.NoError(t, err)
	return true
}

func setOpStep(t testing.TB, db *DB, clock *ttl.Manual, m *setModel, src szSource) {
	k := pick(src, szSetKeys)
	switch src.intn(14) {
	case 0, 1:
		ms := pickN(src, szSetMembers, 1)
		s, wrong := m.set(k)
		n, err := db.SAdd(k, ms...)
		if checkWrong(t, err, wrong) {
			if s == nil {
				s = map[string]bool{}
				m.sets[k] = s
			}
			want := 0
			for _, x := range ms {
				if !s[x] {
					want++
					s[x] = true
				}
			}
			require.Equal(t, int64(want), n)
		}
	case 2:
		ms := pickN(src, szSetMembers, 1)
		s, wrong := m.set(k)
		n, err := db.SRem(k, ms...)
		if checkWrong(t, err, wrong) {
			want := 0
			for _, x := range ms {
				if s[x] {
					want++
					delete(s, x)
				}
			}
			m.tidy(k)
			require.Equal(t, int64(want), n)
		}
	case 3:
		s, wrong := m.set(k)
		got, err := db.SMembers(k)
		if checkWrong(t, err, wrong) {
			require.Equal(t, sortedMembers(s), got)
		}
		x := pick(src, szSetMembers)
		ok, err := db.SIsMember(k, x)
		if checkWrong(t, err, wrong) {
			require.Equal(t, s[x], ok)
		}
		n, err := db.SCard(k)
		if checkWrong(t, err, wrong) {
			require.Equal(t, int64(len(s)), n)
		}
	case 4, 5:
		op := setOp(src.intn(3))
		keys := pickN(src, szSetKeys, 1)
		wrong := false
		var sets []map[string]bool
		for _, kk := range keys {
			s, w := m.set(kk)
			wrong = wrong || w
			sets = append(sets, s)
		}
		want := map[string]bool{}
		switch op {
		case opUnion:
			for _, s := range sets {
				maps.Copy(want, s)
			}
		case opInter:
			for x := range sets[0] {
				in := true
				for _, s := range sets[1:] {
					in = in && s[x]
				}
				if in {
					want[x] = true
				}
			}
		case opDiff:
			for x := range sets[0] {
				in := false
				for _, s := range sets[1:] {
					in = in || s[x]
				}
				if !in {
					want[x] = true
				}
			}
		}
		if src.intn(2) == 0 {
			got, err := db.setAlgebra(op, keys)
			if checkWrong(t, err, wrong) {
				require.Equal(t, sortedMembers(want), got)
			}
			return
		}
		n, err := db.setStore(op, k, keys)
		if checkWrong(t, err, wrong) {
			require.Equal(t, int64(len(want)), n)
			m.del(k)
			if len(want) > 0 {
				m.sets[k] = want
			}
		}
	case 6:
		s, wrong := m.set(k)
		count := int64(src.intn(5))
		got, err := db.SPopCount(k, count)
		if checkWrong(t, err, wrong) {
			require.Len(t, got, min(int(count), len(s)))
			for _, x := range got {
				require.True(t, s[x], "popped %q not a member", x)
				delete(s, x)
			}
			m.tidy(k)
		}
	case 7:
		s, wrong := m.set(k)
		count := int64(src.intn(9) - 4)
		got, err := db.SRandMemberCount(k, count)
		if checkWrong(t, err, wrong) {
			want := int(count)
			if count < 0 {
				want = -want
			}
			if len(s) == 0 {
				want = 0
			} else if count > 0 {
				want = min(want, len(s))
			}
			require.Len(t, got, want)
			for _, x := range got {
				require.True(t, s[x])
			}
		}
	case 8:
		dst := pick(src, szSetKeys)
		x := pick(src, szSetMembers)
		s, wrongS := m.set(k)
		d, wrongD := m.set(dst)
		ok, err := db.SMove(k, dst, x)
		switch {
		case s == nil && !wrongS:
			require.NoError(t, err)
			require.False(t, ok)
		case wrongS || wrongD:
			szErr(t, err, ErrWrongType, szWrongType)
		default:
			require.NoError(t, err)
			require.Equal(t, s[x], ok)
			if ok && k != dst {
				delete(s, x)
				m.tidy(k)
				if d == nil {
					d = map[string]bool{}
					m.sets[dst] = d
				}
				d[x] = true
			}
		}
	case 9:
		// A string collides with the set keys.
		_, err := db.Set(k, "str", SetOptions{})
		require.NoError(t, err)
		m.del(k)
		m.strs[k] = "str"
	case 10:
		m.expire()
		ms := int64(1 + src.intn(3000))
		ok, err := db.ExpireMillis("pexpire", k, ms, false, 0)
		require.NoError(t, err)
		_, exists := m.sets[k]
		_, isStr := m.strs[k]
		require.Equal(t, exists || isStr, ok)
		if ok {
			m.deadline[k] = m.now + ms
		}
	case 11:
		d := time.Duration(src.intn(2000)) * time.Millisecond
		clock.Advance(d)
		m.now += d.Milliseconds()
	case 12:
		m.expire()
		n, err := db.Del(k)
		require.NoError(t, err)
		_, exists := m.sets[k]
		_, isStr := m.strs[k]
		require.Equal(t, exists || isStr, n == 1)
		m.del(k)
	case 13:
		s, wrong := m.set(k)
		ms := pickN(src, szSetMembers, 1)
		got, err := db.SMIsMember(k, ms...)
		if checkWrong(t, err, wrong) {
			for i, x := range ms {
				require.Equal(t, s[x], got[i])
			}
		}
	}
}

func checkSetModel(t testing.TB, db *DB, m *setModel) {
	t.Helper()
	szVerify(t, db)
	m.expire()
	for _, k := range szSetKeys {
		typ, err := db.Type(k)
		require.NoError(t, err)
		switch {
		case m.sets[k] != nil:
			require.Equal(t, TypeSet, typ, k)
			got, _ := db.SMembers(k)
			require.Equal(t, sortedMembers(m.sets[k]), got, k)
		case m.strs[k] != "":
			require.Equal(t, TypeString, typ, k)
		default:
			require.Equal(t, TypeNone, typ, k)
		}
		pttl, _ := db.PTTL(k)
		if at, ok := m.deadline[k]; ok {
			require.Equal(t, at-m.now, pttl, k)
		} else if typ != TypeNone {
			require.Equal(t, NoExpiry, pttl, k)
		}
	}
}

func runSetOps(t testing.TB, src szSource) {
	db, clock := openSZ(t, Options{})
	m := newSetModel(clock.Now().UnixMilli())
	for i := 0; src.more(); i++ {
		setOpStep(t, db, clock, m, src)
		if i%50 == 0 {
			checkSetModel(t, db, m)
		}
	}
	checkSetModel(t, db, m)
}

func TestSetRandomAgainstModel(t *testing.T) {
	for seed := range uint64(5) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			seedSZRand(t, seed)
			runSetOps(t, &szRand{r: rand.New(rand.NewPCG(seed, 11)), left: 4000})
		})
	}
}

func FuzzSetOps(f *testing.F) {
	f.Add([]byte{0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13})
	f.Add([]byte("sadd srem smembers sunionstore spop srandmember smove set expire"))
	f.Fuzz(func(t *testing.T, ops []byte) {
		seedSZRand(t, 1)
		runSetOps(t, &szBytes{b: ops})
	})
}
