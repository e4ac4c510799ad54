package store

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

// zmodel is the obviously correct sorted set: a slice kept in order, and
// the scores by member to find a member's place by binary search.
type zmodel struct {
	items  []ZMember
	scores map[string]float64
}

func newZModel() *zmodel { return &zmodel{scores: map[string]float64{}} }

func zcmp(a, b ZMember) int {
	if c := cmp.Compare(a.Score, b.Score); c != 0 {
		return c
	}
	return cmp.Compare(a.Member, b.Member)
}

func (m *zmodel) find(member string) int {
	s, ok := m.scores[member]
	if !ok {
		return -1
	}
	i, found := slices.BinarySearchFunc(m.items, ZMember{member, s}, zcmp)
	if !found {
		panic("model lost " + member)
	}
	return i
}

func (m *zmodel) set(member string, s float64) bool {
	i := m.find(member)
	if i >= 0 {
		m.items = slices.Delete(m.items, i, i+1)
	}
	x := ZMember{member, s}
	j, _ := slices.BinarySearchFunc(m.items, x, zcmp)
	m.items = slices.Insert(m.items, j, x)
	m.scores[member] = s
	return i < 0
}

func (m *zmodel) remove(member string) bool {
	i := m.find(member)
	if i < 0 {
		return false
	}
	m.items = slices.Delete(m.items, i, i+1)
	delete(m.scores, member)
	return true
}

func (m *zmodel) removeRange(a, b int) {
	for _, x := range m.items[a:b] {
		delete(m.scores, x.Member)
	}
	m.items = slices.Delete(m.items, a, b)
}

// countWhile is the length of the prefix of the sorted items that satisfy
// pred (which holds on a prefix).
func (m *zmodel) countWhile(pred func(ZMember) bool) int {
	return sort.Search(len(m.items), func(i int) bool { return !pred(m.items[i]) })
}

func requireZSetMatches(t testing.TB, z *ZSet, m *zmodel) {
	t.Helper()
	require.NoError(t, z.Verify())
	require.Equal(t, len(m.items), z.Len())
	if len(m.items) == 0 {
		require.Nil(t, z.Slice(0, 1))
		return
	}
	require.Equal(t, m.items, z.Slice(0, z.Len()))
}

func TestZSetBasics(t *testing.T) {
	z := NewZSet()
	require.Equal(t, TypeZSet, z.Type())
	require.Equal(t, int64(0), z.Bytes())
	require.True(t, z.Set("b", 2))
	require.True(t, z.Set("a", 2))
	require.True(t, z.Set("c", 1))
	require.False(t, z.Set("c", 1)) // unchanged
	require.False(t, z.Set("c", 3)) // moved
	require.Equal(t, []ZMember{{"a", 2}, {"b", 2}, {"c", 3}}, z.Slice(0, 10))
	ref := func(m string) ZRef {
		r, ok := z.Lookup(m)
		require.True(t, ok, m)
		require.Equal(t, m, r.Member)
		return r
	}
	z.Move(ref("c"), 0) // moved by the caller that read its score
	a := ref("a")
	require.Equal(t, 2.0, a.Score)
	z.Move(a, 2) // same score: nothing to do
	require.Equal(t, []ZMember{{"c", 0}, {"a", 2}, {"b", 2}}, z.Slice(0, 10))
	_, ok := z.Lookup("x")
	require.False(t, ok)
	stale := ref("c")
	z.Move(ref("c"), 1)
	require.Panics(t, func() { z.Move(stale, 5) }, "a reference from before a change is a caller's bug")
	z.Move(ref("c"), 3)
	require.Equal(t, int64(3+3*zsetMemberOverhead), z.Bytes())

	s, ok := z.Score("b")
	require.True(t, ok)
	require.Equal(t, 2.0, s)
	_, ok = z.Score("x")
	require.False(t, ok)

	r, ok := z.Rank("c")
	require.True(t, ok)
	require.Equal(t, 2, r)
	_, ok = z.Rank("x")
	require.False(t, ok)
	require.Equal(t, ZMember{"b", 2}, z.At(1))

	require.Equal(t, 0, z.CountScoreBelow(2, false))
	require.Equal(t, 2, z.CountScoreBelow(2, true))
	require.Equal(t, 3, z.CountScoreBelow(math.Inf(1), true))
	require.Equal(t, 1, z.CountMemberBelow("b", false))
	require.Equal(t, 2, z.CountMemberBelow("b", true))

	require.True(t, z.Remove("a"))
	require.False(t, z.Remove("a"))
	require.Equal(t, int64(2+2*zsetMemberOverhead), z.Bytes())
	require.Equal(t, 1, z.RemoveRange(-5, 1))
	require.Equal(t, []ZMember{{"c", 3}}, z.Slice(-1, 5))
	require.Nil(t, z.Slice(1, 0))
	require.True(t, z.Remove("c"))
	require.Equal(t, 0, z.Len())
	require.Equal(t, int64(0), z.Bytes())
	require.NoError(t, z.Verify())
	require.Equal(t, 0, z.CountScoreBelow(1, true))
	z.Ascend(0, func(ZMember) bool { t.Fatal("empty set walked"); return false })
	z.Descend(0, func(ZMember) bool { t.Fatal("empty set walked"); return false })
}

