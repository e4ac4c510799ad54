package memstoretest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/isa-cloud/isa-memstore/client"
	"github.com/isa-cloud/isa-memstore/engine"
)

// BenchmarkGet256 compares Get throughput from 256 goroutines sharing one
// client over loopback TCP: plain unary Gets against the same Gets through
// a client.Batcher, in the same run. The "gets/s" metric is what to
// compare; ns/op is per Get.
//
//	go test -run '^$' -bench BenchmarkGet256 -count 10 ./memstoretest
func BenchmarkGet256(b *testing.B) {
	const goroutines, keys = 256, 10_000
	s := Start(b, WithSystemClock())
	db := s.ClientDB()
	for i := range keys {
		if _, err := db.Set(fmt.Sprint("key:", i), "value-of-some-length-"+fmt.Sprint(i), engine.SetOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	batcher := client.NewBatcher(s.Client, client.BatcherOptions{})
	b.Cleanup(func() { _ = batcher.Close() })
	for _, bc := range []struct {
		name string
		get  func(ctx context.Context, key string) (string, error)
	}{
		{"plain", s.Client.Get},
		{"batched", batcher.Get},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			var wg sync.WaitGroup
			per := (b.N + goroutines - 1) / goroutines
			b.ResetTimer()
			start := time.Now()
			for g := range goroutines {
				wg.Go(func() {
					for i := range per {
						if _, err := bc.get(ctx, fmt.Sprint("key:", (g*per+i)%keys)); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(per*goroutines)/time.Since(start).Seconds(), "gets/s")
		})
	}
}
