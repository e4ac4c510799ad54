package resp

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/isa-cloud/isa-memstore/engine"
)

// TestMain fails the package if a test leaves a goroutine behind (an
// event loop, a forwarder, a client goroutine).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestServeAndClose(t *testing.T) {
	eng, err := engine.Open(engine.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = eng.Close() })
	srv := NewServer(eng, Options{})
	assert.Nil(t, srv.Addr())
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	require.Eventually(t, func() bool { return srv.Addr() != nil }, testTimeout, time.Millisecond)
	c := dialRaw(t, l.Addr().String())
	assert.Equal(t, "+PONG\r\n", c.do("PING"))
	require.NoError(t, srv.Close())
	require.ErrorIs(t, <-served, ErrServerClosed)
	// The connection was closed by the server.
	require.NoError(t, c.nc.SetReadDeadline(time.Now().Add(testTimeout)))
	_, err = c.br.ReadByte()
	assert.ErrorIs(t, err, io.EOF)
	require.NoError(t, srv.Close()) // idempotent
	assert.ErrorIs(t, srv.Serve(l), ErrServerClosed)
}

func TestShutdownWaitsForIdleClients(t *testing.T) {
	eng, err := engine.Open(engine.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = eng.Close() })
	srv := NewServer(eng, Options{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	c := dialRaw(t, l.Addr().String())
	assert.Equal(t, "+PONG\r\n", c.do("PING"))
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	require.NoError(t, srv.Shutdown(ctx))
	require.ErrorIs(t, <-served, ErrServerClosed)
}

func TestProtocolErrorClosesConnection(t *testing.T) {
	_, _, addr := startServer(t, Options{})
	for in, want := range map[string]string{
		"*1\r\n$4\r\nPING\r\n*abc\r\n":      "+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n",
		"*1\r\nx\r\n":                       "-ERR Protocol error: expected '$', got 'x'\r\n",
		"GET \"a\r\n":                       "-ERR Protocol error: unbalanced quotes in request\r\n",
		"*2\r\n$3\r\nget\r\n$600000000\r\n": "-ERR Protocol error: invalid bulk length\r\n",
	} {
		c := dialRaw(t, addr)
		c.write([]byte(in))
		require.NoError(t, c.nc.SetReadDeadline(time.Now().Add(testTimeout)))
		got, err := io.ReadAll(c.nc)
		require.NoError(t, err, in)
		assert.Equal(t, want, string(got), in)
	}
}

func TestLimits(t *testing.T) {
	srv, _, addr := startServer(t, Options{MaxBulkLen: 1 << 20, MaxClients: 2})
	a := dialRaw(t, addr)
	assert.Equal(t, "+PONG\r\n", a.do("PING"))
	b := dialRaw(t, addr)
	assert.Equal(t, "+PONG\r\n", b.do("PING"))
	c := dialRaw(t, addr)
	require.NoError(t, c.nc.SetReadDeadline(time.Now().Add(testTimeout)))
	got, err := io.ReadAll(c.nc)
	require.NoError(t, err)
	assert.Equal(t, "-ERR max number of clients reached\r\n", string(got))
	assert.Contains(t, srv.info([]string{"stats"}), "rejected_connections:1\r\n")

	// proto-max-bulk-len applies to new connections once changed.
	assert.Equal(t, "+OK\r\n", a.do("CONFIG", "SET", "maxclients", "10"))
	// Only the header is sent: the server refuses the length before the
	// bulk arrives and closes, so a client still writing the 1 MB would
	// see its write reset instead of the reply.
	tooLong := dialRaw(t, addr)
	tooLong.write([]byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048577\r\n"))
	assert.Equal(t, "-ERR Protocol error: invalid bulk length\r\n", tooLong.reply())
	assert.Equal(t, "+OK\r\n", a.do("CONFIG", "SET", "proto-max-bulk-len", "2mb"))
	assert.Equal(t, "+OK\r\n", dialRaw(t, addr).do("SET", "k", strings.Repeat("x", 1<<20+1)))
}

func TestIdleTimeout(t *testing.T) {
	_, _, addr := startServer(t, Options{IdleTimeout: 300 * time.Millisecond})
	c := dialRaw(t, addr)
	assert.Equal(t, "+PONG\r\n", c.do("PING"))
	require.NoError(t, c.nc.SetReadDeadline(time.Now().Add(testTimeout)))
	_, err := c.br.ReadByte() // nothing sent: the server hangs up
	assert.ErrorIs(t, err, io.EOF)

	// Subscribers are exempt, as in Redis.
	s := dialRaw(t, addr)
	assert.Equal(t, "*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n", s.do("SUBSCRIBE", "c"))
	p := dialRaw(t, addr)
	assert.Equal(t, ":1\r\n", p.do("PUBLISH", "c", "m"))
	assert.Equal(t, "*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n", s.reply())
}

func TestQueryBufferLimitDisconnects(t *testing.T) {
	_, _, addr := startServer(t, Options{MaxQueryBuffer: 128 * 1024})
	c := dialRaw(t, addr)
	c.write([]byte("*2\r\n$3\r\nget\r\n$300000\r\n"))
	c.write([]byte(strings.Repeat("x", 200*1024)))
	require.NoError(t, c.nc.SetReadDeadline(time.Now().Add(testTimeout)))
	got, _ := io.ReadAll(c.nc) // closed without a reply, as Redis
	assert.Empty(t, got)
}

func TestHostileInputDoesNotCrash(t *testing.T) {
	_, _, addr := startServer(t, Options{})
	inputs := []string{
		"*2147483647\r\n", "*1\r\n$536870912\r\n", "\x00\x01\x02\r\n", strings.Repeat("*", 70000),
		"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$-1\r\n", "*1\r\n$3\r\nGETxx", "\"\\xzz\"\r\n",
	}
	for _, in := range inputs {
		c := dialRaw(t, addr)
		c.write([]byte(in))
		_ = c.nc.Close()
	}
	assert.Equal(t, "+PONG\r\n", dialRaw(t, addr).do("PING"))
}

// Over the memory limit, commands that may grow memory are refused before
// they run or are queued (so MULTI aborts), reads and deletes still work.
func TestMemoryLimit(t *testing.T) {
	_, _, addr := startServer(t, Options{}, engine.Options{MaxMemory: 4096})
	c := dialRaw(t, addr)
	big := strings.Repeat("x", 5000)
	assert.Equal(t, "+OK\r\n", c.do("SET", "big", big))
	const oom = "-OOM command not allowed when used memory > 'maxmemory'.\r\n"
	assert.Equal(t, oom, c.do("SET", "k", "v"))
	assert.Equal(t, oom, c.do("RPUSH", "l", "v"))
	assert.Equal(t, "+OK\r\n", c.do("MULTI"))
	assert.Equal(t, oom, c.do("SET", "k", "v"))
	assert.Equal(t, "-EXECABORT Transaction discarded because of previous errors.\r\n", c.do("EXEC"))
	assert.Equal(t, fmt.Sprintf("$%d\r\n%s\r\n", len(big), big), c.do("GET", "big"))
	assert.Equal(t, ":1\r\n", c.do("DEL", "big"))
	assert.Equal(t, "+OK\r\n", c.do("SET", "k", "v"))
}

// CONFIG SET maxmemory sets the engine's limit while it runs, as on Redis:
// the keys already stored count toward it, INFO reports it, 0 lifts it,
// and a CONFIG SET with any bad value changes nothing.
func TestConfigSetMaxMemory(t *testing.T) {
	_, _, addr := startServer(t, Options{})
	c := dialRaw(t, addr)
	big := strings.Repeat("x", 5000)
	assert.Equal(t, "+OK\r\n", c.do("SET", "big", big))
	assert.Equal(t, "+OK\r\n", c.do("CONFIG", "SET", "maxmemory", "4kb"))
	assert.Equal(t, "*2\r\n$9\r\nmaxmemory\r\n$4\r\n4096\r\n", c.do("CONFIG", "GET", "maxmemory"))
	assert.Contains(t, c.do("INFO", "memory"), "maxmemory:4096\r\n")
	const oom = "-OOM command not allowed when used memory > 'maxmemory'.\r\n"
	assert.Equal(t, oom, c.do("SET", "k", "v"))

	// A refused value, a duplicate or a refused second setting leaves
	// every setting as it was.
	for _, bad := range [][]string{
		{"CONFIG", "SET", "maxmemory", "0", "timeout", "abc"},
		{"CONFIG", "SET", "maxmemory", "0", "maxmemory", "0"},
		{"CONFIG", "SET", "maxmemory", "1.5mb"},
		{"CONFIG", "SET", "maxmemory", "-1"},
		{"CONFIG", "SET", "maxmemory", "9223372036854775807kb"},
		{"CONFIG", "SET", "timeout", "7", "save", "900 1"},
	} {
		assert.True(t, strings.HasPrefix(c.do(bad...), "-ERR CONFIG SET failed"), bad)
	}
	assert.Equal(t, "*2\r\n$9\r\nmaxmemory\r\n$4\r\n4096\r\n", c.do("CONFIG", "GET", "maxmemory"))
	assert.Equal(t, "*2\r\n$7\r\ntimeout\r\n$1\r\n0\r\n", c.do("CONFIG", "GET", "timeout"))
	assert.Equal(t, oom, c.do("SET", "k", "v"))

	assert.Equal(t, "+OK\r\n", c.do("CONFIG", "SET", "maxmemory", "0", "save", ""))
	assert.Equal(t, "+OK\r\n", c.do("SET", "k", "v"))
	assert.Contains(t, c.do("INFO", "memory"), "maxmemory:0\r\n")
}

// MEMORY USAGE answers the key's size in the engine's accounting, which
// grows with the value, nil for a missing key, and Redis's errors for a
// bad SAMPLES; MEMORY's other subcommands (about Redis's allocator) are
// unknown.
func TestMemoryUsage(t *testing.T) {
	_, _, addr := startServer(t, Options{})
	c := dialRaw(t, addr)
	assert.Equal(t, "+OK\r\n", c.do("SET", "small", "v"))
	assert.Equal(t, "+OK\r\n", c.do("SET", "large", strings.Repeat("x", 1000)))
	size := func(key string, extra ...string) int {
		t.Helper()
		reply := c.do(append([]string{"MEMORY", "USAGE", key}, extra...)...)
		require.True(t, strings.HasPrefix(reply, ":"), reply)
		n, err := strconv.Atoi(strings.TrimSpace(reply[1:]))
		require.NoError(t, err)
		return n
	}
	small, big := size("small"), size("large", "SAMPLES", "0")
	assert.Positive(t, small)
	assert.Equal(t, small+999, big, "the same key length, 999 more bytes of value")
	assert.Equal(t, "$-1\r\n", c.do("MEMORY", "USAGE", "nokey"))
	assert.Equal(t, "-ERR syntax error\r\n", c.do("MEMORY", "USAGE", "small", "SAMPLES"))
	assert.Equal(t, "-ERR syntax error\r\n", c.do("MEMORY", "USAGE", "small", "SAMPLES", "-1"))
	assert.Equal(t, "-ERR syntax error\r\n", c.do("MEMORY", "USAGE", "small", "FOO", "1"))
	assert.Equal(t, "-ERR value is not an integer or out of range\r\n", c.do("MEMORY", "USAGE", "small", "SAMPLES", "x"))
	assert.Equal(t, "-ERR unknown subcommand 'STATS'. Try MEMORY HELP.\r\n", c.do("MEMORY", "STATS"))
}
