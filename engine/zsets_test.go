package engine

import (
	"cmp"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/ttl"
)

var negZero = math.Copysign(0, -1)

// The tables below were read from redis-server 7.0.15: ZADD key <s> m then
// ZSCORE (the score, or the error), and ZCOUNT key <s> +inf (accepted or
// not as a range bound).
func TestParseScore(t *testing.T) {
	inf := math.Inf(1)
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1", 1, true}, {"-0", negZero, true}, {"1.5", 1.5, true}, {"1e3", 1000, true},
		{"1e-310", 1e-310, true}, {"1e-320", 1e-320, true}, {"3e-324", 5e-324, true},
		{"inf", inf, true}, {"-inf", -inf, true}, {"+inf", inf, true}, {"Infinity", inf, true},
		{"-Infinity", -inf, true}, {"INF", inf, true}, {"infinity", inf, true},
		{"0x10", 16, true}, {"0x1p3", 8, true}, {"0x.8", 0.5, true}, {"0X1P+3", 8, true},
		{"-0x10", -16, true}, {"0x1P-1074", 5e-324, true},
		{"0x1.fffffffffffffp1023", math.MaxFloat64, true},
		{"1.7976931348623158e308", math.MaxFloat64, true},
		{".5", 0.5, true}, {"5.", 5, true}, {"+5", 5, true}, {"1.e5", 1e5, true}, {"1e+5", 1e5, true},
		{"00012", 12, true}, {"0.0e-999", 0, true}, {"0e999", 0, true},
		{"1e0000000000000000000000002", 100, true},
		{"9007199254740993", 9007199254740992, true},
		// Refused: empty, spaces, trailing bytes, NaN, out of range.
		{"", 0, false}, {" 1", 0, false}, {"\t1", 0, false}, {"1 ", 0, false}, {"1e5 ", 0, false},
		{"1_0", 0, false}, {"1e", 0, false}, {"1e+", 0, false}, {"0x", 0, false}, {"0x1p", 0, false},
		{"0x-1", 0, false}, {"+-1", 0, false}, {"-", 0, false}, {"+", 0, false}, {".", 0, false},
		{"+.e1", 0, false}, {"inFIN", 0, false}, {"nan", 0, false}, {"-nan", 0, false},
		{"nan(123)", 0, false}, {"(1", 0, false}, {"abc", 0, false},
		{"1e400", 0, false}, {"1e-400", 0, false}, {"2e-324", 0, false}, {"0x1p-1075", 0, false},
		{"1.7976931348623159e308", 0, false}, {"0x1.fffffffffffff8p1023", 0, false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseScore(tc.in)
			if !tc.ok {
				szErr(t, err, ErrNotFloat, "ERR value is not a valid float")
				return
			}
			require.NoError(t, err)
			require.Equal(t, math.Float64bits(tc.want), math.Float64bits(got), "%v", got)
		})
	}
}

