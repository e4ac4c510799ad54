package resp

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var lcsDiffCases = [][]string{
	{"SET", "a", "ohmytext"}, {"SET", "b", "mynewtext"}, {"LCS", "a", "b"}, {"LCS", "a", "b", "LEN"}, {"LCS", "a", "b", "IDX"},
	{"LCS", "a", "b", "idx", "minmatchlen", "4", "withmatchlen"}, {"LCS", "a", "b", "IDX", "WITHMATCHLEN"}, {"LCS", "a", "b", "IDX", "MINMATCHLEN", "-5"},
	{"LCS", "a", "b", "IDX", "MINMATCHLEN", "100"}, {"LCS", "a", "b", "MINMATCHLEN", "2", "IDX"}, {"LCS", "a", "b", "IDX", "LEN"}, {"LCS", "a", "b", "LEN", "IDX"},
	{"LCS", "a", "b", "LEN", "WITHMATCHLEN"}, {"LCS", "a", "b", "WITHMATCHLEN"}, {"LCS", "a", "b", "LEN", "LEN"}, {"LCS", "a", "b", "MINMATCHLEN"},
	{"LCS", "a", "b", "MINMATCHLEN", "x"}, {"LCS", "a", "b", "FOO"}, {"LCS", "a", "nokey"}, {"LCS", "nokey", "nokey2", "IDX"},
	{"LCS", "nokey", "b", "LEN"}, {"LCS", "nokey", "b", "FOO"}, {"RPUSH", "l", "x"}, {"LCS", "l", "b", "FOO"}, {"LCS", "a", "l"},
	{"LCS", "a", "a", "IDX", "WITHMATCHLEN"}, {"SET", "c", "aaaa"}, {"SET", "d", "aa"}, {"LCS", "c", "d", "IDX"}, {"LCS", "d", "c", "IDX", "WITHMATCHLEN"},
	{"SET", "e", "abcxyzabc"}, {"SET", "f", "xyzabcxyz"}, {"LCS", "e", "f"}, {"LCS", "e", "f", "IDX", "WITHMATCHLEN"}, {"LCS", "a"},
	{"SET", "big", strings.Repeat("x", 12000)}, {"LCS", "big", "big", "LEN"}, {"LCS", "big", "a", "LEN"},
}

func TestDiffLCS(t *testing.T) {
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			p := newDiffPair(t, proto)
			for _, cmd := range lcsDiffCases {
				p.check(cmd...)
			}
		})
	}
}

// TestDiffLCSRandom compares LCS on random strings over a small alphabet,
// where ties between several common subsequences are frequent: Redis's
// choice among them must be ours.
func TestDiffLCSRandom(t *testing.T) {
	p := newDiffPair(t, 3)
	r := rand.New(rand.NewPCG(3, 5))
	word := func() string {
		b := make([]byte, r.IntN(20))
		for i := range b {
			b[i] = "abc"[r.IntN(3)]
		}
		return string(b)
	}
	for i := 0; i < 300; i++ {
		p.check("SET", "x", word())
		p.check("SET", "y", word())
		p.check("LCS", "x", "y")
		p.check("LCS", "x", "y", "IDX", "WITHMATCHLEN", "MINMATCHLEN", fmt.Sprint(r.IntN(3)))
	}
	require.False(t, t.Failed())
}
