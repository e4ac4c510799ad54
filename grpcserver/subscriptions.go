package grpcserver

import (
	"sync"

	"github.com/isa-cloud/isa-memstore/pubsub"
)

// Subscription is a live subscription a Backend hands out for a Subscribe
// stream; *pubsub.Subscription (the engine's broker) implements it, and a
// Redis backend would adapt a Redis SUBSCRIBE connection to it.
type Subscription interface {
	// C delivers the messages; it is closed when the subscription ends,
	// after the messages buffered before that.
	C() <-chan pubsub.Message
	// Err is nil while the subscription is live, then why it ended:
	// pubsub.ErrClosed (Close), pubsub.ErrSlowConsumer (the reader could
	// not keep up and was dropped), pubsub.ErrBrokerClosed.
	Err() error
	// Unsubscribe removes channels (all of them when none are given) and
	// returns how many remain.
	Unsubscribe(channels ...string) (remaining int)
	// Close ends the subscription with pubsub.ErrClosed; idempotent.
	Close()
}

// subscriptions tracks the open Subscribe streams per tenant, so that the
// Unsubscribe RPC (a separate call, with no stream id) can remove channels
// from the caller's streams, and end a stream whose last channel is gone.
type subscriptions struct {
	mu       sync.Mutex
	byTenant map[Tenant]map[Subscription]struct{}
}

// add registers sub for t and returns the function that unregisters it.
func (r *subscriptions) add(t Tenant, sub Subscription) (remove func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byTenant == nil {
		r.byTenant = make(map[Tenant]map[Subscription]struct{})
	}
	m := r.byTenant[t]
	if m == nil {
		m = make(map[Subscription]struct{})
		r.byTenant[t] = m
	}
	m[sub] = struct{}{}
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		// A tenant's map is dropped only when empty, so it is still the
		// one sub went into.
		m := r.byTenant[t]
		delete(m, sub)
		if len(m) == 0 {
			delete(r.byTenant, t)
		}
	}
}

// unsubscribe removes channels (all when empty) from every open
// subscription of t and closes those left without a channel, which ends
// their streams cleanly. It returns how many subscriptions it touched.
func (r *subscriptions) unsubscribe(t Tenant, channels []string) int {
	r.mu.Lock()
	subs := make([]Subscription, 0, len(r.byTenant[t]))
	for sub := range r.byTenant[t] {
		subs = append(subs, sub)
	}
	r.mu.Unlock()
	for _, sub := range subs {
		if sub.Unsubscribe(channels...) == 0 {
			sub.Close()
		}
	}
	return len(subs)
}
