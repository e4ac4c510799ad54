package resp

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// objectSetup builds values on both sides of every Redis 7.0 encoding
// threshold, only by growing (Redis never converts back).
func objectSetup() [][]string {
	cmds := [][]string{
		{"SET", "i", "123"}, {"SET", "neg", "-5"}, {"SET", "zero", "0"}, {"SET", "s9999", "9999"}, {"SET", "s10000", "10000"},
		{"SET", "max", "9223372036854775807"}, {"SET", "over", "9223372036854775808"}, {"SET", "lead", "007"}, {"SET", "f", "1.5"},
		{"SET", "empty", ""}, {"SET", "e44", strings.Repeat("a", 44)}, {"SET", "r45", strings.Repeat("a", 45)},
		{"SET", "big20", "12345678901234567890"}, {"INCR", "cnt"}, {"INCRBY", "cnt2", "20000"},
		{"RPUSH", "l", "a"}, {"RPUSH", "lbig", strings.Repeat("x", 100)},
		{"HSET", "h", "f", "v"}, {"HSET", "hv64", "f", strings.Repeat("v", 64)}, {"HSET", "hv65", "f", strings.Repeat("v", 65)},
		{"HSET", "hf65", strings.Repeat("f", 65), "v"},
		{"SADD", "si", "1", "-2", "300"}, {"SADD", "ss", "a"}, {"SADD", "smix", "1", "a"},
		{"ZADD", "z", "1", "a"}, {"ZADD", "zm64", "1", strings.Repeat("m", 64)}, {"ZADD", "zm65", "1", strings.Repeat("m", 65)},
	}
	h512, h513 := []string{"HSET", "h512"}, []string{"HSET", "h513"}
	z128, z129 := []string{"ZADD", "z128"}, []string{"ZADD", "z129"}
	s512, s513 := []string{"SADD", "s512"}, []string{"SADD", "s513"}
	for i := 0; i < 513; i++ {
		n := strconv.Itoa(i)
		if i < 512 {
			h512 = append(h512, "f"+n, n)
		}
		h513 = append(h513, "f"+n, n)
		if i < 128 {
			z128 = append(z128, n, "m"+n)
		}
		if i < 129 {
			z129 = append(z129, n, "m"+n)
		}
		if i < 512 {
			s512 = append(s512, n)
		}
		s513 = append(s513, n)
	}
	return append(cmds, h512, h513, z128, z129, s512, s513)
}

func TestDiffObject(t *testing.T) {
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			p := newDiffPair(t, proto)
			for _, cmd := range objectSetup() {
				p.check(cmd...)
			}
			same := func(args ...string) {
				t.Helper()
				require.Equal(t, p.real.do(args...), p.ours.do(args...), "%q", args)
			}
			for _, k := range []string{"i", "neg", "zero", "s9999", "s10000", "max", "over", "lead", "f", "empty", "e44", "r45", "big20",
				"cnt", "cnt2", "l", "lbig", "h", "hv64", "hv65", "hf65", "si", "ss", "smix", "z", "zm64", "zm65",
				"h512", "h513", "z128", "z129", "s512", "s513", "nokey"} {
				same("OBJECT", "ENCODING", k)
				same("OBJECT", "REFCOUNT", k)
				same("OBJECT", "FREQ", k)
			}
			same("OBJECT", "IDLETIME", "nokey")
			for _, args := range [][]string{
				{"OBJECT", "HELP"}, {"OBJECT", "help"}, {"OBJECT", "HELP", "x"}, {"OBJECT"}, {"OBJECT", "FOO"}, {"OBJECT", "FOO", "k"},
				{"OBJECT", "ENCODING"}, {"OBJECT", "ENCODING", "a", "b"}, {"OBJECT", "REFCOUNT"}, {"OBJECT", "IDLETIME", "a", "b"}, {"OBJECT", "FREQ"},
			} {
				same(args...)
			}
			// IDLETIME's value depends on each server's clock; its form does not.
			for _, c := range []*rawConn{p.ours, p.real} {
				require.Regexp(t, `^:\d+\r\n$`, c.do("OBJECT", "IDLETIME", "i"))
			}
		})
	}
}

// TestObjectIdleTime checks IDLETIME against the engine's clock: OBJECT
// itself is not an access, a read is.
func TestObjectIdleTime(t *testing.T) {
	_, eng, addr := startServer(t, Options{})
	_ = eng
	rdb := newGoRedis(t, addr, 2)
	ctx := testCtx(t)
	require.NoError(t, rdb.Set(ctx, "k", "v", 0).Err())
	d, err := rdb.ObjectIdleTime(ctx, "k").Result()
	require.NoError(t, err)
	require.Less(t, d, 2*time.Second)
	enc, err := rdb.ObjectEncoding(ctx, "k").Result()
	require.NoError(t, err)
	require.Equal(t, "embstr", enc)
	n, err := rdb.ObjectRefCount(ctx, "k").Result()
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
}
