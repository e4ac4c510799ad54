package grpcserver

import (
	"context"
	"github.com/isa-cloud/isa-memstore/engine"
	"github.com/isa-cloud/isa-memstore/internal/conformance"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding/gzip"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	rpb "google.golang.org/grpc/reflection/grpc_reflection_v1"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

func TestNewRejectsBadOptions(t *testing.T) {
	_, err := New(nil, Options{})
	assert.ErrorContains(t, err, "nil Backend")
	b := NewEngineBackend(nil)
	_, err = New(b, Options{MaxMessageBytes: -1})
	assert.ErrorContains(t, err, "MaxMessageBytes")
	_, err = New(b, Options{Limits: Limits{MaxElements: -1}})
	assert.ErrorContains(t, err, "MaxElements")
	_, err = New(b, Options{Limits: Limits{ListKeysDefault: 10, ListKeysMax: 5}})
	assert.ErrorContains(t, err, "ListKeysDefault")
}

func TestHealthService(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	hc := healthpb.NewHealthClient(h.conn)
	for _, name := range []string{"", HealthService} {
		r, err := hc.Check(ctx, &healthpb.HealthCheckRequest{Service: name})
		require.NoError(t, err, "service %q", name)
		assert.Equal(t, healthpb.HealthCheckResponse_SERVING, r.Status, "service %q", name)
	}
	_, err := hc.Check(ctx, &healthpb.HealthCheckRequest{Service: "nope"})
	requireCode(t, err, codes.NotFound, "unknown service")
}

func TestShutdownWaitsForInFlight(t *testing.T) {
	blocked := make(chan struct{})
	release := make(chan struct{})
	h := newBackendHarness(t, blockingBackend{entered: blocked, release: release}, Options{})
	ctx := testCtx(t)
	done := make(chan error, 1)
	go func() {
		_, err := h.client.Get(ctx, &pb.GetRequest{UserId: user, Key: "k"})
		done <- err
	}()
	<-blocked
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		h.srv.Shutdown(ctx)
	}()
	select {
	case <-stopped:
		t.Fatal("Shutdown returned with a call in flight")
	case err := <-done:
		t.Fatalf("in-flight call ended before release: %v", err)
	default:
	}
	close(release)
	require.NoError(t, <-done, "the in-flight call finishes normally")
	<-stopped
}

func TestShutdownTimeoutStopsHungCalls(t *testing.T) {
	blocked := make(chan struct{})
	h := newBackendHarness(t, blockingBackend{entered: blocked, release: make(chan struct{})}, Options{})
	ctx := testCtx(t)
	done := make(chan error, 1)
	go func() {
		_, err := h.client.Get(ctx, &pb.GetRequest{UserId: user, Key: "k"})
		done <- err
	}()
	<-blocked
	short, cancel := context.WithCancel(ctx)
	cancel() // the grace period is already over
	h.srv.Shutdown(short)
	requireCode(t, <-done, codes.Unavailable, "")
	assert.Contains(t, h.logs.String(), "graceful stop timed out")
}

// blockingBackend's Get waits until release is closed or the call ends.
type blockingBackend struct {
	Backend
	entered chan struct{}
	release chan struct{}
}

func (b blockingBackend) Get(ctx context.Context, _ Tenant, _ string) (string, bool, error) {
	close(b.entered)
	select {
	case <-b.release:
		return "v", true, nil
	case <-ctx.Done():
		return "", false, ctx.Err()
	}
}

func TestReflection(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	stream, err := rpb.NewServerReflectionClient(h.conn).ServerReflectionInfo(ctx)
	require.NoError(t, err)
	require.NoError(t, stream.Send(&rpb.ServerReflectionRequest{MessageRequest: &rpb.ServerReflectionRequest_ListServices{}}))
	r, err := stream.Recv()
	require.NoError(t, err)
	var names []string
	for _, s := range r.GetListServicesResponse().GetService() {
		names = append(names, s.Name)
	}
	assert.Contains(t, names, "isa.redis.RedisService")
	assert.Contains(t, names, "grpc.health.v1.Health")
	require.NoError(t, stream.CloseSend())
}

func TestGzipRequests(t *testing.T) {
	h := newHarness(t, Options{}, grpc.WithDefaultCallOptions(grpc.UseCompressor(gzip.Name)))
	ctx := testCtx(t)
	big := strings.Repeat("compressible ", 10000)
	_, err := h.client.Set(ctx, &pb.SetRequest{UserId: user, Key: "k", Value: big})
	require.NoError(t, err)
	got, err := h.client.Get(ctx, &pb.GetRequest{UserId: user, Key: "k"})
	require.NoError(t, err)
	assert.Equal(t, big, got.Value)
}

func TestMaxMessageSize(t *testing.T) {
	h := newHarness(t, Options{MaxMessageBytes: 1 << 10})
	ctx := testCtx(t)
	_, err := h.client.Set(ctx, &pb.SetRequest{UserId: user, Key: "k", Value: strings.Repeat("x", 2<<10)})
	requireCode(t, err, codes.ResourceExhausted, "")
	// The value limit defaults to the message limit.
	_, err = h.client.Set(ctx, &pb.SetRequest{UserId: user, Key: "k", Value: strings.Repeat("x", 1000)})
	require.NoError(t, err)

	// The default is 10 MiB each way.
	d := newHarness(t, Options{}, grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(32<<20), grpc.MaxCallRecvMsgSize(32<<20)))
	_, err = d.client.Set(ctx, &pb.SetRequest{UserId: user, Key: "k", Value: strings.Repeat("x", 9<<20)})
	require.NoError(t, err)
	_, err = d.client.Set(ctx, &pb.SetRequest{UserId: user, Key: "k", Value: strings.Repeat("x", 11<<20)})
	requireCode(t, err, codes.ResourceExhausted, "")
}

// TestConformanceOverTCP runs the reusable conformance suite against a
// server on a real loopback socket with the system clock.
func TestConformanceOverTCP(t *testing.T) {
	eng, err := engine.Open(engine.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, eng.Close()) })
	srv, err := New(NewEngineBackend(eng), Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		require.NoError(t, <-served)
	})
	conformance.Run(t, lis.Addr().String())
}
