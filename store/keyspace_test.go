package store

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"
)

func TestNormalizeShards(t *testing.T) {
	for _, tc := range []struct{ in, want int }{
		{-3, MinShards},
		{0, MinShards},
		{1, MinShards},
		{MinShards, MinShards},
		{MinShards + 1, 2 * MinShards},
		{100, 128},
		{128, 128},
		{1 << 16, 1 << 16},
		{1<<16 + 1, 1 << 16},
		{1 << 30, 1 << 16},
	} {
		require.Equal(t, tc.want, normalizeShards(tc.in), "normalizeShards(%d)", tc.in)
	}
}

func TestDefaultShards(t *testing.T) {
	n := DefaultShards()
	require.GreaterOrEqual(t, n, MinShards)
	require.GreaterOrEqual(t, n, 4*runtime.GOMAXPROCS(0))
	require.Zero(t, n&(n-1), "a power of two, so a mask picks the shard")
	require.Equal(t, n, New(Options{}).Shards())
	require.Equal(t, 64, New(Options{Shards: 33}).Shards())
}

func TestShardSet(t *testing.T) {
	for _, tc := range []struct {
		name  string
		add   []int
		limit int
		want  []int
	}{
		{"empty", nil, 16, nil},
		{"ascending whatever the insertion order", []int{9, 3, 15, 3, 0}, 16, []int{0, 3, 9, 15}},
		{"word boundaries", []int{127, 64, 63, 0}, 128, []int{0, 63, 64, 127}},
		{"beyond the inline words", []int{1000, 5, 200}, 1024, []int{5, 200, 1000}},
		{"limit", []int{1, 30}, 16, []int{1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s shardSet
			for _, i := range tc.add {
				s.add(i)
			}
			var got []int
			s.each(tc.limit, func(i int) { got = append(got, i) })
			require.Equal(t, tc.want, got)
			distinct := map[int]bool{}
			for _, i := range tc.add {
				distinct[i] = true
				require.True(t, s.has(i))
			}
			require.Equal(t, len(distinct), s.count())
			require.False(t, s.has(2))
			require.False(t, s.has(5000))
		})
	}
}

