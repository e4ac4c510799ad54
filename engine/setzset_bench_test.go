package engine

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// Benchmarks of set and sorted-set commands on one key holding 1k, 100k and
// 1M members, through the DB API (shard lock and clock included). The
// per-operation cost should grow at most logarithmically with the size:
//
//	go test -run XXX -bench 'ZAdd|ZRange|ZRank|SAddSRem|SIsMember' -benchmem -count 5 ./engine/

var szBenchSizes = []int{1_000, 100_000, 1_000_000}

func szBenchMember(i int) string { return "member:" + strconv.Itoa(i) }

// szBenchDB opens an engine whose key "k" holds a set or sorted set of n
// members. With b.Loop the benchmark body, and so this setup, runs once
// per -count, outside the measured loop.
func szBenchDB(b *testing.B, kind string, n int) *DB {
	b.Helper()
	e, err := Open(Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = e.Close() })
	db := e.DB("bench")
	r := rand.New(rand.NewPCG(uint64(n), 1))
	const batch = 1000
	for lo := 0; lo < n; lo += batch {
		switch kind {
		case "zset":
			ms := make([]ZMember, 0, batch)
			for i := lo; i < min(lo+batch, n); i++ {
				ms = append(ms, ZMember{Member: szBenchMember(i), Score: r.Float64() * 1e6})
			}
			if _, err := db.ZAdd("k", ZAddOptions{}, ms...); err != nil {
				b.Fatal(err)
			}
		case "set":
			ms := make([]string, 0, batch)
			for i := lo; i < min(lo+batch, n); i++ {
				ms = append(ms, szBenchMember(i))
			}
			if _, err := db.SAdd("k", ms...); err != nil {
				b.Fatal(err)
			}
		}
	}
	return db
}

// BenchmarkZAdd gives an existing member a new random score: a map update
// and a b-tree delete and insert, at constant size.
func BenchmarkZAdd(b *testing.B) {
	for _, n := range szBenchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			db := szBenchDB(b, "zset", n)
			r := rand.New(rand.NewPCG(2, 2))
			ms := make([]ZMember, 1024)
			for i := range ms {
				ms[i] = ZMember{Member: szBenchMember(r.IntN(n)), Score: r.Float64() * 1e6}
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				m := &ms[i&1023]
				m.Score += 1
				if _, err := db.ZAdd("k", ZAddOptions{}, *m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkZRange reads 10 members (with scores) from a random rank.
func BenchmarkZRange(b *testing.B) {
	for _, n := range szBenchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			db := szBenchDB(b, "zset", n)
			r := rand.New(rand.NewPCG(3, 3))
			starts := make([]int64, 1024)
			for i := range starts {
				starts[i] = int64(r.IntN(n - 10))
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				s := starts[i&1023]
				out, err := db.ZRange("k", ZRangeQuery{Start: s, Stop: s + 9})
				if err != nil || len(out) != 10 {
					b.Fatal(err, len(out))
				}
			}
		})
	}
}

// BenchmarkZRank looks up a random member's rank: a map lookup and a
// counted descent of the b-tree.
func BenchmarkZRank(b *testing.B) {
	for _, n := range szBenchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			db := szBenchDB(b, "zset", n)
			r := rand.New(rand.NewPCG(4, 4))
			names := make([]string, 1024)
			for i := range names {
				names[i] = szBenchMember(r.IntN(n))
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, found, err := db.ZRank("k", names[i&1023]); err != nil || !found {
					b.Fatal(err, found)
				}
			}
		})
	}
}

// BenchmarkSAddSRem adds a new member and removes it again: one SADD and
// one SREM per iteration, at constant size.
func BenchmarkSAddSRem(b *testing.B) {
	for _, n := range szBenchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			db := szBenchDB(b, "set", n)
			names := make([]string, 1024)
			for i := range names {
				names[i] = "new:" + strconv.Itoa(i)
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				m := names[i&1023]
				if k, err := db.SAdd("k", m); err != nil || k != 1 {
					b.Fatal(err, k)
				}
				if k, err := db.SRem("k", m); err != nil || k != 1 {
					b.Fatal(err, k)
				}
			}
		})
	}
}

// BenchmarkSIsMember checks a random member, present half of the time.
func BenchmarkSIsMember(b *testing.B) {
	for _, n := range szBenchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			db := szBenchDB(b, "set", n)
			r := rand.New(rand.NewPCG(5, 5))
			names := make([]string, 1024)
			for i := range names {
				names[i] = szBenchMember(r.IntN(2 * n))
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := db.SIsMember("k", names[i&1023]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
