package store

import "slices"

// HashFieldOverhead is what each field costs beyond the bytes of its name
// and value in the size accounting: roughly a map slot (key header, index,
// hash byte, load-factor slack) plus the ordered entry (two string headers
// and a flag).
const HashFieldOverhead = 72

// hashCompactMin is the number of deleted slots below which Hash never
// compacts: tiny hashes are not worth a rebuild.
const hashCompactMin = 16

// Hash is a Redis hash: field -> value, iterated in insertion order.
//
// Redis gives HGETALL no defined order; insertion order is deterministic and
// is also what Redis itself returns for small hashes (its listpack keeps
// fields in insertion order and updates values in place), so replies match
// Redis's for those. An index (strIndex, not a Go map: see there) points
// into an append-only slice of entries; a deleted entry leaves a hole that
// iteration skips, and the slice is compacted once holes outnumber live
// entries, which keeps deletes O(1) amortised and iteration O(Len).
type Hash struct {
	accounting          // what the keyspace counts for it (see Entry)
	idx        strIndex // field -> position in ents
	ents       []hashEntry
	dead       int   // holes in ents
	data       int64 // sum of len(field)+len(value) over live fields
}

type hashEntry struct {
	field, value string
	live         bool
}

// NewHash returns an empty hash.
func NewHash() *Hash { return &Hash{} }

// Type is TypeHash.
func (h *Hash) Type() Type { return TypeHash }

// Len is the number of fields.
func (h *Hash) Len() int { return h.idx.n }

// Bytes is the fields' and values' lengths plus HashFieldOverhead per field.
func (h *Hash) Bytes() int64 { return h.data + int64(h.idx.n)*HashFieldOverhead }

// find returns field's slot in the index and position in ents.
func (h *Hash) find(field string, hash uint32) (slot, pos int, ok bool) {
	return h.idx.find(hash, func(p int) bool { return h.ents[p].field == field })
}

// Get returns field's value.
func (h *Hash) Get(field string) (string, bool) {
	_, i, ok := h.find(field, strHash(field))
	if !ok {
		return "", false
	}
	return h.ents[i].value, true
}

// Has reports whether field exists.
func (h *Hash) Has(field string) bool {
	_, _, ok := h.find(field, strHash(field))
	return ok
}

// Set sets field to value and reports whether the field is new. An existing
// field keeps its position in the iteration order.
func (h *Hash) Set(field, value string) (added bool) {
	hash := strHash(field)
	if _, i, ok := h.find(field, hash); ok {
		e := &h.ents[i]
		if d := int64(len(value)) - int64(len(e.value)); d != 0 {
			h.data += d // written only when it changes (see Tx.Changed)
		}
		e.value = value
		return false
	}
	h.idx.add(hash, len(h.ents))
	h.ents = append(h.ents, hashEntry{field: field, value: value, live: true})
	h.data += int64(len(field) + len(value))
	return true
}

// Random returns a field chosen uniformly at random, with its value; intn
// returns a uniform int in [0, n). The hash must not be empty. Expected
// O(1): it draws slots of the entry slice until one is live, and Delete
// keeps the holes at most max(live fields, hashCompactMin-1), so a draw
// succeeds with probability 1/2 or better once the hash has 16 fields.
func (h *Hash) Random(intn func(n int) int) (field, value string) {
	for {
		if e := &h.ents[intn(len(h.ents))]; e.live {
			return e.field, e.value
		}
	}
}

// Sample calls fn for count distinct fields chosen uniformly at random,
// with their values, in the hash's order; count must be in [0, Len()].
// A small sample (count*3 <= Len) is drawn like Random, slot by slot,
// skipping holes and repeats (a draw is new with probability 1/3 or
// better), in O(count log count) whatever the hash's size, as Redis
// draws HRANDFIELD's small samples; a larger one takes one pass,
// keeping each field with probability wanted/left (Knuth's selection
// sampling), in O(Len) without allocating; the whole hash takes no draws.
func (h *Hash) Sample(count int, intn func(n int) int, fn func(field, value string)) {
	n := h.idx.n
	if count < 0 || count > n {
		panic("store: Hash.Sample count out of range")
	}
	if count == 0 {
		return
	}
	if count == n {
		h.Each(func(f, v string) bool { fn(f, v); return true })
		return
	}
	if count*3 > n {
		want, left := count, n
		for i := range h.ents {
			e := &h.ents[i]
			if !e.live {
				continue
			}
			if intn(left) < want {
				fn(e.field, e.value)
				if want--; want == 0 {
					return
				}
			}
			left--
		}
		return
	}
	picked := make([]int, 0, count)
	seen := make(map[int]struct{}, count)
	for len(picked) < count {
		i := intn(len(h.ents))
		if _, dup := seen[i]; dup || !h.ents[i].live {
			continue
		}
		seen[i] = struct{}{}
		picked = append(picked, i)
	}
	slices.Sort(picked)
	for _, i := range picked {
		fn(h.ents[i].field, h.ents[i].value)
	}
}

// Delete removes field and reports whether it existed.
func (h *Hash) Delete(field string) bool {
	slot, i, ok := h.find(field, strHash(field))
	if !ok {
		return false
	}
	e := &h.ents[i]
	h.data -= int64(len(e.field) + len(e.value))
	h.idx.removeSlot(slot)
	*e = hashEntry{} // drop the strings for the collector
	h.dead++
	// Holes at the end cost nothing to drop; doing so keeps a hash used as a
	// stack (HSET then HDEL of the newest field) from ever compacting.
	for n := len(h.ents); n > 0 && !h.ents[n-1].live; n-- {
		h.ents = h.ents[:n-1]
		h.dead--
	}
	if h.dead >= hashCompactMin && h.dead > h.idx.n {
		h.compact()
	}
	if h.idx.n == 0 {
		h.ents, h.dead = nil, 0
	}
	return true
}

// compact removes the holes, preserving order, in O(len(ents)), and
// rebuilds the index for the new positions.
func (h *Hash) compact() {
	ents := make([]hashEntry, 0, h.idx.n)
	h.idx.reset(h.idx.n)
	for _, e := range h.ents {
		if e.live {
			h.idx.add(strHash(e.field), len(ents))
			ents = append(ents, e)
		}
	}
	h.ents, h.dead = ents, 0
}

// Each calls fn for every field in insertion order until fn returns false.
// fn must not modify the hash.
func (h *Hash) Each(fn func(field, value string) bool) {
	for _, e := range h.ents {
		if e.live && !fn(e.field, e.value) {
			return
		}
	}
}
