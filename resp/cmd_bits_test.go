package resp

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// bitDiffCases compare every bitmap command, option and error path with a
// real Redis, byte for byte.
var bitDiffCases = map[string][][]string{
	"setbit/getbit": {
		{"SETBIT", "b", "7", "1"}, {"GET", "b"}, {"SETBIT", "b", "7", "1"}, {"SETBIT", "b", "7", "0"}, {"GETBIT", "b", "7"},
		{"SETBIT", "b", "100", "1"}, {"STRLEN", "b"}, {"GET", "b"}, {"GETBIT", "b", "100"}, {"GETBIT", "b", "101"},
		{"GETBIT", "b", "100000"}, {"GETBIT", "nokey", "0"}, {"GETBIT", "b", "4294967295"}, {"GETBIT", "b", "4294967296"},
		{"GETBIT", "b", "-1"}, {"GETBIT", "b", "x"}, {"GETBIT", "b", "01"}, {"SETBIT", "b", "4294967296", "1"},
		{"SETBIT", "b", "-1", "1"}, {"SETBIT", "b", "1", "2"}, {"SETBIT", "b", "1", "-1"}, {"SETBIT", "b", "1", "x"},
		{"SETBIT", "b", "x", "2"}, {"RPUSH", "l", "a"}, {"SETBIT", "l", "1", "1"}, {"SETBIT", "l", "x", "1"}, {"SETBIT", "l", "1", "5"},
		{"GETBIT", "l", "1"}, {"GETBIT", "l", "x"}, {"SET", "n", "12"}, {"SETBIT", "n", "6", "1"}, {"GET", "n"},
		{"SET", "t", "abc", "EX", "100"}, {"SETBIT", "t", "30", "1"}, {"TTL", "t"}, {"SETBIT", "b"}, {"GETBIT", "b"},
	},
	"bitcount": {
		{"SET", "s", "foobar"}, {"BITCOUNT", "s"}, {"BITCOUNT", "s", "0", "0"}, {"BITCOUNT", "s", "1", "1"},
		{"BITCOUNT", "s", "1", "1", "BYTE"}, {"BITCOUNT", "s", "5", "30", "BIT"}, {"BITCOUNT", "s", "5", "30", "bit"},
		{"BITCOUNT", "s", "-1", "-1"}, {"BITCOUNT", "s", "-3", "-1", "BIT"}, {"BITCOUNT", "s", "-1", "-3"},
		{"BITCOUNT", "s", "-1", "-3", "foo"}, {"BITCOUNT", "s", "-100", "100"}, {"BITCOUNT", "s", "-100", "1000", "BIT"},
		{"BITCOUNT", "s", "3", "1"}, {"BITCOUNT", "s", "7", "7", "BIT"}, {"BITCOUNT", "s", "0", "47", "BIT"},
		{"BITCOUNT", "s", "0"}, {"BITCOUNT", "s", "a", "b"}, {"BITCOUNT", "s", "0", "b"}, {"BITCOUNT", "s", "0", "x", "foo"},
		{"BITCOUNT", "s", "0", "1", "foo"}, {"BITCOUNT", "s", "0", "1", "bit", "x"}, {"BITCOUNT", "nokey"},
		{"BITCOUNT", "nokey", "a", "b"}, {"BITCOUNT", "nokey", "0"}, {"RPUSH", "l", "a"}, {"BITCOUNT", "l"},
		{"BITCOUNT", "l", "a", "b"}, {"SET", "e", ""}, {"BITCOUNT", "e"}, {"BITCOUNT", "e", "0", "-1"},
		{"BITCOUNT", "e", "0", "-1", "BIT"}, {"BITCOUNT"},
	},
	"bitpos": {
		{"SET", "s", "\xff\xf0\x00"}, {"BITPOS", "s", "0"}, {"BITPOS", "s", "1"}, {"BITPOS", "s", "0", "2"},
		{"BITPOS", "s", "1", "2"}, {"BITPOS", "s", "1", "2", "-1"}, {"BITPOS", "s", "0", "0", "0"}, {"BITPOS", "s", "0", "0", "1"},
		{"BITPOS", "s", "0", "0", "-1", "BIT"}, {"BITPOS", "s", "0", "3", "11", "BIT"}, {"BITPOS", "s", "0", "3", "12", "BIT"},
		{"BITPOS", "s", "1", "7", "15", "bit"}, {"BITPOS", "s", "1", "13", "23", "BIT"}, {"BITPOS", "s", "0", "5", "BYTE"},
		{"BITPOS", "s", "1", "-5", "-1", "BIT"}, {"BITPOS", "s", "1", "3", "1"}, {"BITPOS", "s", "0", "-1", "-2"},
		{"SET", "f", "\xff\xff"}, {"BITPOS", "f", "0"}, {"BITPOS", "f", "0", "1"}, {"BITPOS", "f", "0", "0", "1"},
		{"BITPOS", "f", "0", "3", "BIT"}, {"BITPOS", "f", "0", "3", "15", "BIT"}, {"BITPOS", "f", "0", "0", "12", "BIT"},
		{"BITPOS", "f", "0", "9", "BIT"}, {"BITPOS", "f", "0", "9", "-1", "BIT"}, {"BITPOS", "f", "1", "9", "9", "BIT"},
		{"BITPOS", "f", "0", "100"}, {"BITPOS", "f", "0", "-100"}, {"SET", "z", "\x00\x00"}, {"BITPOS", "z", "1"},
		{"BITPOS", "z", "0"}, {"BITPOS", "z", "1", "0", "-1", "BIT"}, {"BITPOS", "z", "0", "1", "-1", "BIT"},
		{"SET", "e", ""}, {"BITPOS", "e", "0"}, {"BITPOS", "e", "1"}, {"BITPOS", "e", "0", "0", "-1", "BIT"},
		{"BITPOS", "nokey", "0"}, {"BITPOS", "nokey", "1"}, {"BITPOS", "nokey", "1", "a"}, {"BITPOS", "nokey", "2"},
		{"BITPOS", "nokey", "x"}, {"BITPOS", "s", "2"}, {"BITPOS", "s", "1", "a"}, {"BITPOS", "s", "1", "0", "x", "foo"},
		{"BITPOS", "s", "1", "0", "1", "foo"}, {"BITPOS", "s", "1", "0", "1", "bit", "x"}, {"RPUSH", "l", "a"},
		{"BITPOS", "l", "1"}, {"BITPOS", "l", "1", "x"}, {"BITPOS", "l", "3"}, {"BITPOS", "s"},
	},
	"bitop": {
		{"SET", "a", "\x0f\xf0\xaa"}, {"SET", "b", "\xff\x00"}, {"BITOP", "AND", "d", "a", "b"}, {"GET", "d"},
		{"BITOP", "or", "d", "a", "b"}, {"GET", "d"}, {"BITOP", "XOR", "d", "a", "b", "a"}, {"GET", "d"},
		{"BITOP", "NOT", "d", "a"}, {"GET", "d"}, {"BITOP", "AND", "d", "a", "nokey"}, {"GET", "d"},
		{"BITOP", "OR", "d", "nokey", "a"}, {"GET", "d"}, {"BITOP", "NOT", "d", "nokey"}, {"EXISTS", "d"},
		{"SET", "d", "x", "EX", "100"}, {"BITOP", "OR", "d", "a"}, {"TTL", "d"}, {"BITOP", "AND", "d", "nokey", "nokey2"},
		{"EXISTS", "d"}, {"BITOP", "NOT", "d", "a", "b"}, {"BITOP", "NOT", "d"}, {"BITOP", "foo", "d", "a"},
		{"RPUSH", "l", "x"}, {"BITOP", "AND", "d", "a", "l"}, {"BITOP", "AND", "d", "nokey", "l"}, {"BITOP", "NOT", "d", "l"},
		{"BITOP", "NOT", "l", "a"}, {"TYPE", "l"}, {"BITOP", "AND", "a", "a", "b"}, {"GET", "a"}, {"BITOP", "AND", "d"},
		{"SET", "e", ""}, {"BITOP", "OR", "d", "e"}, {"EXISTS", "d"},
	},
	"bitfield": {
		{"BITFIELD", "f", "SET", "u8", "0", "255"}, {"GET", "f"}, {"BITFIELD", "f", "GET", "u8", "0", "GET", "i8", "0", "GET", "u4", "4"},
		{"BITFIELD", "f", "INCRBY", "u8", "0", "1"}, {"BITFIELD", "f", "OVERFLOW", "SAT", "INCRBY", "u8", "0", "300"},
		{"BITFIELD", "f", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1", "GET", "u8", "0"}, {"BITFIELD", "f", "OVERFLOW", "WRAP", "INCRBY", "u8", "0", "-256"},
		{"BITFIELD", "f", "overflow", "fail", "incrby", "u8", "0", "-300"}, {"BITFIELD", "f", "overflow", "sat", "incrby", "u8", "0", "-300"},
		{"BITFIELD", "f", "SET", "i8", "#1", "-128", "GET", "i8", "#1", "INCRBY", "i8", "#1", "-1"},
		{"BITFIELD", "f", "OVERFLOW", "SAT", "INCRBY", "i8", "#1", "-1", "INCRBY", "i8", "#1", "1000", "SET", "i8", "#1", "1000", "SET", "i8", "#1", "-1000"},
		{"BITFIELD", "f", "OVERFLOW", "FAIL", "SET", "i8", "#1", "1000", "SET", "u8", "#1", "-1", "GET", "u16", "0"},
		{"BITFIELD", "f", "OVERFLOW", "WRAP", "SET", "i8", "#1", "1000", "SET", "u8", "#1", "-1", "SET", "u3", "1", "100"},
		{"BITFIELD", "f", "OVERFLOW", "SAT", "SET", "u8", "#2", "-1", "SET", "u8", "#3", "256"}, {"GET", "f"},
		{"BITFIELD", "g", "SET", "i64", "0", "9223372036854775807", "INCRBY", "i64", "0", "1", "GET", "i64", "0"},
		{"BITFIELD", "g", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "-9223372036854775808", "INCRBY", "i64", "0", "9223372036854775807", "INCRBY", "i64", "0", "1"},
		{"BITFIELD", "g", "OVERFLOW", "FAIL", "SET", "i64", "0", "-9223372036854775808", "INCRBY", "i64", "0", "-1", "GET", "i64", "0"},
		{"BITFIELD", "g", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "-1", "SET", "u63", "0", "9223372036854775807", "INCRBY", "u63", "0", "5"},
		{"BITFIELD", "g", "OVERFLOW", "WRAP", "INCRBY", "u63", "0", "1", "GET", "u63", "1", "GET", "i1", "0", "GET", "u1", "0"},
		{"BITFIELD", "g", "SET", "i5", "3", "-7", "GET", "i5", "3", "INCRBY", "i5", "3", "20", "GET", "u5", "3"}, {"GET", "g"},
		{"BITFIELD", "h", "OVERFLOW", "FAIL", "SET", "u8", "100", "256"}, {"STRLEN", "h"}, {"BITFIELD", "h", "GET", "u8", "1000", "GET", "i64", "#67108863"},
		{"BITFIELD", "h"}, {"BITFIELD", "nokey"}, {"EXISTS", "nokey"}, {"BITFIELD", "nokey", "GET", "u8", "0"}, {"EXISTS", "nokey"},
		{"BITFIELD", "h", "GET", "u64", "0"}, {"BITFIELD", "h", "GET", "i65", "0"}, {"BITFIELD", "h", "GET", "i0", "0"},
		{"BITFIELD", "h", "GET", "x8", "0"}, {"BITFIELD", "h", "GET", "i08", "0"}, {"BITFIELD", "h", "GET", "", "0"},
		{"BITFIELD", "h", "GET", "u8"}, {"BITFIELD", "h", "GET", "u8", "-1"}, {"BITFIELD", "h", "GET", "u8", "#-1"},
		{"BITFIELD", "h", "GET", "u8", "#"}, {"BITFIELD", "h", "GET", "u8", "4294967296"}, {"BITFIELD", "h", "GET", "i64", "#67108864"},
		{"BITFIELD", "h", "GET", "i64", "#1000000000000000000"}, {"BITFIELD", "h", "GET", "u8", "#536870912"},
		{"BITFIELD", "h", "SET", "u8", "0", "a"}, {"BITFIELD", "h", "SET", "u8", "0"}, {"BITFIELD", "h", "INCRBY", "u8", "0", "9223372036854775808"},
		{"BITFIELD", "h", "OVERFLOW"}, {"BITFIELD", "h", "OVERFLOW", "foo", "GET", "u8", "0"}, {"BITFIELD", "h", "foo"},
		{"BITFIELD", "h", "GET", "u8", "0", "SET", "u8", "0"}, {"BITFIELD", "h", "OVERFLOW", "SAT"},
		{"BITFIELD", "h", "SET", "u8", "0", "1", "GET", "x", "0"}, {"GET", "h"},
		{"RPUSH", "l", "x"}, {"BITFIELD", "l"}, {"BITFIELD", "l", "GET", "u8", "0"}, {"BITFIELD", "l", "SET", "u8", "0", "1"},
		{"BITFIELD", "l", "GET", "x8", "0"}, {"BITFIELD_RO", "h", "GET", "u8", "0", "GET", "i4", "#3"}, {"BITFIELD_RO", "h"},
		{"BITFIELD_RO", "h", "SET", "u8", "0", "1"}, {"BITFIELD_RO", "nokey", "INCRBY", "u8", "0", "1"}, {"EXISTS", "nokey"},
		{"BITFIELD_RO", "l", "GET", "u8", "0"}, {"BITFIELD_RO", "l", "SET", "u8", "0", "1"}, {"BITFIELD_RO", "h", "OVERFLOW", "SAT"},
		{"BITFIELD_RO", "h", "GET", "u64", "0"}, {"BITFIELD_RO"}, {"BITFIELD"},
		{"SET", "t", "abc", "EX", "100"}, {"BITFIELD", "t", "SET", "u8", "#5", "1"}, {"TTL", "t"},
	},
}

func TestDiffBits(t *testing.T) {
	for _, proto := range []int{2, 3} {
		for name, cmds := range bitDiffCases {
			t.Run(fmt.Sprintf("%s/RESP%d", name, proto), func(t *testing.T) {
				p := newDiffPair(t, proto)
				for _, cmd := range cmds {
					p.check(cmd...)
				}
			})
		}
	}
}

// TestDiffBitsRandom drives random bitmap commands over a few short keys,
// so that ranges, partial bytes and overflows cross every edge.
func TestDiffBitsRandom(t *testing.T) {
	p := newDiffPair(t, 2)
	r := rand.New(rand.NewPCG(7, 11))
	keys := []string{"a", "b", "c"}
	num := func(lo, hi int) string { return strconv.Itoa(lo + r.IntN(hi-lo+1)) }
	unit := func() []string {
		switch r.IntN(3) {
		case 0:
			return nil
		case 1:
			return []string{"BIT"}
		}
		return []string{"BYTE"}
	}
	types := []string{"u1", "u3", "u8", "u13", "u63", "i1", "i5", "i8", "i17", "i64"}
	for i := 0; i < 3000; i++ {
		k := keys[r.IntN(len(keys))]
		var cmd []string
		switch r.IntN(8) {
		case 0:
			cmd = []string{"SETBIT", k, num(0, 40), num(0, 1)}
		case 1:
			cmd = []string{"GETBIT", k, num(0, 40)}
		case 2:
			cmd = append([]string{"BITCOUNT", k, num(-50, 50), num(-50, 50)}, unit()...)
		case 3:
			cmd = []string{"BITPOS", k, num(0, 1)}
			switch r.IntN(3) {
			case 1:
				cmd = append(cmd, num(-10, 10))
			case 2:
				cmd = append(append(cmd, num(-50, 50), num(-50, 50)), unit()...)
			}
		case 4:
			ops := []string{"AND", "OR", "XOR", "NOT"}
			op := ops[r.IntN(4)]
			cmd = []string{"BITOP", op, k, keys[r.IntN(3)]}
			if op != "NOT" {
				cmd = append(cmd, keys[r.IntN(3)])
			}
		case 5:
			cmd = []string{"SET", k, string([]byte{byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256))})[:r.IntN(4)]}
		default:
			cmd = []string{"BITFIELD", k}
			for j := r.IntN(4); j >= 0; j-- {
				if r.IntN(3) == 0 {
					cmd = append(cmd, "OVERFLOW", []string{"WRAP", "SAT", "FAIL"}[r.IntN(3)])
				}
				ty := types[r.IntN(len(types))]
				switch r.IntN(3) {
				case 0:
					cmd = append(cmd, "GET", ty, num(0, 40))
				case 1:
					cmd = append(cmd, "SET", ty, num(0, 40), strconv.FormatInt(r.Int64N(1<<20)-1<<19, 10))
				default:
					cmd = append(cmd, "INCRBY", ty, "#"+num(0, 3), []string{"1", "-1", "100", "-100000", "9223372036854775807", "-9223372036854775808"}[r.IntN(6)])
				}
			}
		}
		p.check(cmd...)
	}
	for _, k := range keys {
		p.check("GET", k)
	}
	require.False(t, t.Failed())
}
