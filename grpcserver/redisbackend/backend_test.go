package redisbackend

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/grpcserver"
	"github.com/isa-cloud/isa-memstore/internal/conformance"
	"github.com/isa-cloud/isa-memstore/internal/testredis"
)

// testDB is the database the standalone tests use: 0..11 belong to other
// packages' tests (testredis flushes whole databases), and these tests
// never flush, since every test works in tenants of its own.
const testDB = 12

// quietLogger discards the backend's and the server's logs.
func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// testCtx is a context bounded so that a hung call fails the test.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// newBackend opens a Backend with opts (Logger and DialTimeout filled in)
// and closes it when the test ends.
func newBackend(t testing.TB, opts Options) *Backend {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = quietLogger()
	}
	b, err := New(testCtx(t), opts)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	return b
}

// standalone is a Backend on the test redis-server (skips without one).
func standalone(t testing.TB) *Backend {
	t.Helper()
	return newBackend(t, Options{Addrs: []string{testredis.Addr(t)}, DB: testDB})
}

// cluster is a Backend on the test Redis Cluster (skips without one).
func cluster(t testing.TB) *Backend {
	t.Helper()
	b := newBackend(t, Options{Addrs: testredis.ClusterAddrs(t)})
	require.True(t, b.Cluster())
	return b
}

// serve starts a gRPC server over b on a loopback port and returns its
// address; it stops when the test ends.
func serve(t testing.TB, b grpcserver.Backend) string {
	t.Helper()
	srv, err := grpcserver.New(b, grpcserver.Options{Logger: quietLogger()})
	require.NoError(t, err)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		require.NoError(t, <-served)
	})
	return lis.Addr().String()
}

func TestNewFailsClearlyWhenRedisIsUnreachable(t *testing.T) {
	// A port that was free a moment ago: nothing answers there.
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := lis.Addr().String()
	require.NoError(t, lis.Close())

	start := time.Now()
	_, err = New(testCtx(t), Options{Addrs: []string{addr}, DialTimeout: 2 * time.Second, Logger: quietLogger()})
	require.Error(t, err)
	require.Contains(t, err.Error(), addr)
	require.Contains(t, err.Error(), "does not answer")
	require.Less(t, time.Since(start), 20*time.Second, "bounded by the dial timeout")

	_, err = New(testCtx(t), Options{})
	require.ErrorContains(t, err, "no Redis address")
}

// TestSentinel runs the conformance suite through a Sentinel: a master and
// one sentinel watching it, both started here.
func TestSentinel(t *testing.T) {
	master := startRedis(t, freePort(t))
	conf := filepath.Join(t.TempDir(), "sentinel.conf")
	require.NoError(t, os.WriteFile(conf, []byte(fmt.Sprintf(
		"sentinel monitor isa %s %d 1\nsentinel down-after-milliseconds isa 5000\n", "127.0.0.1", master.port)), 0o600))
	sentinel := startRedis(t, freePort(t), conf, "--sentinel")
	b := newBackend(t, Options{Addrs: []string{sentinel.addr()}, MasterName: "isa", DB: 1})
	require.False(t, b.Cluster())
	conformance.RunWith(t, serve(t, b), redisTarget)

	// The data is on the master the sentinel named.
	ctx := testCtx(t)
	tn := freshTenant()
	require.NoError(t, b.Set(ctx, tn, "k", "v", 0))
	c := redis.NewClient(&redis.Options{Addr: master.addr(), DB: 1})
	defer c.Close()
	v, err := c.Get(ctx, "org-"+tn.Org+":user-"+tn.User+":k").Result()
	require.NoError(t, err)
	require.Equal(t, "v", v)
}

func TestNewDetectsTopology(t *testing.T) {
	t.Run("standalone", func(t *testing.T) {
		b := standalone(t)
		require.False(t, b.Cluster())
		require.True(t, b.Healthy())
	})
	t.Run("one cluster node is a cluster", func(t *testing.T) {
		addrs := testredis.ClusterAddrs(t)
		b := newBackend(t, Options{Addrs: addrs[:1]})
		require.True(t, b.Cluster(), "a single seed of a cluster must still use the cluster client and layout")
	})
	t.Run("cluster has only db 0", func(t *testing.T) {
		addrs := testredis.ClusterAddrs(t)
		_, err := New(testCtx(t), Options{Addrs: addrs[:1], DB: 3, Logger: quietLogger()})
		require.ErrorContains(t, err, "only database 0")
	})
}
