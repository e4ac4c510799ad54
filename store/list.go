package store

// listMinCap is the smallest ring a non-empty list allocates: small lists
// are the common case, and four slots cost 64 bytes.
const listMinCap = 4

// ListElemOverhead is what each element costs beyond its bytes in the size
// accounting: the string header in the ring. The ring's spare capacity
// (at most three quarters of it, see shrink) is not counted, so that Bytes
// depends only on the elements.
const ListElemOverhead = 16

// List is a Redis list: a ring buffer of strings whose capacity is a power
// of two. Pushing and popping at either end is O(1) amortised (the ring
// doubles when full and halves when a quarter full), and the i-th element
// is one mask away, so LINDEX is O(1) and LRANGE costs only what it
// returns. Inserting or removing in the middle moves the shorter side.
//
// Indexes are 0-based from the head; callers (the engine) resolve Redis's
// negative indexes and check bounds: methods panic on an index out of
// range, like a slice.
type List struct {
	accounting          // what the keyspace counts for it (see Entry)
	buf        []string // len(buf) is 0 or a power of two
	head       int      // slot of element 0
	n          int
	data       int64 // sum of the elements' lengths
}

// NewList returns a list holding values, head first.
func NewList(values ...string) *List {
	l := &List{}
	for _, v := range values {
		l.PushBack(v)
	}
	return l
}

// Type is TypeList.
func (l *List) Type() Type { return TypeList }

// Len is the number of elements.
func (l *List) Len() int { return l.n }

// Bytes is the elements' lengths plus ListElemOverhead per element.
func (l *List) Bytes() int64 { return l.data + int64(l.n)*ListElemOverhead }

// slot is the ring position of element i.
func (l *List) slot(i int) int { return (l.head + i) & (len(l.buf) - 1) }

func (l *List) check(i, n int) {
	if i < 0 || i >= n {
		panic("store: list index out of range")
	}
}

// At returns element i.
func (l *List) At(i int) string {
	l.check(i, l.n)
	return l.buf[l.slot(i)]
}

// Set replaces element i with v.
func (l *List) Set(i int, v string) {
	l.check(i, l.n)
	s := l.slot(i)
	l.data += int64(len(v)) - int64(len(l.buf[s]))
	l.buf[s] = v
}

// PushFront adds v before the head.
func (l *List) PushFront(v string) {
	l.grow()
	l.head = (l.head - 1) & (len(l.buf) - 1)
	l.buf[l.head] = v
	l.n++
	l.data += int64(len(v))
}

// PushBack adds v after the tail.
func (l *List) PushBack(v string) {
	l.grow()
	l.buf[l.slot(l.n)] = v
	l.n++
	l.data += int64(len(v))
}

// PopFront removes and returns the head; ok is false when the list is
// empty.
func (l *List) PopFront() (v string, ok bool) {
	if l.n == 0 {
		return "", false
	}
	v = l.buf[l.head]
	l.buf[l.head] = "" // let the collector have the string
	l.head = (l.head + 1) & (len(l.buf) - 1)
	l.n--
	l.data -= int64(len(v))
	l.shrink()
	return v, true
}

// PopBack removes and returns the tail; ok is false when the list is empty.
func (l *List) PopBack() (v string, ok bool) {
	if l.n == 0 {
		return "", false
	}
	s := l.slot(l.n - 1)
	v = l.buf[s]
	l.buf[s] = ""
	l.n--
	l.data -= int64(len(v))
	l.shrink()
	return v, true
}

// Range returns a copy of elements [start, stop), 0 <= start <= stop <=
// Len. It copies at most two contiguous runs of the ring.
func (l *List) Range(start, stop int) []string {
	if start < 0 || stop > l.n || start > stop {
		panic("store: list range out of bounds")
	}
	out := make([]string, stop-start)
	if len(out) == 0 {
		return out
	}
	first := l.slot(start)
	k := copy(out, l.buf[first:min(first+len(out), len(l.buf))])
	copy(out[k:], l.buf[:len(out)-k])
	return out
}

