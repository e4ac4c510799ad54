// Package ttl holds the engine's notion of time: a Clock (the system clock in
// production, a manual clock in tests) and the expiry Index that orders keys by
// deadline. It is a leaf package: it imports nothing from the project.
package ttl

import (
	"sync"
	"time"
)

// Clock tells the engine what time it is. Every deadline in the engine is
// computed from a Clock so that tests can control time instead of sleeping.
type Clock interface {
	Now() time.Time
}

// System is the real wall clock.
type System struct{}

// Now returns time.Now().
func (System) Now() time.Time { return time.Now() }

// Manual is a clock that only moves when told to. It is safe for concurrent
// use: tests typically advance it from the test goroutine while the engine
// reads it from others.
type Manual struct {
	mu  sync.Mutex
	now time.Time
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
// clock).
func (m *Manual) Set(t time.Time) {
	m.mu.Lock()
	m.now = t
	m.mu.Unlock()
}

// Advance moves the clock forward by d and returns the new reading.
func (m *Manual) Advance(d time.Duration) time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now = m.now.Add(d)
	return m.now
}
