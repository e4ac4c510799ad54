package resp

import (
	"context"
	"net"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// redisCLI runs Debian's redis-cli against addr with stdin as its script
// and returns what it prints.
func redisCLI(t *testing.T, addr, stdin string, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Skip("redis-cli not installed (apt-get install redis-tools)")
	}
	host, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"-h", host, "-p", port}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	return string(out)
}

func TestRedisCLISession(t *testing.T) {
	_, _, addr := startServer(t, Options{})
	script := strings.Join([]string{
		"PING", "SET greeting hello", "GET greeting", "INCR counter", "INCRBY counter 41",
		"RPUSH list a b c", "LRANGE list 0 -1", "HSET h f v", "HGETALL h", "EXPIRE greeting 100", "TTL greeting",
		"GET nokey", "NOSUCH", "TYPE list", "DBSIZE", "MULTI", "INCR counter", "GET counter", "EXEC", "SELECT 1", "DBSIZE",
	}, "\n")
	out := redisCLI(t, addr, script)
	want := strings.Join([]string{
		"PONG", "OK", "hello", "1", "42", "3", "a", "b", "c", "1", "f", "v", "1", "100", "", "ERR unknown command 'NOSUCH', with args beginning with: ", "",
		"list", "4", "OK", "QUEUED", "QUEUED", "43", "43", "OK", "0", "",
	}, "\n")
	assert.Equal(t, want, out)

	// RESP3 mode and its types as redis-cli prints them.
	out = redisCLI(t, addr, "HGETALL h\nHELLO 3\n", "-3", "--no-raw")
	assert.True(t, strings.HasPrefix(out, "1# \"f\" => \"v\"\n"), out)
	assert.Contains(t, out, "\"server\" => \"redis\"")

	// INFO and CLIENT LIST, as an operator would use them.
	out = redisCLI(t, addr, "", "INFO", "keyspace")
	assert.Contains(t, out, "db0:keys=4,expires=1,avg_ttl=0")
	out = redisCLI(t, addr, "", "--no-raw", "CLIENT", "LIST")
	assert.Contains(t, out, "cmd=client|list")
}

// redis-cli --pipe mass insertion (raw protocol on stdin, then its ECHO
// marker to know when every reply is in).
func TestRedisCLIPipe(t *testing.T) {
	_, _, addr := startServer(t, Options{})
	var in strings.Builder
	for i := 0; i < 1000; i++ {
		in.Write(encode("SET", "key:"+string(rune('a'+i%26))+strings.Repeat("x", i%7), "v"))
		in.Write(encode("INCR", "n"))
	}
	out := redisCLI(t, addr, in.String(), "--pipe")
	assert.Contains(t, out, "errors: 0, replies: 2000")
	assert.Equal(t, "1000\n", redisCLI(t, addr, "", "GET", "n"))
}
