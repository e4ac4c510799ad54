package store

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSetBasics(t *testing.T) {
	s := NewSet(0)
	require.Equal(t, TypeSet, s.Type())
	require.True(t, s.Add("b"))
	require.True(t, s.Add("a"))
	require.False(t, s.Add("a"))
	require.True(t, s.Add(""))
	require.Equal(t, 3, s.Len())
	require.Equal(t, int64(2+3*setMemberOverhead), s.Bytes())
	require.True(t, s.Has(""))
	require.False(t, s.Has("c"))
	require.Equal(t, []string{"", "a", "b"}, s.Sorted())
	require.ElementsMatch(t, []string{"", "a", "b"}, s.Members())

	var seen []string
	s.Each(func(m string) bool { seen = append(seen, m); return len(seen) < 2 })
	require.Len(t, seen, 2)

	require.True(t, s.Remove("a"))
	require.False(t, s.Remove("a"))
	require.Equal(t, []string{"", "b"}, s.Sorted())
	require.NoError(t, s.Verify())
	require.True(t, s.Remove(""))
	require.True(t, s.Remove("b"))
	require.Equal(t, 0, s.Len())
	require.Equal(t, int64(0), s.Bytes())
	require.NoError(t, s.Verify())
}

func TestSetRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	s := NewSet(0)
	for i := range 10 {
		s.Add(fmt.Sprint(i))
	}
	// Every member comes up, roughly uniformly.
	counts := map[string]int{}
	for range 10000 {
		counts[s.Random(r.IntN)]++
	}
	require.Len(t, counts, 10)
	for m, c := range counts {
		require.InDelta(t, 1000, c, 200, "member %s", m)
	}

	for _, n := range []int{0, 1, 3, 4, 9, 10, 50} {
		got := s.RandomDistinct(n, r.IntN)
		require.Len(t, got, min(n, 10))
		uniq := map[string]bool{}
		for _, m := range got {
			require.True(t, s.Has(m))
			require.False(t, uniq[m], "duplicate %s", m)
			uniq[m] = true
		}
	}
	require.Equal(t, 10, s.Len(), "sampling does not change the set")
	require.NoError(t, s.Verify())

	var popped []string
	for s.Len() > 0 {
		popped = append(popped, s.Pop(r.IntN))
		require.NoError(t, s.Verify())
	}
	slices.Sort(popped)
	require.Equal(t, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, popped)
}

// TestSetRandomDistinctCoversAllSubsets checks the sampling branches are
// unbiased enough to reach every member from either strategy.
func TestSetRandomDistinctCoversAllSubsets(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	s := NewSet(0)
	for i := range 30 {
		s.Add(fmt.Sprint(i))
	}
	for _, n := range []int{2, 20} { // a small sample and a shuffle
		seen := map[string]int{}
		for range 3000 {
			for _, m := range s.RandomDistinct(n, r.IntN) {
				seen[m]++
			}
		}
		require.Len(t, seen, 30)
		want := 3000 * n / 30
		for m, c := range seen {
			require.InDelta(t, want, c, float64(want)/3, "n=%d member %s", n, m)
		}
	}
}

func TestSetShrinksAfterDrain(t *testing.T) {
	s := NewSet(0)
	for i := range 10000 {
		s.Add(fmt.Sprint(i))
	}
	for i := range 9990 {
		s.Remove(fmt.Sprint(i))
	}
	require.Less(t, cap(s.members), 1000)
	require.NoError(t, s.Verify())
}

func TestSetRandomAgainstModel(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	s, m := NewSet(0), map[string]bool{}
	for step := range 50000 {
		member := fmt.Sprint(r.IntN(2000))
		switch r.IntN(5) {
		case 0, 1:
			require.Equal(t, !m[member], s.Add(member))
			m[member] = true
		case 2:
			require.Equal(t, m[member], s.Remove(member))
			delete(m, member)
		case 3:
			require.Equal(t, m[member], s.Has(member))
		case 4:
			if len(m) > 0 {
				p := s.Pop(r.IntN)
				require.True(t, m[p])
				delete(m, p)
			}
		}
		if step%1000 == 0 {
			require.NoError(t, s.Verify())
			require.Equal(t, append([]string{}, slices.Sorted(maps.Keys(m))...), s.Sorted())
		}
	}
	require.NoError(t, s.Verify())
	require.Equal(t, append([]string{}, slices.Sorted(maps.Keys(m))...), s.Sorted())
}
