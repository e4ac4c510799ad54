package conformance

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

func (s *suite) publish(t *testing.T, tn tenant, channel, msg string) int32 {
	t.Helper()
	r, err := s.c.Publish(ctx(t), &pb.PublishRequest{UserId: tn.User, OrganizationId: tn.Org, Channel: channel, Message: msg})
	must(t, "Publish", err)
	return r.SubscriberCount
}

// subscribe opens a Subscribe stream and returns once the subscription is
// live: it publishes a "ready" message until one arrives (the only way a
// client can observe that), so later publishes are surely delivered. The
// returned stream hides the "ready" messages.
func (s *suite) subscribe(t *testing.T, tn tenant, channels ...string) *subscription {
	t.Helper()
	c := ctx(t)
	stream, err := s.c.Subscribe(c, &pb.SubscribeRequest{UserId: tn.User, OrganizationId: tn.Org, Channels: channels})
	must(t, "Subscribe", err)
	sub := &subscription{msgs: make(chan received, 1024)}
	go func() {
		// Ends with the stream, at the latest when the case's context
		// ends: nothing outlives the case.
		defer close(sub.msgs)
		for {
			m, err := stream.Recv()
			select {
			case sub.msgs <- received{m, err}:
			case <-c.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	timeout := time.After(10 * time.Second)
	s.publish(t, tn, channels[0], "ready")
	for {
		select {
		case r := <-sub.msgs:
			must(t, "Subscribe", r.err)
			if r.m.Channel == channels[0] && r.m.Message == "ready" {
				return sub
			}
		case <-tick.C:
			s.publish(t, tn, channels[0], "ready")
		case <-timeout:
			t.Fatal("the subscription never received a message")
		}
	}
}

type received struct {
	m   *pb.MessageResponse
	err error
}

// subscription is an open Subscribe stream read by a goroutine.
type subscription struct{ msgs chan received }

// Recv returns the next message that is not a warm-up "ready".
func (s *subscription) Recv() (*pb.MessageResponse, error) {
	for r := range s.msgs {
		if r.err != nil || r.m.Message != "ready" {
			return r.m, r.err
		}
	}
	return nil, io.EOF
}

var pubsubCases = map[string]func(*testing.T, *suite){
	"PublishCountsSubscribers": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		assert.Equal(t, int32(0), s.publish(t, tn, "nobody-listens", "x"))
		s.subscribe(t, tn, "news")
		s.subscribe(t, tn, "news")
		assert.Equal(t, int32(2), s.publish(t, tn, "news", "hello"))
	},
	"MessagesInOrderWithChannelAndTimestamp": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		stream := s.subscribe(t, tn, "a", "b")
		for i := range 20 {
			ch := []string{"a", "b"}[i%2]
			assert.Equal(t, int32(1), s.publish(t, tn, ch, fmt.Sprint(i)))
		}
		for i := range 20 {
			m, err := stream.Recv()
			require.NoError(t, err)
			assert.Equal(t, []string{"a", "b"}[i%2], m.Channel, "the channel without any tenant prefix")
			assert.Equal(t, fmt.Sprint(i), m.Message, "publish order")
			require.NotNil(t, m.Timestamp)
			assert.WithinDuration(t, time.Now(), m.Timestamp.AsTime(), time.Minute)
		}
	},
	"UnsubscribeLastChannelEndsStream": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		stream := s.subscribe(t, tn, "x", "y")
		u, err := s.c.Unsubscribe(ctx(t), &pb.UnsubscribeRequest{UserId: tn.User, OrganizationId: tn.Org, Channels: []string{"x"}})
		must(t, "Unsubscribe", err)
		assert.True(t, u.Success)
		assert.Equal(t, int32(0), s.publish(t, tn, "x", "dropped"))
		assert.Equal(t, int32(1), s.publish(t, tn, "y", "kept"))
		m, err := stream.Recv()
		require.NoError(t, err)
		assert.Equal(t, "kept", m.Message)

		_, err = s.c.Unsubscribe(ctx(t), &pb.UnsubscribeRequest{UserId: tn.User, OrganizationId: tn.Org, Channels: []string{"y"}})
		must(t, "Unsubscribe", err)
		_, err = stream.Recv()
		assert.Equal(t, io.EOF, err, "a clean end once the last channel is gone")
	},
}
