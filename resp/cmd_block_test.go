package resp

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/engine"
	"github.com/isa-cloud/isa-memstore/internal/testcert"
	"github.com/isa-cloud/isa-memstore/ttl"
)

// waitBlocked waits until n clients wait in a blocking command.
func waitBlocked(t *testing.T, srv *Server, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return srv.blockedClients() == n }, testTimeout, time.Millisecond)
}

// Blocking pops through go-redis, served by the event loops and by
// goroutines, in both protocols: answered at once, served by another
// client's write while waiting, and timed out on the engine's clock.
func TestBlockingPopsGoRedis(t *testing.T) {
	for _, m := range servingModes {
		for _, proto := range []int{2, 3} {
			t.Run(fmt.Sprintf("%s/RESP%d", m.name, proto), func(t *testing.T) {
				clock := ttl.NewManual(time.Unix(1_700_000_000, 0))
				srv, _, addr := startServer(t, m.opts(), engine.Options{Clock: clock})
				ctx := testCtx(t)
				waiter := newGoRedis(t, addr, proto)
				writer := newGoRedis(t, addr, proto)

				// Immediate answers.
				require.NoError(t, writer.RPush(ctx, "l", "a", "b", "c").Err())
				assert.Equal(t, []string{"l", "a"}, waiter.BLPop(ctx, 0, "none", "l").Val())
				assert.Equal(t, []string{"l", "c"}, waiter.BRPop(ctx, 0, "l").Val())
				assert.Equal(t, "b", waiter.BLMove(ctx, "l", "dst", "LEFT", "RIGHT", 0).Val())
				require.NoError(t, writer.ZAdd(ctx, "z", redis.Z{Score: 1, Member: "one"}, redis.Z{Score: 2, Member: "two"}).Err())
				zk := waiter.BZPopMax(ctx, 0, "z").Val()
				assert.Equal(t, "z", zk.Key)
				assert.Equal(t, "two", zk.Member)
				assert.Equal(t, 2.0, zk.Score)

				// Served while waiting, by another client's push.
				type popped struct {
					v   []string
					err error
				}
				got := make(chan popped, 1)
				go func() {
					v, err := waiter.BLPop(ctx, 0, "q1", "q2").Result()
					got <- popped{v, err}
				}()
				waitBlocked(t, srv, 1)
				require.NoError(t, writer.RPush(ctx, "q2", "x", "y").Err())
				p := <-got
				require.NoError(t, p.err)
				assert.Equal(t, []string{"q2", "x"}, p.v)
				assert.Equal(t, []string{"y"}, writer.LRange(ctx, "q2", 0, -1).Val())

				mgot := make(chan []string, 1)
				go func() {
					_, vs, err := waiter.BLMPop(ctx, 0, "right", 5, "m").Result()
					assert.NoError(t, err)
					mgot <- vs
				}()
				waitBlocked(t, srv, 1)
				require.NoError(t, writer.RPush(ctx, "m", "1", "2", "3").Err())
				assert.Equal(t, []string{"3", "2", "1"}, <-mgot)

				zgot := make(chan []redis.Z, 1)
				go func() {
					_, zs, err := waiter.BZMPop(ctx, 0, "min", 2, "zz").Result()
					assert.NoError(t, err)
					zgot <- zs
				}()
				waitBlocked(t, srv, 1)
				require.NoError(t, writer.ZAdd(ctx, "zz", redis.Z{Score: 3, Member: "c"}, redis.Z{Score: 1, Member: "a"}, redis.Z{Score: 2, Member: "b"}).Err())
				assert.Equal(t, []redis.Z{{Score: 1, Member: "a"}, {Score: 2, Member: "b"}}, <-zgot)

				// A timeout passes on the engine's clock.
				go func() {
					v, err := waiter.BRPopLPush(ctx, "empty", "dst", 5*time.Second).Result()
					got <- popped{[]string{v}, err}
				}()
				waitBlocked(t, srv, 1)
				clock.Advance(4 * time.Second)
				select {
				case p := <-got:
					t.Fatalf("answered before its timeout: %v", p)
				default:
				}
				clock.Advance(time.Second)
				p = <-got
				assert.ErrorIs(t, p.err, redis.Nil)
				waitBlocked(t, srv, 0)
			})
		}
	}
}