// TestUpdateKeysLocksInAscendingOrder holds a shard in the middle of a
// multi-key transaction's set and checks that the transaction took the
// lower shard and waits for the middle one without touching the higher
// one: the ascending order that makes multi-key transactions deadlock-free.
func TestUpdateKeysLocksInAscendingOrder(t *testing.T) {
	ks := newTestKeyspace(t, 64)
	keys := keysInShards(t, ks, 3)
	byShard := func(i, j int) bool { return ks.shardOf(keys[i]) < ks.shardOf(keys[j]) }
	// Sort the three keys by shard index.
	for i := 0; i < 3; i++ {
		for j := i + 1; j < 3; j++ {
			if byShard(j, i) {
				keys[i], keys[j] = keys[j], keys[i]
			}
		}
	}
	lo, mid, hi := ks.shardOf(keys[0]), ks.shardOf(keys[1]), ks.shardOf(keys[2])

	holding := make(chan struct{})
	release := make(chan struct{})
	held := make(chan error, 1)
	go func() {
		held <- ks.Update(1, keys[1], func(*Tx) error {
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding

	ran := make(chan error, 1)
	go func() {
		// Keys given in descending order: the lock order must not depend on it.
		ran <- ks.UpdateKeys(1, []string{keys[2], keys[1], keys[0]}, func(tx *Tx) error {
			tx.Put(keys[0], NewString("0"))
			tx.Put(keys[2], NewString("2"))
			return nil
		})
	}()

	// Wait until the transaction holds the lowest shard.
	deadline := time.Now().Add(5 * time.Second)
	for {
		if !ks.shards[lo].mu.TryLock() {
			break
		}
		ks.shards[lo].mu.Unlock()
		require.True(t, time.Now().Before(deadline), "UpdateKeys never locked shard %d", lo)
		runtime.Gosched()
	}
	// It is now blocked on mid (held above) and must not hold hi.
	require.True(t, ks.shards[hi].mu.TryLock(), "shard %d locked before shard %d", hi, mid)
	ks.shards[hi].mu.Unlock()
	select {
	case <-ran:
		t.Fatal("the transaction ran while one of its shards was held elsewhere")
	default:
	}

	close(release)
	require.NoError(t, <-held)
	select {
	case err := <-ran:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("UpdateKeys did not finish after the shard was released")
	}
	require.EqualValues(t, 2, ks.Stats().Keys)
}

// TestMultiKeyTransactionsDoNotDeadlock runs transactions over the same
// keys named in opposite orders from many goroutines.
func TestMultiKeyTransactionsDoNotDeadlock(t *testing.T) {
	ks := newTestKeyspace(t, 16)
	keys := keysInShards(t, ks, 8)
	done := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for i := 0; i < 500; i++ {
				n := 2 + r.IntN(len(keys)-1)
				pick := make([]string, n)
				for j := range pick {
					pick[j] = keys[r.IntN(len(keys))]
				}
				var err error
				switch r.IntN(3) {
				case 0:
					err = ks.UpdateKeys(int64(i), pick, func(tx *Tx) error {
						for _, k := range pick {
							tx.Put(k, NewString(strconv.Itoa(g)))
						}
						return nil
					})
				case 1:
					err = ks.UpdateAll(int64(i), func(tx *Tx) error {
						tx.Delete(pick[0])
						return nil
					})
				default:
					err = ks.Update(int64(i), pick[0], func(tx *Tx) error {
						tx.Get(pick[0])
						return nil
					})
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		}(g)
	}
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("deadlock: multi-key transactions did not finish")
	}
}

func TestStatsKeysOfTypeOutOfRange(t *testing.T) {
	var s Stats
	s.ByType[TypeHash] = 3
	require.EqualValues(t, 3, s.KeysOfType(TypeHash))
	require.Zero(t, s.KeysOfType(Type(99)))
}

// fill stores n string keys "key:<i>" at time now, those with i%every==0
// (every > 0) with deadline at+i.
func fill(t *testing.T, ks *Keyspace, now int64, n, every int, at int64) {
	t.Helper()
	for i := 0; i < n; i++ {
		k := "key:" + strconv.Itoa(i)
		update(t, ks, now, k, func(tx *Tx) {
			e := NewString("v")
			tx.Put(k, e)
			if every > 0 && i%every == 0 {
				require.True(t, tx.SetDeadline(k, e, at+int64(i)))
			}
		})
	}
}

func TestReclaimExpired(t *testing.T) {
	t.Run("nothing volatile", func(t *testing.T) {
		ks := newTestKeyspace(t, 0)
		fill(t, ks, 1, 50, 0, 0)
		require.Zero(t, ks.ReclaimExpired(1<<60, 0))
		require.EqualValues(t, 50, ks.Stats().Keys)
	})
	t.Run("only due keys, all of them", func(t *testing.T) {
		ks := newTestKeyspace(t, 0)
		var used atomic.Int64
		ks.used = &used
		fill(t, ks, 1, 100, 2, 1000) // 50 volatile keys, deadlines 1000..1098
		require.EqualValues(t, 50, ks.Stats().Volatile)
		require.Zero(t, ks.ReclaimExpired(999, 0))
		require.Equal(t, 25, ks.ReclaimExpired(1049, 0)) // 1000,1002,...,1048
		st := ks.Stats()
		require.EqualValues(t, 75, st.Keys)
		require.EqualValues(t, 25, st.Expired)
		require.EqualValues(t, 25, st.Volatile)
		require.Equal(t, st.Bytes, used.Load())
		at, ok := ks.NextDeadline()
		require.True(t, ok)
		require.EqualValues(t, 1050, at)
		require.Equal(t, 25, ks.ReclaimExpired(1<<60, 0))
		require.EqualValues(t, 50, ks.Stats().Keys)
		_, ok = ks.NextDeadline()
		require.False(t, ok)
	})
	t.Run("budget per shard, earliest first", func(t *testing.T) {
		ks := newTestKeyspace(t, 16)
		// Ten volatile keys in one shard, deadlines in reverse key order.
		keys := keysInShard(t, ks, 3, 10)
		for i, k := range keys {
			update(t, ks, 1, k, func(tx *Tx) {
				tx.Put(k, NewString("v"))
				tx.SetDeadline(k, tx.Get(k), int64(100-i))
			})
		}
		require.Equal(t, 3, ks.ReclaimExpired(1000, 3))
		// The three earliest deadlines (the last three keys) went first.
		update(t, ks, 1, keys[0], func(tx *Tx) {
			for i, k := range keys {
				require.Equal(t, i < 7, tx.Get(k) != nil, "key %d", i)
			}
		})
		require.Equal(t, 3, ks.ReclaimExpired(1000, 3))
		require.Equal(t, 3, ks.ReclaimExpired(1000, 3))
		require.Equal(t, 1, ks.ReclaimExpired(1000, 3))
		require.Zero(t, ks.ReclaimExpired(1000, 3))
		require.EqualValues(t, 10, ks.Stats().Expired)
	})
	t.Run("budget applies to each shard", func(t *testing.T) {
		ks := newTestKeyspace(t, 16)
		fill(t, ks, 1, 1000, 1, 10)
		n := ks.ReclaimExpired(1<<60, 1)
		require.Equal(t, ks.Shards(), n, "one key per shard")
		require.EqualValues(t, 1000-n, ks.Stats().Keys)
	})
}

func TestFlush(t *testing.T) {
	ks := newTestKeyspace(t, 0)
	var used atomic.Int64
	ks.used = &used
	fill(t, ks, 1, 200, 3, 500)
	update(t, ks, 1, "h", func(tx *Tx) {
		tx.Put("h", NewCollection(hashOf("f")))
		tx.Read("h")
		tx.CountCommand()
	})
	require.Positive(t, used.Load())
	require.Equal(t, ks.Stats().Bytes, ks.Bytes())
	require.EqualValues(t, 201, ks.Flush())
	require.Zero(t, ks.Bytes())
	st := ks.Stats()
	require.Zero(t, st.Keys)
	require.Zero(t, st.Bytes)
	require.Zero(t, st.Volatile)
	require.Zero(t, st.KeysOfType(TypeString))
	require.Zero(t, st.KeysOfType(TypeHash))
	require.Zero(t, used.Load(), "flushed bytes leave the engine-wide total")
	require.EqualValues(t, 1, st.Hits, "flush keeps the command statistics")
	require.EqualValues(t, 1, st.Commands)
	_, ok := ks.NextDeadline()
	require.False(t, ok)
	require.NoError(t, ks.Verify())

	// The keyspace is usable afterwards.
	fill(t, ks, 1, 10, 2, 500)
	require.EqualValues(t, 10, ks.Stats().Keys)
	require.EqualValues(t, 10, ks.Flush())
}

func TestScan(t *testing.T) {
	ks := newTestKeyspace(t, 16)
	fill(t, ks, 1, 300, 4, 100) // 75 volatile, deadlines 100..396

	got := map[string]bool{}
	ks.Scan(200, func(k string, e *Entry) bool {
		require.False(t, got[k], "key %q visited twice", k)
		got[k] = true
		require.True(t, e.Deadline() == 0 || e.Deadline() > 200, "expired key %q visited", k)
		return true
	})
	// Volatile keys i%4==0 with 100+i <= 200 (i = 0..100, 26 keys) are gone.
	require.Len(t, got, 300-26)
	require.EqualValues(t, 26, ks.Stats().Expired, "Scan reclaims what it skips")

	n := 0
	ks.Scan(200, func(string, *Entry) bool { n++; return n < 5 })
	require.Equal(t, 5, n, "returning false stops the scan")
}

// TestScanHoldsOneShardAtATime writes to another shard from another
// goroutine while Scan is inside its callback: it would deadlock if Scan
// held more than the shard it is walking.
func TestScanHoldsOneShardAtATime(t *testing.T) {
	ks := newTestKeyspace(t, 16)
	keys := keysInShards(t, ks, 2)
	update(t, ks, 1, keys[0], func(tx *Tx) { tx.Put(keys[0], NewString("v")) })
	visited := false
	ks.Scan(1, func(k string, _ *Entry) bool {
		visited = true
		done := make(chan error, 1)
		go func() {
			done <- ks.Update(1, keys[1], func(tx *Tx) error {
				tx.Put(keys[1], NewString("w"))
				return nil
			})
		}()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(5 * time.Second):
			t.Fatal("a write to another shard blocked during Scan")
		}
		return false
	})
	require.True(t, visited)
}

// TestVerifyCatchesCorruption corrupts a healthy keyspace in each way the
// counters, the index and the map can disagree, and checks Verify notices.
func TestVerifyCatchesCorruption(t *testing.T) {
	build := func(t *testing.T) (*Keyspace, *shard, string, *Entry) {
		ks := New(Options{Shards: 16})
		fill(t, ks, 1, 20, 2, 1000)
		require.NoError(t, ks.Verify())
		k := "key:2" // has a deadline (2 % 2 == 0)
		s := ks.shards[ks.shardOf(k)]
		e := s.m[k]
		require.NotZero(t, e.deadline)
		return ks, s, k, e
	}
	for _, tc := range []struct {
		name    string
		corrupt func(ks *Keyspace, s *shard, k string, e *Entry)
		want    string
	}{
		{"key in the wrong shard", func(ks *Keyspace, s *shard, k string, e *Entry) {
			other := ks.shards[(ks.shardOf(k)+1)%len(ks.shards)]
			other.m[k] = NewString("stray")
		}, "belongs in"},
		{"keys counter", func(ks *Keyspace, s *shard, k string, e *Entry) { s.c.keys.Add(1) }, "keys counter"},
		{"bytes counter", func(ks *Keyspace, s *shard, k string, e *Entry) { s.bytes.Add(-3) }, "bytes counter"},
		{"type counter", func(ks *Keyspace, s *shard, k string, e *Entry) { s.c.byType[TypeList].Add(1) }, "list counter"},
		{"string grown behind the counters", func(ks *Keyspace, s *shard, k string, e *Entry) {
			e.setStr(e.Str() + "grown without SetStr")
		}, "bytes counter"},
		{"collection changed without Changed", func(ks *Keyspace, s *shard, k string, e *Entry) {
			set := NewSet(1)
			set.Add("m")
			d := e.deadline
			*e = *NewCollection(set) // counted: 0
			e.deadline = d
		}, "accounted 0 bytes"},
		{"deadline missing from the index", func(ks *Keyspace, s *shard, k string, e *Entry) {
			s.exp.Remove(k, e.deadline)
		}, "missing from the index"},
		{"deadline changed behind the index", func(ks *Keyspace, s *shard, k string, e *Entry) {
			e.deadline++
		}, "missing from the index"},
		{"index entry without a key", func(ks *Keyspace, s *shard, k string, e *Entry) {
			s.exp.Add("ghost", 5)
		}, "index has"},
		{"volatile counter", func(ks *Keyspace, s *shard, k string, e *Entry) { ks.volatile.Add(1) }, "volatile counter"},
		{"empty collection", func(ks *Keyspace, s *shard, k string, e *Entry) {
			*e = *NewCollection(NewSet(0))
		}, "empty set"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ks, s, k, e := build(t)
			tc.corrupt(ks, s, k, e)
			err := ks.Verify()
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestKeyspaceConcurrentAgainstVerify mixes single-key writes, multi-key
// transactions, reclamation, scans and flushes from several goroutines,
// then checks that nothing drifted.
func TestKeyspaceConcurrentAgainstVerify(t *testing.T) {
	ks := newTestKeyspace(t, 16)
	var used atomic.Int64
	ks.used = &used
	var wg sync.WaitGroup
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 7))
			for i := 0; i < 2000; i++ {
				now := int64(i)
				k := "k" + strconv.Itoa(r.IntN(64))
				switch r.IntN(8) {
				case 0, 1, 2:
					_ = ks.Update(now, k, func(tx *Tx) error {
						e := NewString(strings.Repeat("x", r.IntN(20)))
						tx.Put(k, e)
						if r.IntN(2) == 0 {
							tx.SetDeadline(k, e, now+int64(r.IntN(50)))
						}
						return nil
					})
				case 3:
					k2 := "k" + strconv.Itoa(r.IntN(64))
					_ = ks.UpdateKeys(now, []string{k, k2}, func(tx *Tx) error {
						tx.Rename(k, k2)
						return nil
					})
				case 4:
					_ = ks.Update(now, k, func(tx *Tx) error { tx.Delete(k); return nil })
				case 5:
					ks.ReclaimExpired(now, 2)
				case 6:
					ks.Scan(now, func(string, *Entry) bool { return true })
				case 7:
					if r.IntN(50) == 0 {
						ks.Flush()
					}
				}
			}
		}(g)
	}
	wg.Wait()
	require.NoError(t, ks.Verify())
	require.Equal(t, ks.Stats().Bytes, used.Load())
}

