package store

import (
	"fmt"
	"slices"
)

// ZMember is a sorted-set member with its score.
type ZMember struct {
	Member string
	Score  float64
}

// zless orders members as Redis does: by score, ties by member bytewise.
// -0 and 0 compare equal, as C's doubles do.
func zless(a, b ZMember) bool {
	if a.Score != b.Score {
		return a.Score < b.Score
	}
	return a.Member < b.Member
}

// zsetMemberOverhead approximates what one member costs beyond its bytes:
// its map slot (key header, score, slack) and its slot in a b-tree leaf
// (string header and score), with the leaves' average fill.
const zsetMemberOverhead = 80

func zsetMemberBytes(m string) int64 { return int64(len(m)) + zsetMemberOverhead }

// ZSet is a sorted set: a member->score index beside a counted b-tree of
// (score, member) pairs. Lookups by member are one index probe; insert,
// delete, rank, access by rank and the start of a range by score or member
// are O(log n); walking a range costs O(1) per member.
//
// Scores must not be NaN (the order would be undefined); the engine refuses
// NaN before it gets here. ZSet is not safe for concurrent use; the shard
// lock guards it.
type ZSet struct {
	accounting // what the keyspace counts for it (see Entry)
	// dict indexes ents, the members with their scores in no particular
	// order (a removal moves the last one into the hole): the by-member
	// side of the set. strIndex rather than a Go map for the same reason
	// as in Hash: a lookup is one cache miss, not a chain of them.
	dict  strIndex
	ents  []ZMember
	tree  ztree
	bytes int64
}

// NewZSet returns an empty sorted set.
func NewZSet() *ZSet {
	return &ZSet{tree: ztree{max: zMax, min: zMin}}
}

// find returns m's slot in dict and position in ents.
func (z *ZSet) find(m string, h uint32) (slot, pos int, ok bool) {
	return z.dict.find(h, func(p int) bool { return z.ents[p].Member == m })
}

// forget removes the member at slot/pos from dict and ents.
func (z *ZSet) forget(slot, pos int) {
	z.dict.removeSlot(slot)
	last := len(z.ents) - 1
	if pos != last {
		moved := z.ents[last]
		s, _, ok := z.dict.find(strHash(moved.Member), func(p int) bool { return p == last })
		if !ok {
			panic("store: ZSet index lost " + moved.Member)
		}
		z.dict.setPos(s, pos)
		z.ents[pos] = moved
	}
	z.ents[last] = ZMember{} // drop the string for the collector
	z.ents = z.ents[:last]
	if len(z.ents) == 0 {
		z.ents = nil
	} else if cap(z.ents) > 64 && len(z.ents) < cap(z.ents)/4 {
		z.ents = slices.Clone(z.ents)
	}
}

// Type is TypeZSet.
func (z *ZSet) Type() Type { return TypeZSet }

// Len is the number of members.
func (z *ZSet) Len() int { return len(z.ents) }

// Bytes approximates the memory the members use; it is maintained on every
// change.
func (z *ZSet) Bytes() int64 { return z.bytes }

// Score returns m's score.
func (z *ZSet) Score(m string) (float64, bool) {
	_, i, ok := z.find(m, strHash(m))
	if !ok {
		return 0, false
	}
	return z.ents[i].Score, true
}

// Set gives m the score s, adding m if needed, and reports whether m was
// new. A member whose score does not change (by ==, so -0 and 0 are the
// same score) is left as it is.
func (z *ZSet) Set(m string, s float64) (added bool) {
	h := strHash(m)
	_, i, ok := z.find(m, h)
	if ok {
		z.Move(ZRef{pos: i, ZMember: z.ents[i]}, s)
		return false
	}
	z.bytes += zsetMemberBytes(m)
	z.dict.add(h, len(z.ents))
	z.ents = append(z.ents, ZMember{m, s})
	z.tree.insert(ZMember{m, s})
	return true
}

