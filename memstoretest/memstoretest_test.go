package memstoretest

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"google.golang.org/grpc"

	"github.com/isa-cloud/isa-memstore/client"
	"github.com/isa-cloud/isa-memstore/grpcserver"
	"github.com/isa-cloud/isa-memstore/internal/conformance"
)

// TestMain fails the package if a test leaves a goroutine behind: Start's
// cleanups must stop everything it started.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestStart(t *testing.T) {
	for name, opts := range map[string][]Option{"tcp": nil, "bufconn": {WithBufconn()}} {
		t.Run(name, func(t *testing.T) {
			s := Start(t, opts...)
			if name == "tcp" {
				host, _, err := net.SplitHostPort(s.Addr)
				require.NoError(t, err)
				require.Equal(t, "127.0.0.1", host)
			} else {
				require.Equal(t, "bufconn", s.Addr)
			}
			require.Equal(t, User, s.Client.User())
			require.NoError(t, s.Client.Set(testCtx(t), "k", "v"))
			s.CheckGet(t, "k", "v")
			v, found, err := s.ClientDB().Get("k")
			require.NoError(t, err)
			require.True(t, found, "the client's writes land in ClientDB")
			require.Equal(t, "v", v)

			other := s.NewClient(t, client.WithUser("u2"), client.WithOrganization("o2"))
			require.NoError(t, other.Set(testCtx(t), "k", "other"))
			v, _, err = s.DB("o2", "u2").Get("k")
			require.NoError(t, err)
			require.Equal(t, "other", v, "DB(org, user) is that tenant's namespace")
			s.CheckGet(t, "k", "v")
		})
	}
}

func TestAdvanceExpiresKeys(t *testing.T) {
	s := Start(t)
	require.NoError(t, s.Client.SetTTL(testCtx(t), "k", "v", 10*time.Second))
	require.NoError(t, s.Client.Set(testCtx(t), "forever", "v"))
	s.CheckTTL(t, "k", 10*time.Second)
	s.CheckTTL(t, "forever", client.NoExpiration)
	s.Advance(4 * time.Second)
	s.CheckTTL(t, "k", 6*time.Second)
	s.CheckExists(t, "k", true)
	s.Advance(6 * time.Second)
	s.CheckExists(t, "k", false)
	s.CheckExists(t, "forever", true)
}

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, format)
}

func TestChecks(t *testing.T) {
	s := Start(t)
	ctx := testCtx(t)
	require.NoError(t, s.Client.Set(ctx, "str", "v"))
	_, err := s.Client.HSet(ctx, "h", map[string]string{"a": "1"})
	require.NoError(t, err)
	_, err = s.Client.RPush(ctx, "l", "a", "b")
	require.NoError(t, err)

	passing := []func(testing.TB){
		func(t testing.TB) { s.CheckGet(t, "str", "v") },
		func(t testing.TB) { s.CheckExists(t, "str", true) },
		func(t testing.TB) { s.CheckExists(t, "nope", false) },
		func(t testing.TB) { s.CheckTTL(t, "str", client.NoExpiration) },
		func(t testing.TB) { s.CheckHash(t, "h", map[string]string{"a": "1"}) },
		func(t testing.TB) { s.CheckHash(t, "nope", nil) },
		func(t testing.TB) { s.CheckList(t, "l", []string{"a", "b"}) },
		func(t testing.TB) { s.CheckList(t, "nope", nil) },
	}
	failing := []func(testing.TB){
		func(t testing.TB) { s.CheckGet(t, "str", "other") },
		func(t testing.TB) { s.CheckGet(t, "nope", "v") },
		func(t testing.TB) { s.CheckGet(t, "h", "v") }, // WRONGTYPE
		func(t testing.TB) { s.CheckExists(t, "str", false) },
		func(t testing.TB) { s.CheckTTL(t, "str", time.Second) },
		func(t testing.TB) { s.CheckTTL(t, "nope", client.NoExpiration) },
		func(t testing.TB) { s.CheckHash(t, "h", map[string]string{"a": "2"}) },
		func(t testing.TB) { s.CheckHash(t, "h", map[string]string{"a": "1", "b": "2"}) },
		func(t testing.TB) { s.CheckList(t, "l", []string{"b", "a"}) },
		func(t testing.TB) { s.CheckList(t, "str", nil) }, // WRONGTYPE
	}
	for i, check := range passing {
		r := &recorder{TB: t}
		check(r)
		require.Empty(t, r.errors, "passing check %d", i)
	}
	for i, check := range failing {
		r := &recorder{TB: t}
		check(r)
		require.Len(t, r.errors, 1, "failing check %d", i)
	}
}

