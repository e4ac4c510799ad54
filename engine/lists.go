package engine

import (
	"math"

	"github.com/isa-cloud/isa-memstore/store"
)

// List commands. Indexes are int64 as in Redis: 0 is the head, -1 the tail.

// ListSide is an end of a list, as LMOVE's LEFT and RIGHT name them.
type ListSide uint8

// The ends of a list.
const (
	// ListLeft is the head (LPUSH's end).
	ListLeft ListSide = iota
	// ListRight is the tail (RPUSH's end).
	ListRight
)

// InsertPosition says on which side of the pivot LINSERT puts the value.
type InsertPosition uint8

// LINSERT's BEFORE and AFTER.
const (
	InsertBefore InsertPosition = iota
	InsertAfter
)

// LPosOptions are LPOS's RANK and MAXLEN options; the zero value is a plain
// LPOS. COUNT is LPosCount's argument, because it changes the reply's shape.
type LPosOptions struct {
	// Rank is RANK: skip to the Rank-th match, counting from the head, or
	// from the tail when negative (positions are still from the head). 0
	// means the option was not given, which is RANK 1; Redis refuses an
	// explicit RANK 0, and a protocol edge answers it with LPosRankZero.
	Rank int64
	// MaxLen is MAXLEN: compare at most this many elements (0: all).
	// Negative is an error.
	MaxLen int64
}

var (
	errIndexOutOfRange = invalidArg("ERR index out of range")
	errLPosCountNeg    = invalidArg("ERR COUNT can't be negative")
	errLPosMaxLenNeg   = invalidArg("ERR MAXLEN can't be negative")
	errLPosRankZero    = invalidArg("ERR RANK can't be zero: use 1 to start from the first match, " +
		"2 from the second ... or use negative to start from the end of the list")
)

// LPosRankZero is the error Redis gives for LPOS ... RANK 0, which
// LPosOptions cannot express (its zero Rank means "not given"); protocol
// edges return it when a client sends RANK 0.
func LPosRankZero() error { return errLPosRankZero }

// listOf returns e's list (nil when e is nil) or ErrWrongType.
func listOf(e *store.Entry) (*store.List, error) {
	if e == nil {
		return nil, nil
	}
	l := e.List()
	if l == nil {
		return nil, ErrWrongType
	}
	return l, nil
}

// readList looks key up for a read command (counting a hit or miss).
func (t Txn) readList(key string) (*store.List, error) {
	return listOf(t.tx.Read(key))
}

// writeList looks key up for a write command.
func (t Txn) writeList(key string) (*store.Entry, *store.List, error) {
	e := t.tx.Get(key)
	l, err := listOf(e)
	return e, l, err
}

// listIndex resolves a Redis index (negative: from the tail) against a list of
// n elements; ok is false when it falls outside.
func listIndex(i int64, n int) (int, bool) {
	if i < 0 {
		i += int64(n)
	}
	if i < 0 || i >= int64(n) {
		return 0, false
	}
	return int(i), true
}

// listSpan resolves LRANGE/LTRIM's inclusive start and stop against n elements
// to a half-open range [lo, hi); lo == hi when it selects nothing.
func listSpan(start, stop int64, n int) (lo, hi int) {
	ln := int64(n)
	if start < 0 {
		start += ln
	}
	if stop < 0 {
		stop += ln
	}
	start = max(start, 0)
	if start > stop || start >= ln {
		return 0, 0
	}
	stop = min(stop, ln-1)
	return int(start), int(stop) + 1
}

func listPush(l *store.List, side ListSide, v string) {
	if side == ListLeft {
		l.PushFront(v)
	} else {
		l.PushBack(v)
	}
}

func listPop(l *store.List, side ListSide) (string, bool) {
	if side == ListLeft {
		return l.PopFront()
	}
	return l.PopBack()
}

// LPush prepends values one after the other (so the last ends up first),
// creating the list, and returns its new length (LPUSH).
func (db *DB) LPush(key string, values ...string) (n int64, err error) {
	err = db.run(key, func(t Txn) error { n, err = t.LPush(key, values...); return err })
	return n, err
}

// LPush prepends values and returns the new length (LPUSH).
func (t Txn) LPush(key string, values ...string) (int64, error) {
	return t.push("lpush", key, ListLeft, false, values)
}

// RPush appends values, creating the list, and returns its new length
// (RPUSH).
func (db *DB) RPush(key string, values ...string) (n int64, err error) {
	err = db.run(key, func(t Txn) error { n, err = t.RPush(key, values...); return err })
	return n, err
}

// RPush appends values and returns the new length (RPUSH).
func (t Txn) RPush(key string, values ...string) (int64, error) {
	return t.push("rpush", key, ListRight, false, values)
}

