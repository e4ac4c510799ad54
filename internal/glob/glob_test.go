package glob

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// matchCases were checked one by one against redis-server 7.0.15 (amd64)
// with KEYS after SET of the key in an empty database; the differential
// test below re-checks them whenever a Redis is available.
var matchCases = []struct {
	pattern, s string
	want       bool
}{
	// Plain literals and '?'.
	{"", "", true},
	{"", "a", false},
	{"abc", "abc", true},
	{"abc", "abd", false},
	{"abc", "ab", false},
	{"ab", "abc", false},
	{"h?llo", "hello", true},
	{"h?llo", "hllo", false},
	{"?", "", false},
	{"??", "a", false},
	{"Hello", "hello", false},

	// '*'.
	{"*", "anything", true},
	{"*", "", false}, // KEYS special-cases "*" itself; stringmatchlen does not
	{"**", "", false},
	{"a*", "a", true},
	{"a**", "a", true},
	{"*a", "a", true},
	{"*a", "ba", true},
	{"*a", "ab", false},
	{"h*llo", "hllo", true},
	{"h*llo", "heeeello", true},
	{"a*b*c", "abc", true},
	{"a*b*c", "aXbYc", true},
	{"a*b*c", "aXbY", false},
	{"a*b*c*", "abc", true},
	{"*:*", "user:1", true},
	{"*:*", "user", false},
	{"a*a*a*a*b", "aaaaaaaaab", true},
	{"a*a*a*a*b", "aaaaaaaaaa", false},

	// Sets and ranges.
	{"h[ae]llo", "hallo", true},
	{"h[ae]llo", "hillo", false},
	{"h[^e]llo", "hallo", true},
	{"h[^e]llo", "hello", false},
	{"h[a-b]llo", "hbllo", true},
	{"h[a-b]llo", "hcllo", false},
	{"[z-a]", "m", true}, // reversed range
	{"[^a]", "b", true},
	{"[a-z0-9]", "5", true},
	{"[]", "]", false},   // empty set
	{"[]]", "]", false},  // empty set, then a literal ']'
	{"[]]", "]]", false}, // still: ']' closes at once
	{"[^]", "x", true},   // negated empty set
	{"[^]", "^", true},
	{"[-a]", "-", true}, // '-' cannot start a range here
	{"[a-]", "^", true}, // "a-]" is the range 'a'..']'
	{"[a-]", "]", true},
	{"[a-]", "b", false},
	{"[a-]", "-", false},
	{"[*]", "*", true},
	{"[*]", "a", false},
	{"[?]", "?", true},

	// Malformed sets: an unclosed '[' runs to the end of the pattern.
	{"[", "[", false},
	{"[", "x", false},
	{"[^", "x", true},
	{"[a", "a", true},
	{"[ab", "b", true},
	{"[ab", "c", false},
	{"[a-", "a", true},
	{"[a-", "-", true},
	{"[a-", "b", false},
	{"[a-c", "b", true},
	{"x[", "x", false},
	{"[abc*", "b", true}, // the '*' is a member, not a wildcard
	{"[abc*", "bz", false},

	// Escapes.
	{`\*`, "*", true},
	{`\*`, "a", false},
	{`\?`, "?", true},
	{`\?`, "a", false},
	{`\[a]`, "[a]", true},
	{`\a`, "a", true},
	{`\\`, `\`, true},
	{`\`, `\`, true}, // a trailing '\' stands for itself
	{`a\`, `a\`, true},
	{`a\`, "a", false},
	{`[\]]`, "]", true},
	{`[\^a]`, "^", true},
	{`[\-a]`, "-", true},
	{`[\`, `\`, true}, // trailing '\' inside an unclosed set is a member
	{`[\]`, "]", true},
	{`[\]`, `\`, false},
	{`[a\-z]`, "b", false},
	{`[a\-z]`, "-", true},
	{`[a-\]`, `\`, true}, // a range to '\': the '\' is not an escape there
	{`[a-\]`, "_", true},
	{`*\*`, "ab*", true},
	{`*\*`, "ab", false},

	// Bytes above 0x7f are signed chars on amd64: "[a-\xff]" is -1..'a'.
	{"[a-\xff]", "\xff", true},
	{"[a-\xff]", "\x80", false},
	{"[a-\xff]", "\x00", true},
	{"[a-\xff]", "b", false},
	{"[\x80-\xff]", "\x90", true},
	{"\xff*", "\xff\x00", true},
	{"?", "\x00", true},
	{"a\x00b", "a\x00b", true},
}

// foldCases were checked with CONFIG GET, which matches nocase in Redis
// 7.0.15 when the pattern holds a wildcard.
var foldCases = []struct {
	pattern, s string
	want       bool
}{
	{"MAXMEMORY*", "maxmemory", true},
	{"[M]axmemory", "maxmemory", true},
	{`[\M]axmemory`, "maxmemory", false}, // escaped set members stay case-sensitive
	{`[\m]axmemory`, "maxmemory", true},
	{"[Z-a]axmemory", "maxmemory", false}, // lowered after ordering: 'z'..'a' is empty
	{"[A-z]axmemory", "maxmemory", true},
	{"[^M]axmemory", "maxmemory", false},
	{"maxmemory-[P-P]olicy", "maxmemory-policy", true},
	{`\Maxmemory`, "maxmemory", true},
	{"h?LLO", "Hello", true},
	{"\xc9", "\xe9", false}, // only ASCII folds
}

func TestMatch(t *testing.T) {
	for _, tc := range matchCases {
		t.Run(fmt.Sprintf("%q~%q", tc.pattern, tc.s), func(t *testing.T) {
			assert.Equal(t, tc.want, Match(tc.pattern, tc.s))
			assert.Equal(t, tc.want, refMatch(tc.pattern, tc.s, false), "reference")
			if tc.want {
				assert.True(t, strings.HasPrefix(tc.s, LiteralPrefix(tc.pattern)))
			}
		})
	}
}

func TestMatchFold(t *testing.T) {
	for _, tc := range foldCases {
		t.Run(fmt.Sprintf("%q~%q", tc.pattern, tc.s), func(t *testing.T) {
			assert.Equal(t, tc.want, MatchFold(tc.pattern, tc.s))
			assert.Equal(t, tc.want, refMatch(tc.pattern, tc.s, true), "reference")
		})
	}
	// Case-sensitive cases that do not involve letters behave the same.
	for _, tc := range matchCases {
		if strings.ContainsFunc(tc.pattern+tc.s, func(r rune) bool {
			return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		}) {
			continue
		}
		assert.Equal(t, tc.want, MatchFold(tc.pattern, tc.s), "%q~%q", tc.pattern, tc.s)
	}
}

// TestMatchStarLimit covers Redis's nesting guard: more than 1000 groups of
// '*' with something after the 1001st never match. Checked against
// redis-server 7.0.15 with KEYS.
func TestMatchStarLimit(t *testing.T) {
	for _, tc := range []struct {
		groups int
		want   bool
	}{{999, true}, {1000, true}, {1001, false}, {1002, false}} {
		n := tc.groups
		as := strings.Repeat("a", n)
		assert.Equal(t, tc.want, Match(strings.Repeat("*a", n), as), "*a x %d", n)
		assert.Equal(t, tc.want, Match(strings.Repeat("a*", n)+"a", as+"a"), "a* x %d + a", n)
		// The 1001st group may end the pattern: it matches at once there.
		assert.Equal(t, n <= 1001, Match(strings.Repeat("a*", n), as), "a* x %d", n)
	}
	assert.False(t, Match(strings.Repeat("*a", 1001)+"*", strings.Repeat("a", 1001)))
	assert.True(t, Match(strings.Repeat("*a", 1000)+"*", strings.Repeat("a", 1000)))
	// Escaped and bracketed stars are not groups.
	assert.True(t, Match(strings.Repeat(`\*`, 1100)+"*x", strings.Repeat("*", 1100)+"yx"))
}

// TestMatchHostile is the CVE-2022-36021 shape: a naive backtracking
// matcher takes exponential time here. The step counter proves the bound
// O(len(pattern) * len(s)); the run also finishes in milliseconds.
func TestMatchHostile(t *testing.T) {
	s := strings.Repeat("a", 10000)
	for _, p := range []string{
		strings.Repeat("a*", 11) + "b",
		strings.Repeat("*a", 30) + "b",
		strings.Repeat("?*", 50) + "b",
		strings.Repeat("[a]*", 40) + "[b]",
		"*" + strings.Repeat("a", 5000) + "b*",
	} {
		ok, steps := match(p, s, false)
		assert.False(t, ok, p)
		assert.LessOrEqual(t, steps, bound(p, s), p)
		_, steps = match(p, s, true)
		assert.LessOrEqual(t, steps, bound(p, s), p)
	}
	// The greedy strategy is in fact near linear for the classic pattern.
	_, steps := match(strings.Repeat("a*", 11)+"b", s, false)
	assert.Less(t, steps, 3*len(s))
}

// bound is the worst case proven in match's comment: at most len(s)
// restarts, each walking at most the whole pattern.
func bound(p, s string) int { return (len(s) + 1) * (len(p) + 2) }

func TestLiteralPrefix(t *testing.T) {
	for _, tc := range []struct {
		pattern, prefix string
		literal         bool
	}{
		{"", "", true},
		{"abc", "abc", true},
		{"user:*", "user:", false},
		{"user:?", "user:", false},
		{"user:[ab]", "user:", false},
		{"*abc", "", false},
		{`a\*b*`, "a*b", false},
		{`a\*b`, "a*b", true},
		{`\\x`, `\x`, true},
		{`ab\`, `ab\`, true}, // trailing '\' is a literal backslash
		{`a\[b[`, "a[b", false},
		{"a]b", "a]b", true},
		{"a-^b", "a-^b", true},
	} {
		assert.Equal(t, tc.prefix, LiteralPrefix(tc.pattern), tc.pattern)
		lit, ok := Literal(tc.pattern)
		assert.Equal(t, tc.literal, ok, tc.pattern)
		assert.Equal(t, tc.prefix, lit, tc.pattern)
		if ok {
			assert.True(t, Match(tc.pattern, lit), tc.pattern)
		}
	}
	// The no-escape prefix case shares the pattern's bytes.
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = LiteralPrefix("user:1234:*") }))
}

func TestMatchDoesNotAllocate(t *testing.T) {
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		_ = Match("user:*:[a-z]?x", "user:1234:bbx")
		_ = MatchFold("USER:*", "user:1")
	}))
}

// FuzzMatch compares Match and MatchFold with refMatch, a direct port of
// Redis's recursive stringmatchlen, and checks the LiteralPrefix/Literal
// contracts and the step bound.
func FuzzMatch(f *testing.F) {
	for _, tc := range matchCases {
		f.Add(tc.pattern, tc.s)
	}
	for _, tc := range foldCases {
		f.Add(tc.pattern, tc.s)
	}
	f.Fuzz(func(t *testing.T, p, s string) {
		if len(p) > 64 || len(s) > 64 {
			return // the reference may be slow on long inputs
		}
		for _, fold := range []bool{false, true} {
			got, steps := match(p, s, fold)
			if want := refMatch(p, s, fold); got != want {
				t.Fatalf("match(%q, %q, fold=%v) = %v, reference says %v", p, s, fold, got, want)
			}
			if steps > bound(p, s) {
				t.Fatalf("match(%q, %q) took %d steps, bound %d", p, s, steps, bound(p, s))
			}
		}
		lit, isLit := Literal(p)
		if LiteralPrefix(p) != lit {
			t.Fatalf("LiteralPrefix(%q) != Literal(%q)", p, p)
		}
		if Match(p, s) && !strings.HasPrefix(s, lit) {
			t.Fatalf("Match(%q, %q) but prefix %q missing", p, s, lit)
		}
		if isLit && Match(p, s) != (s == lit) {
			t.Fatalf("literal %q: Match(%q) = %v", p, s, Match(p, s))
		}
	})
}

// refMatch is a line-by-line port of Redis 7.0.15's stringmatchlen_impl
// (recursive, with its nesting guard and skipLongerMatches shortcut), only
// for tests: it is the oracle the fuzzer compares Match against.
func refMatch(p, s string, nocase bool) bool {
	skip := false
	return refImpl(p, 0, s, 0, nocase, &skip, 0)
}

func refImpl(p string, pi int, s string, si int, nocase bool, skip *bool, nesting int) bool {
	if nesting > 1000 {
		return false
	}
	low := func(c int) int { return lower(c) }
	eqc := func(a, b byte) bool {
		if nocase {
			return low(int(a)) == low(int(b))
		}
		return a == b
	}
loop:
	for pi < len(p) && si < len(s) {
		switch p[pi] {
		case '*':
			for pi < len(p) && at(p, pi+1) == '*' {
				pi++
			}
			if len(p)-pi == 1 {
				return true
			}
			for si < len(s) {
				if refImpl(p, pi+1, s, si, nocase, skip, nesting+1) {
					return true
				}
				if *skip {
					return false
				}
				si++
			}
			*skip = true
			return false
		case '?':
			si++
		case '[':
			pi++
			not := at(p, pi) == '^'
			if not {
				pi++
			}
			m := false
			for {
				if at(p, pi) == '\\' && len(p)-pi >= 2 {
					pi++
					if p[pi] == s[si] {
						m = true
					}
				} else if at(p, pi) == ']' {
					break
				} else if len(p)-pi == 0 {
					pi--
					break
				} else if len(p)-pi >= 3 && p[pi+1] == '-' {
					start, end, c := int(int8(p[pi])), int(int8(p[pi+2])), int(int8(s[si]))
					if start > end {
						start, end = end, start
					}
					if nocase {
						start, end, c = low(start), low(end), low(c)
					}
					pi += 2
					if c >= start && c <= end {
						m = true
					}
				} else if eqc(p[pi], s[si]) {
					m = true
				}
				pi++
			}
			if not {
				m = !m
			}
			if !m {
				return false
			}
			si++
		case '\\':
			if len(p)-pi >= 2 {
				pi++
			}
			fallthrough
		default:
			if !eqc(p[pi], s[si]) {
				return false
			}
			si++
		}
		pi++
		if si == len(s) {
			for at(p, pi) == '*' {
				pi++
			}
			break loop
		}
	}
	return pi == len(p) && si == len(s)
}

// diffKeys is the fixed keyspace of the differential test: every string of
// the tables plus some awkward bytes.
func diffKeys() []string {
	set := map[string]bool{}
	for _, tc := range matchCases {
		set[tc.s] = true
	}
	for _, k := range []string{
		"", "a", "b", "z", "A", "Z", "-", "]", "[", "^", "\\", "*", "?",
		"\x00", "\x7f", "\x80", "\xfe", "\xff", "ab", "abc", "a-b", "a]b",
		"user:1", "user:2:name", "user:10", "session:x", "hello", "hallo", "Hello",
		strings.Repeat("a", 40) + "b", strings.Repeat("ab", 20),
	} {
		set[k] = true
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for len(set) < 400 {
		set[randString(rng, diffAlphabet, 1+rng.IntN(6))] = true
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

const diffAlphabet = "abAB-]^[\\*?z\x00\x80\xff"

func randString(rng *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

// TestMatchAgainstRedis runs KEYS for many patterns in a scratch database
// of a real Redis and compares each answer with Match over the same keys.
func TestMatchAgainstRedis(t *testing.T) {
	addr := os.Getenv("ISA_MEMSTORE_TEST_REDIS_ADDR")
	if addr == "" {
		t.Skip("ISA_MEMSTORE_TEST_REDIS_ADDR not set: no Redis to compare with")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	rdb := redis.NewClient(&redis.Options{Addr: addr, DB: 9})
	t.Cleanup(func() {
		cctx, ccancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer ccancel()
		_ = rdb.FlushDB(cctx).Err()
		_ = rdb.Close()
	})
	require.NoError(t, rdb.FlushDB(ctx).Err())

	keys := diffKeys()
	pipe := rdb.Pipeline()
	for _, k := range keys {
		pipe.Set(ctx, k, "1", 0)
	}
	_, err := pipe.Exec(ctx)
	require.NoError(t, err)
	n, err := rdb.DBSize(ctx).Result()
	require.NoError(t, err)
	require.EqualValues(t, len(keys), n)

	patterns := []string{"*", "**", "?", "[", "[^", "\\", "[\\", "[]", "[^]", "[a-", "[a-]", "[z-a]*"}
	for _, tc := range matchCases {
		patterns = append(patterns, tc.pattern)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 3000 {
		patterns = append(patterns, randString(rng, diffAlphabet, rng.IntN(8)))
	}

	cmds := make([]*redis.StringSliceCmd, len(patterns))
	pipe = rdb.Pipeline()
	for i, p := range patterns {
		cmds[i] = pipe.Keys(ctx, p)
	}
	_, err = pipe.Exec(ctx)
	require.NoError(t, err)

	mismatches := 0
	for i, p := range patterns {
		got, err := cmds[i].Result()
		require.NoError(t, err)
		slices.Sort(got)
		want := []string{}
		for _, k := range keys {
			// KEYS answers the exact pattern "*" without matching.
			if p == "*" || Match(p, k) {
				want = append(want, k)
			}
		}
		if !assert.Equal(t, got, want, "pattern %q", p) {
			if mismatches++; mismatches > 10 {
				t.Fatal("too many mismatches")
			}
		}
	}
}

// TestMatchFoldAgainstRedis compares MatchFold with CONFIG GET, which
// matches configuration names without regard to case.
func TestMatchFoldAgainstRedis(t *testing.T) {
	addr := os.Getenv("ISA_MEMSTORE_TEST_REDIS_ADDR")
	if addr == "" {
		t.Skip("ISA_MEMSTORE_TEST_REDIS_ADDR not set: no Redis to compare with")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { _ = rdb.Close() })

	all, err := rdb.ConfigGet(ctx, "*").Result()
	require.NoError(t, err)
	require.NotEmpty(t, all)

	patterns := []string{"MAX*", "*MEMORY*", "[M]axmemory", `[\M]axmemory`, "[Z-a]axmemory", "[A-z]axmemory", "*-[P-P]OLICY", "?AXMEMORY", "*[^a-z]*"}
	for _, tc := range foldCases {
		patterns = append(patterns, tc.pattern)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 500 {
		patterns = append(patterns, randString(rng, "*?[]^-\\aAeEmMsSzZ", 1+rng.IntN(6)))
	}
	for _, p := range patterns {
		if !strings.ContainsAny(p, "*?[") {
			continue // CONFIG GET looks literal names up directly
		}
		got, err := rdb.ConfigGet(ctx, p).Result()
		require.NoError(t, err)
		want := []string{}
		for name := range all {
			if MatchFold(p, name) {
				want = append(want, name)
			}
		}
		assert.ElementsMatch(t, want, keysOf(got), "pattern %q", p)
	}
}

func keysOf(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func BenchmarkMatch(b *testing.B) {
	for _, bc := range []struct{ name, pattern, s string }{
		{"literal", "user:1234:profile", "user:1234:profile"},
		{"prefix-star", "user:*", "user:1234:profile"},
		{"prefix-star-miss", "session:*", "user:1234:profile"},
		{"infix-star", "user:*:profile", "user:1234:profile"},
		{"class", "user:[0-9][0-9][0-9][0-9]:*", "user:1234:profile"},
		{"question", "user:????:profile", "user:1234:profile"},
		{"star-heavy-miss", "*a*b*c*d*e", strings.Repeat("abcd", 64)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Match(bc.pattern, bc.s)
			}
		})
	}
}
