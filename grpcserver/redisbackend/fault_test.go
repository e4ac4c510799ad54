package redisbackend

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
	"github.com/isa-cloud/isa-memstore/grpcserver"
)

// redisProc is a redis-server this test owns: started in the foreground
// on a fixed port, so it can be stopped and started again at the same
// address.
type redisProc struct {
	t    *testing.T
	port int
	cmd  *exec.Cmd
	done chan struct{}
}

// freePort finds a port nothing listens on right now.
func freePort(t *testing.T) int {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := lis.Addr().(*net.TCPAddr).Port
	require.NoError(t, lis.Close())
	return port
}

// startRedis starts redis-server on port (skipping the test when the binary
// is absent) and waits until it answers. args go first (a config file).
func startRedis(t *testing.T, port int, args ...string) *redisProc {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not installed (apt-get install redis-server): this test starts and stops its own")
	}
	p := &redisProc{t: t, port: port, done: make(chan struct{})}
	p.cmd = exec.Command(bin, append(args, "--bind", "127.0.0.1", "--port", strconv.Itoa(port),
		"--save", "", "--appendonly", "no", "--dir", t.TempDir())...)
	require.NoError(t, p.cmd.Start())
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(p.stop)
	c := redis.NewClient(&redis.Options{Addr: p.addr(), MaxRetries: -1, DialTimeout: time.Second})
	defer c.Close()
	require.Eventually(t, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		return c.Ping(ctx).Err() == nil
	}, 10*time.Second, 20*time.Millisecond, "redis-server on port %d did not answer", port)
	return p
}

func (p *redisProc) addr() string { return "127.0.0.1:" + strconv.Itoa(p.port) }

// stop kills the server and waits until it has exited.
func (p *redisProc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Kill()
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.t.Error("redis-server did not exit after SIGKILL")
	}
}

// TestOutageAndRecovery stops Redis under a running server: calls answer
// UNAVAILABLE (no panic, no hang), health turns NOT_SERVING, a burst of
// calls leaves no goroutines behind, an open subscription ends with
// UNAVAILABLE; then Redis comes back on the same address and calls succeed
// again without restarting anything.
func TestOutageAndRecovery(t *testing.T) {
	port := freePort(t)
	rp := startRedis(t, port)

	var srvPtr atomic.Pointer[grpcserver.Server]
	health := make(chan bool, 16)
	b := newBackend(t, Options{
		Addrs:          []string{rp.addr()},
		HealthInterval: 200 * time.Millisecond,
		DialTimeout:    time.Second,
		OnHealthChange: func(ok bool) {
			if s := srvPtr.Load(); s != nil {
				s.SetServing(ok)
			}
			health <- ok
		},
	})
	srv, err := grpcserver.New(b, grpcserver.Options{Logger: quietLogger()})
	require.NoError(t, err)
	srvPtr.Store(srv)
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
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	c := pb.NewRedisServiceClient(conn)
	hc := healthpb.NewHealthClient(conn)
	ctx := testCtx(t)
	u := "fault-" + newToken()

	_, err = c.Set(ctx, &pb.SetRequest{UserId: u, Key: "k", Value: "before"})
	require.NoError(t, err)
	sub, err := c.Subscribe(ctx, &pb.SubscribeRequest{UserId: u, Channels: []string{"ch"}})
	require.NoError(t, err)
	_, err = sub.Header() // the subscription is live
	require.NoError(t, err)
	h, err := hc.Check(ctx, &healthpb.HealthCheckRequest{Service: grpcserver.HealthService})
	require.NoError(t, err)
	require.Equal(t, healthpb.HealthCheckResponse_SERVING, h.Status)
	baseline := runtime.NumGoroutine()

	rp.stop()

	// The first call after the outage may be the one that finds it.
	_, err = c.Get(ctx, &pb.GetRequest{UserId: u, Key: "k"})
	require.Equal(t, codes.Unavailable, status.Code(err), "%v", err)
	select {
	case ok := <-health:
		require.False(t, ok)
	case <-ctx.Done():
		t.Fatal("the backend did not report the outage")
	}
	h, err = hc.Check(ctx, &healthpb.HealthCheckRequest{Service: grpcserver.HealthService})
	require.NoError(t, err)
	require.Equal(t, healthpb.HealthCheckResponse_NOT_SERVING, h.Status)
	_, err = sub.Recv()
	require.Equal(t, codes.Unavailable, status.Code(err), "the open subscription ends: %v", err)

	// A burst of calls of every kind while Redis is down: all fail fast
	// with UNAVAILABLE, none panics (a panic would be INTERNAL), and none
	// leaves a goroutine waiting for Redis.
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := fmt.Sprint("k", i)
			_, e1 := c.Set(ctx, &pb.SetRequest{UserId: u, Key: k, Value: "v"})
			_, e2 := c.AcquireLock(ctx, &pb.AcquireLockRequest{UserId: u, LockKey: k, WaitTimeout: durationpb.New(time.Second)})
			_, e3 := c.ExecuteBatch(ctx, &pb.RedisBatchRequest{UserId: u, Commands: []*pb.BatchCommand{{Operation: "GET", Key: k}}})
			_, e4 := c.ListKeys(ctx, &pb.ListKeysRequest{UserId: u})
			errs <- e1
			errs <- e2
			errs <- e3
			errs <- e4
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		require.Equal(t, codes.Unavailable, status.Code(e), "%v", e)
	}
	require.Less(t, time.Since(start), 10*time.Second, "calls fail fast while Redis is down")
	hr, err := c.HealthCheck(ctx, &pb.RedisHealthCheckRequest{})
	require.NoError(t, err, "HealthCheck answers, unhealthy")
	require.False(t, hr.Healthy)
	require.Eventually(t, func() bool { return runtime.NumGoroutine() <= baseline+5 },
		10*time.Second, 20*time.Millisecond, "goroutines pile up: %d, before the outage %d", runtime.NumGoroutine(), baseline)

	// Redis returns at the same address (empty: it kept nothing).
	startRedis(t, port)
	select {
	case ok := <-health:
		require.True(t, ok)
	case <-ctx.Done():
		t.Fatal("the backend did not notice that Redis is back")
	}
	_, err = c.Set(ctx, &pb.SetRequest{UserId: u, Key: "k", Value: "after"})
	require.NoError(t, err)
	g, err := c.Get(ctx, &pb.GetRequest{UserId: u, Key: "k"})
	require.NoError(t, err)
	require.Equal(t, "after", g.Value)
	h, err = hc.Check(ctx, &healthpb.HealthCheckRequest{Service: grpcserver.HealthService})
	require.NoError(t, err)
	require.Equal(t, healthpb.HealthCheckResponse_SERVING, h.Status)
	a, err := c.AcquireLock(ctx, &pb.AcquireLockRequest{UserId: u, LockKey: "l", Ttl: durationpb.New(time.Minute)})
	require.NoError(t, err)
	require.True(t, a.Acquired)
	sub, err = c.Subscribe(ctx, &pb.SubscribeRequest{UserId: u, Channels: []string{"ch"}})
	require.NoError(t, err)
	_, err = sub.Header()
	require.NoError(t, err)
	p, err := c.Publish(ctx, &pb.PublishRequest{UserId: u, Channel: "ch", Message: "back"})
	require.NoError(t, err)
	require.Equal(t, int32(1), p.SubscriberCount)
	m, err := sub.Recv()
	require.NoError(t, err)
	require.Equal(t, "back", m.Message)
}
