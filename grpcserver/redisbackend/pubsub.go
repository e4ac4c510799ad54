package redisbackend

import (
	"context"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/isa-cloud/isa-memstore/grpcserver"
	"github.com/isa-cloud/isa-memstore/pubsub"
)

// Pub/sub.
//
// A tenant's channel c is the Redis channel prefix+c (the earlier service's
// names on standalone Redis). Each Subscribe stream has a Redis pub/sub
// connection of its own, so PUBLISH's answer, the number of Redis
// subscribers reached, is the number of streams reached, as the engine
// counts them.
//
// In a cluster, plain PUBLISH is broadcast to every node and answers only
// the subscribers of the node it ran on; sharded pub/sub (SPUBLISH,
// SSUBSCRIBE, Redis 7) keeps a channel on the shard of its hash slot, and
// the channel carries the tenant's hash tag, so SPUBLISH reaches, and
// counts, every subscriber.

// Publish implements grpcserver.PubSubBackend.
func (b *Backend) Publish(ctx context.Context, t grpcserver.Tenant, channel, message string) (int64, error) {
	n, err := b.begin(t)
	if err != nil {
		return 0, err
	}
	var cmd *redis.IntCmd
	if b.cluster {
		cmd = b.c.SPublish(ctx, n.key(channel), message)
	} else {
		cmd = b.c.Publish(ctx, n.key(channel), message)
	}
	v, err := cmd.Result()
	return v, b.translate(ctx, err)
}

// Subscribe implements grpcserver.PubSubBackend. It returns once Redis has
// confirmed every channel, so a message published after it returns is
// delivered.
func (b *Backend) Subscribe(ctx context.Context, t grpcserver.Tenant, channels []string) (grpcserver.Subscription, error) {
	n, err := b.begin(t)
	if err != nil {
		return nil, err
	}
	phys := n.keys(channels)
	var ps *redis.PubSub
	if b.cluster {
		ps = b.c.SSubscribe(ctx, phys...)
	} else {
		ps = b.c.Subscribe(ctx, phys...)
	}
	want := make(map[string]struct{}, len(phys))
	for _, p := range phys {
		want[p] = struct{}{}
	}
	// Messages on channels confirmed first may arrive before the last
	// confirmation: keep them, in order.
	var early []*redis.Message
	for len(want) > 0 {
		msg, err := ps.Receive(ctx)
		if err != nil {
			_ = ps.Close()
			return nil, b.translate(ctx, err)
		}
		switch m := msg.(type) {
		case *redis.Subscription:
			delete(want, m.Channel)
		case *redis.Message:
			early = append(early, m)
		}
	}
	s := &subscription{
		b:        b,
		n:        n,
		ps:       ps,
		c:        make(chan pubsub.Message, b.opts.SubscriptionQueue),
		channels: make(map[string]struct{}, len(channels)),
		done:     make(chan struct{}),
	}
	for _, c := range channels {
		s.channels[c] = struct{}{}
	}
	for _, m := range early {
		if !s.deliver(m) {
			break
		}
	}
	if !b.subs.add(s) {
		_ = ps.Close()
		return nil, errUnavailable // the backend is closing
	}
	go s.receive()
	return s, nil
}

// subscription is one Subscribe stream's Redis connection; it implements
// grpcserver.Subscription.
type subscription struct {
	b  *Backend
	n  names
	ps *redis.PubSub
	c  chan pubsub.Message // written only by receive, which closes it

	mu       sync.Mutex
	channels map[string]struct{}
	// unsubs are the UNSUBSCRIBEs sent and not yet confirmed, by physical
	// channel; receive closes them as Redis confirms.
	unsubs map[string]chan struct{}
	err    error // why it ended; nil while live
	done   chan struct{}
}

var _ grpcserver.Subscription = (*subscription)(nil)

// C implements grpcserver.Subscription.
func (s *subscription) C() <-chan pubsub.Message { return s.c }

