package resp

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/engine"
)

// servingModes are the ways a connection is served: by the event loops
// (the default), with busy polling off or so long that every wait of the
// test polls, and by a goroutine of its own.
type servingMode struct {
	name     string
	loops    int
	busyPoll time.Duration
}

var servingModes = []servingMode{{"loops", 0, 0}, {"loops-no-busy-poll", 0, -1}, {"loops-busy-poll-1h", 0, time.Hour}, {"goroutines", -1, 0}}

// opts are the server options of a serving mode.
func (m servingMode) opts() Options { return Options{EventLoops: m.loops, BusyPoll: m.busyPoll} }

// Both ways of serving a connection give the same replies: a pipeline,
// MULTI/EXEC, pub/sub, QUIT.
func TestServingModes(t *testing.T) {
	for _, m := range servingModes {
		t.Run(m.name, func(t *testing.T) {
			srv, _, addr := startServer(t, m.opts())
			c := dialRaw(t, addr)
			var req []byte
			for i := range 100 {
				req = append(req, encode("SET", fmt.Sprint("k", i), fmt.Sprint(i))...)
				req = append(req, encode("GET", fmt.Sprint("k", i))...)
			}
			c.write(req)
			for i := range 100 {
				assert.Equal(t, "+OK\r\n", c.reply())
				v := fmt.Sprint(i)
				assert.Equal(t, fmt.Sprintf("$%d\r\n%s\r\n", len(v), v), c.reply())
			}
			assert.Equal(t, "+OK\r\n", c.do("MULTI"))
			assert.Equal(t, "+QUEUED\r\n", c.do("INCR", "n"))
			assert.Equal(t, "*1\r\n:1\r\n", c.do("EXEC"))

			sub := dialRaw(t, addr)
			assert.Equal(t, "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n", sub.do("SUBSCRIBE", "ch"))
			assert.Equal(t, ":1\r\n", c.do("PUBLISH", "ch", "hello"))
			assert.Equal(t, "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nhello\r\n", sub.reply())

			var looped int
			for cl := range srv.snapshotClients() {
				if cl.looped {
					looped++
				}
			}
			if m.loops < 0 {
				assert.Zero(t, looped)
			} else {
				assert.Equal(t, 2, looped)
			}
			assert.Equal(t, "+OK\r\n", c.do("QUIT"))
			require.NoError(t, c.nc.SetReadDeadline(time.Now().Add(testTimeout)))
			_, err := c.br.ReadByte()
			assert.ErrorIs(t, err, io.EOF)
		})
	}
}

// wrappedListener hides the accepted connections' type, as a TLS listener
// would: the event loops cannot adopt them.
type wrappedListener struct{ net.Listener }

type wrappedConn struct{ net.Conn }

func (l wrappedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return wrappedConn{c}, nil
}

// Connections the loops cannot adopt are served by a goroutine.
func TestServeNonSocketConnections(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv, _ := serveOn(t, l, wrappedListener{l}, Options{}, engine.Options{})
	c := dialRaw(t, l.Addr().String())
	assert.Equal(t, "+PONG\r\n", c.do("PING"))
	clients := srv.snapshotClients()
	require.Len(t, clients, 1)
	for cl := range clients {
		assert.False(t, cl.looped)
	}
	assert.Contains(t, c.do("CLIENT", "LIST"), "addr="+c.nc.LocalAddr().String()+" ")
}

// A client that pipelines more replies than it reads is paused, not
// buffered without bound, and resumed once it reads: every reply arrives,
// in order.
func TestLoopClientPausedByUnreadOutput(t *testing.T) {
	_, _, addr := startServer(t, Options{})
	c := dialRaw(t, addr)
	big := strings.Repeat("v", 256*1024)
	assert.Equal(t, "+OK\r\n", c.do("SET", "big", big))
	const n = 64 // 16 MB of replies, far over outputBacklogMax
	var req []byte
	for i := range n {
		req = append(req, encode("GET", "big")...)
		req = append(req, encode("ECHO", fmt.Sprint(i))...)
	}
	wrote := make(chan error, 1)
	go func() {
		_, err := c.nc.Write(req)
		wrote <- err
	}()
	want := fmt.Sprintf("$%d\r\n%s\r\n", len(big), big)
	for i := range n {
		require.Equal(t, want, c.reply())
		e := fmt.Sprint(i)
		require.Equal(t, fmt.Sprintf("$%d\r\n%s\r\n", len(e), e), c.reply())
	}
	require.NoError(t, <-wrote)
}

