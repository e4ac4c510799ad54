package store

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hashModel is the simplest ordered map: fields in insertion order.
type hashModel struct {
	fields []string
	values map[string]string
}

func newHashModel() *hashModel { return &hashModel{values: map[string]string{}} }

func (m *hashModel) set(f, v string) bool {
	_, had := m.values[f]
	if !had {
		m.fields = append(m.fields, f)
	}
	m.values[f] = v
	return !had
}

func (m *hashModel) del(f string) bool {
	if _, ok := m.values[f]; !ok {
		return false
	}
	delete(m.values, f)
	m.fields = slices.DeleteFunc(m.fields, func(x string) bool { return x == f })
	return true
}

// checkHash compares h with the model (order included) and checks the
// internal bookkeeping: index positions, hole count, byte count.
func checkHash(t testing.TB, h *Hash, m *hashModel) {
	t.Helper()
	require.Equal(t, len(m.fields), h.Len())
	var gotF, gotV []string
	h.Each(func(f, v string) bool {
		gotF = append(gotF, f)
		gotV = append(gotV, v)
		return true
	})
	if len(m.fields) == 0 {
		require.Empty(t, gotF)
	} else {
		require.Equal(t, m.fields, gotF)
	}
	var data int64
	for i, f := range m.fields {
		require.Equal(t, m.values[f], gotV[i])
		data += int64(len(f) + len(m.values[f]))
	}
	require.Equal(t, data+int64(len(m.fields))*HashFieldOverhead, h.Bytes(), "bytes")
	dead := 0
	for i, e := range h.ents {
		if !e.live {
			dead++
			require.Equal(t, hashEntry{}, e, "a hole keeps its strings")
			continue
		}
		_, pos, ok := h.find(e.field, strHash(e.field))
		require.True(t, ok, e.field)
		require.Equal(t, i, pos)
	}
	require.Equal(t, dead, h.dead)
	require.Equal(t, len(h.ents)-dead, h.idx.n, "indexed fields")
	require.True(t, dead < hashCompactMin || dead <= h.idx.n, "%d holes for %d fields", dead, h.idx.n)
	if len(h.ents) > 0 {
		require.True(t, h.ents[len(h.ents)-1].live, "trailing hole")
	}
}

func TestHashSetGetDelete(t *testing.T) {
	h := NewHash()
	require.Equal(t, TypeHash, h.Type())
	m := newHashModel()
	checkHash(t, h, m)

	assert.True(t, h.Set("a", "1"))
	assert.True(t, h.Set("b", "2"))
	assert.True(t, h.Set("", "empty field"))
	assert.False(t, h.Set("a", "one"), "an update is not a new field")
	m.set("a", "one")
	m.set("b", "2")
	m.set("", "empty field")
	checkHash(t, h, m)

	v, ok := h.Get("a")
	assert.True(t, ok)
	assert.Equal(t, "one", v)
	_, ok = h.Get("zz")
	assert.False(t, ok)
	assert.True(t, h.Has(""))
	assert.False(t, h.Has("zz"))

	assert.True(t, h.Delete("a"))
	assert.False(t, h.Delete("a"))
	m.del("a")
	checkHash(t, h, m)
	// Re-adding a deleted field puts it last, as Redis's listpack does.
	h.Set("a", "again")
	m.set("a", "again")
	checkHash(t, h, m)

	for _, f := range slices.Clone(m.fields) {
		require.True(t, h.Delete(f))
		m.del(f)
		checkHash(t, h, m)
	}
	require.Nil(t, h.ents)
}

func TestHashEachStops(t *testing.T) {
	h := NewHash()
	for i := range 10 {
		h.Set(fmt.Sprint(i), "v")
	}
	n := 0
	h.Each(func(string, string) bool { n++; return n < 3 })
	assert.Equal(t, 3, n)
}

func TestHashCompactsAfterManyDeletes(t *testing.T) {
	h := NewHash()
	m := newHashModel()
	for i := range 1000 {
		f := fmt.Sprint("f", i)
		h.Set(f, "v")
		m.set(f, "v")
	}
	// Delete from the front: holes accumulate until they outnumber fields.
	for i := range 900 {
		f := fmt.Sprint("f", i)
		h.Delete(f)
		m.del(f)
	}
	checkHash(t, h, m)
	assert.LessOrEqual(t, len(h.ents), 2*h.Len()+hashCompactMin)
}

