// Package ttl holds the engine's notion of time: a Clock (the system clock in
// production, a manual clock in tests) and the expiry Index that orders keys by
// deadline. It is a leaf package: it imports nothing from the project.
package ttl

import (
	"container/heap"
	"sync"
	"time"
)

// Clock tells the engine what time it is. Every deadline in the engine is
// computed from a Clock so that tests can control time instead of sleeping.
type Clock interface {
	// Now is the current time.
	Now() time.Time
	// AfterFunc calls f once the clock has moved d past the current reading
	// and returns a Timer that can cancel the call. The engine uses it to
	// wake lock waiters when a lock expires, so that waking is driven by the
	// same clock as the deadline (a manual clock fires it when advanced).
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc call.
type Timer interface {
	// Stop cancels the call and reports whether it did so; false means f
	// has already been called or started, or the timer was already stopped.
	Stop() bool
}

// System is the real wall clock.
type System struct{}

// Now returns time.Now().
func (System) Now() time.Time { return time.Now() }

// AfterFunc is time.AfterFunc: f runs in its own goroutine after d.
func (System) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// Manual is a clock that only moves when told to. It is safe for concurrent
// use: tests typically advance it from the test goroutine while the engine
// reads it from others.
//
// Timers created by AfterFunc fire when Advance or Set moves the reading to
// or past their deadline: synchronously, in the goroutine that moved the
// clock, in deadline order (ties in creation order), after the clock's own
// lock is released. So when Advance returns, every callback that became due
// has run, which makes tests of timed behaviour deterministic; the caller of
// Advance must not hold a lock that a callback needs.
type Manual struct {
	mu     sync.Mutex
	now    time.Time
	timers timerHeap
	seq    uint64
}

// NewManual returns a manual clock reading start. A zero start is replaced by
// a fixed, realistic instant so that Unix timestamps derived from it are
// positive and stable across runs.
func NewManual(start time.Time) *Manual {
	if start.IsZero() {
		start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return &Manual{now: start}
}

// Now returns the clock's current reading.
func (m *Manual) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

// Set moves the clock to t (backwards is allowed, as NTP can do to a real
// clock) and runs the timers that became due.
func (m *Manual) Set(t time.Time) {
	m.mu.Lock()
	m.now = t
	m.fireDue()
}

// Advance moves the clock forward by d, runs the timers that became due and
// returns the new reading.
func (m *Manual) Advance(d time.Duration) time.Time {
	m.mu.Lock()
	m.now = m.now.Add(d)
	now := m.now
	m.fireDue()
	return now
}

// AfterFunc arranges for f to run when the clock reaches Now()+d. With
// d <= 0 the deadline has already come: like time.AfterFunc, f then runs in
// its own goroutine, so that a caller holding a lock f needs cannot
// deadlock.
func (m *Manual) AfterFunc(d time.Duration, f func()) Timer {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := &manualTimer{m: m, at: m.now.Add(d), f: f, index: -1}
	if d <= 0 {
		go f()
		return t
	}
	m.seq++
	t.seq = m.seq
	heap.Push(&m.timers, t)
	return t
}

// Pending is the number of timers waiting for the clock to reach them.
// Tests use it to check that nothing was left armed.
func (m *Manual) Pending() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.timers)
}

// fireDue pops the timers due at m.now, releases m.mu (held on entry) and
// calls them in deadline order. Callbacks run outside the lock so they may
// read the clock or arm new timers.
func (m *Manual) fireDue() {
	var due []*manualTimer
	for len(m.timers) > 0 && !m.timers[0].at.After(m.now) {
		due = append(due, heap.Pop(&m.timers).(*manualTimer))
	}
	m.mu.Unlock()
	for _, t := range due {
		t.f()
	}
}

// manualTimer is a Manual clock's pending call; index is its position in
// the heap, -1 once fired or stopped.
type manualTimer struct {
	m     *Manual
	at    time.Time
	seq   uint64
	f     func()
	index int
}

// Stop removes the timer from its clock if it has not fired yet.
func (t *manualTimer) Stop() bool {
	t.m.mu.Lock()
	defer t.m.mu.Unlock()
	if t.index < 0 {
		return false
	}
	heap.Remove(&t.m.timers, t.index)
	return true
}

// timerHeap orders timers by deadline, then creation, for container/heap.
type timerHeap []*manualTimer

func (h timerHeap) Len() int { return len(h) }

func (h timerHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}

func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}

func (h *timerHeap) Push(x any) {
	t := x.(*manualTimer)
	t.index = len(*h)
	*h = append(*h, t)
}

func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	t.index = -1
	*h = old[:len(old)-1]
	return t
}
