package engine

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseInt(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"1", 1, true},
		{"-1", -1, true},
		{"42", 42, true},
		{"9223372036854775807", math.MaxInt64, true},
		{"-9223372036854775808", math.MinInt64, true},
		{"9223372036854775808", 0, false},
		{"-9223372036854775809", 0, false},
		{"99999999999999999999", 0, false},
		{"123456789012345678901", 0, false}, // longer than 20 bytes
		{"", 0, false},
		{"-", 0, false},
		{"-0", 0, false},
		{"00", 0, false},
		{"01", 0, false},
		{"+1", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"1.0", 0, false},
		{"1e3", 0, false},
		{"0x10", 0, false},
		{"1_000", 0, false},
		{"abc", 0, false},
		{"--1", 0, false},
	} {
		v, ok := parseInt(tc.in)
		require.Equal(t, tc.ok, ok, "%q", tc.in)
		require.Equal(t, tc.want, v, "%q", tc.in)
		v2, ok2 := ParseInt(tc.in)
		require.Equal(t, ok, ok2)
		require.Equal(t, v, v2)
	}
}

// FuzzParseInt checks parseInt against the rule it implements: Redis's
// string2ll accepts exactly the canonical decimal form of an int64.
func FuzzParseInt(f *testing.F) {
	for _, s := range []string{"0", "-1", "9223372036854775807", "-9223372036854775808", "01", "+1", " 1", "-0", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := parseInt(s)
		ref, err := strconv.ParseInt(s, 10, 64)
		want := err == nil && strconv.FormatInt(ref, 10) == s
		if ok != want || (ok && v != ref) {
			t.Fatalf("parseInt(%q) = %d, %v; want %d, %v", s, v, ok, ref, want)
		}
	})
}

func TestParseFloat(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"0", 0, true},
		{"1.5", 1.5, true},
		{"-2.25", -2.25, true},
		{"+3", 3, true},
		{".5", 0.5, true},
		{"5.", 5, true},
		{"1e3", 1000, true},
		{"1E-2", 0.01, true},
		{"007", 7, true},
		{"0x10", 16, true}, // strtold reads hex without a binary exponent
		{"-0x1.8", -1.5, true},
		{"0X1P-2", 0.25, true},
		{"inf", math.Inf(1), true},
		{"-inf", math.Inf(-1), true},
		{"Infinity", math.Inf(1), true},
		{"", 0, false},
		{" 1", 0, false},
		{"\t1", 0, false},
		{"1 ", 0, false},
		{"1_000", 0, false},
		{"0x1_0", 0, false},
		{"nan", 0, false},
		{"-NaN", 0, false},
		{"1e", 0, false},
		{"0x", 0, false},
		{"abc", 0, false},
		{"1e400", 0, false}, // beyond float64
	} {
		v, ok := parseFloat(tc.in)
		require.Equal(t, tc.ok, ok, "%q", tc.in)
		require.Equal(t, tc.want, v, "%q", tc.in)
		v2, ok2 := ParseFloat(tc.in)
		require.Equal(t, ok, ok2)
		require.Equal(t, v, v2)
	}
}

func TestParseLongDouble(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // big.Float 'g' text; "" when refused
	}{
		{"1.5", "1.5"},
		{"1e400", "1e+400"},
		{"-1e4932", "-1e+4932"},
		{"0x10", "16"},
		{"0x1p16383", "5.948657477e+4931"},
		{"inf", "+Inf"},
		{"-Infinity", "-Inf"},
		{"0", "0"},
		{"0e999999", "0"},
		{"1e-4950", "1e-4950"}, // subnormal in a long double: kept
		{"0x1p16384", ""},      // overflow
		{"1e4933", ""},
		{"1e-5000", ""}, // rounds to zero
		{"0x1p-16446", ""},
		{"0x1.0000000000000002p-16446", "1.822599766e-4951"}, // just above half the smallest subnormal
		{"3.0e29223372036854775806", ""},                     // exponent beyond big.Float's range
		{"1e-9223372036854775806", ""},
		{"0x1p-99999999999", ""},
		{"0e-9223372036854775806", "0"},
		{"-0.000e-99999999999", "-0"},
		{"0x0.0p-99999999999", "0"},
		{"nan", ""},
		{" 1", ""},
		{"1x", ""},
		{"", ""},
		{strings.Repeat("1", maxLongDoubleChars), ""},
	} {
		v, ok := parseLongDouble(tc.in)
		if tc.want == "" {
			require.False(t, ok, "%q", tc.in)
			continue
		}
		require.True(t, ok, "%q", tc.in)
		require.Equal(t, tc.want, v.Text('g', 10), "%q", tc.in)
	}
}

