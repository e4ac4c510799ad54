package resp

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"
	lua "github.com/yuin/gopher-lua"
)

// roundTrip parses a reply into a Lua value and writes it back as a script
// return value would be, in the given protocols.
func roundTrip(t *testing.T, L *lua.LState, reply string, scriptResp, clientProto int) string {
	t.Helper()
	v, rest, err := parseReply(L, []byte(reply))
	require.NoError(t, err, reply)
	require.Empty(t, rest, reply)
	w := &writer{dst: io.Discard, proto: clientProto, hold: true}
	writeLuaReply(w, v, scriptResp, 0)
	return string(w.buf)
}

// TestReplyRoundTrip: a reply read by redis.call and returned by the
// script comes back as Redis sends it (RESP2 replies to a RESP2 script;
// RESP3 ones through the tables redis.setresp(3) gives).
func TestReplyRoundTrip(t *testing.T) {
	L := lua.NewState()
	t.Cleanup(L.Close)
	for _, tc := range []struct {
		in, want   string
		resp, prot int
	}{
		{in: "+OK\r\n", want: "+OK\r\n", resp: 2, prot: 2},
		{in: "-ERR bad\r\n", want: "-ERR bad\r\n", resp: 2, prot: 2},
		{in: "-WRONGTYPE Operation\r\n", want: "-WRONGTYPE Operation\r\n", resp: 2, prot: 2},
		{in: ":-42\r\n", want: ":-42\r\n", resp: 2, prot: 2},
		{in: "$4\r\na\r\nb\r\n", want: "$4\r\na\r\nb\r\n", resp: 2, prot: 2},
		{in: "$0\r\n\r\n", want: "$0\r\n\r\n", resp: 2, prot: 2},
		// nil bulk -> false -> nil bulk
		{in: "$-1\r\n", want: "$-1\r\n", resp: 2, prot: 2},
		{in: "$-1\r\n", want: "_\r\n", resp: 2, prot: 3},
		{in: "*-1\r\n", want: "$-1\r\n", resp: 2, prot: 2},
		{in: "*3\r\n:1\r\n$-1\r\n:3\r\n", want: "*3\r\n:1\r\n$-1\r\n:3\r\n", resp: 2, prot: 2},
		{in: "*2\r\n*1\r\n+x\r\n$1\r\ny\r\n", want: "*2\r\n*1\r\n+x\r\n$1\r\ny\r\n", resp: 2, prot: 2},
		// RESP3 types through their tables.
		{in: "_\r\n", want: "$-1\r\n", resp: 3, prot: 2},
		{in: "#t\r\n", want: "#t\r\n", resp: 3, prot: 3},
		{in: "#f\r\n", want: ":0\r\n", resp: 3, prot: 2},
		{in: ",1.5\r\n", want: ",1.5\r\n", resp: 3, prot: 3},
		{in: ",1.5\r\n", want: "$3\r\n1.5\r\n", resp: 3, prot: 2},
		{in: "(12345678901234567890\r\n", want: "(12345678901234567890\r\n", resp: 3, prot: 3},
		{in: "(12345678901234567890\r\n", want: "$20\r\n12345678901234567890\r\n", resp: 3, prot: 2},
		{in: "%1\r\n$1\r\nk\r\n:1\r\n", want: "%1\r\n$1\r\nk\r\n:1\r\n", resp: 3, prot: 3},
		{in: "%1\r\n$1\r\nk\r\n:1\r\n", want: "*2\r\n$1\r\nk\r\n:1\r\n", resp: 3, prot: 2},
		{in: "~1\r\n$1\r\nm\r\n", want: "~1\r\n$1\r\nm\r\n", resp: 3, prot: 3},
		{in: "=7\r\ntxt:abc\r\n", want: "=7\r\ntxt:abc\r\n", resp: 3, prot: 3},
		{in: "=7\r\ntxt:abc\r\n", want: "$3\r\nabc\r\n", resp: 3, prot: 2},
	} {
		require.Equal(t, tc.want, roundTrip(t, L, tc.in, tc.resp, tc.prot), "%q resp%d proto%d", tc.in, tc.resp, tc.prot)
	}
}

func TestParseReplyMalformed(t *testing.T) {
	L := lua.NewState()
	t.Cleanup(L.Close)
	for _, in := range []string{"", "+OK", "$5\r\nab\r\n", "*2\r\n:1\r\n", "?x\r\n", ":x\r\n"} {
		_, _, err := parseReply(L, []byte(in))
		require.Error(t, err, "%q", in)
	}
}

func TestLuaErrorCodes(t *testing.T) {
	L := lua.NewState()
	t.Cleanup(L.Close)
	for in, want := range map[string]string{
		"plain message":     "ERR plain message",
		"-CODE message":     "CODE message",
		"-NOCODE":           "ERR NOCODE",
		"-ERR trailing\r\n": "ERR trailing",
	} {
		require.Equal(t, lua.LString(want), luaError(L, in).RawGetString("err"), in)
	}
}

func TestParseShebang(t *testing.T) {
	s, err := parseShebang("#!lua flags=no-writes,allow-oom\nreturn 1")
	require.NoError(t, err)
	require.Equal(t, luaScript{shebang: true, noWrites: true, allowOOM: true}, s)
	s, err = parseShebang("return 1")
	require.NoError(t, err)
	require.False(t, s.shebang)
	_, err = parseShebang("#!lua flags=no-writes")
	require.EqualError(t, err, "ERR Invalid script shebang")
}

func TestChunkID(t *testing.T) {
	require.Equal(t, `[string "y = 1"]`, chunkID("y = 1"))
	require.Equal(t, `[string "a..."]`, chunkID("a\nb"))
	long := "0123456789012345678901234567890123456789012345678901234567890123456789"
	require.Equal(t, `[string "`+long[:43]+`..."]`, chunkID(long))
}

// BenchmarkEval measures a small rate-limiter style script end to end.
func BenchmarkEval(b *testing.B) {
	_, _, addr := startServer(b, Options{})
	rdb := newGoRedis(b, addr, 2)
	ctx := testCtx(b)
	src := `local n = redis.call('incr', KEYS[1]); if n == 1 then redis.call('expire', KEYS[1], ARGV[1]) end; return n`
	sha, err := rdb.ScriptLoad(ctx, src).Result()
	require.NoError(b, err)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := rdb.EvalSha(ctx, sha, []string{"rl"}, 60).Err(); err != nil {
			b.Fatal(err)
		}
	}
}