// ZRef is a member found by Lookup, with its score: what Move needs to
// change the score without looking the member up again. It is valid until
// the set next changes.
type ZRef struct {
	ZMember
	pos int // in ents
}

// Lookup returns m with its score, for a caller that decides on the change
// from the score (ZADD's flags) before it calls Move.
func (z *ZSet) Lookup(m string) (ZRef, bool) {
	_, i, ok := z.find(m, strHash(m))
	if !ok {
		return ZRef{}, false
	}
	return ZRef{pos: i, ZMember: z.ents[i]}, true
}

// Move gives the member ref refers to the score s. A score equal to the
// current one (by ==, so -0 and 0 are the same score) changes nothing.
func (z *ZSet) Move(ref ZRef, s float64) {
	if ref.Score == s {
		return
	}
	if ref.pos >= len(z.ents) || z.ents[ref.pos] != ref.ZMember || !z.tree.move(ref.ZMember, ZMember{ref.Member, s}) {
		panic("store: ZSet.Move with a stale reference to " + ref.Member)
	}
	z.ents[ref.pos].Score = s
}

// Remove deletes m and reports whether it was a member.
func (z *ZSet) Remove(m string) bool {
	slot, i, ok := z.find(m, strHash(m))
	if !ok {
		return false
	}
	z.tree.delete(z.ents[i])
	z.forget(slot, i)
	z.bytes -= zsetMemberBytes(m)
	return true
}

// Rank returns m's 0-based position in ascending order.
func (z *ZSet) Rank(m string) (int, bool) {
	_, i, ok := z.find(m, strHash(m))
	if !ok {
		return 0, false
	}
	x := z.ents[i]
	return z.tree.countWhile(func(y ZMember) bool { return zless(y, x) }), true
}

// At returns the member at ascending position i (0 <= i < Len()).
func (z *ZSet) At(i int) ZMember {
	n, j := z.tree.leafAt(i)
	return n.items[j]
}

// CountScoreBelow returns how many members have a score < v, or <= v when
// orEqual: the ascending position where a score range starts or ends.
func (z *ZSet) CountScoreBelow(v float64, orEqual bool) int {
	if orEqual {
		return z.tree.countWhile(func(y ZMember) bool { return y.Score <= v })
	}
	return z.tree.countWhile(func(y ZMember) bool { return y.Score < v })
}

// CountMemberBelow returns how many members sort bytewise before v, or at
// most v when orEqual. It is meaningful when all members have the same
// score (as Redis's lexicographic ranges): the tree is searched as if the
// members alone were in order.
func (z *ZSet) CountMemberBelow(v string, orEqual bool) int {
	if orEqual {
		return z.tree.countWhile(func(y ZMember) bool { return y.Member <= v })
	}
	return z.tree.countWhile(func(y ZMember) bool { return y.Member < v })
}

// Ascend calls fn for the members at ascending positions from, from+1, ...
// until the end or until fn returns false. fn must not modify the set.
func (z *ZSet) Ascend(from int, fn func(ZMember) bool) {
	if from < 0 || from >= z.Len() {
		return
	}
	n, i := z.tree.leafAt(from)
	for n != nil {
		for ; i < len(n.items); i++ {
			if !fn(n.items[i]) {
				return
			}
		}
		n, i = n.next, 0
	}
}

// Descend calls fn for the members at ascending positions from, from-1, ...
// down to 0 or until fn returns false. fn must not modify the set.
func (z *ZSet) Descend(from int, fn func(ZMember) bool) {
	if from < 0 || from >= z.Len() {
		return
	}
	n, i := z.tree.leafAt(from)
	for n != nil {
		for ; i >= 0; i-- {
			if !fn(n.items[i]) {
				return
			}
		}
		if n = n.prev; n != nil {
			i = len(n.items) - 1
		}
	}
}

// Slice returns the members at ascending positions [start, end), clamped
// to the set.
func (z *ZSet) Slice(start, end int) []ZMember {
	start, end = max(start, 0), min(end, z.Len())
	if start >= end {
		return nil
	}
	return z.AppendRange(make([]ZMember, 0, end-start), start, end)
}