func TestParseScoreBound(t *testing.T) {
	inf := math.Inf(1)
	for _, tc := range []struct {
		in   string
		want ScoreBound
		ok   bool
	}{
		{"1", ScoreBound{Value: 1}, true},
		{"(1", ScoreBound{Value: 1, Exclusive: true}, true},
		{"(1.5", ScoreBound{Value: 1.5, Exclusive: true}, true},
		{"-inf", ScoreBound{Value: -inf}, true},
		{"+inf", ScoreBound{Value: inf}, true},
		{"(-inf", ScoreBound{Value: -inf, Exclusive: true}, true},
		{"(inf", ScoreBound{Value: inf, Exclusive: true}, true},
		// What zslParseRange lets through: strtod alone, no emptiness,
		// space or range check.
		{"", ScoreBound{}, true},
		{"(", ScoreBound{Exclusive: true}, true},
		{" 1", ScoreBound{Value: 1}, true},
		{"( 1", ScoreBound{Value: 1, Exclusive: true}, true},
		{"\t1", ScoreBound{Value: 1}, true},
		{"0x2", ScoreBound{Value: 2}, true},
		{"1e400", ScoreBound{Value: inf}, true},
		{"1e-400", ScoreBound{}, true},
		{"0x1p-1075", ScoreBound{}, true},
		{"1", ScoreBound{Value: 1}, true},
		{"1 ", ScoreBound{}, false},
		{"a", ScoreBound{}, false},
		{"((1", ScoreBound{}, false},
		{"[1", ScoreBound{}, false},
		{"nan", ScoreBound{}, false},
		{"(nan", ScoreBound{}, false},
		{"2.5abc", ScoreBound{}, false},
		{"-", ScoreBound{}, false},
		{"inFIN", ScoreBound{}, false},
		{"  ", ScoreBound{}, false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseScoreBound(tc.in)
			if !tc.ok {
				szErr(t, err, ErrNotFloat, "ERR min or max is not a float")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestParseLexBound(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want LexBound
		ok   bool
	}{
		{"-", LexBound{Inf: -1, Exclusive: true}, true},
		{"+", LexBound{Inf: 1, Exclusive: true}, true},
		{"[a", LexBound{Value: "a"}, true},
		{"(a", LexBound{Value: "a", Exclusive: true}, true},
		{"[", LexBound{}, true},
		{"(", LexBound{Exclusive: true}, true},
		{"[+", LexBound{Value: "+"}, true},
		{"", LexBound{}, false},
		{"a", LexBound{}, false},
		{"-x", LexBound{}, false},
		{"+x", LexBound{}, false},
		{"1", LexBound{}, false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseLexBound(tc.in)
			if !tc.ok {
				szErr(t, err, ErrInvalidArgument, "ERR min or max not valid string range item")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

// TestFormatFloatMatchesRedis compares FormatFloat with ZSCORE replies of
// redis-server 7.0.15 (a sorted set in its skiplist encoding, which keeps
// -0).
func TestFormatFloatMatchesRedis(t *testing.T) {
	for _, tc := range [][2]string{
		{"-0", "-0"}, {"0", "0"}, {"1", "1"}, {"-1", "-1"},
		{"0.1", "0.10000000000000001"}, {"0.2", "0.20000000000000001"},
		{"0.30000000000000004", "0.30000000000000004"}, {"1e-7", "9.9999999999999995e-08"},
		{"1e-5", "1.0000000000000001e-05"}, {"0.0001", "0.0001"}, {"123456.789", "123456.789"},
		{"1e21", "1e+21"}, {"1e22", "1e+22"}, {"-1e-300", "-1e-300"},
		{"5e-324", "4.9406564584124654e-324"}, {"1e-310", "9.9999999999999694e-311"},
		{"2.5", "2.5"}, {"-2.5", "-2.5"}, {"1e15", "1000000000000000"},
		{"1e16", "10000000000000000"}, {"1e17", "1e+17"}, {"1.5e300", "1.5000000000000001e+300"},
		{"4503599627370495", "4503599627370495"}, {"4503599627370496", "4503599627370496"},
		{"4503599627370497", "4503599627370497"}, {"-4503599627370495", "-4503599627370495"},
		{"-4503599627370496", "-4503599627370496"}, {"9007199254740993", "9007199254740992"},
		{"123456789012345678", "1.2345678901234568e+17"}, {"100", "100"}, {"-100", "-100"},
		{"3.14159", "3.1415899999999999"}, {"2.718281828459045", "2.7182818284590451"},
		{"1e100", "1e+100"}, {"123e-20", "1.23e-18"}, {"0.5", "0.5"}, {"0.25", "0.25"},
		{"1.0000000000000002", "1.0000000000000002"}, {"99999999999999999", "1e+17"},
		{"0.000123", "0.00012300000000000001"}, {"1.7976931348623157e308", "1.7976931348623157e+308"},
		{"2.2250738585072014e-308", "2.2250738585072014e-308"}, {"123.456e10", "1234560000000"},
		{"inf", "inf"}, {"-inf", "-inf"},
	} {
		v, err := ParseScore(tc[0])
		require.NoError(t, err, tc[0])
		require.Equal(t, tc[1], FormatFloat(v), tc[0])
	}
}

// strtodRef is an independent description of what C's strtod converts:
// the longest accepted prefix, by a regular expression, and its value by
// exact rational arithmetic.
var strtodRef = regexp.MustCompile(`^[ \t\n\v\f\r]*([+-]?)((?i:infinity|inf)|(?i:nan)(?:\([0-9A-Za-z_]*\))?|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)`)

var refExponent = regexp.MustCompile(`[pPeE]([+-]?)0*([0-9]+)$`)

// refStrtod returns the value, the length converted, whether ERANGE would
// be set, and whether the reference could decide (huge exponents are
// skipped).
func refStrtod(s string) (v float64, n int, erange, ok bool) {
	m := strtodRef.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, false, true
	}
	body := strings.ToLower(m[2])
	neg := m[1] == "-"
	sign := func(f float64) float64 {
		if neg {
			return -f
		}
		return f
	}
	switch {
	case strings.HasPrefix(body, "inf"):
		return sign(math.Inf(1)), len(m[0]), false, true
	case strings.HasPrefix(body, "nan"):
		return math.NaN(), len(m[0]), false, true
	}
	if strings.HasPrefix(body, "0x") && !strings.Contains(body, "p") {
		body += "p0"
	}
	if e := refExponent.FindStringSubmatch(body); e != nil && len(e[2]) > 4 {
		return 0, 0, false, false
	}
	if len(body) > 400 {
		return 0, 0, false, false
	}
	r, good := new(big.Rat).SetString(body)
	if !good {
		panic("reference cannot parse " + body)
	}
	f, _ := r.Float64()
	erange = math.IsInf(f, 0) || f == 0 && r.Sign() != 0
	return sign(f), len(m[0]), erange, true
}

func FuzzParseScore(f *testing.F) {
	for _, s := range []string{"1", "-0", "(1", "0x1p3", "0x.8p-2", "1e-400", "inf", "(-Infinity", "nan(x)",
		"", "(", " 1", "1 ", "1e", "0x", ".5", "5.", "1_0", "[a", "-", "+", "0x1.fffffffffffff8p1023"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, n, erange, ok := refStrtod(s)
		got, err := ParseScore(s)
		if ok {
			wantOK := s != "" && !isSpace(s[0]) && n == len(s) && !math.IsNaN(v) && !erange
			require.Equal(t, wantOK, err == nil, "ParseScore(%q) = %v, %v", s, got, err)
			if wantOK {
				require.Equal(t, math.Float64bits(v), math.Float64bits(got), "ParseScore(%q)", s)
			}
		}

		rest, excl := strings.CutPrefix(s, "(")
		v, n, _, ok = refStrtod(rest)
		b, err := ParseScoreBound(s)
		if ok {
			wantOK := n == len(rest) && !math.IsNaN(v)
			require.Equal(t, wantOK, err == nil, "ParseScoreBound(%q) = %v, %v", s, b, err)
			if wantOK {
				require.Equal(t, excl, b.Exclusive)
				require.Equal(t, math.Float64bits(v), math.Float64bits(b.Value), "ParseScoreBound(%q)", s)
			}
		}

		lb, err := ParseLexBound(s)
		switch {
		case s == "-" || s == "+":
			require.NoError(t, err)
			require.NotZero(t, lb.Inf)
		case s != "" && (s[0] == '(' || s[0] == '['):
			require.NoError(t, err)
			require.Equal(t, s[1:], lb.Value)
			require.Equal(t, s[0] == '(', lb.Exclusive)
		default:
			require.Error(t, err)
		}
	})
}

// zfix creates z = {a:1 b:2 c:3 d:4 e:5} and a string key str.
func zfix(t testing.TB, db *DB) {
	t.Helper()
	_, err := db.ZAdd("z", ZAddOptions{}, zm("a", 1, "b", 2, "c", 3, "d", 4, "e", 5)...)
	require.NoError(t, err)
	_, err = db.Set("str", "v", SetOptions{})
	require.NoError(t, err)
}

// zm builds members from member, score pairs.
func zm(kv ...any) []ZMember {
	out := make([]ZMember, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		var s float64
		switch v := kv[i+1].(type) {
		case int:
			s = float64(v)
		case float64:
			s = v
		}
		out = append(out, ZMember{Member: kv[i].(string), Score: s})
	}
	return out
}

func zall(t testing.TB, db *DB, key string) []ZMember {
	t.Helper()
	got, err := db.ZRange(key, ZRangeQuery{Start: 0, Stop: -1})
	require.NoError(t, err)
	return got
}

func TestZAdd(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name    string
		key     string
		opts    ZAddOptions
		members []ZMember
		want    ZAddResult
		err     error
		text    string
		after   []ZMember // of key; nil: absent
	}{
		{name: "new key", key: "n", members: zm("x", 1, "y", 2, "x", 3), want: ZAddResult{Count: 2}, after: zm("y", 2, "x", 3)},
		{name: "update", key: "z", members: zm("a", 10, "f", 0), want: ZAddResult{Count: 1},
			after: zm("f", 0, "b", 2, "c", 3, "d", 4, "e", 5, "a", 10)},
		{name: "CH counts changes", key: "z", opts: ZAddOptions{CH: true}, members: zm("a", 10, "b", 2, "f", 0), want: ZAddResult{Count: 2},
			after: zm("f", 0, "b", 2, "c", 3, "d", 4, "e", 5, "a", 10)},
		{name: "NX", key: "z", opts: ZAddOptions{NX: true, CH: true}, members: zm("a", 10, "f", 6), want: ZAddResult{Count: 1},
			after: zm("a", 1, "b", 2, "c", 3, "d", 4, "e", 5, "f", 6)},
		{name: "XX", key: "z", opts: ZAddOptions{XX: true, CH: true}, members: zm("a", 10, "f", 6), want: ZAddResult{Count: 1},
			after: zm("b", 2, "c", 3, "d", 4, "e", 5, "a", 10)},
		{name: "XX missing key", key: "n", opts: ZAddOptions{XX: true}, members: zm("a", 1)},
		{name: "GT", key: "z", opts: ZAddOptions{GT: true, CH: true}, members: zm("a", 0, "b", 7, "f", -1), want: ZAddResult{Count: 2},
			after: zm("f", -1, "a", 1, "c", 3, "d", 4, "e", 5, "b", 7)},
		{name: "LT", key: "z", opts: ZAddOptions{LT: true, CH: true}, members: zm("a", 0, "b", 7), want: ZAddResult{Count: 1},
			after: zm("a", 0, "b", 2, "c", 3, "d", 4, "e", 5)},
		{name: "XX GT", key: "z", opts: ZAddOptions{XX: true, GT: true}, members: zm("a", 9, "f", 9), want: ZAddResult{Count: 0},
			after: zm("b", 2, "c", 3, "d", 4, "e", 5, "a", 9)},
		{name: "INCR", key: "z", opts: ZAddOptions{Incr: true}, members: zm("a", 1.5), want: ZAddResult{Score: 2.5, Scored: true},
			after: zm("b", 2, "a", 2.5, "c", 3, "d", 4, "e", 5)},
		{name: "INCR new", key: "n", opts: ZAddOptions{Incr: true}, members: zm("a", 1.5), want: ZAddResult{Score: 1.5, Scored: true},
			after: zm("a", 1.5)},
		{name: "INCR NX existing is nil", key: "z", opts: ZAddOptions{Incr: true, NX: true}, members: zm("a", 5), want: ZAddResult{},
			after: zm("a", 1, "b", 2, "c", 3, "d", 4, "e", 5)},
		{name: "INCR XX missing is nil", key: "z", opts: ZAddOptions{Incr: true, XX: true}, members: zm("q", 5), want: ZAddResult{},
			after: zm("a", 1, "b", 2, "c", 3, "d", 4, "e", 5)},
		{name: "INCR XX missing key is nil", key: "n", opts: ZAddOptions{Incr: true, XX: true}, members: zm("q", 5)},
		{name: "INCR GT lower is nil", key: "z", opts: ZAddOptions{Incr: true, GT: true}, members: zm("a", -5), want: ZAddResult{},
			after: zm("a", 1, "b", 2, "c", 3, "d", 4, "e", 5)},
		{name: "INCR 0 replies the score", key: "z", opts: ZAddOptions{Incr: true}, members: zm("c", 0), want: ZAddResult{Score: 3, Scored: true},
			after: zm("a", 1, "b", 2, "c", 3, "d", 4, "e", 5)},
		{name: "INCR -0 on a new member replies -0, stores 0", key: "n", opts: ZAddOptions{Incr: true}, members: zm("m", negZero),
			want: ZAddResult{Score: negZero, Scored: true}, after: zm("m", 0)},
		{name: "-0 is stored as 0", key: "n", members: zm("m", negZero), want: ZAddResult{Count: 1}, after: zm("m", 0)},
		{name: "infinities", key: "z", members: zm("a", math.Inf(1), "b", math.Inf(-1)), want: ZAddResult{},
			after: zm("b", math.Inf(-1), "c", 3, "d", 4, "e", 5, "a", math.Inf(1))},

		{name: "NX XX", key: "z", opts: ZAddOptions{NX: true, XX: true}, members: zm("a", 1), err: ErrInvalidArgument,
			text: "ERR XX and NX options at the same time are not compatible"},
		{name: "NX XX before GT LT", key: "z", opts: ZAddOptions{NX: true, XX: true, GT: true, LT: true}, members: zm("a", 1), err: ErrInvalidArgument,
			text: "ERR XX and NX options at the same time are not compatible"},
		{name: "GT LT", key: "z", opts: ZAddOptions{GT: true, LT: true}, members: zm("a", 1), err: ErrInvalidArgument,
			text: "ERR GT, LT, and/or NX options at the same time are not compatible"},
		{name: "GT NX", key: "z", opts: ZAddOptions{GT: true, NX: true}, members: zm("a", 1), err: ErrInvalidArgument,
			text: "ERR GT, LT, and/or NX options at the same time are not compatible"},
		{name: "LT NX", key: "z", opts: ZAddOptions{LT: true, NX: true}, members: zm("a", 1), err: ErrInvalidArgument,
			text: "ERR GT, LT, and/or NX options at the same time are not compatible"},
		{name: "INCR two pairs", key: "z", opts: ZAddOptions{Incr: true}, members: zm("a", 1, "b", 2), err: ErrInvalidArgument,
			text: "ERR INCR option supports a single increment-element pair"},
		{name: "no pairs", key: "z", err: ErrInvalidArgument, text: "ERR wrong number of arguments for 'zadd' command"},
		{name: "NaN score", key: "z", members: zm("a", 1, "b", nan), err: ErrNotFloat, text: "ERR value is not a valid float",
			after: zm("a", 1, "b", 2, "c", 3, "d", 4, "e", 5)},
		// Options and scores are checked before the key's type.
		{name: "options before type", key: "str", opts: ZAddOptions{NX: true, XX: true}, members: zm("a", 1), err: ErrInvalidArgument,
			text: "ERR XX and NX options at the same time are not compatible"},
		{name: "NaN before type", key: "str", members: zm("a", nan), err: ErrNotFloat, text: "ERR value is not a valid float"},
		{name: "wrong type", key: "str", members: zm("a", 1), err: ErrWrongType, text: szWrongType},
		{name: "INCR to NaN", key: "z", opts: ZAddOptions{Incr: true}, members: zm("a", math.Inf(-1)), err: nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openSZ(t, Options{})
			zfix(t, db)
			if tc.name == "INCR to NaN" {
				_, err := db.ZAdd("z", ZAddOptions{}, zm("a", math.Inf(1))...)
				require.NoError(t, err)
				_, err = db.ZAdd("z", tc.opts, tc.members...)
				szErr(t, err, ErrNaNOrInf, "ERR resulting score is not a number (NaN)")
				s, _, _ := db.ZScore("z", "a")
				require.Equal(t, math.Inf(1), s, "a failed increment changes nothing")
				szVerify(t, db)
				return
			}
			res, err := db.ZAdd(tc.key, tc.opts, tc.members...)
			if tc.err != nil {
				szErr(t, err, tc.err, tc.text)
			} else {
				require.NoError(t, err)
				require.Equal(t, math.Float64bits(tc.want.Score), math.Float64bits(res.Score))
				require.Equal(t, tc.want, res)
			}
			if tc.err != nil && tc.after == nil && tc.key == "z" {
				tc.after = zm("a", 1, "b", 2, "c", 3, "d", 4, "e", 5) // an error changes nothing
			}
			if tc.key != "str" {
				got := zall(t, db, tc.key)
				if tc.after == nil {
					require.Empty(t, got)
					ex, _ := db.Exists(tc.key)
					require.Zero(t, ex)
				} else {
					require.Equal(t, tc.after, got)
					for _, m := range got {
						require.False(t, math.Signbit(m.Score) && m.Score == 0, "-0 stored")
					}
				}
			}
			szVerify(t, db)
		})
	}
}

func TestZIncrBy(t *testing.T) {
	db, _ := openSZ(t, Options{})
	zfix(t, db)
	s, err := db.ZIncrBy("z", 1.5, "a")
	require.NoError(t, err)
	require.Equal(t, 2.5, s)
	s, err = db.ZIncrBy("new", -2, "m")
	require.NoError(t, err)
	require.Equal(t, -2.0, s)
	s, err = db.ZIncrBy("z", 1e308, "e")
	require.NoError(t, err)
	s, err = db.ZIncrBy("z", 1e308, "e")
	require.NoError(t, err)
	require.Equal(t, math.Inf(1), s, "overflow to inf is allowed, as in Redis")
	_, err = db.ZIncrBy("z", math.Inf(-1), "e")
	szErr(t, err, ErrNaNOrInf, "ERR resulting score is not a number (NaN)")
	_, err = db.ZIncrBy("z", math.NaN(), "a")
	szErr(t, err, ErrNotFloat, "ERR value is not a valid float")
	_, err = db.ZIncrBy("str", 1, "a")
	szErr(t, err, ErrWrongType, szWrongType)
	_, err = db.ZIncrBy("str", math.NaN(), "a")
	szErr(t, err, ErrNotFloat, "ERR value is not a valid float")
	r, _, _ := db.ZRank("z", "e")
	require.Equal(t, int64(4), r)
	szVerify(t, db)
}

func TestZRemScoreCard(t *testing.T) {
	db, _ := openSZ(t, Options{})
	zfix(t, db)

	n, err := db.ZRem("z", "a", "a", "zz")
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
	n, err = db.ZRem("missing", "a")
	require.NoError(t, err)
	require.Zero(t, n)
	_, err = db.ZRem("str", "a")
	szErr(t, err, ErrWrongType, szWrongType)
	_, err = db.ZRem("z")
	szErr(t, err, ErrInvalidArgument, "ERR wrong number of arguments for 'zrem' command")

	s, found, err := db.ZScore("z", "b")
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, 2.0, s)
	_, found, err = db.ZScore("z", "a")
	require.NoError(t, err)
	require.False(t, found)
	_, found, err = db.ZScore("missing", "a")
	require.NoError(t, err)
	require.False(t, found)
	_, _, err = db.ZScore("str", "a")
	szErr(t, err, ErrWrongType, szWrongType)

	ms, err := db.ZMScore("z", "b", "zz", "e")
	require.NoError(t, err)
	require.Equal(t, []MaybeScore{{2, true}, {}, {5, true}}, ms)
	ms, err = db.ZMScore("missing", "a", "b")
	require.NoError(t, err)
	require.Equal(t, []MaybeScore{{}, {}}, ms)
	_, err = db.ZMScore("str", "a")
	szErr(t, err, ErrWrongType, szWrongType)
	_, err = db.ZMScore("z")
	szErr(t, err, ErrInvalidArgument, "ERR wrong number of arguments for 'zmscore' command")

	c, err := db.ZCard("z")
	require.NoError(t, err)
	require.Equal(t, int64(4), c)
	c, err = db.ZCard("missing")
	require.NoError(t, err)
	require.Zero(t, c)
	_, err = db.ZCard("str")
	szErr(t, err, ErrWrongType, szWrongType)

	n, err = db.ZRem("z", "b", "c", "d", "e")
	require.NoError(t, err)
	require.Equal(t, int64(4), n)
	ex, _ := db.Exists("z")
	require.Zero(t, ex, "an emptied sorted set is deleted")
	szVerify(t, db)
}

func sb(s string) ScoreBound {
	b, err := ParseScoreBound(s)
	if err != nil {
		panic(err)
	}
	return b
}

func lb(s string) LexBound {
	b, err := ParseLexBound(s)
	if err != nil {
		panic(err)
	}
	return b
}

func TestZCount(t *testing.T) {
	db, _ := openSZ(t, Options{})
	zfix(t, db)
	_, _ = db.ZAdd("z", ZAddOptions{}, zm("lo", math.Inf(-1), "hi", math.Inf(1))...)
	for _, tc := range []struct {
		min, max string
		want     int64
	}{
		{"1", "3", 3}, {"(1", "(3", 1}, {"(1", "3", 2}, {"3", "1", 0}, {"(1", "(1", 0}, {"1", "1", 1},
		{"-inf", "+inf", 7}, {"(-inf", "(+inf", 5}, {"-inf", "-inf", 1}, {"(inf", "+inf", 0},
		{"", "3", 3}, {"(", "3", 3}, {"0x2", "3", 2}, {"1e400", "+inf", 1}, {"2.5", "4.5", 2},
	} {
		n, err := db.ZCount("z", sb(tc.min), sb(tc.max))
		require.NoError(t, err)
		require.Equal(t, tc.want, n, "ZCOUNT %s %s", tc.min, tc.max)
	}
	n, err := db.ZCount("missing", sb("1"), sb("3"))
	require.NoError(t, err)
	require.Zero(t, n)
	_, err = db.ZCount("str", sb("1"), sb("3"))
	szErr(t, err, ErrWrongType, szWrongType)
}

func TestZRank(t *testing.T) {
	db, _ := openSZ(t, Options{})
	zfix(t, db)
	_, _ = db.ZAdd("z", ZAddOptions{}, zm("bb", 2)...) // ties ordered by member
	for _, tc := range []struct {
		member    string
		rank, rev int64
		found     bool
	}{
		{"a", 0, 5, true}, {"b", 1, 4, true}, {"bb", 2, 3, true}, {"e", 5, 0, true}, {"zz", 0, 0, false},
	} {
		r, found, err := db.ZRank("z", tc.member)
		require.NoError(t, err)
		require.Equal(t, tc.found, found)
		require.Equal(t, tc.rank, r)
		r, found, err = db.ZRevRank("z", tc.member)
		require.NoError(t, err)
		require.Equal(t, tc.found, found)
		require.Equal(t, tc.rev, r)
	}
	_, found, err := db.ZRank("missing", "a")
	require.NoError(t, err)
	require.False(t, found)
	_, _, err = db.ZRank("str", "a")
	szErr(t, err, ErrWrongType, szWrongType)
	_, _, err = db.ZRevRank("str", "a")
	szErr(t, err, ErrWrongType, szWrongType)
}

func zmembers(ms []ZMember) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Member
	}
	return out
}