func TestAddFloat(t *testing.T) {
	// Expectations are redis-server 7.0's replies to SET x <cur> followed by
	// INCRBYFLOAT x <incr>.
	for _, tc := range []struct {
		cur  string
		incr float64
		want string
	}{
		{"0.1", 0.2, "0.3"},
		{"1", 0.1, "1.1"},
		{"3.0", 1.1, "4.1"},
		{"10.5", -0.5, "10"},
		{"5.0e3", 200, "5200"},
		{"1.1", 2.2, "3.3"},
		{"0", 1e-17, "0.00000000000000001"},
		{"123456789", 0.000001, "123456789.00000100000033854"},
		{"9007199254740993", 1, "9007199254740994"}, // beyond float64's 53 bits
		{"-1", 0.9, "-0.1"},
		{"1e17", 1, "100000000000000001"},
		{"0.3333333333333333", 0, "0.3333333333333333"},
		{"2.5", 2.5, "5"},
		{"1e-20", 0, "0"},
		{"-0.0", 0, "0"},
		{"0x1p-2", 0, "0.25"},
		{"0.000000000000000005", 0, "0"},
		{"0.0000000000000000051", 0, "0.00000000000000001"},
		{"0.000000000000000015", 0, "0.00000000000000002"},
		{"0.000000000000000025", 0, "0.00000000000000002"},
		{"100", -100.5, "-0.5"},
		{"1.7976931348623157e308", 0, "179769313486231569995921046774104434048386446944329178485314420765176628523124396354701868608387085564428793419425520689308708363451136055357897278026477617073498977686288394835618163294045594434929537447290627480669417384648879122776218333598953852832103282504751611691208117720159985926376802466863339536384"},
	} {
		got, err := addFloat(tc.cur, tc.incr)
		require.NoError(t, err, "%s + %v", tc.cur, tc.incr)
		require.Equal(t, tc.want, got, "%s + %v", tc.cur, tc.incr)
	}
	for _, tc := range []struct {
		cur  string
		incr float64
		want error
	}{
		{"abc", 1, ErrNotFloat},
		{"", 1, ErrNotFloat},
		{"nan", 1, ErrNotFloat},
		{"1e5000", 1, ErrNotFloat},
		{"inf", 1, ErrNaNOrInf},
		{"-inf", 0, ErrNaNOrInf},
		{"1", math.Inf(-1), ErrNaNOrInf},
		{"1", math.NaN(), ErrNaNOrInf},
	} {
		_, err := addFloat(tc.cur, tc.incr)
		require.ErrorIs(t, err, tc.want, "%s + %v", tc.cur, tc.incr)
	}
}

func TestFormatLongDouble(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
	}{
		{"0", "0"},
		{"-0", "0"},
		{"1", "1"},
		{"-1.5", "-1.5"},
		{"100", "100"},
		{"0.1", "0.1"},
		{"-0.000000000000000001", "0"}, // "-0.00000000000000000" in C, then "-0" becomes "0"
		{"0.000000000000000005", "0"},  // the nearest long double is just below 5e-18
		{"0.0000000000000000051", "0.00000000000000001"},
		{"1e20", "100000000000000000000"},
	} {
		v, ok := new(big.Float).SetPrec(longDoublePrec).SetString(tc.in)
		require.True(t, ok)
		require.Equal(t, tc.want, formatLongDouble(v), tc.in)
	}
}

func TestFormatFloat(t *testing.T) {
	// Expectations follow C's "%.17g" (Redis 7.0 double replies), with
	// integers printed as integers.
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "-0"},
		{1, "1"},
		{-3, "-3"},
		{1.5, "1.5"},
		{0.1, "0.10000000000000001"},
		{1e-5, "1.0000000000000001e-05"},
		{2.5e-7, "2.4999999999999999e-07"},
		{1e17, "1e+17"},
		{123456789012345678, "1.2345678901234568e+17"},
		{4503599627370495, "4503599627370495"},
		{-4503599627370494, "-4503599627370494"},
		{9007199254740992, "9007199254740992"},
		{1e300, "1.0000000000000001e+300"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
	} {
		require.Equal(t, tc.want, FormatFloat(tc.in), "%v", tc.in)
	}
}

// FuzzParseFloat checks that the float parsers never panic, never return
// NaN, and agree with each other on the values a float64 can hold.
func FuzzParseFloat(f *testing.F) {
	for _, s := range []string{"1.5", "0x10", "inf", "nan", "1e400", " 1", "-0", "0x1p-16446", "1_0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := parseFloat(s)
		if ok && math.IsNaN(v) {
			t.Fatalf("parseFloat(%q) = NaN", s)
		}
		ld, ldOK := parseLongDouble(s)
		if ok && !math.IsInf(v, 0) && v != 0 && len(s) < maxLongDoubleChars {
			if !ldOK {
				t.Fatalf("parseFloat(%q) = %v but parseLongDouble refuses it", s, v)
			}
			// Rounding to 64 bits first may move the float64 by one ulp.
			if f64, _ := ld.Float64(); f64 != v && math.Nextafter(v, f64) != f64 {
				t.Fatalf("parseFloat(%q) = %v, parseLongDouble = %v", s, v, f64)
			}
		}
		if ldOK && !ld.IsInf() {
			_ = formatLongDouble(ld)
		}
	})
}