// LPushX is LPush only when the list exists; otherwise it returns 0
// (LPUSHX).
func (db *DB) LPushX(key string, values ...string) (n int64, err error) {
	err = db.run(key, func(t Txn) error { n, err = t.LPushX(key, values...); return err })
	return n, err
}

// LPushX prepends values to an existing list (LPUSHX).
func (t Txn) LPushX(key string, values ...string) (int64, error) {
	return t.push("lpushx", key, ListLeft, true, values)
}

// RPushX is RPush only when the list exists; otherwise it returns 0
// (RPUSHX).
func (db *DB) RPushX(key string, values ...string) (n int64, err error) {
	err = db.run(key, func(t Txn) error { n, err = t.RPushX(key, values...); return err })
	return n, err
}

// RPushX appends values to an existing list (RPUSHX).
func (t Txn) RPushX(key string, values ...string) (int64, error) {
	return t.push("rpushx", key, ListRight, true, values)
}

func (t Txn) push(cmd, key string, side ListSide, existing bool, values []string) (int64, error) {
	if err := t.write(); err != nil {
		return 0, err
	}
	if len(values) == 0 {
		return 0, wrongArgs(cmd)
	}
	for _, v := range values {
		if len(v) > MaxStringSize {
			return 0, ErrTooLarge
		}
	}
	e, l, err := t.writeList(key)
	if err != nil {
		return 0, err
	}
	if l == nil {
		if existing {
			return 0, nil
		}
		l = store.NewList()
		e = store.NewCollection(l)
		for _, v := range values {
			listPush(l, side, v)
		}
		t.tx.Put(key, e)
		t.keyReady(key)
		return int64(l.Len()), nil
	}
	for _, v := range values {
		listPush(l, side, v)
	}
	t.tx.Changed(key, e)
	return int64(l.Len()), nil
}

// LPop removes and returns the head of the list at key (LPOP).
func (db *DB) LPop(key string) (value string, found bool, err error) {
	err = db.run(key, func(t Txn) error { value, found, err = t.LPop(key); return err })
	return value, found, err
}

// LPop removes and returns the head (LPOP).
func (t Txn) LPop(key string) (string, bool, error) { return t.popOne(key, ListLeft) }

// RPop removes and returns the tail of the list at key (RPOP).
func (db *DB) RPop(key string) (value string, found bool, err error) {
	err = db.run(key, func(t Txn) error { value, found, err = t.RPop(key); return err })
	return value, found, err
}

// RPop removes and returns the tail (RPOP).
func (t Txn) RPop(key string) (string, bool, error) { return t.popOne(key, ListRight) }

func (t Txn) popOne(key string, side ListSide) (string, bool, error) {
	t.read()
	e, l, err := t.writeList(key)
	if err != nil || l == nil {
		return "", false, err
	}
	v, _ := listPop(l, side)
	t.tx.Changed(key, e)
	return v, true, nil
}

// LPopCount removes and returns up to count elements from the head (LPOP
// key count). found is false when the key does not exist (Redis's nil
// array); count 0 on an existing list returns an empty slice. A negative
// count is an error.
func (db *DB) LPopCount(key string, count int64) (values []string, found bool, err error) {
	err = db.run(key, func(t Txn) error { values, found, err = t.LPopCount(key, count); return err })
	return values, found, err
}

// LPopCount removes and returns up to count elements from the head.
func (t Txn) LPopCount(key string, count int64) ([]string, bool, error) {
	return t.popCount(key, ListLeft, count)
}

// RPopCount removes and returns up to count elements from the tail, tail
// first (RPOP key count); see LPopCount.
func (db *DB) RPopCount(key string, count int64) (values []string, found bool, err error) {
	err = db.run(key, func(t Txn) error { values, found, err = t.RPopCount(key, count); return err })
	return values, found, err
}

// RPopCount removes and returns up to count elements from the tail.
func (t Txn) RPopCount(key string, count int64) ([]string, bool, error) {
	return t.popCount(key, ListRight, count)
}

func (t Txn) popCount(key string, side ListSide, count int64) ([]string, bool, error) {
	t.read()
	if count < 0 {
		return nil, false, errNotPositive
	}
	e, l, err := t.writeList(key)
	if err != nil || l == nil {
		return nil, false, err
	}
	out := make([]string, min(count, int64(l.Len())))
	for i := range out {
		out[i], _ = listPop(l, side)
	}
	if len(out) > 0 {
		t.tx.Changed(key, e)
	}
	return out, true, nil
}

// LLen is the length of the list at key, 0 when absent (LLEN).
func (db *DB) LLen(key string) (n int64, err error) {
	err = db.run(key, func(t Txn) error { n, err = t.LLen(key); return err })
	return n, err
}

