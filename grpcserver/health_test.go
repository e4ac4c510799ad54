package grpcserver

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// TestShutdownHealthNotServing watches the health of redis-service across
// a shutdown: SERVING, then NOT_SERVING, then a clean end of the stream
// (GracefulStop is not held by the watcher).
func TestShutdownHealthNotServing(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	w, err := healthpb.NewHealthClient(h.conn).Watch(ctx, &healthpb.HealthCheckRequest{Service: HealthService})
	require.NoError(t, err)
	first, err := w.Recv()
	require.NoError(t, err)
	require.Equal(t, healthpb.HealthCheckResponse_SERVING, first.Status)

	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		h.srv.Shutdown(ctx)
	}()
	var last healthpb.HealthCheckResponse_ServingStatus
	for {
		r, err := w.Recv()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		last = r.Status
	}
	assert.Equal(t, healthpb.HealthCheckResponse_NOT_SERVING, last)
	select {
	case <-stopped:
	case <-ctx.Done():
		t.Fatal("Shutdown did not return")
	}
	assert.NotContains(t, h.logs.String(), "graceful stop timed out")
}
