package client

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

func TestPubSubOps(t *testing.T) {
	const u, o = "u1", "o1"
	runOps(t, []opCase{
		{
			name: "Publish", method: "Publish", resp: &pb.PublishResponse{SubscriberCount: 2},
			call: func(ctx context.Context, c *Client) (any, error) { return c.Publish(ctx, "ch", "hi") },
			req:  &pb.PublishRequest{UserId: u, OrganizationId: o, Channel: "ch", Message: "hi"}, want: 2,
		},
		{
			name: "Unsubscribe", method: "Unsubscribe", resp: &pb.UnsubscribeResponse{Success: true},
			call: func(ctx context.Context, c *Client) (any, error) { return c.Unsubscribe(ctx, "a", "b") },
			req:  &pb.UnsubscribeRequest{UserId: u, OrganizationId: o, Channels: []string{"a", "b"}}, want: true,
		},
	})
}

// streamScript drives the fake's Subscribe stream from the test.
type streamScript struct {
	started chan *pb.SubscribeRequest // the handler got a request
	ready   chan struct{}             // close to send the headers
	send    chan *pb.MessageResponse  // messages to send
	end     chan error                // end the stream with this
	ended   chan error                // the handler returned (its ctx error if cancelled)
}

func scriptStream(f *fake) *streamScript {
	s := &streamScript{
		started: make(chan *pb.SubscribeRequest, 1), ready: make(chan struct{}),
		send: make(chan *pb.MessageResponse), end: make(chan error, 1), ended: make(chan error, 1),
	}
	f.onStream("Subscribe", func(req proto.Message, ss grpc.ServerStream) error {
		s.started <- req.(*pb.SubscribeRequest)
		select {
		case <-s.ready:
		case <-ss.Context().Done():
			s.ended <- ss.Context().Err()
			return ss.Context().Err()
		}
		if err := ss.SendHeader(metadata.MD{}); err != nil {
			return err
		}
		for {
			select {
			case m := <-s.send:
				if err := ss.SendMsg(m); err != nil {
					s.ended <- err
					return err
				}
			case err := <-s.end:
				s.ended <- err
				return err
			case <-ss.Context().Done():
				s.ended <- ss.Context().Err()
				return ss.Context().Err()
			}
		}
	})
	return s
}

func TestSubscribe(t *testing.T) {
	f, c := startFake(t)
	s := scriptStream(f)
	type subResult struct {
		sub *Subscription
		err error
	}
	res := make(chan subResult, 1)
	go func() {
		sub, err := c.Subscribe(testCtx(t), "a", "b")
		res <- subResult{sub, err}
	}()
	req := <-s.started
	require.True(t, proto.Equal(&pb.SubscribeRequest{UserId: "u1", OrganizationId: "o1", Channels: []string{"a", "b"}}, req))
	select {
	case r := <-res:
		t.Fatalf("Subscribe returned before the server acknowledged it: %v", r.err)
	default:
	}
	close(s.ready)
	r := <-res
	require.NoError(t, r.err)
	sub := r.sub

	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range 50 { // more than the buffer: the consumer reads as they come
		go func() {
			s.send <- &pb.MessageResponse{Channel: "a", Message: fmt.Sprint(i), Timestamp: timestamppb.New(t0)}
		}()
		m := <-sub.C()
		require.Equal(t, Message{Channel: "a", Payload: fmt.Sprint(i), Time: t0}, m)
	}
	require.NoError(t, sub.Err(), "no error while running")

	require.NoError(t, sub.Close())
	_, open := <-sub.C()
	require.False(t, open, "C is closed after Close")
	require.NoError(t, sub.Err(), "Close is not an error")
	require.ErrorIs(t, <-s.ended, context.Canceled, "the server sees the stream cancelled")
	require.NoError(t, sub.Close(), "Close twice is fine")
}

func TestSubscriptionEnds(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  error
		want error
	}{
		{"server ends cleanly", nil, ErrSubscriptionEnded},
		{"slow consumer", status.Error(codes.ResourceExhausted, "subscriber too slow"), ErrResourceExhausted},
		{"server shutting down", status.Error(codes.Unavailable, "shutting down"), ErrUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, c := startFake(t)
			s := scriptStream(f)
			close(s.ready)
			sub, err := c.Subscribe(testCtx(t), "a")
			require.NoError(t, err)
			s.send <- &pb.MessageResponse{Channel: "a", Message: "last"}
			s.end <- tc.end
			<-sub.Done()
			require.ErrorIs(t, sub.Err(), tc.want)
			m, ok := <-sub.C()
			require.True(t, ok, "messages received before the end stay readable")
			require.Equal(t, "last", m.Payload)
			_, ok = <-sub.C()
			require.False(t, ok)
			require.NoError(t, sub.Close())
			require.ErrorIs(t, sub.Err(), tc.want, "Close after the end keeps the reason")
		})
	}
}

func TestSubscribeRefused(t *testing.T) {
	f, c := startFake(t)
	f.onStream("Subscribe", func(proto.Message, grpc.ServerStream) error {
		return status.Error(codes.PermissionDenied, "user_id is required")
	})
	sub, err := c.Subscribe(testCtx(t), "a")
	require.ErrorIs(t, err, ErrPermissionDenied)
	require.Nil(t, sub)

	f.onStream("Subscribe", func(proto.Message, grpc.ServerStream) error { return nil })
	_, err = c.Subscribe(testCtx(t), "a")
	require.ErrorIs(t, err, ErrSubscriptionEnded, "a stream that ends at once is reported")
}

func TestSubscribeSetupBoundedByContext(t *testing.T) {
	f, c := startFake(t)
	s := scriptStream(f) // never sends its headers
	ctx, cancel := context.WithCancel(context.Background())
	res := make(chan error, 1)
	go func() {
		_, err := c.Subscribe(ctx, "a")
		res <- err
	}()
	<-s.started
	cancel()
	require.ErrorIs(t, <-res, context.Canceled)
	require.ErrorIs(t, <-s.ended, context.Canceled, "the half-open stream is torn down")
}
