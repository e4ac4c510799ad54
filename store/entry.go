// Package store is the sharded in-memory keyspace under the engine: typed
// values, per-key metadata, an expiry index per shard, and transactions that
// lock the shards of the keys they touch in ascending order.
//
// store knows nothing of Redis commands; it keeps the data, its metadata and
// the counters consistent, and lets the engine implement semantics on top.
package store

// Type is the kind of value a key holds.
type Type uint8

// The value types, in the order Redis's TYPE names them.
const (
	TypeNone Type = iota
	TypeString
	TypeHash
	TypeList
	TypeSet
	TypeZSet
	numTypes
)

var typeNames = [numTypes]string{"none", "string", "hash", "list", "set", "zset"}

// String returns the name Redis's TYPE command uses.
func (t Type) String() string {
	if t >= numTypes {
		return "unknown"
	}
	return typeNames[t]
}

// Collection is a non-string value: a hash, list, set or sorted set. The
// implementations keep Bytes up to date incrementally so that size
// accounting is O(1) per change.
type Collection interface {
	// Type is the value's type (never TypeString or TypeNone).
	Type() Type
	// Len is the number of elements; a key never holds an empty collection.
	Len() int
	// Bytes approximates the memory the elements use.
	Bytes() int64
}

// entryOverhead approximates what a key costs beyond its bytes: the map slot,
// the Entry struct and allocator rounding. It only has to be in the right
// range: it feeds statistics and the memory limit, not correctness.
const entryOverhead = 64

// Entry is one key's value and metadata. The engine may read the exported
// fields and mutate Str or the collection in place inside a transaction, and
// must then call Tx.Changed so that sizes and counters follow.
type Entry struct {
	// Str is the value of a string key.
	Str string
	// Coll is the value of a collection key; nil for strings.
	Coll Collection

	deadline int64 // Unix ms (the engine's unit, as Redis); 0 means no expiry
	created  int64 // Unix ms
	accessed int64 // Unix ms
	size     int64 // bytes currently accounted for this key
	typ      Type
	// version counts the writes to this entry (value, TTL, rename), so that
	// a WATCH can tell whether a key changed; it fits in the struct's
	// padding, so it costs no memory per key.
	version uint32
}

// NewString returns an entry holding a string value.
func NewString(s string) *Entry { return &Entry{Str: s, typ: TypeString} }

// NewCollection returns an entry holding c.
func NewCollection(c Collection) *Entry { return &Entry{Coll: c, typ: c.Type()} }

// Type is the value's type.
func (e *Entry) Type() Type { return e.typ }

// Deadline is the expiry time in Unix milliseconds, 0 when the key is
// persistent.
func (e *Entry) Deadline() int64 { return e.deadline }

// Created is when the key was created (Unix ms).
func (e *Entry) Created() int64 { return e.created }

// Accessed is when the key was last read or written (Unix ms).
func (e *Entry) Accessed() int64 { return e.accessed }

// Version changes whenever the entry's value or TTL changes (or the entry
// is stored under a key). Together with the entry's identity it tells
// whether a key was written since it was last looked at (Redis WATCH).
func (e *Entry) Version() uint32 { return e.version }

// Size is the approximate number of bytes the key and its value use.
func (e *Entry) Size() int64 { return e.size }

func (e *Entry) measure(key string) int64 {
	n := int64(len(key)) + entryOverhead
	if e.Coll != nil {
		return n + e.Coll.Bytes()
	}
	return n + int64(len(e.Str))
}

func (e *Entry) empty() bool { return e.Coll != nil && e.Coll.Len() == 0 }
