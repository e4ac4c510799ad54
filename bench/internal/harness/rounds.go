package harness

import (
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Alternate runs each of fns rounds times, interleaved (A B, B A, A B, ...),
// and returns the samples of each fn in the order of fns. Interleaving
// spreads slow drifts of the machine (frequency, other processes, heap
// growth) over every contender instead of penalising whichever runs last;
// flipping the order each round removes any first-or-second bias.
func Alternate(rounds int, fns ...func() float64) [][]float64 {
	out := make([][]float64, len(fns))
	for r := 0; r < rounds; r++ {
		for k := range fns {
			i := k
			if r%2 == 1 {
				i = len(fns) - 1 - k
			}
			out[i] = append(out[i], fns[i]())
		}
	}
	return out
}

// Median is the median of xs (the mean of the two middle values for an even
// count); NaN for none. xs is not modified.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Percentile is the p-th percentile (0..100) of sorted xs by the
// nearest-rank method; NaN for none.
func Percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = max(1, min(rank, len(sorted)))
	return sorted[rank-1]
}

// chunk is how many operations a worker runs between looks at the stop
// flag: large enough that the atomic load is noise, small enough that every
// worker stops within microseconds of the deadline.
const chunk = 64

// Throughput runs workers goroutines for about d and returns the total
// operations per second. newOp is called once per worker, before the clock
// starts, and returns that worker's operation; the operation gets a counter
// that increases by one per call, so it can walk its keys without shared
// state. A GC runs before the clock starts so that garbage from the previous
// measurement is not charged to this one.
func Throughput(workers int, d time.Duration, newOp func(worker int) func(i int)) float64 {
	return Measure(workers, d, newOp).PerSec
}

// Rate is what Measure found.
type Rate struct {
	// PerSec is operations per second of wall time: the figure users see.
	PerSec float64
	// PerCPUSec is operations per second of this process's CPU time (user
	// + system). On a machine shared with other work it shows the cost of
	// an operation independent of how much CPU the process was given;
	// time spent waiting on a lock is not CPU time, so it flatters a
	// contender that serialises on one mutex.
	PerCPUSec float64
}

// Measure is Throughput that also reports operations per CPU second.
func Measure(workers int, d time.Duration, newOp func(worker int) func(i int)) Rate {
	return MeasureChunked(workers, d, chunk, newOp)
}

// MeasureChunked is Measure with the number of operations a worker runs
// between looks at the stop flag: 1 for operations that take milliseconds
// (network round trips under load), so that no worker overstays the round.
func MeasureChunked(workers int, d time.Duration, chunk int, newOp func(worker int) func(i int)) Rate {
	chunk = max(chunk, 1)
	ops := make([]func(int), workers)
	for w := range ops {
		ops[w] = newOp(w)
	}
	runtime.GC()
	var stop atomic.Bool
	var total atomic.Int64
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(workers)
	done.Add(workers)
	for w := 0; w < workers; w++ {
		go func(op func(int)) {
			defer done.Done()
			ready.Done()
			<-start
			i := 0
			for !stop.Load() {
				for end := i + chunk; i < end; i++ {
					op(i)
				}
			}
			total.Add(int64(i))
		}(ops[w])
	}
	ready.Wait()
	began, cpu0 := time.Now(), CPUTime()
	close(start)
	time.Sleep(d)
	stop.Store(true)
	done.Wait()
	wall, cpu := time.Since(began), CPUTime()-cpu0
	n := float64(total.Load())
	return Rate{PerSec: n / wall.Seconds(), PerCPUSec: n / cpu.Seconds()}
}

// CPUTime is the CPU time (user + system) this process has used so far.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
