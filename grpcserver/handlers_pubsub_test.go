package grpcserver

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// subscribe opens a stream and waits for its headers: from then on the
// subscription is live.
func subscribe(t *testing.T, ctx context.Context, c pb.RedisServiceClient, tn Tenant, channels ...string) pb.RedisService_SubscribeClient {
	t.Helper()
	s, err := c.Subscribe(ctx, &pb.SubscribeRequest{UserId: tn.User, OrganizationId: tn.Org, Channels: channels})
	require.NoError(t, err)
	_, err = s.Header()
	require.NoError(t, err)
	return s
}

func publish(t *testing.T, ctx context.Context, c pb.RedisServiceClient, tn Tenant, channel, msg string) int32 {
	t.Helper()
	r, err := c.Publish(ctx, &pb.PublishRequest{UserId: tn.User, OrganizationId: tn.Org, Channel: channel, Message: msg})
	require.NoError(t, err)
	return r.SubscriberCount
}

func TestPubSub(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	c := h.client
	me := Tenant{User: user}
	assert.Equal(t, int32(0), publish(t, ctx, c, me, "a", "nobody"))
	s1 := subscribe(t, ctx, c, me, "a", "b")
	s2 := subscribe(t, ctx, c, me, "a")
	assert.Equal(t, int32(2), publish(t, ctx, c, me, "a", "one"))
	assert.Equal(t, int32(1), publish(t, ctx, c, me, "b", "two"))

	m, err := s1.Recv()
	require.NoError(t, err)
	assert.Equal(t, "a", m.Channel)
	assert.Equal(t, "one", m.Message)
	assert.Equal(t, h.clock.Now(), m.Timestamp.AsTime(), "stamped with the publish time")
	m, err = s1.Recv()
	require.NoError(t, err)
	assert.Equal(t, "b", m.Channel)
	m, err = s2.Recv()
	require.NoError(t, err)
	assert.Equal(t, "one", m.Message)

	// Unsubscribe reaches both streams of the tenant; s2 loses its only
	// channel and ends cleanly, s1 keeps b.
	u, err := c.Unsubscribe(ctx, &pb.UnsubscribeRequest{UserId: user, Channels: []string{"a"}})
	require.NoError(t, err)
	assert.True(t, u.Success)
	_, err = s2.Recv()
	assert.Equal(t, io.EOF, err)
	assert.Equal(t, int32(0), publish(t, ctx, c, me, "a", "gone"))
	assert.Equal(t, int32(1), publish(t, ctx, c, me, "b", "three"))
	m, err = s1.Recv()
	require.NoError(t, err)
	assert.Equal(t, "three", m.Message)

	// No channels named: all of them, as UNSUBSCRIBE.
	_, err = c.Unsubscribe(ctx, &pb.UnsubscribeRequest{UserId: user})
	require.NoError(t, err)
	_, err = s1.Recv()
	assert.Equal(t, io.EOF, err)

	_, err = subscribeErr(ctx, c, &pb.SubscribeRequest{UserId: user})
	requireCode(t, err, codes.InvalidArgument, "channels is required")
}

// subscribeErr opens a stream and returns its first Recv's error.
func subscribeErr(ctx context.Context, c pb.RedisServiceClient, req *pb.SubscribeRequest) (*pb.MessageResponse, error) {
	s, err := c.Subscribe(ctx, req)
	if err != nil {
		return nil, err
	}
	return s.Recv()
}

func TestSubscribeEndsCleanlyAtShutdown(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	s := subscribe(t, ctx, h.client, Tenant{User: user}, "ch")
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.srv.Shutdown(ctx)
	}()
	_, err := s.Recv()
	assert.Equal(t, io.EOF, err, "a clean end, not an error")
	<-done
	assert.NotContains(t, h.logs.String(), "graceful stop timed out")
}

func TestSlowSubscriberIsDropped(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	me := Tenant{User: user}
	s := subscribe(t, ctx, h.client, me, "flood")
	// Never reading, the subscriber falls behind: the transport's buffers
	// fill, then the broker's, and it is dropped instead of blocking the
	// publisher.
	msg := strings.Repeat("x", 4096)
	var dropped bool
	for i := 0; i < 100_000 && !dropped; i++ {
		dropped = publish(t, ctx, h.client, me, "flood", msg) == 0
	}
	require.True(t, dropped, "the publisher was never told the subscriber was gone")
	var err error
	for err == nil {
		_, err = s.Recv()
	}
	requireCode(t, err, codes.ResourceExhausted, "could not keep up")
	assert.Zero(t, publish(t, ctx, h.client, me, "flood", "after"))
}

func TestChannelsPerTenant(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	c := h.client
	for i, x := range hostileTenants {
		s := subscribe(t, ctx, c, x, "ch", "*")
		for j, y := range hostileTenants {
			if i != j {
				assert.Zero(t, publish(t, ctx, c, y, "ch", "intruder"), "%+v reaches %+v", y, x)
				_, err := c.Unsubscribe(ctx, &pb.UnsubscribeRequest{UserId: y.User, OrganizationId: y.Org})
				require.NoError(t, err)
			}
		}
		assert.Equal(t, int32(1), publish(t, ctx, c, x, "ch", fmt.Sprint(i)), "%+v's stream survived the others' Unsubscribe", x)
		m, err := s.Recv()
		require.NoError(t, err)
		assert.Equal(t, fmt.Sprint(i), m.Message)
		_, err = c.Unsubscribe(ctx, &pb.UnsubscribeRequest{UserId: x.User, OrganizationId: x.Org})
		require.NoError(t, err)
	}
}
