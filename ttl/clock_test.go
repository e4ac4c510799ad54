package ttl

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestManualClock(t *testing.T) {
	start := time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC)
	c := NewManual(start)
	require.Equal(t, start, c.Now())
	require.Equal(t, start.Add(1500*time.Millisecond), c.Advance(1500*time.Millisecond))
	require.Equal(t, start.Add(1500*time.Millisecond), c.Now())
	c.Set(start.Add(-time.Hour))
	require.Equal(t, start.Add(-time.Hour), c.Now())
}

func TestManualClockZeroStartIsStable(t *testing.T) {
	a, b := NewManual(time.Time{}), NewManual(time.Time{})
	require.Equal(t, a.Now(), b.Now())
	require.Positive(t, a.Now().Unix())
}

func TestManualClockConcurrent(t *testing.T) {
	c := NewManual(time.Time{})
	start := c.Now()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 1000; j++ {
				c.Advance(time.Millisecond)
				_ = c.Now()
			}
		}()
	}
	wg.Wait()
	require.Equal(t, start.Add(8000*time.Millisecond), c.Now())
}

func TestSystemClock(t *testing.T) {
	before := time.Now()
	got := System{}.Now()
	require.False(t, got.Before(before))
}

func TestManualTimersFireInDeadlineOrderWhenAdvanced(t *testing.T) {
	c := NewManual(time.Time{})
	var fired []string
	c.AfterFunc(3*time.Second, func() { fired = append(fired, "3s") })
	c.AfterFunc(time.Second, func() { fired = append(fired, "1s-a") })
	c.AfterFunc(time.Second, func() { fired = append(fired, "1s-b") })
	c.AfterFunc(2*time.Second, func() { fired = append(fired, "2s") })
	require.Equal(t, 4, c.Pending())

	c.Advance(999 * time.Millisecond)
	require.Empty(t, fired, "nothing is due before its deadline")

	c.Advance(time.Millisecond)
	require.Equal(t, []string{"1s-a", "1s-b"}, fired, "due timers fire by the time Advance returns, ties in creation order")

	c.Advance(5 * time.Second)
	require.Equal(t, []string{"1s-a", "1s-b", "2s", "3s"}, fired)
	require.Zero(t, c.Pending())
}

func TestManualTimerStop(t *testing.T) {
	c := NewManual(time.Time{})
	fired := 0
	tm := c.AfterFunc(time.Second, func() { fired++ })
	other := c.AfterFunc(2*time.Second, func() { fired += 10 })
	require.True(t, tm.Stop())
	require.False(t, tm.Stop(), "a stopped timer cannot be stopped twice")
	c.Advance(time.Hour)
	require.Equal(t, 10, fired, "only the timer left armed fires")
	require.False(t, other.Stop(), "a fired timer reports false")
}

func TestManualSetFiresTimersAndBackwardsDoesNot(t *testing.T) {
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewManual(start)
	fired := 0
	c.AfterFunc(time.Minute, func() { fired++ })
	c.Set(start.Add(-time.Hour))
	require.Zero(t, fired)
	c.Set(start.Add(time.Minute))
	require.Equal(t, 1, fired)
}

func TestManualCallbackMayUseTheClock(t *testing.T) {
	c := NewManual(time.Time{})
	start := c.Now()
	var seen time.Time
	var chained bool
	c.AfterFunc(time.Second, func() {
		seen = c.Now() // would deadlock if callbacks ran under the clock's lock
		c.AfterFunc(time.Second, func() { chained = true })
	})
	c.Advance(time.Second)
	require.Equal(t, start.Add(time.Second), seen)
	require.False(t, chained)
	c.Advance(time.Second)
	require.True(t, chained)
}

func TestManualNonPositiveDelayRunsAsynchronously(t *testing.T) {
	c := NewManual(time.Time{})
	var mu sync.Mutex
	done := make(chan struct{})
	mu.Lock()
	// The callback needs mu, which this goroutine holds: it must not run
	// inside AfterFunc.
	c.AfterFunc(0, func() {
		mu.Lock()
		defer mu.Unlock()
		close(done)
	})
	mu.Unlock()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a timer with no delay never ran")
	}
	require.Zero(t, c.Pending())
}

func TestSystemAfterFunc(t *testing.T) {
	done := make(chan struct{})
	System{}.AfterFunc(time.Millisecond, func() { close(done) })
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("system timer never fired")
	}
	stopped := System{}.AfterFunc(time.Hour, func() { t.Error("stopped timer fired") })
	require.True(t, stopped.Stop())
}
