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
