package main

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkEmbedded runs each embedded comparison operation on both sides
// and on its floor under b.RunParallel, for profiling the hot paths with the usual tools:
//
//	go test -run '^$' -bench 'Embedded/get/ours' -cpuprofile cpu.out ./bench/cmd/compare
//	go tool pprof -top cpu.out
//
// An operation's data is loaded inside its own sub-benchmark, so that a
// profile of one operation is not swamped by the loading of the others.
func BenchmarkEmbedded(b *testing.B) {
	env, cleanup, err := newEmbeddedEnv()
	require.NoError(b, err)
	b.Cleanup(cleanup)
	b.Cleanup(env.m.Close)
	for _, op := range embeddedOps {
		b.Run(op.name, func(b *testing.B) {
			if op.load != nil {
				require.NoError(b, op.load(env))
			}
			for _, side := range []struct {
				name string
				make func(env *embeddedEnv, w int) func(int)
			}{{"ours", op.ours}, {"miniredis", op.peer}, {"floor", op.floor}, {"shared-floor", op.shared}} {
				if side.make == nil {
					continue
				}
				b.Run(side.name, func(b *testing.B) {
					var worker atomic.Int64
					b.RunParallel(func(pb *testing.PB) {
						f := side.make(env, int(worker.Add(1)-1))
						for i := 0; pb.Next(); i++ {
							f(i)
						}
					})
				})
			}
		})
	}
}

func TestEmbeddedOpsWork(t *testing.T) {
	env, cleanup, err := newEmbeddedEnv()
	require.NoError(t, err)
	t.Cleanup(cleanup)
	t.Cleanup(env.m.Close)
	for _, op := range embeddedOps {
		if op.load != nil {
			require.NoError(t, op.load(env), op.name)
		}
		for w := range embeddedWorkers {
			ours, peer, floor := op.ours(env, w), op.peer(env, w), op.floor(env, w)
			shared := func(int) {}
			if op.shared != nil {
				shared = op.shared(env, w)
			}
			for i := range 100 {
				ours(i)
				peer(i)
				floor(i)
				shared(i)
			}
		}
	}
	v, found, err := env.db.Get(env.keys[walk(0, 0, embKeys)])
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, env.value, v)
	got, err := env.m.Get(env.keys[walk(1, 5, embKeys)])
	require.NoError(t, err)
	require.Equal(t, env.value, got)
}

// TestEmbeddedFloorsConcurrently runs both workers' floors at once, as the
// rounds do: under -race it shows that the floors share nothing they write,
// which is what lets them go without locks, and that the shared floors
// lock what they share.
func TestEmbeddedFloorsConcurrently(t *testing.T) {
	env, cleanup, err := newEmbeddedEnv()
	require.NoError(t, err)
	t.Cleanup(cleanup)
	t.Cleanup(env.m.Close)
	for _, op := range embeddedOps {
		require.NotNil(t, op.floor, op.name)
		require.NotEmpty(t, op.floorAbout, op.name)
		if op.load != nil {
			require.NoError(t, op.load(env), op.name)
		}
		for _, side := range []func(*embeddedEnv, int) func(int){op.floor, op.shared} {
			if side == nil {
				continue
			}
			var wg sync.WaitGroup
			for w := range embeddedWorkers {
				f := side(env, w)
				wg.Go(func() {
					for i := range 2000 {
						f(i)
					}
				})
			}
			wg.Wait()
		}
	}
	// The shared floor holds both workers' ZADDs in one copy.
	ks := env.floor.shared
	for w := range embeddedWorkers {
		j := walk(w, 1999, embZSets*embZMembers)
		k := env.zsets[j%embZSets]
		z := ks.of(k).m[k].(*floorZSet)
		require.Equal(t, 1999.0, *z.scores[env.fields[j/embZSets]])
		require.Equal(t, len(z.scores), z.tree.Len(), "one ordered entry per member")
	}
	// The shared lists kept their length, and the shared hashes hold what
	// each worker wrote last.
	for _, l := range env.lists {
		require.Equal(t, embListLen, ks.of(l).m[l].(*floorDeque).n, "LPUSH+RPOP keeps the length")
	}
	for w := range embeddedWorkers {
		j := walk(w, 1999, embHashes*embFields)
		k := env.hashes[j%embHashes]
		require.Equal(t, env.value, ks.of(k).m[k].(map[string]string)[env.fields[j/embHashes]])
	}
	// The shared keyspace holds every key the commands' rounds leave in
	// the engine: strings, counters, hashes, lists and sorted sets.
	n := 0
	for i := range ks.shards {
		n += len(ks.shards[i].m)
	}
	require.Equal(t, 2*embKeys+embHashes+embLists+embZSets, n)
	// What the floors wrote is what the commands would have left.
	for w, fw := range env.floor.w {
		k := env.keys[walk(w, 0, embKeys)]
		require.Equal(t, env.value, fw.set[k])
		require.Equal(t, "1", fw.ctrs[env.ctrs[walk(w, 0, embKeys)]], "each counter is hit once in 2000 steps of 100k")
		j := walk(w, 0, embHashes*embFields)
		require.Equal(t, env.value, fw.hashes[env.hashes[j%embHashes]][env.fields[j/embHashes]])
		for _, l := range env.lists {
			require.Equal(t, embListLen, fw.lists[l].n, "LPUSH+RPOP keeps the length")
		}
		j = walk(w, 1999, embZSets*embZMembers)
		z := fw.zsets[env.zsets[j%embZSets]]
		require.Equal(t, 1999.0, *z.scores[env.fields[j/embZSets]])
		require.Equal(t, len(z.scores), z.tree.Len(), "one ordered entry per member")
	}
}

func TestFloorDeque(t *testing.T) {
	var d floorDeque
	_, ok := d.popBack()
	require.False(t, ok)
	// LPUSH 0..19 then RPOP: a queue, so the first pushed comes out first,
	// across the growth from 8 to 16 to 32 slots.
	for i := range 20 {
		d.pushFront(strconv.Itoa(i))
	}
	for i := range 20 {
		v, ok := d.popBack()
		require.True(t, ok)
		require.Equal(t, strconv.Itoa(i), v)
	}
	_, ok = d.popBack()
	require.False(t, ok)
}

func TestFloorZSet(t *testing.T) {
	z := newFloorZSet()
	require.Equal(t, 1, z.add("b", 2))
	require.Equal(t, 1, z.add("a", 2))
	require.Equal(t, 1, z.add("c", 1))
	require.Equal(t, 0, z.add("c", 3), "an existing member is not counted")
	require.Equal(t, 0, z.add("a", 2), "an unchanged score")
	require.Equal(t, []floorZItem{{2, "a"}, {2, "b"}, {3, "c"}}, z.rangeAll(nil),
		"score order, ties by member, the old (1, c) gone")
	require.Equal(t, 3, z.tree.Len())
}

func TestFloorLine(t *testing.T) {
	require.Equal(t, "FLOOR embedded-get: 4.12 (bare Go map lookup, vs miniredis); engine/floor 0.45",
		floorLine("get", "bare Go map lookup", false, 4.1249, 0.451))
	require.Equal(t, "FLOOR embedded-zadd: 12.00 (x, vs miniredis); engine/floor 0.18",
		floorLine("zadd", "x", false, 12, 0.18))
	require.Equal(t, "FLOOR embedded-zadd shared: 3.56 (y, vs miniredis); engine/shared floor 0.87",
		floorLine("zadd", "y", true, 3.564, 0.87))
}