// Insert puts v at index i (0 <= i <= Len), shifting the shorter side of
// the list by one.
func (l *List) Insert(i int, v string) {
	l.check(i, l.n+1)
	l.grow()
	if i < l.n-i {
		// Move elements [0, i) one slot towards the front.
		l.head = (l.head - 1) & (len(l.buf) - 1)
		for j := 0; j < i; j++ {
			l.buf[l.slot(j)] = l.buf[l.slot(j+1)]
		}
	} else {
		// Move elements [i, n) one slot towards the back.
		for j := l.n; j > i; j-- {
			l.buf[l.slot(j)] = l.buf[l.slot(j-1)]
		}
	}
	l.buf[l.slot(i)] = v
	l.n++
	l.data += int64(len(v))
}

// Trim keeps elements [start, stop) (0 <= start <= stop <= Len) and drops
// the others.
func (l *List) Trim(start, stop int) {
	if start < 0 || stop > l.n || start > stop {
		panic("store: list trim out of bounds")
	}
	for i := 0; i < start; i++ {
		l.drop(l.slot(i))
	}
	for i := stop; i < l.n; i++ {
		l.drop(l.slot(i))
	}
	if len(l.buf) > 0 {
		l.head = l.slot(start)
	}
	l.n = stop - start
	l.shrink()
}

// drop clears a slot whose element is leaving the list.
func (l *List) drop(s int) {
	l.data -= int64(len(l.buf[s]))
	l.buf[s] = ""
}

// Remove deletes up to limit elements equal to v (limit <= 0: all of them),
// scanning from the head, or from the tail when fromBack is set, and
// returns how many it deleted. The survivors keep their order; the pass is
// O(Len).
func (l *List) Remove(v string, limit int, fromBack bool) int {
	removed := 0
	match := func(x string) bool { return x == v && (limit <= 0 || removed < limit) }
	if !fromBack {
		// Compact survivors towards the head.
		w := 0
		for r := 0; r < l.n; r++ {
			x := l.buf[l.slot(r)]
			if match(x) {
				removed++
				continue
			}
			if w != r {
				l.buf[l.slot(w)] = x
			}
			w++
		}
		for i := w; i < l.n; i++ {
			l.buf[l.slot(i)] = ""
		}
	} else {
		// Compact survivors towards the tail, then move the head past the
		// freed slots.
		w := l.n - 1
		for r := l.n - 1; r >= 0; r-- {
			x := l.buf[l.slot(r)]
			if match(x) {
				removed++
				continue
			}
			if w != r {
				l.buf[l.slot(w)] = x
			}
			w--
		}
		for i := 0; i < removed; i++ {
			l.buf[l.slot(i)] = ""
		}
		if removed > 0 {
			l.head = l.slot(removed)
		}
	}
	l.n -= removed
	l.data -= int64(removed) * int64(len(v))
	l.shrink()
	return removed
}

// grow makes room for one more element.
func (l *List) grow() {
	if l.n < len(l.buf) {
		return
	}
	l.resize(max(2*len(l.buf), listMinCap))
}

// shrink halves the ring (or more) once it is at most a quarter full, so a
// list that was large once does not keep its memory; waiting for a quarter
// rather than a half keeps alternating push/pop at the boundary O(1)
// amortised.
func (l *List) shrink() {
	if l.n == 0 {
		l.buf, l.head = nil, 0
		return
	}
	if len(l.buf) <= listMinCap || l.n > len(l.buf)/4 {
		return
	}
	c := listMinCap
	for c < 2*l.n {
		c *= 2
	}
	l.resize(c)
}

// resize moves the elements to a new ring of capacity c (a power of two >=
// Len), head at slot 0.
func (l *List) resize(c int) {
	nb := make([]string, c)
	if l.n > 0 {
		k := copy(nb, l.buf[l.head:min(l.head+l.n, len(l.buf))])
		copy(nb[k:l.n], l.buf)
	}
	l.buf, l.head = nb, 0
}
