package store

import "math/bits"

// Hold adds key's shard to the transaction, so that the rest of the
// transaction may touch key, and reports whether it could. The shard stays
// locked until the transaction ends, with the others.
//
// It exists for work the transaction discovers only after it started: the
// engine serving a client blocked in BLMOVE must pop from the list that was
// just pushed (a shard it holds) and push onto the client's destination
// (perhaps a shard it does not hold) without any other caller seeing the
// element in neither list.
//
// Transactions are deadlock-free because every one that waits for a shard
// waits for shards in ascending order. Hold keeps that rule: it waits for a
// shard that comes after every shard held, and only tries (TryLock) a shard
// that comes before one of them, reporting false when that shard is busy.
// The caller must then do without it.
func (tx *Tx) Hold(key string) bool {
	i := tx.ks.shardOf(key)
	if tx.holds(i) {
		return true
	}
	s := tx.ks.shards[i]
	if i > tx.highest() {
		s.mu.Lock()
	} else if !s.mu.TryLock() {
		return false
	}
	// From now on the transaction holds its own set; the set a multi-shard
	// transaction started with belongs to updateSet, which unlocks exactly
	// the shards it locked.
	if !tx.multi {
		tx.own = shardSet{}
		tx.own.add(tx.first)
		tx.multi = true
	} else if tx.set != &tx.own {
		tx.own = shardSet{}
		tx.set.each(len(tx.ks.shards), tx.own.add)
	}
	tx.own.add(i)
	tx.set = &tx.own
	tx.extra = append(tx.extra, i)
	return true
}

// holds reports whether the transaction holds shard i.
func (tx *Tx) holds(i int) bool {
	if !tx.multi {
		return i == tx.first
	}
	return tx.set.has(i)
}

// highest is the highest shard index the transaction holds.
func (tx *Tx) highest() int {
	if !tx.multi {
		return tx.first
	}
	for w := len(tx.set.words) - 1; w >= 0; w-- {
		if x := tx.set.words[w]; x != 0 {
			return w*64 + 63 - bits.LeadingZeros64(x)
		}
	}
	return -1
}

// releaseExtra unlocks the shards Hold locked; end calls it.
func (tx *Tx) releaseExtra() {
	for _, i := range tx.extra {
		tx.ks.shards[i].mu.Unlock()
	}
	tx.extra = tx.extra[:0]
	tx.own = shardSet{}
}

// SetNote stores v for the rest of the transaction; Note returns it. The
// note is cleared when the transaction ends. The engine uses it to remember
// which keys a transaction made ready for blocked clients, so that the
// common transaction, which makes none ready, pays one nil check.
func (tx *Tx) SetNote(v any) { tx.note = v }

// Note is the value SetNote stored in this transaction, or nil.
func (tx *Tx) Note() any { return tx.note }

// ShardOf is the index of key's shard, for tests that need keys in a given
// shard order.
func (ks *Keyspace) ShardOf(key string) int { return ks.shardOf(key) }