func TestZSetNegativeZeroTiesWithZero(t *testing.T) {
	z := NewZSet()
	z.Set("b", 0)
	z.Set("a", math.Copysign(0, -1))
	require.Equal(t, "a", z.At(0).Member, "-0 == 0: ties ordered by member")
	require.False(t, z.Set("b", math.Copysign(0, -1)), "same score by ==: no change")
	s, _ := z.Score("b")
	require.False(t, math.Signbit(s))
	require.Equal(t, 0, z.CountScoreBelow(0, false))
	require.Equal(t, 2, z.CountScoreBelow(math.Copysign(0, -1), true))
}

func TestZSetWalks(t *testing.T) {
	z := NewZSet()
	const n = 1000
	for i := range n {
		z.Set(fmt.Sprintf("m%04d", i), float64(i/3))
	}
	require.NoError(t, z.Verify())
	for _, from := range []int{0, 1, 63, 64, 500, n - 1} {
		var up, down []int
		z.Ascend(from, func(m ZMember) bool {
			var k int
			fmt.Sscanf(m.Member, "m%d", &k)
			up = append(up, k)
			return len(up) < 100
		})
		z.Descend(from, func(m ZMember) bool {
			var k int
			fmt.Sscanf(m.Member, "m%d", &k)
			down = append(down, k)
			return len(down) < 100
		})
		require.Len(t, up, min(100, n-from))
		require.Len(t, down, min(100, from+1))
		for i, k := range up {
			require.Equal(t, from+i, k)
		}
		for i, k := range down {
			require.Equal(t, from-i, k)
		}
	}
	z.Ascend(n, func(ZMember) bool { t.Fatal("walked past the end"); return false })
	z.Descend(-1, func(ZMember) bool { t.Fatal("walked before the start"); return false })
}

// newSmallZSet returns a sorted set whose tree nodes hold at most max
// entries, so that a few hundred members already make a deep tree and
// every split, merge and redistribution path runs often.
func newSmallZSet(max int) *ZSet {
	z := NewZSet()
	z.tree.max, z.tree.min = max, max/4
	return z
}

