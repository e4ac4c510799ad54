package store

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkList verifies the ring's invariants against want, the model: the
// elements in order, the byte count recomputed, a power-of-two capacity that
// is neither too small nor (after shrinking) too large, and no string left
// behind in a free slot.
func checkList(t testing.TB, l *List, want []string) {
	t.Helper()
	require.Equal(t, len(want), l.Len())
	got := l.Range(0, l.Len())
	if len(want) == 0 {
		require.Empty(t, got)
	} else {
		require.Equal(t, want, got)
	}
	var data int64
	for _, v := range want {
		data += int64(len(v))
	}
	require.Equal(t, data+int64(len(want))*ListElemOverhead, l.Bytes(), "bytes")
	c := len(l.buf)
	if l.n == 0 {
		require.Zero(t, c, "an empty list holds no ring")
		return
	}
	require.True(t, c >= listMinCap && c&(c-1) == 0, "capacity %d not a power of two >= %d", c, listMinCap)
	require.LessOrEqual(t, l.n, c)
	require.True(t, c == listMinCap || l.n > c/4, "capacity %d for %d elements was not shrunk", c, l.n)
	require.True(t, l.head >= 0 && l.head < c)
	for i := l.n; i < c; i++ {
		require.Empty(t, l.buf[l.slot(i)], "free slot %d holds a string", l.slot(i))
	}
}

func TestListPushPop(t *testing.T) {
	l := NewList()
	require.Equal(t, TypeList, l.Type())
	checkList(t, l, nil)
	_, ok := l.PopFront()
	require.False(t, ok)
	_, ok = l.PopBack()
	require.False(t, ok)

	l.PushBack("b")
	l.PushFront("a")
	l.PushBack("c")
	checkList(t, l, []string{"a", "b", "c"})
	assert.Equal(t, "a", l.At(0))
	assert.Equal(t, "c", l.At(2))

	v, ok := l.PopFront()
	require.True(t, ok)
	assert.Equal(t, "a", v)
	v, ok = l.PopBack()
	require.True(t, ok)
	assert.Equal(t, "c", v)
	checkList(t, l, []string{"b"})
	v, _ = l.PopBack()
	assert.Equal(t, "b", v)
	checkList(t, l, nil)
}

func TestListGrowsAndShrinksAcrossTheWrap(t *testing.T) {
	l := NewList()
	var model []string
	// Push at the front so that the head wraps around slot 0 at once.
	for i := range 100 {
		v := fmt.Sprint(i)
		l.PushFront(v)
		model = append([]string{v}, model...)
		checkList(t, l, model)
	}
	require.Equal(t, 128, len(l.buf))
	for len(model) > 1 {
		l.PopBack()
		model = model[:len(model)-1]
		checkList(t, l, model)
	}
	require.Equal(t, listMinCap, len(l.buf))
}

func TestListAtSetPanicsOutOfRange(t *testing.T) {
	l := NewList("a")
	assert.Panics(t, func() { l.At(1) })
	assert.Panics(t, func() { l.At(-1) })
	assert.Panics(t, func() { l.Set(1, "x") })
	assert.Panics(t, func() { l.Insert(2, "x") })
	assert.Panics(t, func() { l.Range(0, 2) })
	assert.Panics(t, func() { l.Range(1, 0) })
	assert.Panics(t, func() { l.Trim(-1, 1) })
	l.Set(0, "long value")
	checkList(t, l, []string{"long value"})
}

func TestListInsert(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   int
		want []string
	}{
		{"head", 0, []string{"x", "a", "b", "c", "d", "e"}},
		{"front half", 1, []string{"a", "x", "b", "c", "d", "e"}},
		{"back half", 4, []string{"a", "b", "c", "d", "x", "e"}},
		{"tail", 5, []string{"a", "b", "c", "d", "e", "x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := NewList()
			// Start with the head near the end of the ring so that both
			// shifting directions cross the wrap.
			for _, v := range []string{"e", "d", "c", "b", "a"} {
				l.PushFront(v)
			}
			l.Insert(tc.at, "x")
			checkList(t, l, tc.want)
		})
	}
}