// AppendRange appends the members at ascending positions [start, end),
// clamped to the set, to dst and returns the extended slice. It copies
// whole runs of each leaf rather than calling a function per member: a
// whole-set ZRANGE spends its time here.
func (z *ZSet) AppendRange(dst []ZMember, start, end int) []ZMember {
	start, end = max(start, 0), min(end, z.Len())
	if start >= end {
		return dst
	}
	n, i := z.tree.leafAt(start)
	for left := end - start; left > 0; n, i = n.next, 0 {
		k := min(left, len(n.items)-i)
		dst = append(dst, n.items[i:i+k]...)
		left -= k
	}
	return dst
}

// RemoveRange deletes the members at ascending positions [start, end),
// clamped to the set, and returns how many it deleted.
func (z *ZSet) RemoveRange(start, end int) int {
	doomed := z.Slice(start, end)
	for _, m := range doomed {
		z.Remove(m.Member)
	}
	return len(doomed)
}

// Verify checks the sorted set's invariants: the tree's order, counts,
// separators, fill and leaf links, its agreement with the map, and the
// byte count. It is for tests.
func (z *ZSet) Verify() error {
	if err := z.tree.verify(); err != nil {
		return err
	}
	if z.tree.n != len(z.ents) || z.dict.n != len(z.ents) {
		return fmt.Errorf("zset: tree holds %d members, index %d, list %d", z.tree.n, z.dict.n, len(z.ents))
	}
	var bytes int64
	i := 0
	var err error
	z.Ascend(0, func(m ZMember) bool {
		if s, ok := z.Score(m.Member); !ok || s != m.Score {
			err = fmt.Errorf("zset: tree has %q at %v, index %v (%v)", m.Member, m.Score, s, ok)
			return false
		}
		bytes += zsetMemberBytes(m.Member)
		i++
		return true
	})
	if err != nil {
		return err
	}
	if i != len(z.ents) {
		return fmt.Errorf("zset: walked %d members, index holds %d", i, len(z.ents))
	}
	if bytes != z.bytes {
		return fmt.Errorf("zset: accounted %d bytes, members use %d", z.bytes, bytes)
	}
	return nil
}

// ztree is a counted B+tree: members live in the leaves, which are linked
// in order; an inner node holds its children, the number of members under
// each child, and separators (separator i is greater than every member
// under child i and at most every member under child i+1). The counts give
// rank and access by rank in O(log n).
//
// Why not tidwall/btree, which the rest of the store uses: its BTreeG keeps
// subtree counts (GetAt, DeleteAt) but exposes no rank of a key, so ZRANK
// and ZCOUNT would cost O(log² n) GetAt probes; this tree is small and
// keeps everything O(log n).
type ztree struct {
	root        *znode
	n           int
	first, last *znode // the leftmost and rightmost leaves
	// max and min are the node fill bounds, zMax and zMin; tests lower
	// them to grow deep trees from few members.
	max, min int
}

type znode struct {
	items []ZMember // leaf: the members; inner: len(kids)-1 separators
	// buf is a leaf's whole array (len == cap); items is a window of it,
	// and buf is zero outside the window. A deletion in the front half of
	// a leaf moves the members before it and the window's start, not the
	// members after it: a ZADD that gives a set's oldest member the newest
	// score (time-ordered scores) deletes at the front of the first leaf.
	buf    []ZMember
	kids   []*znode // nil for a leaf
	counts []int    // inner: members under each child
	// prev and next link the leaves in order.
	prev, next *znode
}

