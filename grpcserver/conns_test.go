package grpcserver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

func TestConnectionCounts(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	_, err := h.client.Get(ctx, &pb.GetRequest{UserId: user, Key: "k"})
	require.NoError(t, err)
	assert.Equal(t, int64(1), h.srv.ConnectionsReceived())
	assert.Equal(t, int64(1), h.srv.ConnectedClients())

	second := pb.NewRedisServiceClient(h.dial(t))
	_, err = second.Get(ctx, &pb.GetRequest{UserId: user, Key: "k"})
	require.NoError(t, err)
	assert.Equal(t, int64(2), h.srv.ConnectionsReceived())
	assert.Equal(t, int64(2), h.srv.ConnectedClients())

	require.NoError(t, h.conn.Close())
	require.Eventually(t, func() bool { return h.srv.ConnectedClients() == 1 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, int64(2), h.srv.ConnectionsReceived())
}