func TestListTrim(t *testing.T) {
	for _, tc := range []struct {
		start, stop int
		want        []string
	}{
		{0, 5, []string{"a", "b", "c", "d", "e"}},
		{1, 4, []string{"b", "c", "d"}},
		{0, 0, nil},
		{5, 5, nil},
		{4, 5, []string{"e"}},
	} {
		l := NewList("a", "b", "c", "d", "e")
		l.Trim(tc.start, tc.stop)
		checkList(t, l, tc.want)
	}
}

func TestListRemove(t *testing.T) {
	for _, tc := range []struct {
		limit    int
		fromBack bool
		removed  int
		want     []string
	}{
		{0, false, 3, []string{"b", "c"}},
		{2, false, 2, []string{"b", "c", "a"}},
		{2, true, 2, []string{"a", "b", "c"}},
		{1, true, 1, []string{"a", "b", "a", "c"}},
		{10, true, 3, []string{"b", "c"}},
	} {
		l := NewList("a", "b", "a", "c", "a")
		require.Equal(t, tc.removed, l.Remove("a", tc.limit, tc.fromBack))
		checkList(t, l, tc.want)
	}
	l := NewList("a", "a")
	require.Equal(t, 2, l.Remove("a", 0, true))
	checkList(t, l, nil)
	require.Equal(t, 0, l.Remove("a", 0, false))
}

// TestListRandomAgainstModel runs seeded random operations on a List and on
// a plain slice and compares them after every step.
func TestListRandomAgainstModel(t *testing.T) {
	for seed := range uint64(10) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 42))
			l := NewList()
			var m []string
			for step := range 3000 {
				v := fmt.Sprint("v", r.IntN(8), string(make([]byte, r.IntN(4))))
				switch op := r.IntN(9); {
				case op == 0 || op == 1 && len(m) < 200:
					l.PushFront(v)
					m = slices.Insert(m, 0, v)
				case op == 1 || op == 2:
					l.PushBack(v)
					m = append(m, v)
				case op == 3:
					got, ok := l.PopFront()
					require.Equal(t, len(m) > 0, ok)
					if ok {
						require.Equal(t, m[0], got)
						m = m[1:]
					}
				case op == 4:
					got, ok := l.PopBack()
					require.Equal(t, len(m) > 0, ok)
					if ok {
						require.Equal(t, m[len(m)-1], got)
						m = m[:len(m)-1]
					}
				case op == 5:
					i := r.IntN(len(m) + 1)
					l.Insert(i, v)
					m = slices.Insert(m, i, v)
				case op == 6 && len(m) > 0:
					i := r.IntN(len(m))
					l.Set(i, v)
					m[i] = v
				case op == 7:
					start := r.IntN(len(m) + 1)
					stop := start + r.IntN(len(m)-start+1)
					if r.IntN(4) == 0 {
						l.Trim(start, stop)
						m = slices.Clone(m[start:stop])
					} else {
						got := l.Range(start, stop)
						require.Len(t, got, stop-start)
						if stop > start {
							require.Equal(t, m[start:stop], got)
						}
					}
				case op == 8:
					limit, back := r.IntN(3), r.IntN(2) == 0
					want := modelRemove(m, v, limit, back)
					require.Equal(t, len(m)-len(want), l.Remove(v, limit, back))
					m = want
				}
				if step%7 == 0 || len(m) < 10 {
					checkList(t, l, m)
				}
			}
			checkList(t, l, m)
		})
	}
}

func modelRemove(m []string, v string, limit int, fromBack bool) []string {
	out := slices.Clone(m)
	removed := 0
	if !fromBack {
		for i := 0; i < len(out); {
			if out[i] == v && (limit == 0 || removed < limit) {
				out = slices.Delete(out, i, i+1)
				removed++
				continue
			}
			i++
		}
		return out
	}
	for i := len(out) - 1; i >= 0; i-- {
		if out[i] == v && (limit == 0 || removed < limit) {
			out = slices.Delete(out, i, i+1)
			removed++
		}
	}
	return out
}

func BenchmarkListPushPop(b *testing.B) {
	for _, size := range []int{1_000, 1_000_000} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			l := NewList()
			for range size {
				l.PushBack("element")
			}
			b.ReportAllocs()
			for b.Loop() {
				l.PushFront("element")
				l.PopBack()
			}
		})
	}
}
