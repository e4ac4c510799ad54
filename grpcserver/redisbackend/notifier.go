package redisbackend

import (
	"context"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// lockNotifier is the one pub/sub connection on which waiting AcquireLock
// calls hear of releases. It subscribes to a lock's release channel while
// somebody waits for that lock and unsubscribes when the last one leaves.
type lockNotifier struct {
	b *Backend

	mu      sync.Mutex
	ps      *redis.PubSub // nil until the first wait
	waiters map[string]map[*lockWaiter]struct{}
	closed  bool
}

// lockWaiter is one waiting AcquireLock.
type lockWaiter struct {
	channel string
	c       chan struct{} // one pending wake-up is enough: the waiter looks again
}

func newLockNotifier(b *Backend) *lockNotifier {
	return &lockNotifier{b: b, waiters: make(map[string]map[*lockWaiter]struct{})}
}

// watch registers a waiter for channel and makes sure the connection is
// subscribed to it. A failure to subscribe is not an error: the waiter
// then finds the release by its periodic look.
func (ln *lockNotifier) watch(ctx context.Context, channel string) *lockWaiter {
	w := &lockWaiter{channel: channel, c: make(chan struct{}, 1)}
	ln.mu.Lock()
	defer ln.mu.Unlock()
	if ln.closed {
		return w
	}
	if ln.ps == nil {
		ln.start()
	}
	set := ln.waiters[channel]
	if set == nil {
		set = make(map[*lockWaiter]struct{})
		ln.waiters[channel] = set
		_ = ln.ps.Subscribe(ctx, channel)
	}
	set[w] = struct{}{}
	return w
}

// start opens a new connection and its reader, which subscribes to the
// channels waited for at that moment. Caller holds ln.mu. No dial happens
// here: a down Redis must not hold the mutex.
func (ln *lockNotifier) start() {
	ps := ln.b.c.Subscribe(ln.b.base)
	ln.ps = ps
	channels := make([]string, 0, len(ln.waiters))
	for ch := range ln.waiters {
		channels = append(channels, ch)
	}
	ln.b.wg.Add(1)
	go ln.receive(ps, channels)
}

// reset drops the connection and opens a new one, after Redis was found
// unreachable: a connection that failed silently (a partition sends no
// reset) would otherwise wait for messages that never come until TCP
// keepalive gives up. Waiters are woken to look again.
func (ln *lockNotifier) reset() {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	if ln.closed || ln.ps == nil {
		return
	}
	_ = ln.ps.Close()
	ln.ps = nil
	if len(ln.waiters) > 0 {
		ln.start()
	}
	ln.wakeLocked("")
}

// unwatch removes w, unsubscribing from its channel when it was the last.
func (ln *lockNotifier) unwatch(w *lockWaiter) {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	set := ln.waiters[w.channel]
	delete(set, w)
	if len(set) == 0 && set != nil {
		delete(ln.waiters, w.channel)
		if ln.ps != nil && !ln.closed {
			ctx, cancel := context.WithTimeout(ln.b.base, ln.b.opts.DialTimeout)
			_ = ln.ps.Unsubscribe(ctx, w.channel)
			cancel()
		}
	}
}

// wake wakes the waiters of channel, or every waiter when channel is "".
func (ln *lockNotifier) wake(channel string) {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	ln.wakeLocked(channel)
}

func (ln *lockNotifier) wakeLocked(channel string) {
	for ch, set := range ln.waiters {
		if channel != "" && ch != channel {
			continue
		}
		for w := range set {
			select {
			case w.c <- struct{}{}:
			default:
			}
		}
	}
}

// receive reads the shared connection until close. After a connection
// error it wakes every waiter (releases may have been missed; go-redis
// reconnects and resubscribes on the next read) and backs off.
func (ln *lockNotifier) receive(ps *redis.PubSub, channels []string) {
	defer ln.b.wg.Done()
	if len(channels) > 0 {
		// Recorded by go-redis even if this write fails, and sent again
		// on every reconnection.
		_ = ps.Subscribe(ln.b.base, channels...)
	}
	backoff := 10 * time.Millisecond
	for {
		msg, err := ps.Receive(ln.b.base)
		if err != nil {
			ln.mu.Lock()
			stale := ln.closed || ln.ps != ps // closed, or replaced by reset
			ln.mu.Unlock()
			if stale || ln.b.base.Err() != nil {
				return
			}
			ln.wake("")
			select {
			case <-ln.b.quit:
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, time.Second)
			continue
		}
		backoff = 10 * time.Millisecond
		if m, ok := msg.(*redis.Message); ok {
			ln.wake(m.Channel)
		}
	}
}

// close ends the shared connection; waiters still waiting find out by
// their next look (Redis calls fail once the backend is closed).
func (ln *lockNotifier) close() {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	ln.closed = true
	if ln.ps != nil {
		_ = ln.ps.Close()
	}
}