// Err implements grpcserver.Subscription: pubsub.ErrClosed after Close,
// pubsub.ErrSlowConsumer when the reader fell behind, an UNAVAILABLE status
// when the connection to Redis broke (messages may have been lost, so the
// stream ends rather than silently skip them).
func (s *subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// end records why the subscription ended (the first reason wins) and
// closes the connection, which stops receive.
func (s *subscription) end(err error) {
	s.mu.Lock()
	first := s.err == nil
	if first {
		s.err = err
	}
	s.mu.Unlock()
	if first {
		_ = s.ps.Close()
	}
}

// Close implements grpcserver.Subscription.
func (s *subscription) Close() {
	s.end(pubsub.ErrClosed)
	<-s.done
	s.b.subs.remove(s)
}

// Unsubscribe implements grpcserver.Subscription.
func (s *subscription) Unsubscribe(channels ...string) int {
	s.mu.Lock()
	if s.err != nil {
		s.mu.Unlock()
		return 0
	}
	if len(channels) == 0 {
		for c := range s.channels {
			channels = append(channels, c)
		}
	}
	var phys []string
	var confirmed []chan struct{}
	for _, c := range channels {
		if _, ok := s.channels[c]; ok {
			delete(s.channels, c)
			p := s.n.key(c)
			phys = append(phys, p)
			if s.unsubs == nil {
				s.unsubs = make(map[string]chan struct{})
			}
			ch := make(chan struct{})
			s.unsubs[p] = ch
			confirmed = append(confirmed, ch)
		}
	}
	left := len(s.channels)
	s.mu.Unlock()
	if len(phys) == 0 {
		return left
	}
	// Wait for Redis to confirm: only then does a PUBLISH from another
	// connection no longer count this subscriber, which is what the caller
	// of Unsubscribe observes next. Bounded: receive drops messages of
	// channels no longer subscribed anyway.
	ctx, cancel := context.WithTimeout(s.b.base, s.b.opts.DialTimeout)
	defer cancel()
	var err error
	if s.b.cluster {
		err = s.ps.SUnsubscribe(ctx, phys...)
	} else {
		err = s.ps.Unsubscribe(ctx, phys...)
	}
	if err == nil {
		for _, ch := range confirmed {
			select {
			case <-ch:
			case <-s.done:
			case <-ctx.Done():
			}
		}
	}
	return left
}

// receive moves messages from Redis to C until the subscription ends.
func (s *subscription) receive() {
	defer close(s.done)
	defer close(s.c)
	for {
		msg, err := s.ps.Receive(s.b.base)
		if err != nil {
			if s.Err() == nil { // not ended by us: the connection broke
				s.b.suspect()
				s.end(unavailable(err))
			}
			return
		}
		switch m := msg.(type) {
		case *redis.Message:
			if !s.deliver(m) {
				return
			}
		case *redis.Subscription:
			if m.Kind == "unsubscribe" || m.Kind == "sunsubscribe" {
				s.mu.Lock()
				if ch, ok := s.unsubs[m.Channel]; ok {
					close(ch)
					delete(s.unsubs, m.Channel)
				}
				s.mu.Unlock()
			}
		}
		// Anything else: pongs.
	}
}

// deliver queues m for the reader, stamped with its arrival time (Redis
// keeps no publish time). It reports false when the reader is too slow:
// the subscription has then ended with pubsub.ErrSlowConsumer, and the
// publishers never waited for it.
func (s *subscription) deliver(m *redis.Message) bool {
	ch, ok := s.n.strip(m.Channel)
	if !ok {
		return true
	}
	s.mu.Lock()
	_, wanted := s.channels[ch]
	s.mu.Unlock()
	if !wanted {
		return true // unsubscribed meanwhile
	}
	select {
	case s.c <- pubsub.Message{Channel: ch, Payload: m.Payload, Time: time.Now()}:
		return true
	default:
		s.end(pubsub.ErrSlowConsumer)
		return false
	}
}

// subscriptionSet is the backend's open subscriptions, ended by Close.
type subscriptionSet struct {
	mu     sync.Mutex
	m      map[*subscription]struct{}
	closed bool
}

func (ss *subscriptionSet) add(s *subscription) bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.closed {
		return false
	}
	if ss.m == nil {
		ss.m = make(map[*subscription]struct{})
	}
	ss.m[s] = struct{}{}
	return true
}

func (ss *subscriptionSet) remove(s *subscription) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.m, s)
}

// failAll ends every open subscription with err, after Redis was found
// unreachable: messages published meanwhile are lost, and a connection that
// failed silently would wait forever, so the streams end and their clients
// subscribe again.
func (ss *subscriptionSet) failAll(err error) {
	ss.mu.Lock()
	all := make([]*subscription, 0, len(ss.m))
	for s := range ss.m {
		all = append(all, s)
	}
	ss.mu.Unlock()
	for _, s := range all {
		s.end(err)
	}
}

// closeAll ends every open subscription (the streams see pubsub.ErrBrokerClosed,
// as with a closed engine) and waits for their readers.
func (ss *subscriptionSet) closeAll() {
	ss.mu.Lock()
	ss.closed = true
	all := make([]*subscription, 0, len(ss.m))
	for s := range ss.m {
		all = append(all, s)
	}
	ss.mu.Unlock()
	for _, s := range all {
		s.end(pubsub.ErrBrokerClosed)
		<-s.done
	}
}