// Node fill: a node splits above the maximum and is rebalanced with a
// neighbour below the minimum. A quarter (not a half) as minimum leaves
// room between the two, so alternating inserts and deletes at a boundary
// do not split and merge the same nodes over and over.
//
// 128, as Redis's zset-max-listpack-entries: a set of up to 128 members is
// one sorted array (a leaf), as in Redis, so that changing a score in it is
// a binary search and one move, with no inner node to descend or count. A
// ZADD that changes scores in 1000 sets of 100 members cost 30-40% less
// than with leaves of 64 (BenchmarkEmbedded/zadd in bench/cmd/compare,
// session 5).
const (
	zMax = 128
	zMin = zMax / 4
)

func (n *znode) leaf() bool { return n.kids == nil }

func (n *znode) size() int {
	if n.leaf() {
		return len(n.items)
	}
	return len(n.kids)
}

func (n *znode) total() int {
	if n.leaf() {
		return len(n.items)
	}
	t := 0
	for _, c := range n.counts {
		t += c
	}
	return t
}

// childFor returns the index of the child of inner node n that holds (or
// would hold) x: the number of separators <= x. x at or past the last
// separator (a new highest score) is answered without a search.
func (n *znode) childFor(x ZMember) int {
	if k := len(n.items); k > 0 && !zless(x, n.items[k-1]) {
		return k
	}
	lo, hi := 0, len(n.items)
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if zless(x, n.items[h]) {
			hi = h
		} else {
			lo = h + 1
		}
	}
	return lo
}

// search returns the position of the first item of n not less than x.
func (n *znode) search(x ZMember) int {
	lo, hi := 0, len(n.items)
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if zless(n.items[h], x) {
			lo = h + 1
		} else {
			hi = h
		}
	}
	return lo
}

// prefix returns how many leading items of n satisfy pred, which must be
// true on a prefix of them.
func (n *znode) prefix(pred func(ZMember) bool) int {
	lo, hi := 0, len(n.items)
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if pred(n.items[h]) {
			lo = h + 1
		} else {
			hi = h
		}
	}
	return lo
}

// insert adds x, which must not be in the tree.
func (t *ztree) insert(x ZMember) {
	if t.root == nil {
		l := &znode{}
		t.root, t.first, t.last = l, l, l
	}
	if right, sep := t.insertInto(t.root, x); right != nil {
		left := t.root
		t.root = &znode{
			items:  []ZMember{sep},
			kids:   []*znode{left, right},
			counts: []int{left.total(), right.total()},
		}
	}
	t.n++
}

// insertInto adds x under n; when n overflows it splits, and insertInto
// returns the new right sibling and the separator between the two.
func (t *ztree) insertInto(n *znode, x ZMember) (*znode, ZMember) {
	if n.leaf() {
		// A new highest member (time-ordered scores) goes at the end
		// without a binary search over the leaf's cache lines.
		i := len(n.items)
		if i > 0 && zless(x, n.items[i-1]) {
			i = n.search(x)
		}
		t.leafRoom(n, 1)
		n.items = slices.Insert(n.items, i, x)
		if len(n.items) <= t.max {
			return nil, ZMember{}
		}
		return t.splitLeaf(n)
	}
	i := n.childFor(x)
	n.counts[i]++
	right, sep := t.insertInto(n.kids[i], x)
	if right == nil {
		return nil, ZMember{}
	}
	rc := right.total()
	n.counts[i] -= rc
	n.items = slices.Insert(n.items, i, sep)
	n.kids = slices.Insert(n.kids, i+1, right)
	n.counts = slices.Insert(n.counts, i+1, rc)
	if len(n.kids) <= t.max {
		return nil, ZMember{}
	}
	// Split an inner node: the middle separator moves up.
	h := len(n.kids) / 2
	r := &znode{
		items:  slices.Clone(n.items[h:]),
		kids:   slices.Clone(n.kids[h:]),
		counts: slices.Clone(n.counts[h:]),
	}
	up := n.items[h-1]
	clear(n.items[h-1:])
	clear(n.kids[h:])
	n.items, n.kids, n.counts = n.items[:h-1], n.kids[:h], n.counts[:h]
	return r, up
}

