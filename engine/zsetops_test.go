package engine

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// zopsFixture: z1 {a:1 b:2 c:3}, z2 {b:10 c:20 d:30}, set s1 {a d e},
// string str. The expected results below were read from redis-server
// 7.0.15 with the same keys.
func zopsFixture(t *testing.T) *DB {
	t.Helper()
	db, _ := openSZ(t, Options{})
	_, err := db.ZAdd("z1", ZAddOptions{}, zm1("a", 1), zm1("b", 2), zm1("c", 3))
	require.NoError(t, err)
	_, err = db.ZAdd("z2", ZAddOptions{}, zm1("b", 10), zm1("c", 20), zm1("d", 30))
	require.NoError(t, err)
	_, err = db.SAdd("s1", "a", "d", "e")
	require.NoError(t, err)
	_, err = db.Set("str", "x", SetOptions{})
	require.NoError(t, err)
	return db
}

// zm1 is one member.
func zm1(m string, s float64) ZMember { return ZMember{Member: m, Score: s} }

func TestZUnionInterDiff(t *testing.T) {
	db := zopsFixture(t)
	inf := math.Inf(1)
	for _, tc := range []struct {
		name string
		run  func() ([]ZMember, error)
		want []ZMember
	}{
		{"union", func() ([]ZMember, error) { return db.ZUnion([]string{"z1", "z2"}, ZCombineOptions{}) },
			zm("a", 1, "b", 12, "c", 23, "d", 30)},
		{"union with a set", func() ([]ZMember, error) { return db.ZUnion([]string{"z1", "s1"}, ZCombineOptions{}) },
			zm("d", 1, "e", 1, "a", 2, "b", 2, "c", 3)},
		{"union missing", func() ([]ZMember, error) { return db.ZUnion([]string{"nokey"}, ZCombineOptions{}) }, zm()},
		{"union weights max", func() ([]ZMember, error) {
			return db.ZUnion([]string{"z1", "z2"}, ZCombineOptions{Weights: []float64{1, 2}, Aggregate: ZAggregateMax})
		}, zm("a", 1, "b", 20, "c", 40, "d", 60)},
		{"union min zero weight", func() ([]ZMember, error) {
			return db.ZUnion([]string{"z1", "z2"}, ZCombineOptions{Weights: []float64{2, 0}, Aggregate: ZAggregateMin})
		}, zm("b", 0, "c", 0, "d", 0, "a", 2)},
		{"inter", func() ([]ZMember, error) { return db.ZInter([]string{"z1", "z2"}, ZCombineOptions{}) },
			zm("b", 12, "c", 23)},
		{"inter with a set", func() ([]ZMember, error) { return db.ZInter([]string{"z1", "s1"}, ZCombineOptions{}) },
			zm("a", 2)},
		{"inter missing", func() ([]ZMember, error) { return db.ZInter([]string{"z1", "nokey"}, ZCombineOptions{}) }, zm()},
		{"inter self", func() ([]ZMember, error) { return db.ZInter([]string{"z1", "z1"}, ZCombineOptions{}) },
			zm("a", 2, "b", 4, "c", 6)},
		{"diff", func() ([]ZMember, error) { return db.ZDiff("z1", "z2") }, zm("a", 1)},
		{"diff set first", func() ([]ZMember, error) { return db.ZDiff("s1", "z1") }, zm("d", 1, "e", 1)},
		{"diff missing first", func() ([]ZMember, error) { return db.ZDiff("nokey", "z1") }, zm()},
		{"diff alone", func() ([]ZMember, error) { return db.ZDiff("z2") }, zm("b", 10, "c", 20, "d", 30)},
		{"inf weight", func() ([]ZMember, error) {
			return db.ZUnion([]string{"z1"}, ZCombineOptions{Weights: []float64{inf}})
		}, zm("a", inf, "b", inf, "c", inf)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.run()
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	szVerify(t, db)
}

// NaN handling as Redis 7.0.15 showed it: a weighted score that is NaN
// counts as 0 when it is a member's first, a sum that is NaN becomes 0,
// and MIN/MAX ignore a NaN; inputs are visited from the smallest, in
// their given order on ties.
func TestZCombineNaN(t *testing.T) {
	db, _ := openSZ(t, Options{})
	inf := math.Inf(1)
	_, err := db.ZAdd("zi", ZAddOptions{}, zm1("a", inf), zm1("b", -inf), zm1("c", 0), zm1("d", 5))
	require.NoError(t, err)
	_, err = db.ZAdd("zj", ZAddOptions{}, zm1("a", -inf), zm1("b", inf), zm1("c", 1))
	require.NoError(t, err)
	for _, k := range []struct {
		key   string
		score float64
	}{{"zp", inf}, {"zq", 1}, {"zr", 2}} {
		_, err = db.ZAdd(k.key, ZAddOptions{}, zm1("a", k.score))
		require.NoError(t, err)
	}
	for _, tc := range []struct {
		name  string
		inter bool
		keys  []string
		opts  ZCombineOptions
		want  []ZMember
	}{
		{"zero weight", false, []string{"zi"}, ZCombineOptions{Weights: []float64{0}}, zm("a", 0, "b", 0, "c", 0, "d", 0)},
		{"inf plus -inf", false, []string{"zi", "zj"}, ZCombineOptions{}, zm("a", 0, "b", 0, "c", 1, "d", 5)},
		{"inter inf plus -inf", true, []string{"zi", "zj"}, ZCombineOptions{}, zm("a", 0, "b", 0, "c", 1)},
		{"inter min", true, []string{"zi", "zj"}, ZCombineOptions{Aggregate: ZAggregateMin}, zm("a", -inf, "b", -inf, "c", 0)},
		{"inter nan later", true, []string{"zi", "zj"}, ZCombineOptions{Weights: []float64{1, 0}}, zm("b", -inf, "c", 0, "a", inf)},
		{"union nan later", false, []string{"zi", "zj"}, ZCombineOptions{Weights: []float64{1, 0}}, zm("b", -inf, "c", 0, "d", 5, "a", inf)},
		{"inter max nan", true, []string{"zi", "zj"}, ZCombineOptions{Weights: []float64{0, 0}, Aggregate: ZAggregateMax}, zm("a", 0, "b", 0, "c", 0)},
		{"ties keep order 1", true, []string{"zp", "zq"}, ZCombineOptions{Weights: []float64{0, 1}}, zm("a", 1)},
		{"ties keep order 2", true, []string{"zq", "zp"}, ZCombineOptions{Weights: []float64{1, 0}}, zm("a", 0)},
		{"ties keep order 3", true, []string{"zr", "zp", "zq"}, ZCombineOptions{Weights: []float64{1, 0, 1}}, zm("a", 1)},
		{"-inf weight", false, []string{"zi"}, ZCombineOptions{Weights: []float64{-inf}}, zm("a", -inf, "d", -inf, "c", 0, "b", inf)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.ZUnion(tc.keys, tc.opts)
			if tc.inter {
				got, err = db.ZInter(tc.keys, tc.opts)
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

// -0 is replied as -0 (Redis builds the reply from its result set) but
// stored as 0, as the engine stores every score.
func TestZCombineNegativeZero(t *testing.T) {
	db, _ := openSZ(t, Options{})
	_, err := db.ZAdd("zk", ZAddOptions{}, zm1("z", 0), zm1("y", 1))
	require.NoError(t, err)
	got, err := db.ZUnion([]string{"zk"}, ZCombineOptions{Weights: []float64{-1}})
	require.NoError(t, err)
	require.Equal(t, "y", got[0].Member)
	require.True(t, math.Signbit(got[1].Score), "-0 in the reply")
	n, err := db.ZUnionStore("dz", []string{"zk"}, ZCombineOptions{Weights: []float64{-1}})
	require.NoError(t, err)
	require.EqualValues(t, 2, n)
	s, _, err := db.ZScore("dz", "z")
	require.NoError(t, err)
	require.False(t, math.Signbit(s), "0 once stored")
	szVerify(t, db)
}

func TestZCombineErrors(t *testing.T) {
	db := zopsFixture(t)
	_, err := db.ZUnion(nil, ZCombineOptions{})
	szErr(t, err, ErrInvalidArgument, "ERR at least 1 input key is needed for 'zunion' command")
	_, err = db.ZInterStore("d", nil, ZCombineOptions{})
	szErr(t, err, ErrInvalidArgument, "ERR at least 1 input key is needed for 'zinterstore' command")
	_, err = db.ZDiff()
	szErr(t, err, ErrInvalidArgument, "ERR at least 1 input key is needed for 'zdiff' command")
	_, err = db.ZInterCard(nil, 0)
	szErr(t, err, ErrInvalidArgument, "ERR at least 1 input key is needed for 'zintercard' command")
	// A wrong type is reported before the options are looked at.
	_, err = db.ZUnion([]string{"z1", "str"}, ZCombineOptions{Weights: []float64{1}})
	szErr(t, err, ErrWrongType, szWrongType)
	_, err = db.ZUnion([]string{"z1", "z2"}, ZCombineOptions{Weights: []float64{1}})
	szErr(t, err, ErrSyntax, "ERR syntax error")
	_, err = db.ZInter([]string{"z1"}, ZCombineOptions{Weights: []float64{math.NaN()}})
	szErr(t, err, ErrNotFloat, "ERR weight value is not a float")
	_, err = db.ZInter([]string{"z1"}, ZCombineOptions{Aggregate: 7})
	szErr(t, err, ErrSyntax, "ERR syntax error")
	_, err = db.ZInterCard([]string{"str"}, -1)
	szErr(t, err, ErrWrongType, szWrongType)
	_, err = db.ZInterCard([]string{"z1"}, -1)
	szErr(t, err, ErrInvalidArgument, "ERR LIMIT can't be negative")
	_, err = db.ZUnionStore("d", []string{"z1", "str"}, ZCombineOptions{})
	szErr(t, err, ErrWrongType, szWrongType)
	ok, err := db.Exists("d")
	require.NoError(t, err)
	require.Zero(t, ok)
	require.Error(t, db.Atomic([]string{"z1", "str"}, func(t Txn) error { return t.ZCheckSources("z1", "str") }))
	require.NoError(t, db.Atomic([]string{"z1", "s1", "nokey"}, func(t Txn) error { return t.ZCheckSources("z1", "s1", "nokey") }))
	for _, s := range []string{"x", "nan", "1e400", "", " 1"} {
		_, err := ParseWeight(s)
		szErr(t, err, ErrNotFloat, "ERR weight value is not a float")
	}
	w, err := ParseWeight("0x10")
	require.NoError(t, err)
	require.Equal(t, 16.0, w)
}

func TestZCombineStore(t *testing.T) {
	db, clock := openSZ(t, Options{})
	_, err := db.ZAdd("z1", ZAddOptions{}, zm1("a", 1), zm1("b", 2), zm1("c", 3))
	require.NoError(t, err)
	_, err = db.ZAdd("z2", ZAddOptions{}, zm1("b", 10), zm1("c", 20), zm1("d", 30))
	require.NoError(t, err)
	// The destination is replaced whatever it held, and loses its TTL.
	_, err = db.Set("dst", "v", SetOptions{TTL: time.Minute})
	require.NoError(t, err)
	n, err := db.ZInterStore("dst", []string{"z1", "z2"}, ZCombineOptions{Weights: []float64{1, 2}})
	require.NoError(t, err)
	require.EqualValues(t, 2, n)
	got, err := db.ZRange("dst", ZRangeQuery{Start: 0, Stop: -1})
	require.NoError(t, err)
	require.Equal(t, zm("b", 22, "c", 43), got)
	ttl, err := db.TTL("dst")
	require.NoError(t, err)
	require.Equal(t, NoExpiry, ttl)
	clock.Advance(2 * time.Minute)
	ok, err := db.Exists("dst")
	require.NoError(t, err)
	require.EqualValues(t, 1, ok)
	// An empty result deletes it.
	n, err = db.ZInterStore("dst", []string{"z1", "nokey"}, ZCombineOptions{})
	require.NoError(t, err)
	require.Zero(t, n)
	ok, err = db.Exists("dst")
	require.NoError(t, err)
	require.Zero(t, ok)
	// The destination may be an input.
	n, err = db.ZUnionStore("z1", []string{"z1", "z2"}, ZCombineOptions{Aggregate: ZAggregateMax})
	require.NoError(t, err)
	require.EqualValues(t, 4, n)
	got, err = db.ZRange("z1", ZRangeQuery{Start: 0, Stop: -1})
	require.NoError(t, err)
	require.Equal(t, zm("a", 1, "b", 10, "c", 20, "d", 30), got)
	n, err = db.ZDiffStore("z2", "z2", "z1")
	require.NoError(t, err)
	require.Zero(t, n)
	ok, err = db.Exists("z2")
	require.NoError(t, err)
	require.Zero(t, ok)
	_, err = db.SAdd("s", "x", "y")
	require.NoError(t, err)
	n, err = db.ZDiffStore("s", "s", "z1")
	require.NoError(t, err)
	require.EqualValues(t, 2, n)
	typ, err := db.Type("s")
	require.NoError(t, err)
	require.Equal(t, TypeZSet, typ)
	szVerify(t, db)
}

func TestZInterCardAndSInterCard(t *testing.T) {
	db := zopsFixture(t)
	_, err := db.SAdd("s2", "a", "e", "x")
	require.NoError(t, err)
	for _, tc := range []struct {
		keys  []string
		limit int64
		want  int64
	}{
		{[]string{"z1", "z2"}, 0, 2}, {[]string{"z1", "z2"}, 1, 1}, {[]string{"z1", "z2"}, 5, 2},
		{[]string{"z1", "s1"}, 0, 1}, {[]string{"z1", "nokey"}, 0, 0}, {[]string{"z2"}, 2, 2},
	} {
		n, err := db.ZInterCard(tc.keys, tc.limit)
		require.NoError(t, err)
		require.Equal(t, tc.want, n, "%v limit %d", tc.keys, tc.limit)
	}
	for _, tc := range []struct {
		keys  []string
		limit int64
		want  int64
	}{
		{[]string{"s1", "s2"}, 0, 2}, {[]string{"s1", "s2"}, 1, 1}, {[]string{"s1"}, 0, 3},
		{[]string{"s1", "s1"}, 2, 2}, {[]string{"s1", "nokey"}, 0, 0},
	} {
		n, err := db.SInterCard(tc.keys, tc.limit)
		require.NoError(t, err)
		require.Equal(t, tc.want, n, "%v limit %d", tc.keys, tc.limit)
	}
	_, err = db.SInterCard([]string{"nokey", "z1"}, 0)
	szErr(t, err, ErrWrongType, szWrongType)
	_, err = db.SInterCard([]string{"s1"}, -1)
	szErr(t, err, ErrInvalidArgument, "ERR LIMIT can't be negative")
	_, err = db.SInterCard(nil, 0)
	szErr(t, err, ErrInvalidArgument, "ERR numkeys should be greater than 0")
}

func TestZLexCountAndRemRangeByLex(t *testing.T) {
	db, _ := openSZ(t, Options{})
	_, err := db.ZAdd("zl", ZAddOptions{}, zm1("a", 0), zm1("b", 0), zm1("c", 0), zm1("d", 0))
	require.NoError(t, err)
	_, err = db.Set("str", "x", SetOptions{})
	require.NoError(t, err)
	lb := func(s string) LexBound {
		b, err := ParseLexBound(s)
		require.NoError(t, err)
		return b
	}
	for _, tc := range []struct {
		min, max string
		want     int64
	}{
		{"-", "+", 4}, {"[b", "+", 3}, {"(b", "[d", 2}, {"+", "-", 0}, {"(a", "(a", 0}, {"[a", "[a", 1},
		{"[c", "[a", 0}, {"[aa", "(c", 1}, {"-", "(a", 0}, {"[e", "+", 0},
	} {
		n, err := db.ZLexCount("zl", lb(tc.min), lb(tc.max))
		require.NoError(t, err)
		require.Equal(t, tc.want, n, "%s %s", tc.min, tc.max)
	}
	n, err := db.ZLexCount("nokey", lb("-"), lb("+"))
	require.NoError(t, err)
	require.Zero(t, n)
	_, err = db.ZLexCount("str", lb("-"), lb("+"))
	szErr(t, err, ErrWrongType, szWrongType)
	_, err = db.ZRemRangeByLex("str", lb("-"), lb("+"))
	szErr(t, err, ErrWrongType, szWrongType)

	n, err = db.ZRemRangeByLex("zl", lb("[c"), lb("[a"))
	require.NoError(t, err)
	require.Zero(t, n)
	n, err = db.ZRemRangeByLex("zl", lb("(a"), lb("[c"))
	require.NoError(t, err)
	require.EqualValues(t, 2, n)
	got, err := db.ZRange("zl", ZRangeQuery{Start: 0, Stop: -1})
	require.NoError(t, err)
	require.Equal(t, zm("a", 0, "d", 0), got)
	szVerify(t, db)
	n, err = db.ZRemRangeByLex("zl", lb("-"), lb("+"))
	require.NoError(t, err)
	require.EqualValues(t, 2, n)
	ok, err := db.Exists("zl")
	require.NoError(t, err)
	require.Zero(t, ok, "an emptied sorted set is deleted")
	szVerify(t, db)
}

func TestZRangeStore(t *testing.T) {
	db, _ := openSZ(t, Options{})
	_, err := db.ZAdd("z1", ZAddOptions{}, zm1("a", 1), zm1("b", 2), zm1("c", 3))
	require.NoError(t, err)
	_, err = db.Set("str", "x", SetOptions{})
	require.NoError(t, err)
	inf := math.Inf(1)
	for _, tc := range []struct {
		name string
		q    ZRangeQuery
		want []ZMember
	}{
		{"all", ZRangeQuery{Start: 0, Stop: -1}, zm("a", 1, "b", 2, "c", 3)},
		{"rev rank", ZRangeQuery{Start: 0, Stop: 0, Rev: true}, zm("c", 3)},
		{"by score", ZRangeQuery{By: ZByScore, Min: ScoreBound{Value: 1, Exclusive: true}, Max: ScoreBound{Value: inf}}, zm("b", 2, "c", 3)},
		{"by score rev limit", ZRangeQuery{By: ZByScore, Min: ScoreBound{Value: 1, Exclusive: true}, Max: ScoreBound{Value: inf}, Rev: true, Limit: &ZLimit{0, 1}}, zm("c", 3)},
		{"by lex limit", ZRangeQuery{By: ZByLex, LexMin: LexBound{Inf: -1}, LexMax: LexBound{Inf: 1}, Limit: &ZLimit{1, 1}}, zm("b", 2)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := db.ZRangeStore("d", "z1", tc.q)
			require.NoError(t, err)
			require.EqualValues(t, len(tc.want), n)
			got, err := db.ZRange("d", ZRangeQuery{Start: 0, Stop: -1})
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	n, err := db.ZRangeStore("d", "z1", ZRangeQuery{Start: 5, Stop: 10})
	require.NoError(t, err)
	require.Zero(t, n)
	ok, err := db.Exists("d")
	require.NoError(t, err)
	require.Zero(t, ok)
	n, err = db.ZRangeStore("str", "z1", ZRangeQuery{Start: 0, Stop: 0})
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	_, err = db.ZRangeStore("d", "nokey", ZRangeQuery{Start: 0, Stop: -1})
	require.NoError(t, err)
	_, err = db.Set("s2", "x", SetOptions{})
	require.NoError(t, err)
	_, err = db.ZRangeStore("d", "s2", ZRangeQuery{Start: 0, Stop: -1})
	szErr(t, err, ErrWrongType, szWrongType)
	_, err = db.ZRangeStore("d", "z1", ZRangeQuery{Start: 0, Stop: -1, WithScores: true})
	szErr(t, err, ErrSyntax, "ERR syntax error")
	_, err = db.ZRangeStore("d", "z1", ZRangeQuery{Start: 0, Stop: -1, Limit: &ZLimit{0, 1}})
	szErr(t, err, ErrSyntax, "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
	n, err = db.ZRangeStore("z1", "z1", ZRangeQuery{Start: 1, Stop: 2})
	require.NoError(t, err)
	require.EqualValues(t, 2, n)
	got, err := db.ZRange("z1", ZRangeQuery{Start: 0, Stop: -1})
	require.NoError(t, err)
	require.Equal(t, zm("b", 2, "c", 3), got)
	szVerify(t, db)
}

func TestZRandMember(t *testing.T) {
	seedSZRand(t, 7)
	db, _ := openSZ(t, Options{})
	scores := map[string]float64{}
	var ms []ZMember
	for i := range 10 {
		m := ZMember{Member: string(rune('a' + i)), Score: float64(i)}
		scores[m.Member] = m.Score
		ms = append(ms, m)
	}
	_, err := db.ZAdd("z", ZAddOptions{}, ms...)
	require.NoError(t, err)
	_, err = db.Set("str", "x", SetOptions{})
	require.NoError(t, err)

	for range 20 {
		m, found, err := db.ZRandMember("z")
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, scores[m.Member], m.Score)
	}
	_, found, err := db.ZRandMember("nokey")
	require.NoError(t, err)
	require.False(t, found)
	_, _, err = db.ZRandMember("str")
	szErr(t, err, ErrWrongType, szWrongType)

	for _, count := range []int64{1, 3, 4, 9} {
		got, err := db.ZRandMemberCount("z", count)
		require.NoError(t, err)
		require.Len(t, got, int(count))
		seen := map[string]bool{}
		for i, m := range got {
			require.Equal(t, scores[m.Member], m.Score)
			require.False(t, seen[m.Member], "distinct")
			seen[m.Member] = true
			if i > 0 {
				require.Less(t, m.Score, got[i-1].Score, "highest first")
			}
		}
	}
	// The whole set, highest first, as Redis lists it.
	got, err := db.ZRandMemberCount("z", 100)
	require.NoError(t, err)
	require.Len(t, got, 10)
	require.Equal(t, "j", got[0].Member)
	require.Equal(t, "a", got[9].Member)
	got, err = db.ZRandMemberCount("z", -25)
	require.NoError(t, err)
	require.Len(t, got, 25)
	for _, m := range got {
		require.Equal(t, scores[m.Member], m.Score)
	}
	got, err = db.ZRandMemberCount("z", 0)
	require.NoError(t, err)
	require.Empty(t, got)
	got, err = db.ZRandMemberCount("nokey", -5)
	require.NoError(t, err)
	require.Empty(t, got)
	_, err = db.ZRandMemberCount("str", 0)
	szErr(t, err, ErrWrongType, szWrongType)
	_, err = db.ZRandMemberCount("z", math.MinInt64)
	szErr(t, err, ErrInvalidArgument, "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
	_, err = db.ZRandMemberCount("z", -maxRandomCount-1)
	szErr(t, err, ErrInvalidArgument, "ERR value is out of range, value must between -16777216 and 9223372036854775807")
	got, err = db.ZRandMemberCount("nokey", -maxRandomCount-1)
	require.NoError(t, err, "a missing key answers any count, as in Redis")
	require.Empty(t, got)
}

func TestHRandField(t *testing.T) {
	seedSZRand(t, 9)
	db, _ := openSZ(t, Options{})
	vals := map[string]string{}
	var fvs []FieldValue
	for i := range 8 {
		fv := FieldValue{Field: "f" + string(rune('0'+i)), Value: "v" + string(rune('0'+i))}
		vals[fv.Field] = fv.Value
		fvs = append(fvs, fv)
	}
	_, err := db.HSet("h", fvs...)
	require.NoError(t, err)
	// Holes left by deletes are skipped.
	_, err = db.HDel("h", "f2", "f5")
	require.NoError(t, err)
	delete(vals, "f2")
	delete(vals, "f5")
	_, err = db.Set("str", "x", SetOptions{})
	require.NoError(t, err)

	seenAll := map[string]bool{}
	for range 200 {
		fv, found, err := db.HRandField("h")
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, vals[fv.Field], fv.Value)
		seenAll[fv.Field] = true
	}
	require.Len(t, seenAll, len(vals), "every field comes up")
	_, found, err := db.HRandField("nokey")
	require.NoError(t, err)
	require.False(t, found)
	_, _, err = db.HRandField("str")
	szErr(t, err, ErrWrongType, szWrongType)

	for _, count := range []int64{1, 2, 5} {
		got, err := db.HRandFieldCount("h", count)
		require.NoError(t, err)
		require.Len(t, got, int(count))
		seen := map[string]bool{}
		for _, fv := range got {
			require.Equal(t, vals[fv.Field], fv.Value)
			require.False(t, seen[fv.Field])
			seen[fv.Field] = true
		}
	}
	got, err := db.HRandFieldCount("h", 6)
	require.NoError(t, err)
	require.Equal(t, []FieldValue{{"f0", "v0"}, {"f1", "v1"}, {"f3", "v3"}, {"f4", "v4"}, {"f6", "v6"}, {"f7", "v7"}}, got,
		"the whole hash in its order")
	got, err = db.HRandFieldCount("h", -20)
	require.NoError(t, err)
	require.Len(t, got, 20)
	for _, fv := range got {
		require.Equal(t, vals[fv.Field], fv.Value)
	}
	got, err = db.HRandFieldCount("nokey", 3)
	require.NoError(t, err)
	require.Empty(t, got)
	_, err = db.HRandFieldCount("str", 0)
	szErr(t, err, ErrWrongType, szWrongType)
	_, err = db.HRandFieldCount("h", math.MinInt64)
	szErr(t, err, ErrInvalidArgument, "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
}

// The algebra's inputs are read commands' lookups: each counts a keyspace
// hit or miss, as Redis 7.0 counts them (also for the STORE forms, and
// for SUNIONSTORE and friends).
func TestZCombineCountsLookups(t *testing.T) {
	db := zopsFixture(t)
	before := db.ks.Stats()
	_, err := db.ZUnionStore("d", []string{"z1", "nokey"}, ZCombineOptions{})
	require.NoError(t, err)
	_, err = db.ZRangeStore("d", "z1", ZRangeQuery{Start: 0, Stop: -1})
	require.NoError(t, err)
	_, err = db.SInterCard([]string{"s1", "nokey"}, 0)
	require.NoError(t, err)
	_, err = db.SUnionStore("d", "s1", "nokey")
	require.NoError(t, err)
	after := db.ks.Stats()
	require.Equal(t, before.Hits+4, after.Hits)
	require.Equal(t, before.Misses+3, after.Misses)
}
