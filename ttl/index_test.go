package ttl

import (
	"math/rand/v2"
	"sort"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIndexPopDueInDeadlineOrder(t *testing.T) {
	ix := NewIndex()
	ix.Add("c", 30)
	ix.Add("a", 10)
	ix.Add("b", 20)
	ix.Add("b2", 20)
	ix.Add("late", 100)
	require.Equal(t, 5, ix.Len())

	k, at, ok := ix.Min()
	require.True(t, ok)
	require.Equal(t, "a", k)
	require.EqualValues(t, 10, at)

	var got []string
	n := ix.PopDue(20, 0, func(key string, at int64) { got = append(got, key) })
	require.Equal(t, 3, n)
	require.Equal(t, []string{"a", "b", "b2"}, got)

	got = nil
	n = ix.PopDue(1000, 1, func(key string, at int64) { got = append(got, key) })
	require.Equal(t, 1, n)
	require.Equal(t, []string{"c"}, got)
	require.Equal(t, 1, ix.Len())
}

func TestIndexRemove(t *testing.T) {
	ix := NewIndex()
	ix.Add("k", 5)
	require.False(t, ix.Remove("k", 6), "wrong deadline must not remove")
	require.True(t, ix.Remove("k", 5))
	require.False(t, ix.Remove("k", 5))
	require.Zero(t, ix.Len())
	_, _, ok := ix.Min()
	require.False(t, ok)
	require.Zero(t, ix.PopDue(1<<62, 0, func(string, int64) { t.Fatal("nothing is due") }))
}

func TestIndexClear(t *testing.T) {
	ix := NewIndex()
	for i := 0; i < 100; i++ {
		ix.Add(strconv.Itoa(i), int64(i))
	}
	ix.Clear()
	require.Zero(t, ix.Len())
}

// TestIndexRandomAgainstModel drives the index with random adds, removes and
// pops and compares it after every step with a map-based model.
func TestIndexRandomAgainstModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	ix := NewIndex()
	model := map[string]int64{}
	for step := 0; step < 20000; step++ {
		key := strconv.Itoa(r.IntN(200))
		switch r.IntN(3) {
		case 0:
			if old, ok := model[key]; ok {
				require.True(t, ix.Remove(key, old))
			}
			at := r.Int64N(1000)
			ix.Add(key, at)
			model[key] = at
		case 1:
			if old, ok := model[key]; ok {
				require.True(t, ix.Remove(key, old))
				delete(model, key)
			}
		case 2:
			now := r.Int64N(1000)
			type kv struct {
				k  string
				at int64
			}
			var want []kv
			for k, at := range model {
				if at <= now {
					want = append(want, kv{k, at})
				}
			}
			sort.Slice(want, func(i, j int) bool {
				if want[i].at != want[j].at {
					return want[i].at < want[j].at
				}
				return want[i].k < want[j].k
			})
			if len(want) > 5 {
				want = want[:5]
			}
			var got []kv
			ix.PopDue(now, 5, func(k string, at int64) { got = append(got, kv{k, at}) })
			require.Equal(t, len(want), len(got))
			for i := range want {
				require.Equal(t, want[i], got[i])
				delete(model, want[i].k)
			}
		}
		require.Equal(t, len(model), ix.Len())
	}
}

func BenchmarkIndexAddRemove(b *testing.B) {
	ix := NewIndex()
	keys := make([]string, 1<<16)
	for i := range keys {
		keys[i] = "key:" + strconv.Itoa(i)
		ix.Add(keys[i], int64(i))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := keys[i&(len(keys)-1)]
		at := int64(i & (len(keys) - 1))
		ix.Remove(k, at)
		ix.Add(k, at)
	}
}