// TestZSetRandomAgainstModel drives a sorted set and a sorted slice with
// the same seeded random operations, over member and score spaces small
// enough for many collisions: with small nodes (deep trees) and with the
// real node size.
func TestZSetRandomAgainstModel(t *testing.T) {
	for _, tc := range []struct {
		max, members, minHeight int
	}{{8, 3000, 4}, {12, 2000, 3}, {zMax, 8000, 2}} {
		for seed := range uint64(2) {
			t.Run(fmt.Sprint(tc.max, "/", seed), func(t *testing.T) {
				r := rand.New(rand.NewPCG(seed, uint64(tc.max)))
				z := newSmallZSet(tc.max)
				require.GreaterOrEqual(t, runZSetOps(t, r, z, 20000, tc.members), tc.minHeight, "tree height reached")
			})
		}
	}
}

// runZSetOps returns the greatest height the tree reached.
func runZSetOps(t testing.TB, r *rand.Rand, z *ZSet, steps, members int) (height int) {
	m := newZModel()
	score := func() float64 {
		switch r.IntN(10) {
		case 0:
			return math.Inf(1 - 2*r.IntN(2))
		case 1:
			return r.NormFloat64()
		}
		return float64(r.IntN(50))
	}
	// The set grows, then shrinks, so that splits, merges and
	// redistribution at every level all happen.
	for step := range steps {
		grow := step < steps/2
		member := fmt.Sprintf("m%d", r.IntN(members))
		op, sets := r.IntN(100), 65
		if !grow {
			sets = 15 // mostly removals while shrinking
		}
		switch {
		case op < sets:
			s := score()
			if ref, ok := z.Lookup(member); ok && r.IntN(2) == 0 {
				// The engine's path for an existing member (ZADD).
				require.False(t, m.set(member, s))
				z.Move(ref, s)
				break
			}
			require.Equal(t, m.set(member, s), z.Set(member, s))
		case op < 80:
			require.Equal(t, m.remove(member), z.Remove(member))
		case op < 81 && len(m.items) > 0:
			a, b := r.IntN(len(m.items)), r.IntN(len(m.items))
			if a > b {
				a, b = b, a
			}
			b = min(b, a+r.IntN(80))
			m.removeRange(a, b)
			require.Equal(t, b-a, z.RemoveRange(a, b))
		default:
			checkZQueries(t, r, z, m, member)
		}
		if step%1000 == 0 {
			requireZSetMatches(t, z, m)
			height = max(height, z.tree.height())
		}
	}
	requireZSetMatches(t, z, m)
	return height
}

func (t *ztree) height() int {
	h := 0
	for n := t.root; n != nil; h++ {
		if n.leaf() {
			return h + 1
		}
		n = n.kids[0]
	}
	return h
}

func checkZQueries(t testing.TB, r *rand.Rand, z *ZSet, m *zmodel, member string) {
	t.Helper()
	i := m.find(member)
	rank, ok := z.Rank(member)
	require.Equal(t, i >= 0, ok)
	if ok {
		require.Equal(t, i, rank)
		s, _ := z.Score(member)
		require.Equal(t, m.items[i].Score, s)
	}
	v := float64(r.IntN(52) - 1)
	for _, orEq := range []bool{false, true} {
		require.Equal(t, m.countWhile(func(x ZMember) bool { return x.Score < v || orEq && x.Score == v }), z.CountScoreBelow(v, orEq))
	}
	if len(m.items) > 0 {
		k := r.IntN(len(m.items))
		require.Equal(t, m.items[k], z.At(k))
		// AppendRange keeps what dst held and clamps the range.
		end := k + r.IntN(200) - 20
		got := z.AppendRange([]ZMember{{"prefix", -1}}, k, end)
		want := append([]ZMember{{"prefix", -1}}, m.items[k:max(k, min(end, len(m.items)))]...)
		require.Equal(t, want, got)
		// Lexicographic counting is exact among members of one score:
		// check it on the block of k's score.
		s := m.items[k].Score
		lo := sort.Search(len(m.items), func(j int) bool { return m.items[j].Score >= s })
		hi := sort.Search(len(m.items), func(j int) bool { return m.items[j].Score > s })
		if lo == 0 && hi == len(m.items) {
			for _, orEq := range []bool{false, true} {
				require.Equal(t, m.countWhile(func(x ZMember) bool { return x.Member < member || orEq && x.Member == member }), z.CountMemberBelow(member, orEq))
			}
		}
	}
}

