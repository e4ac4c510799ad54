package resp

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/engine"
)

// testTimeout bounds every network interaction of a test.
const testTimeout = 10 * time.Second

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// startServer opens an engine and serves it on a free loopback port; both
// are closed when the test ends.
func startServer(t testing.TB, opts Options, eopts ...engine.Options) (*Server, *engine.Engine, string) {
	t.Helper()
	var eo engine.Options
	if len(eopts) > 0 {
		eo = eopts[0]
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv, eng := serveOn(t, l, l, opts, eo)
	return srv, eng, l.Addr().String()
}

// serveOn serves a new engine on lis, which wraps (or is) l, until the
// test ends.
func serveOn(t testing.TB, l, lis net.Listener, opts Options, eo engine.Options) (*Server, *engine.Engine) {
	t.Helper()
	eng, err := engine.Open(eo)
	require.NoError(t, err)
	srv := NewServer(eng, opts)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	t.Cleanup(func() {
		require.NoError(t, srv.Close())
		require.ErrorIs(t, <-served, ErrServerClosed)
		require.NoError(t, eng.Close())
		_ = l.Close()
	})
	return srv, eng
}

// newClient connects go-redis with the given protocol version.
func newGoRedis(t testing.TB, addr string, proto int, mod ...func(*redis.Options)) *redis.Client {
	t.Helper()
	o := &redis.Options{Addr: addr, Protocol: proto, DialTimeout: testTimeout, ReadTimeout: testTimeout, WriteTimeout: testTimeout, PoolSize: 4}
	for _, m := range mod {
		m(o)
	}
	c := redis.NewClient(o)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// rawConn speaks RESP by hand, to check replies byte for byte.
type rawConn struct {
	t  testing.TB
	nc net.Conn
	br *bufio.Reader
}

func dialRaw(t testing.TB, addr string) *rawConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, testTimeout)
	require.NoError(t, err)
	t.Cleanup(func() { _ = nc.Close() })
	return &rawConn{t: t, nc: nc, br: bufio.NewReader(nc)}
}

// encode builds a RESP request.
func encode(args ...string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b.Bytes()
}

func (r *rawConn) write(p []byte) {
	r.t.Helper()
	require.NoError(r.t, r.nc.SetWriteDeadline(time.Now().Add(testTimeout)))
	_, err := r.nc.Write(p)
	require.NoError(r.t, err)
}

// do sends one command and returns its raw reply.
func (r *rawConn) do(args ...string) string {
	r.t.Helper()
	r.write(encode(args...))
	return r.reply()
}

// reply reads one complete raw reply (any RESP2/RESP3 type).
func (r *rawConn) reply() string {
	r.t.Helper()
	require.NoError(r.t, r.nc.SetReadDeadline(time.Now().Add(testTimeout)))
	s, err := readRawReply(r.br)
	require.NoError(r.t, err)
	return s
}

// readRawReply reads one reply and returns its exact bytes.
func readRawReply(br *bufio.Reader) (string, error) {
	line, err := br.ReadString('\n')
	if err != nil {
		return line, err
	}
	if len(line) < 3 || !strings.HasSuffix(line, "\r\n") {
		return line, fmt.Errorf("bad reply line %q", line)
	}
	body := line[1 : len(line)-2]
	switch line[0] {
	case '+', '-', ':', '_', ',', '#', '(':
		return line, nil
	case '$', '=', '!':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return line, err
		}
		buf := make([]byte, n+2)
		if _, err := ioReadFull(br, buf); err != nil {
			return line, err
		}
		return line + string(buf), nil
	case '*', '~', '>', '%', '|':
		n, err := strconv.Atoi(body)
		if err != nil {
			return line, err
		}
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		out := line
		for i := 0; i < n; i++ {
			s, err := readRawReply(br)
			out += s
			if err != nil {
				return out, err
			}
		}
		return out, nil
	}
	return line, fmt.Errorf("unknown reply type %q", line)
}

func ioReadFull(br *bufio.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := br.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