// BenchmarkShards measures parallel SET throughput (overwrite of one of 4096
// keys, 16-byte keys and values) for 1 to 64 shards. The keys fit in the CPU
// caches, so that lock contention, which the shard count is about, is not
// drowned by cache misses. Its result is what the comment on MinShards
// reports.
func BenchmarkShards(b *testing.B) {
	keys := make([]string, 1<<12)
	for i := range keys {
		keys[i] = fmt.Sprintf("key:%012d", i)
	}
	const value = "0123456789abcdef"
	for n := 1; n <= 64; n *= 2 {
		b.Run(fmt.Sprintf("shards=%d", n), func(b *testing.B) {
			ks := newKeyspace(n, nil)
			for _, k := range keys {
				_ = ks.Update(1, k, func(tx *Tx) error { tx.Put(k, NewString(value)); return nil })
			}
			var seed atomic.Uint64
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				r := rand.New(rand.NewPCG(seed.Add(1), 0))
				for pb.Next() {
					k := keys[r.IntN(len(keys))]
					_ = ks.Update(1, k, func(tx *Tx) error {
						if e := tx.Get(k); e != nil {
							tx.SetStr(k, e, value)
						} else {
							tx.Put(k, NewString(value))
						}
						return nil
					})
				}
			})
		})
	}
}