// leafRoom makes room for k more members at the end of leaf n's window:
// it slides the window back to the start of buf, or gives the leaf a larger
// array (never over t.max+1 members, the most a leaf holds before it
// splits).
func (t *ztree) leafRoom(n *znode, k int) {
	if cap(n.items)-len(n.items) >= k {
		return
	}
	m := len(n.items)
	if m+k > len(n.buf) {
		buf := make([]ZMember, min(max(2*len(n.buf), m+k, 4), t.max+1))
		copy(buf, n.items)
		n.buf, n.items = buf, buf[:m]
		return
	}
	copy(n.buf, n.items)
	clear(n.buf[m:])
	n.items = n.buf[:m]
}

func (t *ztree) splitLeaf(n *znode) (*znode, ZMember) {
	h := len(n.items) / 2
	buf := make([]ZMember, t.max+1)
	r := &znode{buf: buf, items: buf[:len(n.items)-h]}
	copy(r.items, n.items[h:])
	clear(n.items[h:])
	n.items = n.items[:h]
	r.prev, r.next = n, n.next
	if n.next != nil {
		n.next.prev = r
	} else {
		t.last = r
	}
	n.next = r
	return r, r.items[0]
}

// move replaces old, an item of the tree, with x, an item not in it, and
// reports whether old was there. When x belongs in old's leaf (the
// separators around the leaf bound it) the leaf's items between the two
// places shift by one and nothing else changes, counts included: one
// descent and one short move instead of a delete and an insert.
func (t *ztree) move(old, x ZMember) bool {
	n := t.root
	if n == nil {
		return false
	}
	// Every item under n is >= lo (when hasLo) and < hi (when hasHi): the
	// nearest separators on old's path, an inner level's or an outer one's.
	var lo, hi ZMember
	var hasLo, hasHi bool
	for !n.leaf() {
		i := n.childFor(old)
		if i > 0 {
			lo, hasLo = n.items[i-1], true
		}
		if i < len(n.items) {
			hi, hasHi = n.items[i], true
		}
		n = n.kids[i]
	}
	if hasLo && zless(x, lo) || hasHi && !zless(x, hi) {
		if !t.delete(old) {
			return false
		}
		t.insert(x)
		return true
	}
	i := n.search(old)
	if i == len(n.items) || n.items[i] != old {
		return false
	}
	// j is x's place among the items with old still in: j <= i when x
	// sorts before old, j > i when after it (x is not old).
	if j := n.search(x); j <= i {
		copy(n.items[j+1:i+1], n.items[j:i])
		n.items[j] = x
	} else {
		copy(n.items[i:j-1], n.items[i+1:j])
		n.items[j-1] = x
	}
	return true
}

// delete removes x and reports whether it was in the tree.
func (t *ztree) delete(x ZMember) bool {
	if t.root == nil || !t.deleteFrom(t.root, x) {
		return false
	}
	t.n--
	if !t.root.leaf() && len(t.root.kids) == 1 {
		t.root = t.root.kids[0]
	}
	if t.root.leaf() && len(t.root.items) == 0 {
		t.root, t.first, t.last = nil, nil, nil
	}
	return true
}

func (t *ztree) deleteFrom(n *znode, x ZMember) bool {
	if n.leaf() {
		i := 0 // the set's lowest member (time-ordered scores) needs no search
		if len(n.items) == 0 || n.items[0] != x {
			i = n.search(x)
		}
		if i == len(n.items) || n.items[i] != x {
			return false
		}
		if i < len(n.items)/2 {
			// Move the shorter side: the members before i, one up.
			copy(n.items[1:i+1], n.items[:i])
			n.items[0] = ZMember{}
			n.items = n.items[1:]
		} else {
			n.items = slices.Delete(n.items, i, i+1)
		}
		return true
	}
	i := n.childFor(x)
	if !t.deleteFrom(n.kids[i], x) {
		return false
	}
	n.counts[i]--
	if n.kids[i].size() < t.min {
		t.rebalance(n, i)
	}
	return true
}