func TestZRange(t *testing.T) {
	db, _ := openSZ(t, Options{})
	zfix(t, db)
	_, _ = db.ZAdd("lex", ZAddOptions{}, zm("a", 0, "b", 0, "c", 0, "d", 0, "e", 0)...)
	lim := func(o, c int64) *ZLimit { return &ZLimit{Offset: o, Count: c} }
	for _, tc := range []struct {
		name string
		key  string
		q    ZRangeQuery
		want []string
		err  error
		text string
	}{
		{name: "all", key: "z", q: ZRangeQuery{Start: 0, Stop: -1}, want: []string{"a", "b", "c", "d", "e"}},
		{name: "middle", key: "z", q: ZRangeQuery{Start: 1, Stop: 2}, want: []string{"b", "c"}},
		{name: "negative", key: "z", q: ZRangeQuery{Start: -2, Stop: -1}, want: []string{"d", "e"}},
		{name: "clamped", key: "z", q: ZRangeQuery{Start: math.MinInt64, Stop: math.MaxInt64}, want: []string{"a", "b", "c", "d", "e"}},
		{name: "empty start>stop", key: "z", q: ZRangeQuery{Start: 3, Stop: 1}, want: []string{}},
		{name: "empty start>=len", key: "z", q: ZRangeQuery{Start: 5, Stop: 10}, want: []string{}},
		{name: "empty stop<-len", key: "z", q: ZRangeQuery{Start: 0, Stop: -6}, want: []string{}},
		{name: "rev", key: "z", q: ZRangeQuery{Start: 0, Stop: -1, Rev: true}, want: []string{"e", "d", "c", "b", "a"}},
		{name: "rev middle", key: "z", q: ZRangeQuery{Start: 1, Stop: 2, Rev: true}, want: []string{"d", "c"}},
		{name: "rank with LIMIT x -1 is accepted", key: "z", q: ZRangeQuery{Start: 0, Stop: 1, Limit: lim(3, -1)}, want: []string{"a", "b"}},

		{name: "score", key: "z", q: ZRangeQuery{By: ZByScore, Min: sb("2"), Max: sb("4")}, want: []string{"b", "c", "d"}},
		{name: "score exclusive", key: "z", q: ZRangeQuery{By: ZByScore, Min: sb("(2"), Max: sb("(4")}, want: []string{"c"}},
		{name: "score inf", key: "z", q: ZRangeQuery{By: ZByScore, Min: sb("-inf"), Max: sb("+inf")}, want: []string{"a", "b", "c", "d", "e"}},
		{name: "score empty", key: "z", q: ZRangeQuery{By: ZByScore, Min: sb("4"), Max: sb("2")}, want: []string{}},
		{name: "score limit", key: "z", q: ZRangeQuery{By: ZByScore, Min: sb("-inf"), Max: sb("+inf"), Limit: lim(1, 2)}, want: []string{"b", "c"}},
		{name: "score limit all", key: "z", q: ZRangeQuery{By: ZByScore, Min: sb("1"), Max: sb("5"), Limit: lim(1, -1)}, want: []string{"b", "c", "d", "e"}},
		{name: "score limit negative offset", key: "z", q: ZRangeQuery{By: ZByScore, Min: sb("1"), Max: sb("5"), Limit: lim(-1, 2)}, want: []string{}},
		{name: "score limit zero count", key: "z", q: ZRangeQuery{By: ZByScore, Min: sb("1"), Max: sb("5"), Limit: lim(0, 0)}, want: []string{}},
		{name: "score limit past end", key: "z", q: ZRangeQuery{By: ZByScore, Min: sb("1"), Max: sb("5"), Limit: lim(5, 2)}, want: []string{}},
		{name: "score rev", key: "z", q: ZRangeQuery{By: ZByScore, Min: sb("1"), Max: sb("(5"), Rev: true}, want: []string{"d", "c", "b", "a"}},
		{name: "score rev limit", key: "z", q: ZRangeQuery{By: ZByScore, Min: sb("1"), Max: sb("(5"), Rev: true, Limit: lim(1, 2)}, want: []string{"c", "b"}},
		{name: "score withscores", key: "z", q: ZRangeQuery{By: ZByScore, Min: sb("1"), Max: sb("2"), WithScores: true}, want: []string{"a", "b"}},

		{name: "lex all", key: "lex", q: ZRangeQuery{By: ZByLex, LexMin: lb("-"), LexMax: lb("+")}, want: []string{"a", "b", "c", "d", "e"}},
		{name: "lex closed", key: "lex", q: ZRangeQuery{By: ZByLex, LexMin: lb("[b"), LexMax: lb("[d")}, want: []string{"b", "c", "d"}},
		{name: "lex open", key: "lex", q: ZRangeQuery{By: ZByLex, LexMin: lb("(b"), LexMax: lb("(d")}, want: []string{"c"}},
		{name: "lex between members", key: "lex", q: ZRangeQuery{By: ZByLex, LexMin: lb("[bb"), LexMax: lb("+")}, want: []string{"c", "d", "e"}},
		{name: "lex + as min", key: "lex", q: ZRangeQuery{By: ZByLex, LexMin: lb("+"), LexMax: lb("[b")}, want: []string{}},
		{name: "lex - as max", key: "lex", q: ZRangeQuery{By: ZByLex, LexMin: lb("-"), LexMax: lb("-")}, want: []string{}},
		{name: "lex empty", key: "lex", q: ZRangeQuery{By: ZByLex, LexMin: lb("[d"), LexMax: lb("[b")}, want: []string{}},
		{name: "lex rev limit", key: "lex", q: ZRangeQuery{By: ZByLex, LexMin: lb("-"), LexMax: lb("+"), Rev: true, Limit: lim(0, 2)}, want: []string{"e", "d"}},
		{name: "lex limit", key: "lex", q: ZRangeQuery{By: ZByLex, LexMin: lb("[b"), LexMax: lb("+"), Limit: lim(1, 10)}, want: []string{"c", "d", "e"}},

		{name: "missing key", key: "missing", q: ZRangeQuery{Start: 0, Stop: -1}, want: []string{}},
		{name: "missing key by score", key: "missing", q: ZRangeQuery{By: ZByScore, Min: sb("1"), Max: sb("2")}, want: []string{}},
		{name: "wrong type", key: "str", q: ZRangeQuery{Start: 0, Stop: 1}, err: ErrWrongType, text: szWrongType},
		{name: "limit with rank", key: "z", q: ZRangeQuery{Start: 0, Stop: 1, Limit: lim(0, 1)}, err: ErrSyntax,
			text: "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"},
		// Option conflicts are reported before the key's type.
		{name: "limit with rank on a string", key: "str", q: ZRangeQuery{Start: 0, Stop: 1, Limit: lim(0, 1)}, err: ErrSyntax,
			text: "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"},
		{name: "withscores with lex", key: "lex", q: ZRangeQuery{By: ZByLex, LexMin: lb("-"), LexMax: lb("+"), WithScores: true}, err: ErrSyntax,
			text: "ERR syntax error, WITHSCORES not supported in combination with BYLEX"},
		{name: "limit checked before withscores", key: "z", q: ZRangeQuery{Limit: lim(0, 1), WithScores: true, By: ZByRank}, err: ErrSyntax,
			text: "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"},
		{name: "unknown range kind", key: "z", q: ZRangeQuery{By: 9}, err: ErrSyntax, text: "ERR syntax error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.ZRange(tc.key, tc.q)
			if tc.err != nil {
				szErr(t, err, tc.err, tc.text)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, zmembers(got))
			for _, m := range got {
				s, _, _ := db.ZScore(tc.key, m.Member)
				require.Equal(t, s, m.Score, "results carry scores")
			}
		})
	}

	got, err := db.ZRangeByScore("z", sb("(1"), sb("+inf"), &ZLimit{Offset: 1, Count: 2})
	require.NoError(t, err)
	require.Equal(t, zm("c", 3, "d", 4), got)
	got, err = db.ZRangeByScore("z", sb("-inf"), sb("2"), nil)
	require.NoError(t, err)
	require.Equal(t, zm("a", 1, "b", 2), got)
	got, err = db.ZRevRange("z", 0, 1)
	require.NoError(t, err)
	require.Equal(t, zm("e", 5, "d", 4), got)
	_, err = db.ZRevRange("str", 0, 1)
	szErr(t, err, ErrWrongType, szWrongType)
}

