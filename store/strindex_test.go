package store

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// indexModel drives a strIndex the way its owners do (keys in a slice,
// swap-delete on removal) and checks it against a Go map after each step.
type indexModel struct {
	x    strIndex
	keys []string
	want map[string]int
	hash func(string) uint32
}

func (m *indexModel) find(k string) (slot, pos int, ok bool) {
	return m.x.find(m.hash(k), func(p int) bool { return m.keys[p] == k })
}

func (m *indexModel) add(t *testing.T, k string) {
	_, _, ok := m.find(k)
	require.Equal(t, m.want[k] != 0, ok, "find %q before add", k)
	if ok {
		return
	}
	m.x.add(m.hash(k), len(m.keys))
	m.keys = append(m.keys, k)
	m.want[k] = len(m.keys)
}

func (m *indexModel) remove(t *testing.T, k string) {
	slot, pos, ok := m.find(k)
	require.Equal(t, m.want[k] != 0, ok, "find %q before remove", k)
	if !ok {
		return
	}
	require.Equal(t, m.want[k]-1, pos)
	m.x.removeSlot(slot)
	delete(m.want, k)
	last := len(m.keys) - 1
	if pos != last {
		moved := m.keys[last]
		s, _, ok := m.x.find(m.hash(moved), func(p int) bool { return p == last })
		require.True(t, ok, "slot of %q", moved)
		m.x.setPos(s, pos)
		m.keys[pos] = moved
		m.want[moved] = pos + 1
	}
	m.keys = m.keys[:last]
}

func (m *indexModel) check(t *testing.T) {
	require.Equal(t, len(m.want), m.x.n)
	if m.x.n > 0 {
		require.LessOrEqual(t, m.x.n*8, len(m.x.slots)*7, "load factor")
	}
	used := 0
	for _, s := range m.x.slots {
		if s != 0 {
			used++
		}
	}
	require.Equal(t, m.x.n, used, "occupied slots")
	for k, p := range m.want {
		_, pos, ok := m.find(k)
		require.True(t, ok, k)
		require.Equal(t, p-1, pos, k)
	}
}

func TestStrIndexAgainstMap(t *testing.T) {
	for _, tc := range []struct {
		name string
		hash func(string) uint32
	}{
		{"maphash", strHash},
		// Few distinct hashes: long probe runs, wrap-around and equal
		// stored hashes whose keys differ.
		{"colliding", func(k string) uint32 { return strHash(k) % 5 * 0x9e3779b1 }},
		// Homes near the end of the table, so that runs wrap to slot 0.
		{"high", func(k string) uint32 { return ^(strHash(k) % 3) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			m := &indexModel{want: map[string]int{}, hash: tc.hash}
			for step := range 20000 {
				k := "k" + strconv.Itoa(r.IntN(300))
				// Grow to ~300 keys, shrink to none, grow again.
				if (step/5000)%2 == 0 == (r.IntN(10) < 8) {
					m.add(t, k)
				} else {
					m.remove(t, k)
				}
				if step%97 == 0 {
					m.check(t)
				}
			}
			m.check(t)
			for _, k := range append([]string(nil), m.keys...) {
				m.remove(t, k)
			}
			m.check(t)
			require.Nil(t, m.x.slots, "an empty index holds no table")
		})
	}
}

func TestStrIndexReset(t *testing.T) {
	var x strIndex
	x.reset(0)
	require.Nil(t, x.slots)
	_, _, ok := x.find(strHash("a"), func(int) bool { return true })
	require.False(t, ok)
	for _, n := range []int{1, 6, 7, 100} {
		x.reset(n)
		size := len(x.slots)
		for i := range n {
			x.add(strHash(strconv.Itoa(i)), i)
		}
		require.Equal(t, size, len(x.slots), "reset(%d) made room for all", n)
		require.Equal(t, n, x.n)
	}
}

// TestStrIndexFillsToSevenEighths: the table grows when an add would take
// it past 7/8, and not before (112 keys in 128 slots, the 113th doubles
// it); reset sizes a table the same way.
func TestStrIndexFillsToSevenEighths(t *testing.T) {
	var x strIndex
	for i := range 112 {
		x.add(strHash(strconv.Itoa(i)), i)
	}
	require.Len(t, x.slots, 128)
	x.add(strHash("112"), 112)
	require.Len(t, x.slots, 256)
	x.reset(112)
	require.Len(t, x.slots, 128)
	x.reset(113)
	require.Len(t, x.slots, 256)
}
