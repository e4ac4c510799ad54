package harness

import (
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAlternateInterleavesAndFlips(t *testing.T) {
	var order []string
	mk := func(name string, v float64) func() float64 {
		return func() float64 { order = append(order, name); return v }
	}
	got := Alternate(3, mk("a", 1), mk("b", 2), mk("c", 3))
	assert.Equal(t, []string{"a", "b", "c", "c", "b", "a", "a", "b", "c"}, order)
	assert.Equal(t, [][]float64{{1, 1, 1}, {2, 2, 2}, {3, 3, 3}}, got)
}

func TestMedian(t *testing.T) {
	assert.True(t, math.IsNaN(Median(nil)))
	assert.Equal(t, 3.0, Median([]float64{5, 1, 3}))
	assert.Equal(t, 2.5, Median([]float64{4, 1, 2, 3}))
	in := []float64{3, 1, 2}
	Median(in)
	assert.Equal(t, []float64{3, 1, 2}, in, "Median must not reorder its input")
}

func TestPercentile(t *testing.T) {
	xs := make([]float64, 100)
	for i := range xs {
		xs[i] = float64(i + 1)
	}
	assert.Equal(t, 50.0, Percentile(xs, 50))
	assert.Equal(t, 99.0, Percentile(xs, 99))
	assert.Equal(t, 100.0, Percentile(xs, 100))
	assert.Equal(t, 1.0, Percentile(xs, 0))
	assert.Equal(t, 7.0, Percentile([]float64{7}, 99))
	assert.True(t, math.IsNaN(Percentile(nil, 50)))
}

func TestMeasureCountsEveryOperation(t *testing.T) {
	var calls [3]atomic.Int64
	var maxI [3]atomic.Int64
	r := Measure(3, 20*time.Millisecond, func(w int) func(int) {
		return func(i int) {
			calls[w].Add(1)
			maxI[w].Store(int64(i))
		}
	})
	var total int64
	for w := range calls {
		// A worker the scheduler starts only after the deadline may not
		// run at all on a busy machine; one that ran counts from 0.
		if n := calls[w].Load(); n > 0 {
			assert.Equal(t, n-1, maxI[w].Load(), "worker %d's counter must count its calls from 0", w)
			assert.Zero(t, n%chunk, "worker %d stops only between chunks", w)
			total += n
		}
	}
	require.Positive(t, total)
	// The rate is the calls over a wall time of at least the duration.
	assert.Positive(t, r.PerSec)
	assert.LessOrEqual(t, r.PerSec, float64(total)/0.020)
	assert.Positive(t, r.PerCPUSec)
}

func TestCPUTimeAdvances(t *testing.T) {
	before := CPUTime()
	x := 0
	for i := 0; i < 50_000_000; i++ {
		x += i
	}
	_ = x
	assert.Greater(t, CPUTime(), before)
}
