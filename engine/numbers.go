package engine

import (
	"errors"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// parseInt parses s the way Redis's string2ll does: optional '-', no '+',
// no spaces, no leading zeros (except "0" itself), within int64.
func parseInt(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 20 {
		return 0, false
	}
	if s == "0" {
		return 0, true
	}
	digits := s
	if s[0] == '-' {
		digits = s[1:]
	}
	if len(digits) == 0 || digits[0] < '1' || digits[0] > '9' {
		return 0, false
	}
	for i := 1; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false // ParseInt returns the clamped value on overflow
	}
	return v, true
}

// ParseInt exposes Redis's integer syntax to the protocol edges, which must
// parse command arguments exactly as Redis does.
func ParseInt(s string) (int64, bool) { return parseInt(s) }

// parseFloat parses s as Redis's string2ld/strtold: no leading space, no
// trailing bytes, NaN refused, infinities accepted.
func parseFloat(s string) (float64, bool) {
	if len(s) == 0 || isSpace(s[0]) {
		return 0, false
	}
	if strings.ContainsRune(s, '_') { // Go accepts digit separators, strtold does not
		return 0, false
	}
	v, err := strconv.ParseFloat(withHexExponent(s), 64)
	if err != nil {
		// strtold reports ERANGE for overflow to ±HUGE_VAL and for
		// underflow to zero: Redis refuses both.
		return 0, false
	}
	if math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

// ParseFloat exposes Redis's float syntax to the protocol edges.
func ParseFloat(s string) (float64, bool) { return parseFloat(s) }

// withHexExponent appends "p0" to a hexadecimal float without a binary
// exponent: strtold reads "0x10" as 16, Go's ParseFloat insists on the 'p'.
func withHexExponent(s string) string {
	m := strings.TrimLeft(s, "+-")
	if len(m) < 2 || m[0] != '0' || (m[1] != 'x' && m[1] != 'X') || strings.ContainsAny(m, "pP") {
		return s
	}
	return s + "p0"
}

// mantissaIsZero reports whether the digits of a float literal that
// parsed successfully, before its exponent, are all zeros.
func mantissaIsZero(s string) bool {
	m := strings.TrimLeft(s, "+-")
	exp := "eE"
	if len(m) >= 2 && m[0] == '0' && (m[1] == 'x' || m[1] == 'X') {
		m, exp = m[2:], "pP"
	}
	if i := strings.IndexAny(m, exp); i >= 0 {
		m = m[:i]
	}
	return strings.Trim(m, "0.") == ""
}

// maxLongDoubleChars is Redis's MAX_LONG_DOUBLE_CHARS: string2ld refuses
// longer input.
const maxLongDoubleChars = 5 * 1024

// The x87 long double's range as big.Float exponents (x = mant * 2^exp with
// 0.5 <= |mant| < 1): the largest finite value is just below 2^16384, the
// smallest subnormal is 2^-16445.
const (
	longDoubleMaxExp = 16384
	longDoubleMinExp = -16444
)

// parseLongDouble parses s as Redis's string2ld does for INCRBYFLOAT's
// stored value: strtold syntax (see parseFloat), but the long double's
// range, which is far wider than a float64's: "1e400" is a valid value,
// while input that overflows the long double or rounds to zero in it is
// refused, as strtold reports ERANGE for it.
func parseLongDouble(s string) (*big.Float, bool) {
	if len(s) >= maxLongDoubleChars || len(s) == 0 || isSpace(s[0]) || strings.ContainsRune(s, '_') {
		return nil, false
	}
	f, err := strconv.ParseFloat(withHexExponent(s), 64)
	if (err != nil && !errors.Is(err, strconv.ErrRange)) || math.IsNaN(f) {
		return nil, false // a syntax error, or NaN
	}
	if err == nil && math.IsInf(f, 0) {
		return new(big.Float).SetInf(f < 0), true // "inf", "-Infinity", ...
	}
	v, ok := new(big.Float).SetPrec(longDoublePrec).SetString(s)
	if !ok {
		// big.Float refuses exponents beyond its range; such a number
		// overflows or underflows a long double too.
		if math.IsInf(f, 0) {
			return nil, false
		}
		v = new(big.Float).SetPrec(longDoublePrec).SetFloat64(f)
	}
	if v.Sign() == 0 {
		// A true zero ("0", "-0.0e7") or an underflow to zero, which
		// strtold reports as ERANGE.
		return v, mantissaIsZero(s)
	}
	mant := new(big.Float)
	exp := v.MantExp(mant)
	switch {
	case exp > longDoubleMaxExp:
		return nil, false // overflow
	case exp < longDoubleMinExp-1,
		exp == longDoubleMinExp-1 && mant.Abs(mant).Cmp(big.NewFloat(0.5)) == 0:
		return nil, false // at most half the smallest subnormal: rounds to zero
	}
	return v, true
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// longDoublePrec is the mantissa precision of the x87 long double Redis
// uses for INCRBYFLOAT and HINCRBYFLOAT. Doing the arithmetic at the same
// precision makes "0.1 + 0.2" come out as "0.3", as in Redis, not as
// "0.30000000000000004".
const longDoublePrec = 64

// addFloat adds incr to the stored value cur (both as Redis would parse
// them) and returns the value formatted as Redis stores it.
func addFloat(cur string, incr float64) (string, error) {
	a, ok := parseLongDouble(cur)
	if !ok {
		return "", ErrNotFloat
	}
	if a.IsInf() || math.IsInf(incr, 0) || math.IsNaN(incr) {
		return "", ErrNaNOrInf
	}
	// The increment arrived as a float64; re-reading its shortest decimal
	// form at long double precision is what Redis does with the argument a
	// client sends.
	b, _ := new(big.Float).SetPrec(longDoublePrec).SetString(strconv.FormatFloat(incr, 'g', -1, 64))
	sum := new(big.Float).SetPrec(longDoublePrec).Add(a, b)
	if sum.Sign() != 0 && sum.MantExp(nil) > longDoubleMaxExp {
		// Infinite in long double arithmetic. The limit is the long
		// double's, not the float64's: Redis computes 1e308+1e308 fine.
		return "", ErrNaNOrInf
	}
	return formatLongDouble(sum), nil
}

// formatLongDouble renders v as Redis's ld2string in human mode: "%.17Lf"
// with trailing zeros (and a trailing '.') removed, and "-0" as "0".
func formatLongDouble(v *big.Float) string {
	s := v.Text('f', 17)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// FormatFloat formats a double the way Redis 7.0 replies with one (ZSCORE,
// ZINCRBY, WITHSCORES): integral values within ±2^52 as integers, other
// finite values as C's "%.17g", and "inf"/"-inf" for infinities.
func FormatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case f == 0:
		if math.Signbit(f) {
			return "-0"
		}
		return "0"
	case f > -4503599627370495 && f < 4503599627370496 && f == math.Trunc(f):
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', 17, 64)
}