// TestZSetLexSingleScore checks lexicographic counting where it is defined:
// every member has the same score.
func TestZSetLexSingleScore(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	z, m := NewZSet(), newZModel()
	for range 5000 {
		member := fmt.Sprintf("%x", r.IntN(4000))
		if r.IntN(4) == 0 {
			require.Equal(t, m.remove(member), z.Remove(member))
		} else {
			require.Equal(t, m.set(member, 1), z.Set(member, 1))
		}
		probe := fmt.Sprintf("%x", r.IntN(4000))
		for _, orEq := range []bool{false, true} {
			require.Equal(t, m.countWhile(func(x ZMember) bool { return x.Member < probe || orEq && x.Member == probe }), z.CountMemberBelow(probe, orEq))
		}
	}
	requireZSetMatches(t, z, m)
}

// TestZSetSequentialGrowthAndDrain covers the worst cases for a b-tree:
// ascending and descending inserts and deletes from either end.
func TestZSetSequentialGrowthAndDrain(t *testing.T) {
	const n = 20000
	for _, tc := range []struct {
		name      string
		insertRev bool
		popMax    bool
	}{{"asc-popmin", false, false}, {"desc-popmax", true, true}, {"asc-popmax", false, true}} {
		t.Run(tc.name, func(t *testing.T) {
			z := NewZSet()
			for i := range n {
				k := i
				if tc.insertRev {
					k = n - 1 - i
				}
				z.Set(fmt.Sprint(k), float64(k))
			}
			require.NoError(t, z.Verify())
			for i := range n {
				pos := 0
				if tc.popMax {
					pos = z.Len() - 1
				}
				want := i
				if tc.popMax {
					want = n - 1 - i
				}
				got := z.At(pos)
				require.Equal(t, float64(want), got.Score)
				require.True(t, z.Remove(got.Member))
				if i%997 == 0 {
					require.NoError(t, z.Verify())
				}
			}
			require.Equal(t, 0, z.Len())
			require.NoError(t, z.Verify())
		})
	}
}

func FuzzZSetStore(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte("a much longer seed that adds and removes many members"))
	f.Fuzz(func(t *testing.T, ops []byte) {
		z, m := newSmallZSet(8), newZModel()
		for i := 0; i+1 < len(ops); i += 2 {
			member := fmt.Sprint(ops[i+1] % 100)
			switch ops[i] % 4 {
			case 0, 1:
				s := float64(ops[i] / 4 % 8)
				require.Equal(t, m.set(member, s), z.Set(member, s))
			case 2:
				require.Equal(t, m.remove(member), z.Remove(member))
			case 3:
				a := int(ops[i+1]) % (len(m.items) + 1)
				b := min(a+int(ops[i]/4%16), len(m.items))
				m.removeRange(a, b)
				require.Equal(t, b-a, z.RemoveRange(a, b))
			}
		}
		requireZSetMatches(t, z, m)
	})
}

// BenchmarkZSetMove changes the score of a random member of a set, as ZADD
// on an existing member does: the set stays the same size. 100 members is
// one leaf; 10000 is a tree of inner nodes over leaves.
func BenchmarkZSetMove(b *testing.B) {
	for _, n := range []int{100, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			z := NewZSet()
			r := rand.New(rand.NewPCG(1, uint64(n)))
			names := make([]string, n)
			for i := range names {
				names[i] = fmt.Sprint("member:", i)
				z.Set(names[i], r.Float64())
			}
			for i := 0; b.Loop(); i++ {
				ref, ok := z.Lookup(names[r.IntN(n)])
				if !ok {
					b.Fatal("member lost")
				}
				z.Move(ref, r.Float64())
			}
			require.NoError(b, z.Verify())
		})
	}
}
