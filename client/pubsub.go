package client

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"google.golang.org/grpc/metadata"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// DefaultSubscriptionBuffer is how many received messages a Subscription
// holds for its consumer by default (see WithSubscriptionBuffer).
const DefaultSubscriptionBuffer = 128

// ErrSubscriptionEnded is a Subscription's Err when the server ended the
// stream without an error: it is shutting down, or Unsubscribe removed the
// stream's last channel.
var ErrSubscriptionEnded = errors.New("memstore: subscription ended by the server")

// Message is one message received on a subscribed channel.
type Message struct {
	Channel string
	Payload string
	Time    time.Time // when the server accepted the publish
}

// Publish sends message to channel and returns how many subscribers
// received it.
func (c *Client) Publish(ctx context.Context, channel, message string) (int, error) {
	r, err := c.rpc.Publish(ctx, &pb.PublishRequest{UserId: c.user, OrganizationId: c.org, Channel: channel, Message: message})
	return int(r.GetSubscriberCount()), err
}

// Unsubscribe removes channels from the tenant's open subscriptions on the
// server (all of them, not only this client's); a subscription left with
// no channel ends with ErrSubscriptionEnded. It reports the server's
// success flag.
func (c *Client) Unsubscribe(ctx context.Context, channels ...string) (bool, error) {
	r, err := c.rpc.Unsubscribe(ctx, &pb.UnsubscribeRequest{UserId: c.user, OrganizationId: c.org, Channels: channels})
	return r.GetSuccess(), err
}

// Subscription is an open Subscribe stream. Read messages from C until it
// is closed, then look at Err. Its methods are safe for concurrent use.
//
// A subscription is not resumed after it ends: messages published while no
// stream is open are not delivered (pub/sub keeps no history). Whether and
// how soon to subscribe again is the caller's choice; Err tells why it
// ended.
type Subscription struct {
	c      chan Message
	cancel context.CancelFunc
	done   chan struct{}

	mu     sync.Mutex
	err    error
	closed bool
}

// Subscribe opens a subscription to channels and returns once the server
// has acknowledged it, so a message published after Subscribe returns is
// delivered. ctx bounds only that set-up; the subscription then lives until
// Close, the end of the stream, or the client's Close.
//
// Messages arrive in publish order per channel. The subscription buffers a
// few of them (WithSubscriptionBuffer); a consumer that stays behind long
// enough is disconnected by the server, and Err then matches
// ErrResourceExhausted.
func (c *Client) Subscribe(ctx context.Context, channels ...string) (*Subscription, error) {
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stopSetup := context.AfterFunc(ctx, cancel)
	stream, err := c.rpc.Subscribe(sctx, &pb.SubscribeRequest{UserId: c.user, OrganizationId: c.org, Channels: channels})
	if err == nil {
		// The server sends its headers once the subscription is registered;
		// a stream that fails instead has no headers and Recv tells why.
		var md metadata.MD
		if md, err = stream.Header(); err == nil && md == nil {
			_, err = stream.Recv()
			if errors.Is(err, io.EOF) {
				err = ErrSubscriptionEnded
			}
		}
	}
	if !stopSetup() || err != nil {
		cancel()
		if ctx.Err() != nil {
			return nil, fromStatus(context.Cause(ctx))
		}
		return nil, fromStatus(err)
	}
	s := &Subscription{c: make(chan Message, c.subBuffer), cancel: cancel, done: make(chan struct{})}
	go s.run(sctx, stream)
	return s, nil
}

// run receives until the stream ends, then records why and closes C.
func (s *Subscription) run(ctx context.Context, stream pb.RedisService_SubscribeClient) {
	defer close(s.done)
	defer close(s.c)
	for {
		m, err := stream.Recv()
		if err != nil {
			s.finish(err)
			return
		}
		msg := Message{Channel: m.GetChannel(), Payload: m.GetMessage(), Time: asTime(m.GetTimestamp())}
		select {
		case s.c <- msg:
		case <-ctx.Done():
			s.finish(ctx.Err())
			return
		}
	}
}

func (s *Subscription) finish(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		// Ended by Close: not an error.
	case errors.Is(err, io.EOF):
		s.err = ErrSubscriptionEnded
	default:
		s.err = fromStatus(err)
	}
}

// C is the channel of received messages. It is closed when the
// subscription ends.
func (s *Subscription) C() <-chan Message { return s.c }

// Done is closed when the subscription has ended and Err is final.
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Err is why the subscription ended: nil while it runs and when Close
// ended it;
// ErrSubscriptionEnded when the server ended it cleanly; otherwise the
// stream's error as an *Error (ErrResourceExhausted for a consumer too
// slow, ErrUnavailable for a lost connection, ...).
func (s *Subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close ends the subscription and waits until C is closed; messages
// already buffered stay readable from C. Safe to call more than once.
func (s *Subscription) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	<-s.done
	return nil
}