func TestZRemRange(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rank  bool
		start int64
		stop  int64
		min   string
		max   string
		want  int64
		left  []string
	}{
		{name: "rank all", rank: true, start: 0, stop: -1, want: 5},
		{name: "rank middle", rank: true, start: 1, stop: 2, want: 2, left: []string{"a", "d", "e"}},
		{name: "rank negative", rank: true, start: -100, stop: 0, want: 1, left: []string{"b", "c", "d", "e"}},
		{name: "rank empty", rank: true, start: 1, stop: -5, want: 0, left: []string{"a", "b", "c", "d", "e"}},
		{name: "rank past end", rank: true, start: 5, stop: 10, want: 0, left: []string{"a", "b", "c", "d", "e"}},
		{name: "score", min: "(1", max: "+inf", want: 4, left: []string{"a"}},
		{name: "score closed", min: "2", max: "4", want: 3, left: []string{"a", "e"}},
		{name: "score none", min: "5", max: "6", want: 1, left: []string{"a", "b", "c", "d"}},
		{name: "score empty", min: "(5", max: "6", want: 0, left: []string{"a", "b", "c", "d", "e"}},
		{name: "score all", min: "-inf", max: "+inf", want: 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openSZ(t, Options{})
			zfix(t, db)
			_, _ = db.Expire("z", time.Minute, 0)
			var n int64
			var err error
			if tc.rank {
				n, err = db.ZRemRangeByRank("z", tc.start, tc.stop)
			} else {
				n, err = db.ZRemRangeByScore("z", sb(tc.min), sb(tc.max))
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, n)
			got := zmembers(zall(t, db, "z"))
			if tc.left == nil {
				require.Empty(t, got)
				ex, _ := db.Exists("z")
				require.Zero(t, ex)
			} else {
				require.Equal(t, tc.left, got)
				ttl, _ := db.PTTL("z")
				require.Equal(t, time.Minute.Milliseconds(), ttl, "the TTL survives")
			}
			szVerify(t, db)
		})
	}
	db, _ := openSZ(t, Options{})
	zfix(t, db)
	n, err := db.ZRemRangeByRank("missing", 0, 1)
	require.NoError(t, err)
	require.Zero(t, n)
	n, err = db.ZRemRangeByScore("missing", sb("0"), sb("1"))
	require.NoError(t, err)
	require.Zero(t, n)
	_, err = db.ZRemRangeByRank("str", 0, 1)
	szErr(t, err, ErrWrongType, szWrongType)
	_, err = db.ZRemRangeByScore("str", sb("0"), sb("1"))
	szErr(t, err, ErrWrongType, szWrongType)
}

