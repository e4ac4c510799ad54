package engine

import (
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
	return v, err == nil
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
	v, err := strconv.ParseFloat(s, 64)
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
	curF, ok := parseFloat(cur)
	if !ok {
		return "", ErrNotFloat
	}
	if math.IsInf(curF, 0) || math.IsInf(incr, 0) || math.IsNaN(incr) {
		return "", ErrNaNOrInf
	}
	a, ok := new(big.Float).SetPrec(longDoublePrec).SetString(cur)
	if !ok {
		a = new(big.Float).SetPrec(longDoublePrec).SetFloat64(curF)
	}
	// The increment arrived as a float64; re-reading its shortest decimal
	// form at long double precision is what Redis does with the argument a
	// client sends.
	b, _ := new(big.Float).SetPrec(longDoublePrec).SetString(strconv.FormatFloat(incr, 'g', -1, 64))
	sum := new(big.Float).SetPrec(longDoublePrec).Add(a, b)
	if f, _ := sum.Float64(); math.IsInf(f, 0) {
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
