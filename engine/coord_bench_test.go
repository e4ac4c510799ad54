package engine

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/isa-cloud/isa-memstore/ttl"
)

// benchEngine opens an engine on the system clock with the background
// worker idle, closed when the benchmark ends.
func benchEngine(b *testing.B, opts Options) *Engine {
	b.Helper()
	return coordEngine(b, ttl.System{}, opts)
}

// BenchmarkLockUncontended measures one AcquireLock + ReleaseLock pair on
// a free lock.
func BenchmarkLockUncontended(b *testing.B) {
	db := benchEngine(b, Options{}).DB("ns")
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		l, ok, err := db.AcquireLock(ctx, "bench", time.Minute, 0)
		if err != nil || !ok {
			b.Fatal(ok, err)
		}
		if ok, err := db.ReleaseLock("bench", l.Token); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
}

// BenchmarkLockUncontendedParallel is the same with every goroutine on a
// lock of its own: it shows how the lock table scales across cores.
func BenchmarkLockUncontendedParallel(b *testing.B) {
	db := benchEngine(b, Options{}).DB("ns")
	ctx := context.Background()
	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		name := "bench-" + strconv.FormatInt(next.Add(1), 10)
		for pb.Next() {
			l, ok, err := db.AcquireLock(ctx, name, time.Minute, 0)
			if err != nil || !ok {
				b.Error(ok, err)
				return
			}
			_, _ = db.ReleaseLock(name, l.Token)
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
}

// BenchmarkLockHandoff has g goroutines take turns on one lock, each
// waiting in the queue for the others. One op is one acquisition;
// handoff-ns is the mean time from a release to the next holder running.
func BenchmarkLockHandoff(b *testing.B) {
	for _, g := range []int{2, 64} {
		b.Run(fmt.Sprintf("goroutines=%d", g), func(b *testing.B) {
			db := benchEngine(b, Options{}).DB("ns")
			ctx := context.Background()
			var (
				left      atomic.Int64
				released  time.Time // guarded by the lock under test
				handoffs  int64
				totalWait time.Duration
			)
			left.Store(int64(b.N))
			var wg sync.WaitGroup
			b.ResetTimer()
			for w := 0; w < g; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for left.Add(-1) >= 0 {
						l, ok, err := db.AcquireLock(ctx, "hot", time.Minute, time.Minute)
						if err != nil || !ok {
							b.Error(ok, err)
							return
						}
						if !released.IsZero() {
							totalWait += time.Since(released)
							handoffs++
						}
						released = time.Now()
						if ok, err := db.ReleaseLock("hot", l.Token); err != nil || !ok {
							b.Error(ok, err)
							return
						}
					}
				}()
			}
			wg.Wait()
			if handoffs > 0 {
				b.ReportMetric(float64(totalWait.Nanoseconds())/float64(handoffs), "handoff-ns")
			}
		})
	}
}

// BenchmarkPublish publishes to n subscribers, each drained by its own
// goroutine; deliveries/s counts messages received by subscribers, the time
// including their consumption. A single publisher on a free core outruns
// any consumer, and the broker would rightly disconnect it, so the
// publisher sends in windows of pubWindow messages and waits for every
// subscriber to have drained a window before it sends the next (the
// buffer holds a whole window, so nobody is ever dropped).
func BenchmarkPublish(b *testing.B) {
	const pubWindow = 1024
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			e := benchEngine(b, Options{PubSubBuffer: 2 * pubWindow})
			db := e.DB("ns")
			var drains, marks sync.WaitGroup
			// Cleanups run last-registered first: this one must run
			// after the subscriptions are closed, which ends the drains.
			b.Cleanup(drains.Wait)
			total := b.N
			for i := 0; i < n; i++ {
				s := db.Subscribe("ch")
				b.Cleanup(s.Close)
				drains.Add(1)
				go func() {
					defer drains.Done()
					count := 0
					for range s.C() {
						count++
						if count%pubWindow == 0 || count == total {
							marks.Done()
						}
					}
				}()
			}
			var delivered int64
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < total; i++ {
				if i%pubWindow == 0 {
					if i > 0 {
						marks.Wait()
					}
					marks.Add(n)
				}
				delivered += int64(db.Publish("ch", "payload"))
			}
			marks.Wait()
			b.StopTimer()
			if delivered != int64(total)*int64(n) {
				b.Fatalf("delivered %d of %d", delivered, total*n)
			}
			b.ReportMetric(float64(delivered)/b.Elapsed().Seconds(), "deliveries/s")
		})
	}
}

var batchBenchKeys = func() []string {
	keys := make([]string, 10)
	for i := range keys {
		keys[i] = "key-" + strconv.Itoa(i)
	}
	return keys
}()

// BenchmarkBatch10Sets runs 10 SETs as one atomic batch per op.
func BenchmarkBatch10Sets(b *testing.B) {
	db := benchEngine(b, Options{}).DB("ns")
	ops := make([]BatchOp, len(batchBenchKeys))
	for i, k := range batchBenchKeys {
		ops[i] = BatchOp{Op: "SET", Key: k, Value: "value"}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := db.Batch(ops)
		if err != nil || res[9].Err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSingle10Sets runs the same 10 SETs as separate calls per op.
func BenchmarkSingle10Sets(b *testing.B) {
	db := benchEngine(b, Options{}).DB("ns")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, k := range batchBenchKeys {
			if _, err := db.Set(k, "value", SetOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