func TestZPop(t *testing.T) {
	db, _ := openSZ(t, Options{})
	zfix(t, db)
	got, err := db.ZPopMin("z", 2)
	require.NoError(t, err)
	require.Equal(t, zm("a", 1, "b", 2), got)
	got, err = db.ZPopMax("z", 1)
	require.NoError(t, err)
	require.Equal(t, zm("e", 5), got)
	got, err = db.ZPopMax("z", 0)
	require.NoError(t, err)
	require.Equal(t, []ZMember{}, got)
	got, err = db.ZPopMin("missing", 1)
	require.NoError(t, err)
	require.Equal(t, []ZMember{}, got)

	_, err = db.ZPopMin("z", -1)
	szErr(t, err, ErrInvalidArgument, "ERR value is out of range, must be positive")
	_, err = db.ZPopMax("str", -1)
	szErr(t, err, ErrInvalidArgument, "ERR value is out of range, must be positive")
	_, err = db.ZPopMin("str", 0)
	szErr(t, err, ErrWrongType, szWrongType)
	_, err = db.ZPopMax("str", 1)
	szErr(t, err, ErrWrongType, szWrongType)

	got, err = db.ZPopMax("z", 100)
	require.NoError(t, err)
	require.Equal(t, zm("d", 4, "c", 3), got)
	ex, _ := db.Exists("z")
	require.Zero(t, ex, "popping every member deletes the key")
	szVerify(t, db)
}