// rebalance fixes child i of n, which fell below the minimum fill, by
// merging it with a neighbour or, when both together would overflow,
// sharing their contents evenly.
func (t *ztree) rebalance(n *znode, i int) {
	li := i - 1
	if i == 0 {
		li = 0
	}
	if len(n.kids) < 2 {
		return // only the root may be this small
	}
	a, b := n.kids[li], n.kids[li+1]
	if a.size()+b.size() <= t.max {
		t.merge(n, li)
		return
	}
	if a.leaf() {
		// Even the two leaves out in place: a gets the first half of
		// their members, b the rest. A member moving between them keeps
		// its order, and nothing is allocated (a leaf holds up to t.max+1
		// members).
		h := (len(a.items) + len(b.items)) / 2
		if k := h - len(a.items); k > 0 {
			t.leafRoom(a, k)
			a.items = append(a.items, b.items[:k]...)
			clear(b.items[:k])
			b.items = b.items[k:]
		} else if k < 0 {
			t.leafRoom(b, -k)
			b.items = slices.Insert(b.items, 0, a.items[h:]...)
			clear(a.items[h:])
			a.items = a.items[:h]
		}
		n.items[li] = b.items[0]
		n.counts[li], n.counts[li+1] = len(a.items), len(b.items)
		return
	}
	keys := append(append(slices.Clone(a.items), n.items[li]), b.items...)
	kids := append(slices.Clone(a.kids), b.kids...)
	counts := append(slices.Clone(a.counts), b.counts...)
	h := len(kids) / 2
	a.items, a.kids, a.counts = slices.Clone(keys[:h-1]), slices.Clone(kids[:h]), slices.Clone(counts[:h])
	b.items, b.kids, b.counts = slices.Clone(keys[h:]), slices.Clone(kids[h:]), slices.Clone(counts[h:])
	n.items[li] = keys[h-1]
	n.counts[li], n.counts[li+1] = a.total(), b.total()
}

// merge folds child li+1 of n into child li.
func (t *ztree) merge(n *znode, li int) {
	a, b := n.kids[li], n.kids[li+1]
	if a.leaf() {
		t.leafRoom(a, len(b.items))
		a.items = append(a.items, b.items...)
		a.next = b.next
		if b.next != nil {
			b.next.prev = a
		} else {
			t.last = a
		}
	} else {
		a.items = append(append(a.items, n.items[li]), b.items...)
		a.kids = append(a.kids, b.kids...)
		a.counts = append(a.counts, b.counts...)
	}
	n.counts[li] += n.counts[li+1]
	n.items = slices.Delete(n.items, li, li+1)
	n.kids = slices.Delete(n.kids, li+1, li+2)
	n.counts = slices.Delete(n.counts, li+1, li+2)
}

// countWhile returns how many members satisfy pred, which must be true on a
// prefix of the order (for example "score < 5"): the position where that
// prefix ends. Separators are compared too; they need not be members, only
// correctly placed, which keeps the search valid after deletions.
func (t *ztree) countWhile(pred func(ZMember) bool) int {
	total := 0
	for n := t.root; n != nil; {
		j := n.prefix(pred)
		if n.leaf() {
			return total + j
		}
		for _, c := range n.counts[:j] {
			total += c
		}
		n = n.kids[j]
	}
	return total
}

// leafAt returns the leaf holding ascending position i and i's index in it.
func (t *ztree) leafAt(i int) (*znode, int) {
	n := t.root
	for !n.leaf() {
		j := 0
		for i >= n.counts[j] {
			i -= n.counts[j]
			j++
		}
		n = n.kids[j]
	}
	return n, i
}

