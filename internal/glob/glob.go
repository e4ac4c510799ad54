// Package glob implements Redis-compatible glob matching, as used by KEYS,
// SCAN MATCH, PSUBSCRIBE and PUBSUB CHANNELS.
//
// The semantics are those of stringmatchlen in Redis 7's util.c (checked
// against redis-server 7.0.15 on amd64), including its behaviour on
// malformed patterns:
//
//   - '*' matches any run of bytes, '?' exactly one byte.
//   - '[...]' matches one byte from a set; a leading '^' negates it. Inside
//     the brackets "x-y" is a range and a reversed range ("z-a") is the same
//     as the straight one. The set ends at the first unescaped ']', so "[]"
//     is an empty set (matches nothing) and "[^]" matches any byte. An
//     unclosed set ("[ab", "[a-", "[") extends to the end of the pattern.
//     A '-' that cannot start a range ("[a-" at the end, "[-a]") is an
//     ordinary member, and "[a-]" is the range 'a'..']'.
//   - '\' escapes the next byte, inside and outside brackets. A trailing
//     '\' (nothing left to escape) stands for itself.
//   - Range ends are compared as signed bytes, as Redis does on amd64 where
//     C's char is signed: "[a-\xff]" is the range -1..'a', which holds
//     0xff and 0x00..'a' but not 0x80..0xfe.
//   - The empty string is matched only by the empty pattern. Even "*" does
//     not match it: Redis's KEYS and SCAN special-case the exact pattern
//     "*" before matching (so they do list the empty key), PSUBSCRIBE does
//     not (a message on channel "" reaches no pattern). Callers that mirror
//     KEYS/SCAN must test for pattern == "*" themselves.
//   - Redis gives up on patterns with more than 1000 groups of '*' (a guard
//     against abusive patterns): if the 1001st group of stars is followed
//     by anything, nothing matches.
//
// Matching runs in O(len(pattern) * len(s)) time without recursion and does
// not allocate, whatever the pattern: the exponential backtracking of older
// Redis versions (CVE-2022-36021) cannot happen here.
package glob

// maxStarGroups is Redis's nesting limit: stringmatchlen recurses once per
// group of '*' and returns "no match" beyond 1000 levels.
const maxStarGroups = 1000

// Match reports whether s matches the Redis glob pattern, comparing bytes
// case-sensitively. See the package documentation for the exact rules.
func Match(pattern, s string) bool {
	ok, _ := match(pattern, s, false)
	return ok
}

// MatchFold is Match ignoring ASCII case, as Redis's nocase mode (used for
// CONFIG GET and similar): literals and range ends are lowered with C's
// tolower in the "C" locale. Two Redis quirks follow from that and are kept:
// an escaped byte inside brackets ("[\M]") still compares case-sensitively,
// and a range is lowered after its ends are ordered, so "[Z-a]" becomes the
// empty range 'z'..'a'.
func MatchFold(pattern, s string) bool {
	ok, _ := match(pattern, s, true)
	return ok
}

// LiteralPrefix returns the bytes every string matched by pattern (with
// Match) must start with: the unescaped text of the pattern up to its first
// '*', '?' or '['. Escapes are resolved ("a\*b*" gives "a*b") and a trailing
// lone '\' counts as a literal backslash. The result is "" when the pattern
// starts with a wildcard. Callers can use it to prune a sorted keyspace or a
// prefix index; MatchFold callers must compare it ignoring ASCII case. When
// the whole pattern is literal, use Literal to learn it.
func LiteralPrefix(pattern string) string {
	lit, _ := literal(pattern)
	return lit
}

// Literal reports whether pattern contains no wildcard ('*', '?' or '['),
// and returns its unescaped text. When ok is true, Match(pattern, s) is
// exactly s == lit, so a caller may look the string up directly.
func Literal(pattern string) (lit string, ok bool) {
	return literal(pattern)
}

// literal scans the leading literal part of pattern. It only copies when an
// escape has to be removed, so the common prefix case does not allocate.
func literal(pattern string) (string, bool) {
	var buf []byte // nil until an escape forces a copy
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch c {
		case '*', '?', '[':
			if buf == nil {
				return pattern[:i], false
			}
			return string(buf), false
		case '\\':
			if i+1 < len(pattern) {
				if buf == nil {
					buf = append(make([]byte, 0, len(pattern)), pattern[:i]...)
				}
				i++
				buf = append(buf, pattern[i])
				continue
			}
		}
		if buf != nil {
			buf = append(buf, c)
		}
	}
	if buf == nil {
		return pattern, true
	}
	return string(buf), true
}