func TestZSetTTLTypeAndAccounting(t *testing.T) {
	db, clock := openSZ(t, Options{MaxMemory: 8192})
	zfix(t, db)
	typ, _ := db.Type("z")
	require.Equal(t, TypeZSet, typ)
	require.Equal(t, int64(1), db.ks.Stats().KeysOfType(TypeZSet))
	_, _ = db.Expire("z", 10*time.Second, 0)
	clock.Advance(time.Second)
	_, _ = db.ZAdd("z", ZAddOptions{}, zm("f", 6)...)
	_, _ = db.ZIncrBy("z", 1, "a")
	_, _ = db.ZRem("z", "b")
	_, _ = db.ZPopMin("z", 1)
	ttl, _ := db.PTTL("z")
	require.Equal(t, int64(9000), ttl)
	szVerify(t, db)

	// Over the memory limit ZADD is refused; removals still work.
	var big []ZMember
	for i := range 200 {
		big = append(big, ZMember{Member: fmt.Sprintf("member-%03d", i), Score: float64(i)})
	}
	_, err := db.ZAdd("big", ZAddOptions{}, big...)
	require.NoError(t, err)
	_, err = db.ZAdd("big", ZAddOptions{}, zm("x", 1)...)
	szErr(t, err, ErrOOM, ErrOOM.Error())
	_, err = db.ZIncrBy("big", 1, "x")
	szErr(t, err, ErrOOM, ErrOOM.Error())
	n, err := db.ZRemRangeByRank("big", 0, 150)
	require.NoError(t, err)
	require.Equal(t, int64(151), n)
	_, err = db.ZAdd("big", ZAddOptions{}, zm("x", 1)...)
	require.NoError(t, err)
	szVerify(t, db)

	clock.Advance(9 * time.Second)
	c, err := db.ZCard("z")
	require.NoError(t, err)
	require.Zero(t, c, "an expired sorted set is missing")
	szVerify(t, db)
}

// ---- random operations against a model ----

// zsetModel is the obvious model: member -> score maps, strings, deadlines.
type zsetModel struct {
	z        map[string]map[string]float64
	strs     map[string]bool
	deadline map[string]int64
	now      int64
}