// Shutdown ends loop clients once their pipeline is answered and stops
// the loops; Close after it is harmless.
func TestShutdownLoopClients(t *testing.T) {
	eng, err := engine.Open(engine.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = eng.Close() })
	srv := NewServer(eng, Options{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	conns := make([]*rawConn, 5)
	for i := range conns {
		conns[i] = dialRaw(t, l.Addr().String())
		assert.Equal(t, "+PONG\r\n", conns[i].do("PING"))
	}
	sub := dialRaw(t, l.Addr().String())
	assert.Equal(t, "*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n", sub.do("SUBSCRIBE", "c"))
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	require.NoError(t, srv.Shutdown(ctx))
	require.ErrorIs(t, <-served, ErrServerClosed)
	for _, c := range append(conns, sub) {
		require.NoError(t, c.nc.SetReadDeadline(time.Now().Add(testTimeout)))
		_, err := c.br.ReadByte()
		assert.ErrorIs(t, err, io.EOF)
	}
	require.NoError(t, srv.Close())
	assert.Empty(t, srv.snapshotClients())
}

// Connections come and go while others pipeline, over two loops: closed
// descriptors are reused by the kernel, and every reply must still reach
// the connection that asked for it.
func TestLoopDescriptorReuse(t *testing.T) {
	srv, _, addr := startServer(t, Options{EventLoops: 2})
	const workers, rounds = 4, 50
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			errs <- func() error {
				for r := range rounds {
					nc, err := net.DialTimeout("tcp", addr, testTimeout)
					if err != nil {
						return err
					}
					_ = nc.SetDeadline(time.Now().Add(testTimeout))
					br := bufio.NewReader(nc)
					var req []byte
					var want strings.Builder
					for i := range 10 {
						v := fmt.Sprintf("w%d-r%d-%d", w, r, i)
						req = append(req, encode("ECHO", v)...)
						fmt.Fprintf(&want, "$%d\r\n%s\r\n", len(v), v)
					}
					if _, err := nc.Write(req); err != nil {
						return err
					}
					got := make([]byte, want.Len())
					if _, err := io.ReadFull(br, got); err != nil {
						return err
					}
					if string(got) != want.String() {
						return fmt.Errorf("worker %d round %d: got %q", w, r, got)
					}
					_ = nc.Close()
				}
				return nil
			}()
		}()
	}
	for range workers {
		require.NoError(t, <-errs)
	}
	// Every closed connection has ended its client.
	require.Eventually(t, func() bool { return len(srv.snapshotClients()) == 0 }, testTimeout, time.Millisecond)
}

// A client that asks for far more output than it reads and then goes away
// is closed and forgotten: its paused input and unsent output are dropped.
func TestLoopClientGoneWithUnreadOutput(t *testing.T) {
	srv, _, addr := startServer(t, Options{})
	c := dialRaw(t, addr)
	big := strings.Repeat("v", 256*1024)
	assert.Equal(t, "+OK\r\n", c.do("SET", "big", big))
	var req []byte
	for range 64 {
		req = append(req, encode("GET", "big")...)
	}
	c.write(req)
	require.Eventually(t, func() bool {
		for cl := range srv.snapshotClients() {
			if cl.netOut.Load() > outputBacklogMax {
				return true
			}
		}
		return false
	}, testTimeout, time.Millisecond)
	require.NoError(t, c.nc.Close())
	require.Eventually(t, func() bool { return len(srv.snapshotClients()) == 0 }, testTimeout, time.Millisecond)
	// The server still serves others.
	assert.Equal(t, "+PONG\r\n", dialRaw(t, addr).do("PING"))
}

// CLIENT KILL from one loop client closes another on the same loop.
func TestLoopClientKill(t *testing.T) {
	_, _, addr := startServer(t, Options{EventLoops: 1})
	victim := dialRaw(t, addr)
	assert.Equal(t, "+OK\r\n", victim.do("CLIENT", "SETNAME", "victim"))
	id := strings.TrimSuffix(strings.TrimPrefix(victim.do("CLIENT", "ID"), ":"), "\r\n")
	killer := dialRaw(t, addr)
	assert.Equal(t, ":1\r\n", killer.do("CLIENT", "KILL", "ID", id))
	require.NoError(t, victim.nc.SetReadDeadline(time.Now().Add(testTimeout)))
	_, err := victim.br.ReadByte()
	assert.ErrorIs(t, err, io.EOF)
	assert.Equal(t, "+PONG\r\n", killer.do("PING"))
}

// BusyPoll's default needs a second P: a loop polling on the only one would
// keep every other goroutine waiting.
func TestBusyPollOption(t *testing.T) {
	eng, err := engine.Open(engine.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, eng.Close()) })
	busy := func(o Options) time.Duration { return NewServer(eng, o).opts.BusyPoll }
	if runtime.GOMAXPROCS(0) >= 2 {
		assert.Equal(t, DefaultBusyPoll, busy(Options{}))
		assert.Equal(t, time.Millisecond, busy(Options{BusyPoll: time.Millisecond}))
	} else {
		assert.Zero(t, busy(Options{}))
		assert.Zero(t, busy(Options{BusyPoll: time.Millisecond}))
	}
	assert.Zero(t, busy(Options{BusyPoll: -1}))
}