// LLen is the length of the list (LLEN).
func (t Txn) LLen(key string) (int64, error) {
	t.read()
	l, err := t.readList(key)
	if err != nil || l == nil {
		return 0, err
	}
	return int64(l.Len()), nil
}

// LIndex returns the element at index (negative: from the tail) in O(1)
// (LINDEX). found is false when the key is absent or the index outside
// the list.
func (db *DB) LIndex(key string, index int64) (value string, found bool, err error) {
	err = db.run(key, func(t Txn) error { value, found, err = t.LIndex(key, index); return err })
	return value, found, err
}

// LIndex returns the element at index (LINDEX).
func (t Txn) LIndex(key string, i int64) (string, bool, error) {
	t.read()
	l, err := t.readList(key)
	if err != nil || l == nil {
		return "", false, err
	}
	j, ok := listIndex(i, l.Len())
	if !ok {
		return "", false, nil
	}
	return l.At(j), true, nil
}

// LRange returns the elements from start to stop inclusive, both of which
// may be negative (from the tail) and are clamped to the list (LRANGE). It
// costs O(returned elements).
func (db *DB) LRange(key string, start, stop int64) (out []string, err error) {
	err = db.run(key, func(t Txn) error { out, err = t.LRange(key, start, stop); return err })
	return out, err
}

// LRange returns the elements from start to stop inclusive (LRANGE).
func (t Txn) LRange(key string, start, stop int64) ([]string, error) {
	t.read()
	l, err := t.readList(key)
	if err != nil {
		return nil, err
	}
	if l == nil {
		return []string{}, nil
	}
	lo, hi := listSpan(start, stop, l.Len())
	return l.Range(lo, hi), nil
}

// LTrim keeps only the elements from start to stop inclusive (LTRIM),
// deleting the key when nothing is left.
func (db *DB) LTrim(key string, start, stop int64) error {
	return db.run(key, func(t Txn) error { return t.LTrim(key, start, stop) })
}

// LTrim keeps only the elements from start to stop inclusive (LTRIM).
func (t Txn) LTrim(key string, start, stop int64) error {
	t.read()
	e, l, err := t.writeList(key)
	if err != nil || l == nil {
		return err
	}
	lo, hi := listSpan(start, stop, l.Len())
	if lo == 0 && hi == l.Len() {
		return nil
	}
	l.Trim(lo, hi)
	t.tx.Changed(key, e)
	return nil
}

// LSet replaces the element at index (LSET): ErrNoSuchKey when the key is
// absent, an ErrInvalidArgument ("ERR index out of range") outside the
// list.
func (db *DB) LSet(key string, index int64, value string) error {
	return db.run(key, func(t Txn) error { return t.LSet(key, index, value) })
}

// LSet replaces the element at index (LSET).
func (t Txn) LSet(key string, i int64, value string) error {
	if err := t.write(); err != nil {
		return err
	}
	if len(value) > MaxStringSize {
		return ErrTooLarge
	}
	e, l, err := t.writeList(key)
	if err != nil {
		return err
	}
	if l == nil {
		return ErrNoSuchKey
	}
	j, ok := listIndex(i, l.Len())
	if !ok {
		return errIndexOutOfRange
	}
	l.Set(j, value)
	t.tx.Changed(key, e)
	return nil
}

// LRem removes elements equal to value and returns how many (LREM): the
// first count from the head when count > 0, the last -count from the
// tail when count < 0, all of them when count is 0.
func (db *DB) LRem(key string, count int64, value string) (n int64, err error) {
	err = db.run(key, func(t Txn) error { n, err = t.LRem(key, count, value); return err })
	return n, err
}

// LRem removes elements equal to value (LREM).
func (t Txn) LRem(key string, count int64, value string) (int64, error) {
	t.read()
	e, l, err := t.writeList(key)
	if err != nil || l == nil {
		return 0, err
	}
	limit, fromBack := count, count < 0
	switch {
	case count == math.MinInt64:
		limit = math.MaxInt64 // -count does not exist; no list is that long anyway
	case count < 0:
		limit = -count
	}
	n := l.Remove(value, int(min(limit, math.MaxInt)), fromBack)
	if n > 0 {
		t.tx.Changed(key, e)
	}
	return int64(n), nil
}

// LInsert inserts value before or after the first element equal to pivot
// and returns the new length (LINSERT): 0 when the key is absent, -1 when
// the pivot is not in the list.
func (db *DB) LInsert(key string, where InsertPosition, pivot, value string) (n int64, err error) {
	err = db.run(key, func(t Txn) error { n, err = t.LInsert(key, where, pivot, value); return err })
	return n, err
}

