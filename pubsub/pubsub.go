// Package pubsub is the in-process channel / pattern broker behind PUBLISH,
// SUBSCRIBE, PSUBSCRIBE and PUBSUB, with Redis semantics for delivery and
// counting.
//
// Channels and patterns live in namespaces (one per tenant): a message
// published in namespace ns reaches only subscriptions made in ns, however
// the namespace and channel names look. Patterns are Redis globs (see
// internal/glob).
//
// A publisher never waits for a subscriber. Each subscription has a bounded
// buffer; when a message does not fit, that subscription is ended with
// ErrSlowConsumer and the others carry on. Messages from one publishing
// goroutine reach every subscription in the order they were published.
//
// The broker starts no goroutines: delivery happens on the publisher's
// goroutine and consumption on the subscriber's.
package pubsub

import (
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/isa-cloud/isa-memstore/internal/glob"
)

// Reasons a subscription ended, reported by Subscription.Err.
var (
	// ErrClosed: the subscription's owner called Close.
	ErrClosed = errors.New("pubsub: subscription closed")
	// ErrSlowConsumer: a message did not fit in the subscription's buffer,
	// so the broker dropped the subscriber rather than block the publisher.
	ErrSlowConsumer = errors.New("pubsub: subscriber could not keep up and was disconnected")
	// ErrBrokerClosed: the broker was closed.
	ErrBrokerClosed = errors.New("pubsub: broker closed")
)

// DefaultBufferSize is the per-subscription buffer used when
// Options.BufferSize is not positive.
const DefaultBufferSize = 1024

// Options configures a Broker.
type Options struct {
	// BufferSize is the number of messages each subscription can hold
	// before its consumer is considered too slow (default
	// DefaultBufferSize).
	BufferSize int
}

// Message is one delivery to a subscription.
type Message struct {
	// Channel is the channel the message was published to (without any
	// namespace).
	Channel string
	// Pattern is the pattern through which the message was delivered, or ""
	// when it was delivered through a channel subscription.
	Pattern string
	// Payload is the published message.
	Payload string
	// Time is the publish time given to Publish.
	Time time.Time
}

// Broker routes published messages to subscriptions. It is safe for
// concurrent use. The zero value is not usable; call New.
type Broker struct {
	bufSize int

	// mu guards everything below and the bookkeeping fields of every
	// Subscription. Publish holds it shared while it delivers, so a
	// subscription's channel can only be closed (under the exclusive lock)
	// when no send to it is in flight.
	mu     sync.RWMutex
	closed bool
	spaces map[string]*space
	subs   map[*Subscription]struct{} // every live subscription, for Close
}

// space is one namespace: its subscribed channels and patterns.
type space struct {
	channels map[string]*entry
	patterns map[string]*entry
	patList  []*entry // patterns again, as a slice: Publish scans them all
}

// entry is the set of subscriptions to one channel or one pattern. It is a
// slice because Publish walks it on every message; each subscription
// remembers its position so removal is O(1).
type entry struct {
	name    string
	pattern bool
	subs    []*Subscription
	listIdx int // position in space.patList, for pattern entries
}

// New returns a broker configured by opts.
func New(opts Options) *Broker {
	size := opts.BufferSize
	if size <= 0 {
		size = DefaultBufferSize
	}
	return &Broker{
		bufSize: size,
		spaces:  make(map[string]*space),
		subs:    make(map[*Subscription]struct{}),
	}
}

// Publish delivers payload to every subscription of namespace ns that is
// subscribed to channel or to a pattern matching it, and returns the number
// of deliveries, counted as Redis's PUBLISH does: one per channel
// subscription plus one per matching pattern subscription, so a
// subscription reached through two patterns counts (and receives) twice.
// Subscriptions dropped because their buffer was full are not counted.
//
// Publish never waits for a consumer. Messages published by one goroutine
// are delivered in that order; within one Publish a subscription receives
// the channel delivery before pattern deliveries.
func (b *Broker) Publish(ns, channel, payload string, at time.Time) int {
	msg := Message{Channel: channel, Payload: payload, Time: at}
	var slowBuf [4]*Subscription // keeps the usual no-slow case allocation-free
	slow := slowBuf[:0]
	n := 0

	b.mu.RLock()
	if sp := b.spaces[ns]; sp != nil {
		if e := sp.channels[channel]; e != nil {
			for _, s := range e.subs {
				n, slow = s.deliver(msg, n, slow)
			}
		}
		for _, e := range sp.patList {
			if !glob.Match(e.name, channel) {
				continue
			}
			msg.Pattern = e.name
			for _, s := range e.subs {
				n, slow = s.deliver(msg, n, slow)
			}
		}
	}
	b.mu.RUnlock()

	if len(slow) > 0 {
		// Closing a channel needs the exclusive lock (see Broker.mu). This
		// waits for other publishers' sends, never for a consumer.
		b.mu.Lock()
		for _, s := range slow {
			b.endLocked(s, ErrSlowConsumer)
		}
		b.mu.Unlock()
	}
	return n
}