func (m *zsetModel) expire() {
	for k, at := range m.deadline {
		if at <= m.now {
			m.del(k)
		}
	}
}

func (m *zsetModel) del(k string) {
	delete(m.z, k)
	delete(m.strs, k)
	delete(m.deadline, k)
}

func (m *zsetModel) get(k string) (map[string]float64, bool) {
	m.expire()
	if m.strs[k] {
		return nil, true
	}
	return m.z[k], false
}

func (m *zsetModel) tidy(k string) {
	if z, ok := m.z[k]; ok && len(z) == 0 {
		m.del(k)
	}
}

// sorted lists z ascending by (score, member).
func modelSorted(z map[string]float64) []ZMember {
	out := []ZMember{}
	for k, s := range z {
		out = append(out, ZMember{Member: k, Score: s})
	}
	slices.SortFunc(out, func(a, b ZMember) int {
		if c := cmp.Compare(a.Score, b.Score); c != 0 {
			return c
		}
		return strings.Compare(a.Member, b.Member)
	})
	return out
}

func inScore(s float64, lo, hi ScoreBound) bool {
	return (s > lo.Value || !lo.Exclusive && s == lo.Value) && (s < hi.Value || !hi.Exclusive && s == hi.Value)
}

var (
	szZKeys    = []string{"z0", "z1", "z2"}
	szZMembers = []string{"a", "b", "c", "d", "e", "f", "g", ""}
	szScores   = []float64{0, 1, 1, 2, 2.5, -3, math.Inf(1), math.Inf(-1), 1e300}
	szBounds   = []string{"-inf", "+inf", "0", "(0", "1", "(1", "2", "(2.5", "2.5", "-3", "(inf", "5"}
)

func zscoreOf(src szSource) float64 { return pick(src, szScores) }

func zsetOpStep(t testing.TB, db *DB, clock *ttl.Manual, m *zsetModel, src szSource) {
	k := pick(src, szZKeys)
	switch src.intn(14) {
	case 0, 1, 2:
		var opts ZAddOptions
		switch src.intn(6) {
		case 1:
			opts.NX = true
		case 2:
			opts.XX = true
		case 3:
			opts.GT = true
		case 4:
			opts.LT = true
		}
		opts.CH = src.intn(2) == 0
		opts.Incr = src.intn(4) == 0
		var ms []ZMember
		for range 1 + src.intn(3) {
			ms = append(ms, ZMember{Member: pick(src, szZMembers), Score: zscoreOf(src)})
		}
		if opts.Incr {
			ms = ms[:1]
		}
		z, wrong := m.get(k)
		res, err := db.ZAdd(k, opts, ms...)
		if wrong {
			szErr(t, err, ErrWrongType, szWrongType)
			return
		}
		if z == nil && !opts.XX {
			z = map[string]float64{}
		}
		var want ZAddResult
		nan := false
		for _, x := range ms {
			cur, exists := z[x.Member]
			s := x.Score
			if !exists {
				if opts.XX {
					continue
				}
				z[x.Member] = s + 0 // -0 is stored as 0
				want.Count++
				want.Score, want.Scored = s, true
				continue
			}
			if opts.NX {
				continue
			}
			if opts.Incr {
				s += cur
				if math.IsNaN(s) {
					nan = true
					break
				}
			}
			if opts.GT && s <= cur || opts.LT && s >= cur {
				continue
			}
			want.Score, want.Scored = s, true
			if s != cur {
				z[x.Member] = s + 0
				if opts.CH {
					want.Count++
				}
			}
		}
		if z != nil && len(z) > 0 {
			m.z[k] = z
		}
		if nan {
			szErr(t, err, ErrNaNOrInf, "ERR resulting score is not a number (NaN)")
			return
		}
		require.NoError(t, err)
		if !opts.Incr {
			want.Score, want.Scored = 0, false
		} else {
			want.Count = 0
		}
		require.Equal(t, want, res)
	case 3:
		ms := pickN(src, szZMembers, 1)
		z, wrong := m.get(k)
		n, err := db.ZRem(k, ms...)
		if checkWrong(t, err, wrong) {
			want := int64(0)
			for _, x := range ms {
				if _, ok := z[x]; ok {
					want++
					delete(z, x)
				}
			}
			m.tidy(k)
			require.Equal(t, want, n)
		}
	case 4:
		x := pick(src, szZMembers)
		z, wrong := m.get(k)
		s, found, err := db.ZScore(k, x)
		if checkWrong(t, err, wrong) {
			ws, wf := z[x]
			require.Equal(t, wf, found)
			require.Equal(t, ws, s)
		}
		r, found, err := db.ZRank(k, x)
		if checkWrong(t, err, wrong) {
			sorted := modelSorted(z)
			i := slices.IndexFunc(sorted, func(y ZMember) bool { return y.Member == x })
			require.Equal(t, i >= 0, found)
			require.Equal(t, int64(max(i, 0)), r)
			r, _, _ = db.ZRevRank(k, x)
			if found {
				require.Equal(t, int64(len(sorted)-1-i), r)
			}
		}
		ms := pickN(src, szZMembers, 1)
		got, err := db.ZMScore(k, ms...)
		if checkWrong(t, err, wrong) {
			for i, x := range ms {
				s, ok := z[x]
				require.Equal(t, MaybeScore{s, ok}, got[i])
			}
		}
	case 5, 6:
		z, wrong := m.get(k)
		sorted := modelSorted(z)
		q := ZRangeQuery{Rev: src.intn(2) == 0}
		var want []ZMember
		switch src.intn(2) {
		case 0:
			q.Start, q.Stop = int64(src.intn(12)-6), int64(src.intn(12)-6)
			start, stop, ok := rankSpan(q.Start, q.Stop, len(sorted))
			want = []ZMember{}
			if ok {
				src := slices.Clone(sorted)
				if q.Rev {
					slices.Reverse(src)
				}
				want = src[start : stop+1]
			}
		case 1:
			q.By = ZByScore
			q.Min, q.Max = sb(pick(src, szBounds)), sb(pick(src, szBounds))
			want = []ZMember{}
			for _, x := range sorted {
				if inScore(x.Score, q.Min, q.Max) {
					want = append(want, x)
				}
			}
			if q.Rev {
				slices.Reverse(want)
			}
			if src.intn(2) == 0 {
				q.Limit = &ZLimit{Offset: int64(src.intn(6) - 1), Count: int64(src.intn(6) - 1)}
				switch {
				case q.Limit.Offset < 0 || int(q.Limit.Offset) >= len(want):
					want = []ZMember{}
				default:
					want = want[q.Limit.Offset:]
					if q.Limit.Count >= 0 && int(q.Limit.Count) < len(want) {
						want = want[:q.Limit.Count]
					}
				}
			}
		}
		got, err := db.ZRange(k, q)
		if checkWrong(t, err, wrong) {
			require.Equal(t, want, got, "%+v", q)
		}
		if q.By == ZByScore {
			n, err := db.ZCount(k, q.Min, q.Max)
			if checkWrong(t, err, wrong) {
				c := 0
				for _, x := range sorted {
					if inScore(x.Score, q.Min, q.Max) {
						c++
					}
				}
				require.Equal(t, int64(c), n)
			}
		}
	case 7:
		z, wrong := m.get(k)
		sorted := modelSorted(z)
		if src.intn(2) == 0 {
			start, stop := int64(src.intn(10)-5), int64(src.intn(10)-5)
			n, err := db.ZRemRangeByRank(k, start, stop)
			if checkWrong(t, err, wrong) {
				a, b, ok := rankSpan(start, stop, len(sorted))
				want := 0
				if ok {
					for _, x := range sorted[a : b+1] {
						delete(z, x.Member)
						want++
					}
				}
				m.tidy(k)
				require.Equal(t, int64(want), n)
			}
			return
		}
		lo, hi := sb(pick(src, szBounds)), sb(pick(src, szBounds))
		n, err := db.ZRemRangeByScore(k, lo, hi)
		if checkWrong(t, err, wrong) {
			want := 0
			for _, x := range sorted {
				if inScore(x.Score, lo, hi) {
					delete(z, x.Member)
					want++
				}
			}
			m.tidy(k)
			require.Equal(t, int64(want), n)
		}
	case 8:
		z, wrong := m.get(k)
		sorted := modelSorted(z)
		count := int64(src.intn(4))
		highest := src.intn(2) == 0
		var got []ZMember
		var err error
		if highest {
			got, err = db.ZPopMax(k, count)
			slices.Reverse(sorted)
		} else {
			got, err = db.ZPopMin(k, count)
		}
		if checkWrong(t, err, wrong) {
			want := sorted[:min(int(count), len(sorted))]
			require.Equal(t, want, got)
			for _, x := range want {
				delete(z, x.Member)
			}
			m.tidy(k)
		}
	case 9:
		x, incr := pick(src, szZMembers), zscoreOf(src)
		z, wrong := m.get(k)
		s, err := db.ZIncrBy(k, incr, x)
		if wrong {
			szErr(t, err, ErrWrongType, szWrongType)
			return
		}
		want := z[x] + incr
		if math.IsNaN(want) {
			szErr(t, err, ErrNaNOrInf, "ERR resulting score is not a number (NaN)")
			return
		}
		require.NoError(t, err)
		require.Equal(t, want, s)
		if z == nil {
			z = map[string]float64{}
			m.z[k] = z
		}
		z[x] = want + 0
	case 10:
		_, err := db.Set(k, "str", SetOptions{})
		require.NoError(t, err)
		m.del(k)
		m.strs[k] = true
	case 11:
		m.expire()
		ms := int64(1 + src.intn(3000))
		ok, err := db.ExpireMillis("pexpire", k, ms, false, 0)
		require.NoError(t, err)
		require.Equal(t, m.z[k] != nil || m.strs[k], ok)
		if ok {
			m.deadline[k] = m.now + ms
		}
	case 12:
		d := time.Duration(src.intn(2000)) * time.Millisecond
		clock.Advance(d)
		m.now += d.Milliseconds()
	case 13:
		z, wrong := m.get(k)
		n, err := db.ZCard(k)
		if checkWrong(t, err, wrong) {
			require.Equal(t, int64(len(z)), n)
		}
	}
}

