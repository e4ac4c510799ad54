package ttl

import "github.com/tidwall/btree"

// Index orders keys by deadline so that expired keys can be reclaimed in
// deadline order without scanning the keyspace. Deadlines are Unix
// nanoseconds. A key appears at most once; callers remove the old entry
// before adding a new deadline (they know the old one: it is stored beside
// the key).
//
// Index is not safe for concurrent use: each store shard owns one and guards
// it with the shard's lock, so that the keyspace and its index change in the
// same critical section.
type Index struct {
	tree *btree.BTreeG[item]
}

type item struct {
	at  int64
	key string
}

func itemLess(a, b item) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.key < b.key
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	// NoLocks: the owning shard already serialises access; the b-tree's own
	// RWMutex would only add cost.
	return &Index{tree: btree.NewBTreeGOptions(itemLess, btree.Options{NoLocks: true})}
}

// Add records that key expires at deadline at. O(log n).
func (ix *Index) Add(key string, at int64) { ix.tree.Set(item{at: at, key: key}) }

// Remove forgets key's deadline at and reports whether it was present. O(log n).
func (ix *Index) Remove(key string, at int64) bool {
	_, ok := ix.tree.Delete(item{at: at, key: key})
	return ok
}

// Len is the number of keys with a deadline.
func (ix *Index) Len() int { return ix.tree.Len() }

// Min returns the earliest deadline and its key.
func (ix *Index) Min() (key string, at int64, ok bool) {
	it, ok := ix.tree.Min()
	return it.key, it.at, ok
}

// PopDue removes up to max keys whose deadline is <= now, earliest first,
// calling fn for each after it is removed from the index. It returns how many
// it removed. max <= 0 means no limit.
func (ix *Index) PopDue(now int64, max int, fn func(key string, at int64)) int {
	n := 0
	for max <= 0 || n < max {
		it, ok := ix.tree.Min()
		if !ok || it.at > now {
			break
		}
		ix.tree.PopMin()
		n++
		fn(it.key, it.at)
	}
	return n
}

// Clear removes every deadline.
func (ix *Index) Clear() { ix.tree.Clear() }