// TestShardLayout checks the cache-line layout shard's comment describes:
// what a single-key call writes lies in the shard's first line, the
// counters start a line, and every shard starts one.
func TestShardLayout(t *testing.T) {
	var s shard
	base := uintptr(unsafe.Pointer(&s))
	end := func(p unsafe.Pointer, size uintptr) uintptr { return uintptr(p) - base + size }
	hot := []struct {
		name string
		end  uintptr
	}{
		{"mu", end(unsafe.Pointer(&s.mu), unsafe.Sizeof(s.mu))},
		{"commands", end(unsafe.Pointer(&s.commands), unsafe.Sizeof(s.commands))},
		{"bytes", end(unsafe.Pointer(&s.bytes), unsafe.Sizeof(s.bytes))},
		{"tx.now", end(unsafe.Pointer(&s.tx.now), unsafe.Sizeof(s.tx.now))},
		{"tx.lastKey", end(unsafe.Pointer(&s.tx.lastKey), unsafe.Sizeof(s.tx.lastKey))},
		{"tx.held", end(unsafe.Pointer(&s.tx.held), unsafe.Sizeof(s.tx.held))},
		{"tx.lastShard", end(unsafe.Pointer(&s.tx.lastShard), unsafe.Sizeof(s.tx.lastShard))},
		{"tx.lazy", end(unsafe.Pointer(&s.tx.lazy), 1)},
		{"tx.cached", end(unsafe.Pointer(&s.tx.cached), 1)},
		{"tx.multi", end(unsafe.Pointer(&s.tx.multi), 1)},
	}
	for _, f := range hot {
		require.LessOrEqual(t, f.end, uintptr(cacheLine), "%s ends past the first line", f.name)
	}
	require.Zero(t, (uintptr(unsafe.Pointer(&s.c))-base)%cacheLine, "counters start a line")
	require.Zero(t, unsafe.Sizeof(s)%cacheLine, "whole lines")

	// Go's allocator puts an object of a size class that is a multiple of
	// the line at a line boundary, unless the object carries a header: on
	// 64-bit, objects with pointers over 512 bytes do (on 32-bit, over
	// 128, so there the alignment is not had and not checked).
	aligned := unsafe.Sizeof(uintptr(0)) == 8
	if aligned {
		require.LessOrEqual(t, unsafe.Sizeof(s), uintptr(512), "a larger shard gets an allocation header and loses the alignment")
	}
	ks := New(Options{Shards: 64})
	for i, sh := range ks.shards {
		if aligned {
			require.Zero(t, uintptr(unsafe.Pointer(sh))%cacheLine, "shard %d is not line-aligned", i)
		}
		require.Same(t, sh, sh.tx.home)
		require.Equal(t, i, sh.tx.first)
		require.Same(t, ks, sh.tx.ks)
	}
}