// verify checks the tree's invariants; it is for tests.
func (t *ztree) verify() error {
	if t.root == nil {
		if t.n != 0 || t.first != nil || t.last != nil {
			return fmt.Errorf("ztree: empty root with n=%d", t.n)
		}
		return nil
	}
	var leaves []*znode
	depth := -1
	var walk func(n *znode, lo, hi *ZMember, d int, root bool) (int, error)
	walk = func(n *znode, lo, hi *ZMember, d int, root bool) (int, error) {
		if !root && n.size() < t.min {
			return 0, fmt.Errorf("ztree: node of size %d below minimum", n.size())
		}
		if n.size() > t.max {
			return 0, fmt.Errorf("ztree: node of size %d above maximum", n.size())
		}
		for k := 1; k < len(n.items); k++ {
			if !zless(n.items[k-1], n.items[k]) {
				return 0, fmt.Errorf("ztree: items out of order: %v, %v", n.items[k-1], n.items[k])
			}
		}
		if n.leaf() {
			if depth < 0 {
				depth = d
			} else if depth != d {
				return 0, fmt.Errorf("ztree: leaves at depths %d and %d", depth, d)
			}
			if len(n.items) == 0 {
				return 0, fmt.Errorf("ztree: empty leaf")
			}
			if err := n.verifyWindow(); err != nil {
				return 0, err
			}
			if lo != nil && zless(n.items[0], *lo) {
				return 0, fmt.Errorf("ztree: %v below separator %v", n.items[0], *lo)
			}
			if hi != nil && !zless(n.items[len(n.items)-1], *hi) {
				return 0, fmt.Errorf("ztree: %v not below separator %v", n.items[len(n.items)-1], *hi)
			}
			leaves = append(leaves, n)
			return len(n.items), nil
		}
		if len(n.items) != len(n.kids)-1 || len(n.counts) != len(n.kids) {
			return 0, fmt.Errorf("ztree: inner node with %d separators, %d kids, %d counts", len(n.items), len(n.kids), len(n.counts))
		}
		if len(n.kids) < 2 {
			return 0, fmt.Errorf("ztree: inner node with %d kids", len(n.kids))
		}
		sum := 0
		for k, c := range n.kids {
			clo, chi := lo, hi
			if k > 0 {
				clo = &n.items[k-1]
			}
			if k < len(n.items) {
				chi = &n.items[k]
			}
			got, err := walk(c, clo, chi, d+1, false)
			if err != nil {
				return 0, err
			}
			if got != n.counts[k] {
				return 0, fmt.Errorf("ztree: child counted %d, holds %d", n.counts[k], got)
			}
			sum += got
		}
		return sum, nil
	}
	got, err := walk(t.root, nil, nil, 0, true)
	if err != nil {
		return err
	}
	if got != t.n {
		return fmt.Errorf("ztree: n=%d, holds %d", t.n, got)
	}
	if t.first != leaves[0] || t.last != leaves[len(leaves)-1] {
		return fmt.Errorf("ztree: first/last leaf pointers wrong")
	}
	for k, l := range leaves {
		var prev, next *znode
		if k > 0 {
			prev = leaves[k-1]
		}
		if k+1 < len(leaves) {
			next = leaves[k+1]
		}
		if l.prev != prev || l.next != next {
			return fmt.Errorf("ztree: leaf %d badly linked", k)
		}
	}
	return nil
}

// verifyWindow checks that a leaf's items are a window of its buf and that
// buf is zero outside it (no stale member kept alive); it is for tests.
func (n *znode) verifyWindow() error {
	if len(n.buf) > 0 && len(n.buf) != cap(n.buf) {
		return fmt.Errorf("ztree: leaf buf len %d cap %d", len(n.buf), cap(n.buf))
	}
	off := -1
	for i := range n.buf {
		if &n.buf[i] == &n.items[0] {
			off = i
		}
	}
	if off < 0 || off+cap(n.items) != len(n.buf) {
		return fmt.Errorf("ztree: leaf items are not a window of its buf")
	}
	for i, m := range n.buf {
		if (i < off || i >= off+len(n.items)) && m != (ZMember{}) {
			return fmt.Errorf("ztree: leaf buf keeps %v outside its window", m)
		}
	}
	return nil
}