// match is the matcher behind Match and MatchFold. It also returns the
// number of loop iterations it took, so tests can assert that hostile
// patterns cost at most O(len(pattern) * len(s)) steps.
//
// Every pattern element except '*' consumes exactly one byte, which is what
// makes the greedy strategy below correct: after a '*' we try to match the
// rest at the earliest position, and on a mismatch we only ever retry from
// the most recent '*', one byte further. Retrying an earlier '*' could not
// help, because the most recent one can already absorb any extra bytes.
func match(p, s string, fold bool) (bool, int) {
	if len(s) == 0 {
		// stringmatchlen never enters its loop for an empty string.
		return len(p) == 0, 1
	}
	var (
		pi, si  int
		starP   = -1 // pattern index just after the last group of stars
		starS   int  // where that group's match currently ends in s
		groups  int  // groups of stars seen so far along the current path
		starGrp int  // value of groups when starP was recorded
		steps   int
	)
	for {
		steps++
		if si == len(s) {
			// Out of input: only stars may remain.
			for pi < len(p) && p[pi] == '*' {
				pi++
			}
			return pi == len(p), steps
		}
		if pi < len(p) {
			switch c := p[pi]; c {
			case '*':
				for pi < len(p) && p[pi] == '*' {
					pi++
				}
				if pi == len(p) {
					return true, steps
				}
				groups++
				if groups > maxStarGroups {
					return false, steps
				}
				starP, starS, starGrp = pi, si, groups
				continue
			case '?', '[', '\\':
				if next, ok := matchOne(p, pi, s[si], fold); ok {
					pi = next
					si++
					continue
				}
			default:
				// Plain byte, inline: the common case in real patterns.
				if c == s[si] || (fold && lower(int(c)) == lower(int(s[si]))) {
					pi++
					si++
					continue
				}
			}
		}
		if starP < 0 {
			return false, steps
		}
		starS++
		si, pi, groups = starS, starP, starGrp
	}
}

// at returns p[i], or 0 past the end: Redis reads the NUL terminator of its
// string there, and NUL is never special.
func at(p string, i int) byte {
	if i < len(p) {
		return p[i]
	}
	return 0
}

// matchOne matches the single-byte pattern element at p[i] (anything but
// '*') against b. It returns the index just after the element, which does
// not depend on b, and whether b matched.
func matchOne(p string, i int, b byte, fold bool) (int, bool) {
	switch p[i] {
	case '?':
		return i + 1, true
	case '\\':
		if i+1 < len(p) {
			i++
		}
		return i + 1, eq(p[i], b, fold)
	case '[':
		return matchClass(p, i+1, b, fold)
	default:
		return i + 1, eq(p[i], b, fold)
	}
}

// matchClass matches b against the bracket expression whose body starts at
// p[i] (just after '['), following stringmatchlen's parse step by step so
// that malformed sets end where Redis ends them.
func matchClass(p string, i int, b byte, fold bool) (int, bool) {
	neg := at(p, i) == '^'
	if neg {
		i++
	}
	matched := false
	for {
		switch {
		case at(p, i) == '\\' && len(p)-i >= 2:
			// Escaped member. Redis compares it case-sensitively even in
			// nocase mode.
			i++
			if p[i] == b {
				matched = true
			}
		case at(p, i) == ']':
			return i + 1, matched != neg
		case i >= len(p):
			// Unclosed set: it ends with the pattern.
			return len(p), matched != neg
		case len(p)-i >= 3 && p[i+1] == '-':
			lo, hi, c := signed(p[i]), signed(p[i+2]), signed(b)
			if lo > hi {
				lo, hi = hi, lo
			}
			if fold {
				lo, hi, c = lower(lo), lower(hi), lower(c)
			}
			if c >= lo && c <= hi {
				matched = true
			}
			i += 2
		default:
			if eq(p[i], b, fold) {
				matched = true
			}
		}
		i++
	}
}

// signed widens a byte the way C widens a (signed) char on amd64.
func signed(b byte) int { return int(int8(b)) }

// lower is C's tolower in the "C" locale: ASCII letters only.
func lower(c int) int {
	if c >= 'A' && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// eq compares two bytes, ignoring ASCII case when fold is set.
func eq(a, b byte, fold bool) bool {
	if a == b {
		return true
	}
	return fold && lower(int(a)) == lower(int(b))
}