// Switching the used-bytes counter while writers grow and shrink values
// neither loses nor double-counts a change: whenever it is attached it
// holds exactly the keyspace's size, and a detached counter is back to
// what it held before.
func TestSetUsedBytes(t *testing.T) {
	ks := newTestKeyspace(t, 8)
	var used atomic.Int64
	used.Store(1000) // another keyspace's share, which must survive
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writes atomic.Int64
	for w := range 2 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				writes.Add(1)
				key := "k" + strconv.Itoa(w*1000+i%50)
				update(t, ks, 1, key, func(tx *Tx) {
					if i%3 == 0 {
						tx.Delete(key)
					} else {
						tx.Put(key, NewString(strings.Repeat("x", i%100)))
					}
				})
			}
		})
	}
	// Switch until the writers have been busy throughout: without the
	// race detector 200 switches take less than starting them does.
	for i := 0; i < 200 || writes.Load() < 5000; i++ {
		ks.SetUsedBytes(&used)
		ks.SetUsedBytes(&used) // attaching twice counts once
		ks.SetUsedBytes(nil)
		require.EqualValues(t, 1000, used.Load(), "detached, the counter holds only the other share")
	}
	ks.SetUsedBytes(&used)
	close(stop)
	wg.Wait()
	require.Equal(t, 1000+ks.Stats().Bytes, used.Load())
	require.Positive(t, ks.Stats().Bytes)
}