// Commands pipelined behind a blocking command wait with it, and their
// replies follow its answer in order.
func TestBlockingPopHoldsThePipeline(t *testing.T) {
	for _, m := range servingModes {
		t.Run(m.name, func(t *testing.T) {
			srv, _, addr := startServer(t, m.opts())
			c := dialRaw(t, addr)
			c.write(append(append(encode("BLPOP", "k", "0"), encode("PING")...), encode("LLEN", "k")...))
			waitBlocked(t, srv, 1)
			other := dialRaw(t, addr)
			assert.Equal(t, ":2\r\n", other.do("RPUSH", "k", "a", "b"))
			assert.Equal(t, "*2\r\n$1\r\nk\r\n$1\r\na\r\n", c.reply())
			assert.Equal(t, "+PONG\r\n", c.reply())
			assert.Equal(t, ":1\r\n", c.reply())
		})
	}
}

// A client that disconnects while waiting takes nothing: the next push
// stays in the list.
func TestBlockedClientDisconnects(t *testing.T) {
	for _, m := range servingModes {
		t.Run(m.name, func(t *testing.T) {
			srv, _, addr := startServer(t, m.opts())
			c := dialRaw(t, addr)
			c.write(encode("BLPOP", "k", "0"))
			waitBlocked(t, srv, 1)
			require.NoError(t, c.nc.Close())
			waitBlocked(t, srv, 0)
			other := dialRaw(t, addr)
			assert.Equal(t, ":1\r\n", other.do("RPUSH", "k", "v"))
			assert.Equal(t, ":1\r\n", other.do("LLEN", "k"))
		})
	}
}

// What a blocked client sends while it waits runs after the answer, in
// order, however much of it arrives during the wait; an idle timeout does
// not end a wait (Redis exempts blocked clients).
func TestBlockedClientKeepsItsInput(t *testing.T) {
	for _, m := range servingModes {
		t.Run(m.name, func(t *testing.T) {
			opts := m.opts()
			opts.IdleTimeout = 50 * time.Millisecond
			srv, _, addr := startServer(t, opts)
			c := dialRaw(t, addr)
			c.write(encode("BLPOP", "k", "0"))
			waitBlocked(t, srv, 1)
			// Sent in pieces while blocked, one command split across writes.
			big := strings.Repeat("x", 3000)
			rest := append(encode("SET", "s", big), encode("STRLEN", "s")...)
			for len(rest) > 0 {
				n := min(700, len(rest))
				c.write(rest[:n])
				rest = rest[n:]
			}
			c.write(encode("PING"))
			// A client dialled after the wait began and then left idle is
			// hung up on once the timeout has passed, and so has passed for
			// the blocked client too.
			idle := dialRaw(t, addr)
			require.NoError(t, idle.nc.SetReadDeadline(time.Now().Add(testTimeout)))
			_, err := idle.br.ReadByte()
			require.ErrorIs(t, err, io.EOF)
			other := dialRaw(t, addr)
			assert.Contains(t, other.do("INFO", "clients"), "blocked_clients:1\r\n")
			assert.Equal(t, ":1\r\n", other.do("RPUSH", "k", "v"))
			assert.Equal(t, "*2\r\n$1\r\nk\r\n$1\r\nv\r\n", c.reply())
			assert.Equal(t, "+OK\r\n", c.reply())
			assert.Equal(t, ":3000\r\n", c.reply())
			assert.Equal(t, "+PONG\r\n", c.reply())
		})
	}
}