func TestChecksSetsAndSortedSets(t *testing.T) {
	s := Start(t)
	ctx := testCtx(t)
	if _, err := s.Client.SAdd(ctx, "s", "b", "a"); errors.Is(err, client.ErrUnimplemented) {
		t.Skip("the server has no set RPCs yet")
	}
	s.CheckSet(t, "s", []string{"a", "b"})
	r := &recorder{TB: t}
	s.CheckSet(r, "s", []string{"a"})
	require.Len(t, r.errors, 1)

	_, err := s.Client.ZAdd(ctx, "z", client.Z{Member: "x", Score: 2}, client.Z{Member: "y", Score: 1})
	require.NoError(t, err)
	s.CheckZSet(t, "z", []client.Z{{Member: "y", Score: 1}, {Member: "x", Score: 2}})
	r = &recorder{TB: t}
	s.CheckZSet(r, "z", []client.Z{{Member: "x", Score: 2}, {Member: "y", Score: 1}})
	require.Len(t, r.errors, 1)
}

func TestStopRestart(t *testing.T) {
	for name, opts := range map[string][]Option{"tcp": nil, "bufconn": {WithBufconn()}} {
		t.Run(name, func(t *testing.T) {
			s := Start(t, opts...)
			require.NoError(t, s.Client.Set(testCtx(t), "k", "v"))
			require.NoError(t, s.Stop())
			require.NoError(t, s.Stop(), "Stop twice is fine")
			require.ErrorIs(t, s.Client.Set(testCtx(t), "k", "w"), client.ErrUnavailable)
			require.NoError(t, s.Restart())
			require.Error(t, s.Restart(), "Restart of a running server")
			s.CheckGet(t, "k", "v") // retried until the client has reconnected
		})
	}
}

// countingBackend counts the Get calls reaching the server.
type countingBackend struct {
	grpcserver.Backend
	gets atomic.Int64
}

func (b *countingBackend) Get(ctx context.Context, t grpcserver.Tenant, key string) (string, bool, error) {
	b.gets.Add(1)
	return b.Backend.Get(ctx, t, key)
}

func TestWithBackend(t *testing.T) {
	var cb *countingBackend
	s := Start(t, WithBackend(func(b grpcserver.Backend) grpcserver.Backend {
		cb = &countingBackend{Backend: b}
		return cb
	}))
	for range 3 {
		_, err := s.Client.Get(testCtx(t), "k")
		require.ErrorIs(t, err, client.Nil)
	}
	require.Equal(t, int64(3), cb.gets.Load())
}

func TestConformance(t *testing.T) {
	// The suite waits for real TTLs to pass.
	s := Start(t, WithSystemClock())
	require.Nil(t, s.Clock)
	require.Panics(t, func() { s.Advance(time.Second) })
	conformance.Run(t, s.Addr)
}

// TestConformanceThroughClient runs the suite with every call, unary and
// streaming, sent through the client's connection (its retries, gzip,
// call options and error mapping) instead of the suite's own.
func TestConformanceThroughClient(t *testing.T) {
	s := Start(t, WithSystemClock())
	cc := s.Client.Conn()
	conformance.Run(t, s.Addr,
		grpc.WithChainUnaryInterceptor(func(ctx context.Context, method string, req, reply any, _ *grpc.ClientConn, _ grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			return cc.Invoke(ctx, method, req, reply, opts...)
		}),
		grpc.WithChainStreamInterceptor(func(ctx context.Context, desc *grpc.StreamDesc, _ *grpc.ClientConn, method string, _ grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
			return cc.NewStream(ctx, desc, method, opts...)
		}))
}