// TestHashRandomAgainstModel runs seeded random operations on a Hash and an
// ordered model and compares them.
func TestHashRandomAgainstModel(t *testing.T) {
	for seed := range uint64(10) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 7))
			h, m := NewHash(), newHashModel()
			space := 4 + r.IntN(200)
			for step := range 4000 {
				f := fmt.Sprint("f", r.IntN(space))
				switch r.IntN(5) {
				case 0, 1:
					v := fmt.Sprint(r.IntN(1000), string(make([]byte, r.IntN(5))))
					require.Equal(t, m.set(f, v), h.Set(f, v))
				case 2, 3:
					require.Equal(t, m.del(f), h.Delete(f))
				case 4:
					got, ok := h.Get(f)
					want, wok := m.values[f]
					require.Equal(t, wok, ok)
					require.Equal(t, want, got)
				}
				if step%37 == 0 {
					checkHash(t, h, m)
				}
			}
			checkHash(t, h, m)
		})
	}
}

// holeyHash returns a hash of n fields "f00".. with values "v00".., every
// every-th field deleted and its hole still in the entry slice.
func holeyHash(t *testing.T, n, every int) *Hash {
	t.Helper()
	h := NewHash()
	for i := range n {
		h.Set(fmt.Sprintf("f%02d", i), fmt.Sprintf("v%02d", i))
	}
	holes := 0
	for i := 0; i < n; i += every {
		require.True(t, h.Delete(fmt.Sprintf("f%02d", i)))
		holes++
	}
	require.Equal(t, holes, h.dead, "the holes are still there")
	return h
}

// Random draws only live fields, each about equally often, with holes in
// the entry slice (deleted fields not yet compacted away).
func TestHashRandom(t *testing.T) {
	h := holeyHash(t, 40, 2)
	r := rand.New(rand.NewPCG(7, 7))
	counts := map[string]int{}
	const draws = 20000
	for range draws {
		f, v := h.Random(r.IntN)
		require.Equal(t, "v"+f[1:], v)
		counts[f]++
	}
	require.Len(t, counts, 20)
	for f, n := range counts {
		require.True(t, h.Has(f), f)
		require.InDelta(t, draws/20, n, draws/20*0.25, f)
	}
}

// Sample returns distinct live fields in the hash's order, each field
// about equally often, in both of its regimes (small samples drawn slot by
// slot, large ones in one pass), with holes in the entry slice.
func TestHashSample(t *testing.T) {
	h := holeyHash(t, 60, 3)
	require.Equal(t, 40, h.Len())
	r := rand.New(rand.NewPCG(3, 9))
	for _, count := range []int{1, 5, 13, 14, 30, 39, 40} {
		t.Run(fmt.Sprint(count), func(t *testing.T) {
			counts := map[string]int{}
			const rounds = 6000
			for range rounds {
				var got []string
				h.Sample(count, r.IntN, func(f, v string) {
					want, ok := h.Get(f)
					require.True(t, ok, f)
					require.Equal(t, want, v, f)
					got = append(got, f)
					counts[f]++
				})
				require.Len(t, got, count)
				require.True(t, slices.IsSorted(got), "in the hash's order: %v", got)
				require.Len(t, slices.Compact(slices.Clone(got)), count, "distinct: %v", got)
			}
			require.Len(t, counts, 40, "every live field is drawn")
			want := float64(rounds*count) / 40
			for f, n := range counts {
				require.InDelta(t, want, n, want*0.2+20, f)
			}
		})
	}
	h.Sample(0, r.IntN, func(string, string) { t.Fatal("a sample of 0 calls fn") })
	assert.Panics(t, func() { h.Sample(41, r.IntN, func(string, string) {}) })
	assert.Panics(t, func() { h.Sample(-1, r.IntN, func(string, string) {}) })
}

// A small sample of a big hash costs what the sample does, not the hash.
func TestHashSampleSmallDrawsFew(t *testing.T) {
	h := NewHash()
	for i := range 100_000 {
		h.Set(fmt.Sprint("f", i), "v")
	}
	draws := 0
	r := rand.New(rand.NewPCG(1, 2))
	h.Sample(10, func(n int) int { draws++; return r.IntN(n) }, func(string, string) {})
	assert.Less(t, draws, 30)
}