func checkZSetModel(t testing.TB, db *DB, m *zsetModel) {
	t.Helper()
	szVerify(t, db)
	m.expire()
	for _, k := range szZKeys {
		typ, err := db.Type(k)
		require.NoError(t, err)
		switch {
		case m.z[k] != nil:
			require.Equal(t, TypeZSet, typ, k)
			require.Equal(t, modelSorted(m.z[k]), zall(t, db, k), k)
		case m.strs[k]:
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

func runZSetOps(t testing.TB, src szSource) {
	db, clock := openSZ(t, Options{})
	m := &zsetModel{z: map[string]map[string]float64{}, strs: map[string]bool{}, deadline: map[string]int64{}, now: clock.Now().UnixMilli()}
	for i := 0; src.more(); i++ {
		zsetOpStep(t, db, clock, m, src)
		if i%50 == 0 {
			checkZSetModel(t, db, m)
		}
	}
	checkZSetModel(t, db, m)
}

func TestZSetRandomAgainstModel(t *testing.T) {
	for seed := range uint64(5) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			runZSetOps(t, &szRand{r: rand.New(rand.NewPCG(seed, 13)), left: 4000})
		})
	}
}

func FuzzZSetOps(f *testing.F) {
	f.Add([]byte{0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13})
	f.Add([]byte("zadd zrem zscore zrange zremrangebyscore zpopmin zincrby set expire"))
	f.Fuzz(func(t *testing.T, ops []byte) {
		runZSetOps(t, &szBytes{b: ops})
	})
}

// TestZSetLargeRanks checks rank, access by rank and score ranges on a
// sorted set big enough for a multi-level tree, against positions known by
// construction.
func TestZSetLargeRanks(t *testing.T) {
	db, _ := openSZ(t, Options{})
	const n = 20000
	batch := make([]ZMember, 0, n)
	for i := range n {
		batch = append(batch, ZMember{Member: "m" + strconv.Itoa(i), Score: float64(i / 2)})
	}
	_, err := db.ZAdd("big", ZAddOptions{}, batch...)
	require.NoError(t, err)
	want := slices.Clone(batch)
	slices.SortFunc(want, func(a, b ZMember) int {
		if c := cmp.Compare(a.Score, b.Score); c != 0 {
			return c
		}
		return strings.Compare(a.Member, b.Member)
	})
	r := rand.New(rand.NewPCG(5, 5))
	for range 300 {
		i := r.IntN(n)
		rank, found, err := db.ZRank("big", want[i].Member)
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, int64(i), rank)
		got, err := db.ZRange("big", ZRangeQuery{Start: int64(i), Stop: int64(i + 9)})
		require.NoError(t, err)
		require.Equal(t, want[i:min(i+10, n)], got)
		lo := float64(r.IntN(n / 2))
		c, err := db.ZCount("big", ScoreBound{Value: lo}, ScoreBound{Value: lo + 10, Exclusive: true})
		require.NoError(t, err)
		require.Equal(t, int64(min(20, n-2*int(lo))), c)
	}
	szVerify(t, db)
}

func TestZRangeByScoreRefusesNaNBounds(t *testing.T) {
	e, err := Open(Options{Clock: ttl.NewManual(time.Time{})})
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Close() })
	db := e.DB("ns")
	_, err = db.ZAdd("z", ZAddOptions{}, ZMember{Member: "a", Score: 1})
	require.NoError(t, err)
	for _, b := range []struct{ min, max float64 }{{math.NaN(), 2}, {0, math.NaN()}} {
		_, err := db.ZRangeByScore("z", ScoreBound{Value: b.min}, ScoreBound{Value: b.max}, nil)
		require.ErrorIs(t, err, ErrNotFloat)
		require.EqualError(t, err, "ERR min or max is not a float")
	}
}
