package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"
	"unsafe"

	"github.com/redis/go-redis/v9"

	"github.com/isa-cloud/isa-memstore/bench/internal/harness"
	"github.com/isa-cloud/isa-memstore/engine"
	"github.com/isa-cloud/isa-memstore/store"
)

// The memory comparison: 1M string keys of 16 bytes with 32-byte values,
// each value its own allocation (as data arriving from the network would
// be), no TTL. Ours is the Go heap in use after a full GC minus the same
// figure before loading (so it includes the engine's maps, entries, keys,
// values and every other structure it keeps); Redis's is INFO used_memory
// minus that of the empty server (its dict, robj/sds and allocator
// overhead).
const (
	memKeys   = 1_000_000
	memTarget = 1.0
)

func init() {
	register(comparison{
		name: "memory", order: 3,
		about: "bytes per key, 1M keys (16-byte keys, 32-byte values): Go heap vs redis-server used_memory (target ratio <= 1.0)",
		run:   runMemory,
	})
}

// memKey and memValue make the i-th key and value with exactly 16 and 32
// bytes.
func memKey(i int) string   { return fmt.Sprintf("key:%012d", i) }
func memValue(i int) string { return fmt.Sprintf("value:%026d", i) }

func runMemory(cfg config) ([]harness.Result, []string, error) {
	if len(memKey(0)) != 16 || len(memValue(0)) != 32 {
		return nil, nil, errors.New("key/value generator sizes are off")
	}
	rounds := 3
	if cfg.short {
		rounds = 1
	}
	t := harness.NewTable("store", "bytes/key", "total MiB", "rounds")
	var oursSamples []float64
	for range rounds {
		b, err := oursBytesPerKey()
		if err != nil {
			return nil, nil, err
		}
		oursSamples = append(oursSamples, b)
	}
	ours := harness.Median(oursSamples)
	t.Row("isa-memstore (Go heap)", fmt.Sprintf("%.1f", ours), fmt.Sprintf("%.1f", ours*memKeys/(1<<20)), rounds)

	srv, err := harness.StartRedis()
	if errors.Is(err, harness.ErrNoRedis) {
		t.Print(os.Stdout)
		return nil, []string{harness.Skip("memory-per-key", err.Error())}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	defer srv.Stop()
	var redisSamples []float64
	for range rounds {
		b, err := redisBytesPerKey(srv)
		if err != nil {
			return nil, nil, err
		}
		redisSamples = append(redisSamples, b)
	}
	peer := harness.Median(redisSamples)
	t.Row("redis-server (used_memory)", fmt.Sprintf("%.1f", peer), fmt.Sprintf("%.1f", peer*memKeys/(1<<20)), rounds)
	t.Print(os.Stdout)
	fmt.Printf("payload alone is 48 bytes/key; ours/Redis = %.2f\n", ours/peer)
	printMemoryBreakdown(ours)
	return []harness.Result{harness.AtMost("memory-per-key", ours/peer, memTarget)}, nil, nil
}

// heapInUse is HeapAlloc after two full collections (the second frees what
// finalizers and the first sweep left).
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func oursBytesPerKey() (float64, error) {
	before := heapInUse()
	e, err := engine.Open(engine.Options{})
	if err != nil {
		return 0, err
	}
	db := e.DB("memory")
	for i := range memKeys {
		if _, err := db.Set(memKey(i), memValue(i), engine.SetOptions{}); err != nil {
			_ = e.Close()
			return 0, err
		}
	}
	after := heapInUse()
	// Check the data is all there, and keep the engine reachable until
	// after the measurement.
	n, err := db.DBSize()
	if err == nil && n != memKeys {
		err = fmt.Errorf("engine holds %d keys, want %d", n, memKeys)
	}
	_ = e.Close()
	if err != nil {
		return 0, err
	}
	return float64(after-before) / memKeys, nil
}

func redisBytesPerKey(srv *harness.Redis) (float64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := srv.Command("FLUSHALL"); err != nil {
		return 0, err
	}
	before, err := srv.Info("memory", "used_memory")
	if err != nil {
		return 0, err
	}
	rc := redis.NewClient(&redis.Options{Addr: srv.Addr, PoolSize: 4})
	defer rc.Close()
	const batch = 1000
	for i := 0; i < memKeys; i += batch {
		p := rc.Pipeline()
		for j := i; j < min(i+batch, memKeys); j++ {
			p.Set(ctx, memKey(j), memValue(j), 0)
		}
		if _, err := p.Exec(ctx); err != nil {
			return 0, fmt.Errorf("load redis: %w", err)
		}
	}
	n, err := rc.DBSize(ctx).Result()
	if err != nil {
		return 0, err
	}
	if n != memKeys {
		return 0, fmt.Errorf("redis holds %d keys, want %d", n, memKeys)
	}
	// Let an incremental rehash of the main dict finish (Redis moves a
	// few buckets per command and per cron tick), so that used_memory
	// does not count two tables.
	time.Sleep(500 * time.Millisecond)
	after, err := srv.Info("memory", "used_memory")
	if err != nil {
		return 0, err
	}
	return float64(after-before) / memKeys, nil
}

// printMemoryBreakdown splits our bytes per key into what can be named:
// the key and value strings, the store.Entry each key points to (rounded up
// to its malloc size class), and the rest (the shard maps' slots, control
// bytes and spare capacity). It says where a saving would have to come
// from.
func printMemoryBreakdown(perKey float64) {
	entry := int(unsafe.Sizeof(store.Entry{}))
	class := sizeClass(entry)
	rest := perKey - 16 - 32 - float64(class)
	fmt.Printf("ours per key: key 16 + value 32 + store.Entry %d (malloc class %d) + map slot and spare capacity ~%.0f\n",
		entry, class, rest)
}

// sizeClass is the Go allocator's size class for small objects up to 128
// bytes (multiples of 8 to 32, then of 16), enough for an Entry.
func sizeClass(n int) int {
	if n <= 32 {
		return (n + 7) &^ 7
	}
	if n <= 128 {
		return (n + 15) &^ 15
	}
	return n
}
