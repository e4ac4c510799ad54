package resp

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// sortDiffCases avoid what Redis leaves to its internal order: a set of
// strings "sorted" BY a constant without STORE, and ALPHA BY ties within
// such sets and sorted sets. Integer sets (intsets) walk in ascending order.
var sortDiffCases = map[string][][]string{
	"basic": {
		{"RPUSH", "l", "3", "1", "2", "10", "1.5", "-1"}, {"SORT", "l"}, {"SORT", "l", "DESC"}, {"SORT", "l", "ALPHA"}, {"SORT", "l", "ALPHA", "DESC"},
		{"SORT", "l", "LIMIT", "1", "2"}, {"SORT", "l", "LIMIT", "-5", "2"}, {"SORT", "l", "LIMIT", "2", "-1"}, {"SORT", "l", "LIMIT", "10", "2"},
		{"SORT", "l", "LIMIT", "5", "100"}, {"SORT", "l", "LIMIT", "0", "0"}, {"SORT", "l", "limit", "1", "9223372036854775807"},
		{"SORT", "l", "ASC", "DESC", "ASC"}, {"SORT", "l", "BY", "nosort"}, {"SORT", "l", "BY", "nosort", "DESC"}, {"SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "3"},
		{"SORT", "l", "BY", "nosort", "LIMIT", "4", "10"}, {"SORT", "l", "BY", "nosort", "LIMIT", "9", "10"},
		{"SADD", "s", "5", "2", "9", "0"}, {"SORT", "s"}, {"SORT", "s", "DESC", "LIMIT", "0", "2"}, {"SORT", "s", "ALPHA"},
		{"ZADD", "z", "1", "c", "2", "a", "3", "b"}, {"SORT", "z", "ALPHA"}, {"SORT", "z", "BY", "nosort"}, {"SORT", "z", "BY", "nosort", "DESC"},
		{"SORT", "z", "BY", "nosort", "LIMIT", "1", "1"}, {"SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "5"}, {"SORT", "z"},
		{"SADD", "si", "30", "-2", "7", "100"}, {"SORT", "si", "BY", "nosort"}, {"SORT", "si", "BY", "nosort", "DESC", "LIMIT", "1", "2"},
		{"SORT", "si", "BY", "missing_*", "ALPHA"}, {"SORT", "si", "BY", "missing_*", "ALPHA", "DESC", "GET", "#"}, {"SORT", "nokey"}, {"SORT", "nokey", "LIMIT", "0", "1"}, {"SORT_RO", "l"}, {"SORT_RO", "l", "DESC", "LIMIT", "1", "1"},
		{"RPUSH", "dup", "b", "a", "b", "1", "01", "1.0"}, {"SORT", "dup", "ALPHA"}, {"SORT", "dup", "ALPHA", "DESC"},
		{"RPUSH", "n", "1", "01", "1.0", " 2", "", "inf", "-inf", "0x10"}, {"SORT", "n"}, {"SORT", "n", "DESC"},
	},
	"errors": {
		{"RPUSH", "l", "a", "1"}, {"SORT", "l"}, {"SORT", "l", "FOO"}, {"SORT", "l", "LIMIT", "1"}, {"SORT", "l", "LIMIT", "a", "1"},
		{"SORT", "l", "LIMIT", "1", "a"}, {"SORT", "l", "BY"}, {"SORT", "l", "GET"}, {"SORT", "l", "STORE"}, {"SORT_RO", "l", "STORE", "d"},
		{"SET", "str", "x"}, {"SORT", "str"}, {"SORT", "str", "FOO"}, {"SORT_RO", "str"}, {"HSET", "h", "f", "v"}, {"SORT", "h"},
		{"SORT", "l", "STORE", "d"}, {"EXISTS", "d"}, {"RPUSH", "nan", "nan"}, {"SORT", "nan"}, {"RPUSH", "sp", "1 "}, {"SORT", "sp"},
		{"SORT"}, {"SORT_RO"},
	},
	"by-get": {
		{"RPUSH", "l", "a", "b", "c", "d"}, {"MSET", "w_a", "3", "w_b", "1", "w_c", "2", "o_a", "A", "o_b", "B"},
		{"HSET", "h_a", "f", "30", "g", "x"}, {"HSET", "h_b", "f", "10"}, {"HSET", "h_c", "f", "20"}, {"HSET", "h_d", "f", "zz"},
		{"SORT", "l", "BY", "w_*"}, {"SORT", "l", "BY", "w_*", "DESC"}, {"SORT", "l", "BY", "w_*", "GET", "o_*"}, {"SORT", "l", "BY", "w_*", "GET", "#", "GET", "o_*", "GET", "h_*->g"},
		{"SORT", "l", "BY", "w_*", "ALPHA"}, {"SORT", "l", "BY", "w_*", "ALPHA", "DESC"}, {"SORT", "l", "BY", "h_*->f"}, {"SORT", "l", "BY", "h_*->f", "ALPHA"},
		{"SORT", "l", "BY", "h_*->f", "ALPHA", "LIMIT", "1", "2"}, {"SORT", "l", "BY", "w_*", "LIMIT", "1", "2", "GET", "#"}, {"SORT", "l", "GET", "nostar"},
		{"SORT", "l", "GET", "h_*->"}, {"SORT", "l", "GET", "h_*->nofield"}, {"SORT", "l", "GET", "w_*->f"}, {"SORT", "l", "GET", "l"},
		{"SORT", "l", "BY", "missing_*"}, {"SORT", "l", "BY", "missing_*", "ALPHA"}, {"SORT", "l", "BY", "#"}, {"SORT", "l", "BY", "*"},
		{"SORT", "l", "BY", "w_*", "STORE", "dst"}, {"LRANGE", "dst", "0", "-1"}, {"SORT", "l", "BY", "w_*", "GET", "o_*", "STORE", "dst"}, {"LRANGE", "dst", "0", "-1"},
		{"SET", "dst", "x", "EX", "100"}, {"SORT", "l", "ALPHA", "STORE", "dst"}, {"TTL", "dst"}, {"TYPE", "dst"}, {"SORT", "nokey", "STORE", "dst"}, {"EXISTS", "dst"},
		{"SORT", "l", "ALPHA", "LIMIT", "10", "1", "STORE", "dst"}, {"EXISTS", "dst"},
		{"SADD", "s", "b", "a", "c"}, {"SORT", "s", "BY", "nosort", "STORE", "dst"}, {"LRANGE", "dst", "0", "-1"}, {"SORT", "s", "BY", "w_*", "GET", "#", "GET", "o_*"},
		{"ZADD", "z", "1", "a", "2", "b", "3", "c"}, {"SORT", "z", "BY", "w_*"}, {"SORT", "z", "BY", "nosort", "GET", "o_*", "DESC"},
		{"SORT_RO", "l", "BY", "w_*", "GET", "o_*"}, {"SORT", "l", "BY", "h_*->f", "GET", "#", "STORE", "l"}, {"LRANGE", "l", "0", "-1"},
	},
}

func TestDiffSort(t *testing.T) {
	for _, proto := range []int{2, 3} {
		for name, cmds := range sortDiffCases {
			t.Run(fmt.Sprintf("%s/RESP%d", name, proto), func(t *testing.T) {
				p := newDiffPair(t, proto)
				for _, cmd := range cmds {
					p.check(cmd...)
				}
			})
		}
	}
}

// TestDiffSortRandom sorts random lists with random weights: numeric ties
// are broken by the element, and lists keep their load order.
func TestDiffSortRandom(t *testing.T) {
	p := newDiffPair(t, 2)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 100; i++ {
		p.check("DEL", "l")
		n := r.IntN(12)
		for j := 0; j < n; j++ {
			el := strconv.Itoa(r.IntN(8))
			p.check("RPUSH", "l", el)
			p.check("SET", "w_"+el, strconv.Itoa(r.IntN(4)))
		}
		off, cnt := strconv.Itoa(r.IntN(6)-1), strconv.Itoa(r.IntN(6)-1)
		p.check("SORT", "l", "BY", "w_*", "LIMIT", off, cnt)
		p.check("SORT", "l", "BY", "w_*", "DESC", "GET", "#", "GET", "w_*")
		p.check("SORT", "l", "DESC", "LIMIT", off, cnt)
		p.check("SORT", "l", "BY", "x", "DESC", "LIMIT", off, cnt)
		p.check("SORT", "l", "ALPHA", "STORE", "d")
		p.check("LRANGE", "d", "0", "-1")
	}
	require.False(t, t.Failed())
}
