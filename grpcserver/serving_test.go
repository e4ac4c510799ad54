package grpcserver

import (
	"testing"

	"github.com/stretchr/testify/require"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// TestSetServing follows a backend outage through the health service: a
// watcher sees NOT_SERVING, then SERVING again; after Shutdown the server
// stays NOT_SERVING whatever the backend says.
func TestSetServing(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	hc := healthpb.NewHealthClient(h.conn)
	w, err := hc.Watch(ctx, &healthpb.HealthCheckRequest{Service: HealthService})
	require.NoError(t, err)
	next := func() healthpb.HealthCheckResponse_ServingStatus {
		r, err := w.Recv()
		require.NoError(t, err)
		return r.Status
	}
	require.Equal(t, healthpb.HealthCheckResponse_SERVING, next())

	h.srv.SetServing(false)
	require.Equal(t, healthpb.HealthCheckResponse_NOT_SERVING, next())
	r, err := hc.Check(ctx, &healthpb.HealthCheckRequest{})
	require.NoError(t, err)
	require.Equal(t, healthpb.HealthCheckResponse_NOT_SERVING, r.Status, "the server-wide status too")

	h.srv.SetServing(true)
	require.Equal(t, healthpb.HealthCheckResponse_SERVING, next())

	h.srv.Shutdown(ctx)
	h.srv.SetServing(true)
	r, err = hc.Check(ctx, &healthpb.HealthCheckRequest{Service: HealthService})
	if err == nil { // the connection may already be gone, which is fine too
		require.Equal(t, healthpb.HealthCheckResponse_NOT_SERVING, r.Status)
	}
}
