package engine

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// Benchmarks of the list and hash commands through the DB API (one
// transaction per command, system clock), each at three sizes so that the
// per-operation cost can be seen not to grow with the collection:
//
//	go test -run '^$' -bench 'LPushRPop|LIndex|HSet|HGet|HRandFieldCount' -benchtime 1s -count 5 ./engine

var hlBenchSizes = []int{1_000, 100_000, 1_000_000}

func hlBenchDB(b *testing.B) *DB {
	b.Helper()
	e, err := Open(Options{})
	require.NoError(b, err)
	b.Cleanup(func() { _ = e.Close() })
	return e.DB("bench")
}

func hlBenchList(b *testing.B, n int) *DB {
	db := hlBenchDB(b)
	batch := make([]string, 1000)
	for i := range batch {
		batch[i] = "element-" + strconv.Itoa(i)
	}
	for filled := 0; filled < n; filled += len(batch) {
		_, err := db.RPush("list", batch[:min(len(batch), n-filled)]...)
		require.NoError(b, err)
	}
	return db
}

func hlBenchHash(b *testing.B, n int) (*DB, []string) {
	db := hlBenchDB(b)
	fields := make([]string, n)
	pairs := make([]FieldValue, 0, 1000)
	for i := range fields {
		fields[i] = "field:" + strconv.Itoa(i)
		pairs = append(pairs, FieldValue{fields[i], "value-" + strconv.Itoa(i)})
		if len(pairs) == cap(pairs) || i == n-1 {
			_, err := db.HSet("hash", pairs...)
			require.NoError(b, err)
			pairs = pairs[:0]
		}
	}
	return db, fields
}

// BenchmarkLPushRPop pushes one element at the head and pops one from the
// tail per op, so the list keeps its size (a FIFO queue).
func BenchmarkLPushRPop(b *testing.B) {
	for _, n := range hlBenchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			db := hlBenchList(b, n)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := db.LPush("list", "new-element"); err != nil {
					b.Fatal(err)
				}
				if _, _, err := db.RPop("list"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLIndex reads the middle element: O(1) in the ring buffer.
func BenchmarkLIndex(b *testing.B) {
	for _, n := range hlBenchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			db := hlBenchList(b, n)
			mid := int64(n / 2)
			b.ReportAllocs()
			for b.Loop() {
				if _, found, err := db.LIndex("list", mid); err != nil || !found {
					b.Fatal(err, found)
				}
			}
		})
	}
}

// BenchmarkHSet overwrites existing fields in turn (the hash keeps its
// size).
func BenchmarkHSet(b *testing.B) {
	for _, n := range hlBenchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			db, fields := hlBenchHash(b, n)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := db.HSet("hash", FieldValue{fields[i], "updated"}); err != nil {
					b.Fatal(err)
				}
				if i++; i == n {
					i = 0
				}
			}
		})
	}
}

// BenchmarkHGet reads existing fields in turn.
func BenchmarkHGet(b *testing.B) {
	for _, n := range hlBenchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			db, fields := hlBenchHash(b, n)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, found, err := db.HGet("hash", fields[i]); err != nil || !found {
					b.Fatal(err, found)
				}
				if i++; i == n {
					i = 0
				}
			}
		})
	}
}

// BenchmarkHRandFieldCount draws 10 distinct fields (HRANDFIELD hash 10):
// its cost should be the sample's, not the hash's.
func BenchmarkHRandFieldCount(b *testing.B) {
	for _, n := range hlBenchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			db, _ := hlBenchHash(b, n)
			b.ReportAllocs()
			for b.Loop() {
				if out, err := db.HRandFieldCount("hash", 10); err != nil || len(out) != 10 {
					b.Fatal(err, len(out))
				}
			}
		})
	}
}