// Subscribe creates a subscription in namespace ns, subscribed to channels
// (possibly none). On a closed broker it returns a subscription that has
// already ended with ErrBrokerClosed.
func (b *Broker) Subscribe(ns string, channels ...string) *Subscription {
	s := &Subscription{
		b:        b,
		ns:       ns,
		ch:       make(chan Message, b.bufSize),
		channels: make(map[string]int),
		patterns: make(map[string]int),
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		s.finishLocked(ErrBrokerClosed)
		return s
	}
	b.subs[s] = struct{}{}
	for _, c := range channels {
		b.addLocked(s, c, false)
	}
	return s
}

// Channels returns, sorted, the channels of namespace ns that have at least
// one subscriber and match pattern (Redis PUBSUB CHANNELS). An empty
// pattern lists every channel, as PUBSUB CHANNELS without a pattern does.
func (b *Broker) Channels(ns, pattern string) []string {
	b.mu.RLock()
	defer b.mu.RUnlock()
	sp := b.spaces[ns]
	if sp == nil {
		return nil
	}
	var out []string
	for name := range sp.channels {
		if pattern == "" || glob.Match(pattern, name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// NumSub returns, for each of channels in order, how many subscriptions of
// namespace ns are subscribed to it (Redis PUBSUB NUMSUB; pattern
// subscriptions are not counted).
func (b *Broker) NumSub(ns string, channels ...string) []int {
	out := make([]int, len(channels))
	b.mu.RLock()
	defer b.mu.RUnlock()
	if sp := b.spaces[ns]; sp != nil {
		for i, c := range channels {
			if e := sp.channels[c]; e != nil {
				out[i] = len(e.subs)
			}
		}
	}
	return out
}

// NumPat returns the number of distinct patterns subscribed to in namespace
// ns (Redis 7 PUBSUB NUMPAT counts patterns, not subscriptions).
func (b *Broker) NumPat(ns string) int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if sp := b.spaces[ns]; sp != nil {
		return len(sp.patterns)
	}
	return 0
}

// Close ends every subscription with ErrBrokerClosed. Later Subscribe calls
// return ended subscriptions and Publish reaches nobody. Close is
// idempotent.
func (b *Broker) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.closed = true
	for s := range b.subs {
		b.endLocked(s, ErrBrokerClosed)
	}
}

// addLocked subscribes s to a channel or pattern; b.mu must be held
// exclusively. A repeated subscription is a no-op, as in Redis.
func (b *Broker) addLocked(s *Subscription, name string, pattern bool) {
	mine := s.channels
	if pattern {
		mine = s.patterns
	}
	if _, ok := mine[name]; ok {
		return
	}
	sp := b.spaces[s.ns]
	if sp == nil {
		sp = &space{channels: make(map[string]*entry), patterns: make(map[string]*entry)}
		b.spaces[s.ns] = sp
	}
	entries := sp.channels
	if pattern {
		entries = sp.patterns
	}
	e := entries[name]
	if e == nil {
		e = &entry{name: name, pattern: pattern}
		entries[name] = e
		if pattern {
			e.listIdx = len(sp.patList)
			sp.patList = append(sp.patList, e)
		}
	}
	mine[name] = len(e.subs)
	e.subs = append(e.subs, s)
}

// removeLocked unsubscribes s from a channel or pattern it holds; b.mu must
// be held exclusively. Empty entries and namespaces are dropped so that
// churn does not leak memory.
func (b *Broker) removeLocked(s *Subscription, name string, pattern bool) {
	mine := s.channels
	if pattern {
		mine = s.patterns
	}
	i, ok := mine[name]
	if !ok {
		return
	}
	delete(mine, name)
	sp := b.spaces[s.ns]
	entries := sp.channels
	if pattern {
		entries = sp.patterns
	}
	e := entries[name]

	// Swap-remove s from e.subs and fix the index of the moved subscriber.
	last := len(e.subs) - 1
	if i != last {
		moved := e.subs[last]
		e.subs[i] = moved
		if pattern {
			moved.patterns[name] = i
		} else {
			moved.channels[name] = i
		}
	}
	e.subs[last] = nil
	e.subs = e.subs[:last]
	if len(e.subs) > 0 {
		return
	}

	delete(entries, name)
	if pattern {
		lastP := len(sp.patList) - 1
		if e.listIdx != lastP {
			moved := sp.patList[lastP]
			sp.patList[e.listIdx] = moved
			moved.listIdx = e.listIdx
		}
		sp.patList[lastP] = nil
		sp.patList = sp.patList[:lastP]
	}
	if len(sp.channels) == 0 && len(sp.patterns) == 0 {
		delete(b.spaces, s.ns)
	}
}

// endLocked ends a live subscription: it leaves every channel and pattern
// and its message channel is closed. b.mu must be held exclusively.
func (b *Broker) endLocked(s *Subscription, reason error) {
	if s.ended {
		return
	}
	for name := range s.channels {
		b.removeLocked(s, name, false)
	}
	for name := range s.patterns {
		b.removeLocked(s, name, true)
	}
	delete(b.subs, s)
	s.finishLocked(reason)
}

// Subscription is one subscriber's set of channels and patterns in a
// namespace, and the stream of messages they deliver. Its methods are safe
// for concurrent use.
//
// A subscription with no channels and no patterns left stays open, as a
// Redis connection does after its last UNSUBSCRIBE: it can subscribe again.
// Deciding when an empty subscription should end (e.g. a gRPC stream) is
// the caller's business; it ends only through Close, a slow consumer or
// Broker.Close.
type Subscription struct {
	b  *Broker
	ns string
	ch chan Message

	// slow is set by the publisher whose message did not fit; from then on
	// publishers skip the subscription until it is ended. Atomic because it
	// is written under the shared lock.
	slow atomic.Bool
	// err holds the end reason once ended, for lock-free Err.
	err atomic.Pointer[error]

	// Guarded by b.mu.
	ended    bool
	channels map[string]int // channel -> position in its entry's subs
	patterns map[string]int // pattern -> position in its entry's subs
}

// deliver tries a non-blocking send of m and updates the delivery count and
// the list of subscriptions this publish found too slow. Called with b.mu
// held shared: s cannot be ended (and ch closed) meanwhile.
func (s *Subscription) deliver(m Message, n int, slow []*Subscription) (int, []*Subscription) {
	if s.slow.Load() {
		return n, slow
	}
	select {
	case s.ch <- m:
		return n + 1, slow
	default:
		// Only the publisher that flips the flag reports it, so the
		// subscription is ended once.
		if s.slow.CompareAndSwap(false, true) {
			slow = append(slow, s)
		}
		return n, slow
	}
}

// finishLocked records why s ended and closes its channel. A subscription
// already marked slow reports ErrSlowConsumer whatever ended it, since that
// failure came first.
func (s *Subscription) finishLocked(reason error) {
	s.ended = true
	if s.slow.Load() {
		reason = ErrSlowConsumer
	}
	s.err.Store(&reason)
	close(s.ch)
}

// C returns the channel messages are delivered on. It is closed when the
// subscription ends; messages buffered before that can still be received,
// and Err then tells why it ended.
func (s *Subscription) C() <-chan Message { return s.ch }

// Err returns nil while the subscription is live, and afterwards why it
// ended: ErrClosed, ErrSlowConsumer or ErrBrokerClosed. It already reports
// ErrSlowConsumer in the instant between a publisher finding the buffer
// full and C being closed.
func (s *Subscription) Err() error {
	if p := s.err.Load(); p != nil {
		return *p
	}
	if s.slow.Load() {
		return ErrSlowConsumer // being ended right now
	}
	return nil
}

// Subscribe adds channels to the subscription. It fails with the end
// reason (see Err) if the subscription has ended.
func (s *Subscription) Subscribe(channels ...string) error {
	return s.add(channels, false)
}

// PSubscribe adds glob patterns to the subscription. It fails with the end
// reason (see Err) if the subscription has ended.
func (s *Subscription) PSubscribe(patterns ...string) error {
	return s.add(patterns, true)
}

func (s *Subscription) add(names []string, pattern bool) error {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	if s.ended || s.slow.Load() {
		return s.Err()
	}
	for _, name := range names {
		s.b.addLocked(s, name, pattern)
	}
	return nil
}

// Unsubscribe removes the given channels, or every channel when called
// without arguments; names not subscribed are ignored. It returns how many
// channels and patterns remain, the count Redis's UNSUBSCRIBE reports (0
// once the subscription has ended).
func (s *Subscription) Unsubscribe(channels ...string) (remaining int) {
	return s.remove(channels, false)
}

// PUnsubscribe removes the given patterns, or every pattern when called
// without arguments, and returns how many channels and patterns remain.
func (s *Subscription) PUnsubscribe(patterns ...string) (remaining int) {
	return s.remove(patterns, true)
}

func (s *Subscription) remove(names []string, pattern bool) int {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	if s.ended {
		return 0
	}
	if len(names) == 0 {
		mine := s.channels
		if pattern {
			mine = s.patterns
		}
		for name := range mine {
			s.b.removeLocked(s, name, pattern)
		}
	}
	for _, name := range names {
		s.b.removeLocked(s, name, pattern)
	}
	return len(s.channels) + len(s.patterns)
}

// Close ends the subscription with ErrClosed (unless it already ended) and
// closes C. It is idempotent.
func (s *Subscription) Close() {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	s.b.endLocked(s, ErrClosed)
}