// CLIENT UNBLOCK ends a wait as a timeout or with Redis's UNBLOCKED
// error; INFO and CLIENT LIST show the waiting client.
func TestClientUnblock(t *testing.T) {
	for _, m := range servingModes {
		t.Run(m.name, func(t *testing.T) {
			srv, _, addr := startServer(t, m.opts())
			c := dialRaw(t, addr)
			id := strings.TrimSuffix(strings.TrimPrefix(c.do("CLIENT", "ID"), ":"), "\r\n")
			admin := dialRaw(t, addr)
			assert.Equal(t, ":0\r\n", admin.do("CLIENT", "UNBLOCK", id))
			assert.Equal(t, "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n", admin.do("CLIENT", "UNBLOCK", id, "x"))

			c.write(encode("BZPOPMIN", "z", "0"))
			waitBlocked(t, srv, 1)
			assert.Contains(t, admin.do("INFO", "clients"), "blocked_clients:1\r\n")
			assert.Contains(t, admin.do("CLIENT", "LIST", "ID", id), " flags=b ")
			assert.Equal(t, ":1\r\n", admin.do("CLIENT", "UNBLOCK", id))
			assert.Equal(t, "*-1\r\n", c.reply())

			c.write(encode("BLMOVE", "a", "b", "LEFT", "LEFT", "0"))
			waitBlocked(t, srv, 1)
			assert.Equal(t, ":1\r\n", admin.do("CLIENT", "UNBLOCK", id, "ERROR"))
			assert.Equal(t, "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n", c.reply())
			assert.Equal(t, "+PONG\r\n", c.do("PING"))
		})
	}
}

// Inside MULTI a blocking command does not wait: an empty key answers
// null in EXEC's reply.
func TestBlockingPopInMulti(t *testing.T) {
	_, _, addr := startServer(t, Options{})
	c := dialRaw(t, addr)
	assert.Equal(t, "+OK\r\n", c.do("MULTI"))
	assert.Equal(t, "+QUEUED\r\n", c.do("BLPOP", "empty", "0"))
	assert.Equal(t, "+QUEUED\r\n", c.do("RPUSH", "k", "v"))
	assert.Equal(t, "+QUEUED\r\n", c.do("BRPOP", "k", "0"))
	assert.Equal(t, "*3\r\n*-1\r\n:1\r\n*2\r\n$1\r\nk\r\n$1\r\nv\r\n", c.do("EXEC"))
}

// Engine close answers every waiter.
func TestBlockedClientsWhenServerCloses(t *testing.T) {
	srv, _, addr := startServer(t, Options{})
	c := dialRaw(t, addr)
	c.write(encode("BLPOP", "k", "0"))
	waitBlocked(t, srv, 1)
	require.NoError(t, srv.Close())
	require.NoError(t, c.nc.SetReadDeadline(time.Now().Add(testTimeout)))
	_, err := c.br.ReadByte()
	assert.Error(t, err) // closed, not left hanging
}

// Over TLS (served by a goroutine, as any connection the loops cannot
// adopt) the watch of a blocked client is ended by a read deadline: the
// TLS connection must go on working after it, with the bytes read during
// the wait run in order, and a hang-up must withdraw the wait.
func TestBlockedTLSClient(t *testing.T) {
	cert := testcert.New(t, "127.0.0.1")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv, _ := serveOn(t, l, tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{cert.TLS}, MinVersion: tls.VersionTLS12}), Options{}, engine.Options{})
	dial := func() *rawConn {
		d := &net.Dialer{Timeout: testTimeout}
		nc, err := tls.DialWithDialer(d, "tcp", l.Addr().String(), &tls.Config{RootCAs: cert.Pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12})
		require.NoError(t, err)
		t.Cleanup(func() { _ = nc.Close() })
		return &rawConn{t: t, nc: nc, br: bufio.NewReader(nc)}
	}

	c := dial()
	c.write(encode("BLPOP", "k", "0"))
	waitBlocked(t, srv, 1)
	c.write(append(encode("ECHO", strings.Repeat("e", 5000)), encode("PING")...))
	other := dial()
	assert.Equal(t, ":1\r\n", other.do("RPUSH", "k", "v"))
	assert.Equal(t, "*2\r\n$1\r\nk\r\n$1\r\nv\r\n", c.reply())
	assert.Equal(t, "$5000\r\n"+strings.Repeat("e", 5000)+"\r\n", c.reply())
	assert.Equal(t, "+PONG\r\n", c.reply())
	assert.Equal(t, "+PONG\r\n", c.do("PING"), "the connection works after the watch")

	c.write(encode("BLPOP", "k", "0"))
	waitBlocked(t, srv, 1)
	require.NoError(t, c.nc.Close())
	waitBlocked(t, srv, 0)
	assert.Equal(t, ":1\r\n", other.do("RPUSH", "k", "w"))
	assert.Equal(t, ":1\r\n", other.do("LLEN", "k"), "nothing was taken for the client that left")
}