// LInsert inserts value next to pivot (LINSERT).
func (t Txn) LInsert(key string, where InsertPosition, pivot, value string) (int64, error) {
	if err := t.write(); err != nil {
		return 0, err
	}
	if where != InsertBefore && where != InsertAfter {
		return 0, ErrSyntax
	}
	if len(value) > MaxStringSize {
		return 0, ErrTooLarge
	}
	e, l, err := t.writeList(key)
	if err != nil || l == nil {
		return 0, err
	}
	for i := range l.Len() {
		if l.At(i) == pivot {
			if where == InsertAfter {
				i++
			}
			l.Insert(i, value)
			t.tx.Changed(key, e)
			return int64(l.Len()), nil
		}
	}
	return -1, nil
}

// LPos returns the position of the first element equal to element (or the
// opts.Rank-th one), from the head (LPOS without COUNT).
func (db *DB) LPos(key, element string, opts LPosOptions) (pos int64, found bool, err error) {
	err = db.run(key, func(t Txn) error { pos, found, err = t.LPos(key, element, opts); return err })
	return pos, found, err
}

// LPos returns the position of a matching element (LPOS).
func (t Txn) LPos(key, element string, opts LPosOptions) (int64, bool, error) {
	ps, err := t.lpos(key, element, 1, false, opts)
	if err != nil || len(ps) == 0 {
		return 0, false, err
	}
	return ps[0], true, nil
}

// LPosCount returns the positions of up to count matching elements (all of
// them when count is 0), in the order they are found (LPOS ... COUNT). A
// missing key or no match is an empty slice; a negative count an error.
func (db *DB) LPosCount(key, element string, count int64, opts LPosOptions) (out []int64, err error) {
	err = db.run(key, func(t Txn) error { out, err = t.LPosCount(key, element, count, opts); return err })
	return out, err
}

// LPosCount returns the positions of up to count matching elements (LPOS
// ... COUNT).
func (t Txn) LPosCount(key, element string, count int64, opts LPosOptions) ([]int64, error) {
	return t.lpos(key, element, count, true, opts)
}

func (t Txn) lpos(key, element string, count int64, withCount bool, opts LPosOptions) ([]int64, error) {
	t.read()
	// Redis checks the options before it looks at the key.
	if count < 0 {
		return nil, errLPosCountNeg
	}
	if opts.MaxLen < 0 {
		return nil, errLPosMaxLenNeg
	}
	l, err := t.readList(key)
	if err != nil {
		return nil, err
	}
	out := []int64{}
	if l == nil {
		return out, nil
	}
	rank := opts.Rank
	if rank == 0 {
		rank = 1
	}
	fromTail := rank < 0
	if fromTail {
		// Wraps for math.MinInt64 exactly as Redis's C long does, which
		// makes RANK -9223372036854775808 behave as Redis's does.
		rank = -rank
	}
	n := int64(l.Len())
	var matches int64
	for i := int64(0); i < n && (opts.MaxLen == 0 || i < opts.MaxLen); i++ {
		pos := i
		if fromTail {
			pos = n - 1 - i
		}
		if l.At(int(pos)) != element {
			continue
		}
		matches++
		if matches < rank {
			continue
		}
		out = append(out, pos)
		if !withCount || (count != 0 && matches-rank+1 >= count) {
			break
		}
	}
	return out, nil
}

// LMove pops an element from one end of src and pushes it onto one end of
// dst, and returns it (LMOVE). found is false when src is absent; src ==
// dst rotates the list. A dst of another type fails before anything moves.
func (db *DB) LMove(src, dst string, from, to ListSide) (value string, found bool, err error) {
	err = db.Atomic([]string{src, dst}, func(t Txn) error {
		value, found, err = t.LMove(src, dst, from, to)
		return err
	})
	return value, found, err
}

// LMove moves an element from src to dst (LMOVE).
func (t Txn) LMove(src, dst string, from, to ListSide) (string, bool, error) {
	if err := t.write(); err != nil {
		return "", false, err
	}
	if from > ListRight || to > ListRight {
		return "", false, ErrSyntax
	}
	return t.move(src, dst, from, to)
}

// move is LMOVE after its checks; BLMOVE serves through it too.
func (t Txn) move(src, dst string, from, to ListSide) (string, bool, error) {
	se, sl, err := t.writeList(src)
	if err != nil || sl == nil {
		return "", false, err
	}
	de, dl := se, sl
	if dst != src {
		if de, dl, err = t.writeList(dst); err != nil {
			return "", false, err
		}
	}
	v, _ := listPop(sl, from)
	if dl == nil {
		dl = store.NewList()
		listPush(dl, to, v)
		t.tx.Put(dst, store.NewCollection(dl))
		t.keyReady(dst)
	} else {
		listPush(dl, to, v)
		if dst != src {
			t.tx.Changed(dst, de)
		}
	}
	t.tx.Changed(src, se)
	return v, true, nil
}
