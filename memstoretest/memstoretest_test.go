package memstoretest

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"google.golang.org/grpc"

	"github.com/isa-cloud/isa-memstore/client"
	"github.com/isa-cloud/isa-memstore/grpcserver"
	"github.com/isa-cloud/isa-memstore/internal/conformance"
)

// TestMain fails the package if a test leaves a goroutine behind: Start's
// cleanups must stop everything it started.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

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

// TestWithRESP: a Redis client works against the same engine, and advancing
// the manual clock expires its keys without sleeping.
func TestWithRESP(t *testing.T) {
	s := Start(t, WithRESP())
	require.NotEmpty(t, s.RESPAddr)
	ctx := testCtx(t)
	rdb := redis.NewClient(&redis.Options{Addr: s.RESPAddr})
	t.Cleanup(func() { _ = rdb.Close() })

	require.NoError(t, rdb.Set(ctx, "k", "v", time.Minute).Err())
	require.Equal(t, "v", rdb.Get(ctx, "k").Val())
	ttl, err := rdb.TTL(ctx, "k").Result()
	require.NoError(t, err)
	require.Equal(t, time.Minute, ttl)

	s.Advance(time.Minute)
	require.ErrorIs(t, rdb.Get(ctx, "k").Err(), redis.Nil)
	n, err := rdb.DBSize(ctx).Result()
	require.NoError(t, err)
	require.Zero(t, n)
}

func TestWithoutRESP(t *testing.T) {
	require.Empty(t, Start(t).RESPAddr, "the RESP listener is off unless asked for")
}
