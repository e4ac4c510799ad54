package store

import "hash/maphash"

// strIndex is an open-addressing hash index from string keys to positions
// in a slice its owner keeps (a Hash's entries, a ZSet's members). It
// replaces a Go map in the collections because of where a lookup's time
// goes: a Go map of more than 8 entries is a header, a directory, a table
// and then the groups, four dependent loads before the first probe, and in
// a keyspace of thousands of collections each of them is a cache miss. Here
// the slots hang directly off the collection, so a lookup is one load of
// the slot's cache line plus the owner's entry, which it needs anyway.
// Measured with BenchmarkEmbedded in bench/cmd/compare (1000 hashes x 100
// fields, see bench/RESULTS.md, session 3).
//
// A slot is 8 bytes: the key's 32-bit hash in the high half and position+1
// in the low half (0 is an empty slot). Keeping the hash lets the index
// grow, shrink and shift slots without rehashing any key, and skips the
// key comparison for all but (almost always) the right slot. The table is
// a power of two at most 7/8 full, probed linearly; removal shifts the
// following slots back (no tombstones), so a probe always ends at an empty
// slot. With 12 bytes per key on average it is smaller than a map slot
// (24 bytes for a string key and a word).
//
// 7/8 rather than the 3/4 linear probing is usually given: a probe
// compares the stored hashes, 8 to a cache line, without touching the
// keys, so the longer runs near the limit (4.5 slots for a hit, 32 for a
// miss on average at 7/8) cost a line or a few more, while the smaller
// table costs fewer cache and TLB misses in a keyspace of many
// collections: 100 fields take 128 slots instead of 256, and HSET on
// 1000 hashes of 100 fields was 10-22% faster (BenchmarkEmbedded in
// bench/cmd/compare, 1 and 2 goroutines, 15-31 rounds).
type strIndex struct {
	slots []uint64
	n     int // occupied slots
}

// strIndexMin is the smallest table: one cache line.
const strIndexMin = 8

var strSeed = maphash.MakeSeed()

// strHash is the hash the index keeps for key.
func strHash(key string) uint32 { return uint32(maphash.String(strSeed, key)) }

// find returns the slot and position of the key with hash h for which
// match(position) is true; found is false if there is none. match is only
// called for slots whose stored hash is h.
func (x *strIndex) find(h uint32, match func(pos int) bool) (slot, pos int, found bool) {
	if x.n == 0 {
		return -1, -1, false
	}
	mask := uint32(len(x.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := x.slots[i]
		if s == 0 {
			return -1, -1, false
		}
		if uint32(s>>32) == h && match(int(uint32(s))-1) {
			return int(i), int(uint32(s)) - 1, true
		}
	}
}

// add records that the key with hash h, which the index does not hold, is
// at pos.
func (x *strIndex) add(h uint32, pos int) {
	if uint64(pos) >= 1<<32-1 {
		panic("store: collection over 2^32-2 elements")
	}
	if (x.n+1)*8 > len(x.slots)*7 {
		x.resize(max(strIndexMin, 2*len(x.slots)))
	}
	x.place(uint64(h)<<32 | uint64(pos+1))
	x.n++
}

// place puts slot value s at the first empty slot from its home.
func (x *strIndex) place(s uint64) {
	mask := uint32(len(x.slots) - 1)
	i := uint32(s>>32) & mask
	for x.slots[i] != 0 {
		i = (i + 1) & mask
	}
	x.slots[i] = s
}

// setPos changes the position stored in slot (a slot find returned).
func (x *strIndex) setPos(slot, pos int) {
	x.slots[slot] = x.slots[slot]&^(1<<32-1) | uint64(pos+1)
}

// removeSlot empties slot (a slot find returned) and shifts back the slots
// after it that would otherwise be cut off from their home.
func (x *strIndex) removeSlot(slot int) {
	mask := uint32(len(x.slots) - 1)
	i := uint32(slot)
	for j := (i + 1) & mask; x.slots[j] != 0; j = (j + 1) & mask {
		home := uint32(x.slots[j]>>32) & mask
		// The slot at j may fill the hole at i unless its home lies
		// cyclically in (i, j].
		if (i <= j && (home <= i || home > j)) || (i > j && home <= i && home > j) {
			x.slots[i] = x.slots[j]
			i = j
		}
	}
	x.slots[i] = 0
	x.n--
	if x.n == 0 {
		x.slots = nil
	} else if len(x.slots) > strIndexMin && x.n*8 < len(x.slots) {
		// Shrink, so that a collection that lost most of its elements
		// gives the memory back.
		x.resize(max(strIndexMin, len(x.slots)/4))
	}
}

// resize rebuilds the table with size slots (a power of two that holds n
// at most 7/8 full).
func (x *strIndex) resize(size int) {
	old := x.slots
	x.slots = make([]uint64, size)
	for _, s := range old {
		if s != 0 {
			x.place(s)
		}
	}
}

// reset empties the index and makes room for n keys.
func (x *strIndex) reset(n int) {
	x.n = 0
	if n == 0 {
		x.slots = nil
		return
	}
	size := strIndexMin
	for n*8 > size*7 {
		size *= 2
	}
	x.slots = make([]uint64, size)
}
