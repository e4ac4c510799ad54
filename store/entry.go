// Package store is the sharded in-memory keyspace under the engine: typed
// values, per-key metadata, an expiry index per shard, and transactions that
// lock the shards of the keys they touch in ascending order.
//
// store knows nothing of Redis commands; it keeps the data, its metadata and
// the counters consistent, and lets the engine implement semantics on top.
package store

import (
	"fmt"
	"math"
	"unsafe"
)

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

// Collection is a non-string value: a hash, list, set or sorted set (the
// four types of this package). The implementations keep Bytes up to date
// incrementally so that size accounting is O(1) per change.
type Collection interface {
	// Type is the value's type (never TypeString or TypeNone).
	Type() Type
	// Len is the number of elements; a key never holds an empty collection.
	Len() int
	// Bytes approximates the memory the elements use.
	Bytes() int64
	acct() *accounting
}

// accounting is embedded in every collection: the bytes the keyspace last
// counted for the key holding it, so that Tx.Changed can add the
// difference. A string needs no such field (its size follows from its
// length, and it only changes through Tx.SetStr), which keeps it out of
// the per-key Entry.
type accounting struct{ counted int64 }

func (a *accounting) acct() *accounting { return a }

// entryOverhead approximates what a key costs beyond its bytes: the map slot,
// the Entry struct and allocator rounding. It only has to be in the right
// range: it feeds statistics and the memory limit, not correctness.
const entryOverhead = 64

// Entry is one key's value and metadata. The engine reads the value with
// Str or the typed collection accessors; it replaces a string with
// Tx.SetStr, and may mutate a collection in place inside a transaction and
// must then call Tx.Changed so that sizes and counters follow.
//
// An Entry is the per-key cost of the whole engine, so it is packed into
// 32 bytes, one allocation in the 32-byte size class (Tx.PutString puts a
// short key in the same allocation, in the next size class up):
//   - val holds either the string's bytes (with n its length) or the
//     collection (the type says which of *Hash, *List, *Set, *ZSet),
//     instead of a 16-byte string header beside a 16-byte interface, of
//     which one is always empty;
//   - created and accessed are Unix seconds in 32 bits (good until 2106):
//     Redis reports idle time in seconds too (OBJECT IDLETIME);
//   - n is 32 bits: the engine refuses strings over 512 MB (Redis's
//     proto-max-bulk-len), so a longer one here is a programming error;
//   - the type shares a word with the write counter (3 bits + 29), and the
//     accounted size is not stored: a string's follows from its length, a
//     collection keeps its own (accounting).
//
// BenchmarkHeapPerKey (engine) measures the effect; see bench/RESULTS.md.
type Entry struct {
	val      unsafe.Pointer
	deadline int64 // Unix ms (the engine's unit, as Redis); 0 means no expiry
	n        uint32
	created  uint32 // Unix s
	accessed uint32 // Unix s
	// vt is the type (low 3 bits) and a counter of the writes to this
	// entry (value, TTL, rename), so that a WATCH can tell whether a key
	// changed; it wraps after 2^29 writes, far more than can happen
	// between a WATCH and its EXEC.
	vt uint32
}

const typeBits = 3

// NewString returns an entry holding a string value.
func NewString(s string) *Entry {
	e := &Entry{vt: uint32(TypeString)}
	e.setStr(s)
	return e
}

// NewCollection returns an entry holding c, which must be a *Hash, *List,
// *Set or *ZSet.
func NewCollection(c Collection) *Entry {
	e := &Entry{vt: uint32(c.Type())}
	switch c := c.(type) {
	case *Hash:
		e.val = unsafe.Pointer(c)
	case *List:
		e.val = unsafe.Pointer(c)
	case *Set:
		e.val = unsafe.Pointer(c)
	case *ZSet:
		e.val = unsafe.Pointer(c)
	default:
		panic(fmt.Sprintf("store: unknown collection %T", c))
	}
	return e
}

func (e *Entry) setStr(s string) {
	if uint64(len(s)) >= strGrown {
		panic("store: string value over 2 GB")
	}
	e.val = unsafe.Pointer(unsafe.StringData(s))
	e.n = uint32(len(s))
}

// A string that APPEND has grown, or that SETRANGE, SETBIT or BITFIELD
// has written, lives in a buffer with room to grow, as Redis's sds strings
// do, so that a run of APPENDs copies the value a logarithmic number of
// times instead of on every call (which made building a string by APPEND
// quadratic), and a run of SETBITs on a large bitmap writes one byte each
// instead of copying the bitmap. Such an entry has strGrown set in n, and
// val points to the buffer's header, the capacity in bytes and the lent
// flag, followed by the bytes.
//
// Strings handed out (Str) share the buffer's bytes and must never change,
// so Str sets lent. An append only writes past the end, which no string
// handed out covers, so it may always reuse the buffer; a write inside the
// value (mutableStr) reuses it only while it is not lent, and otherwise
// writes a fresh copy, which is not. Anything else that changes the value
// replaces the buffer (setStr).
const (
	strGrown  = 1 << 31
	strHeader = 8 // the capacity (uint32), then the lent flag (uint32)
	strLent   = 4 // offset of the lent flag
)

// Str is the value of a string key ("" for a collection).
func (e *Entry) Str() string {
	if e.n&strGrown != 0 && e.typ() == TypeString {
		// Written once: a run of GETs leaves the buffer's line clean.
		if lent := e.strLentFlag(); *lent == 0 {
			*lent = 1
		}
	}
	return e.PeekStr()
}

// PeekStr is Str for a caller that reads the bytes during the transaction
// and keeps no part of them, not even a substring: unlike Str, it leaves
// the buffer free for the next in-place write (Tx.MutateStr), so that
// GETBIT or BITCOUNT between SETBITs does not make each SETBIT copy.
func (e *Entry) PeekStr() string {
	if e.typ() != TypeString {
		return ""
	}
	if e.n&strGrown != 0 {
		return unsafe.String((*byte)(unsafe.Add(e.val, strHeader)), e.n&^strGrown)
	}
	return unsafe.String((*byte)(e.val), e.n)
}

// Raw reports whether the value is a string kept in a growable buffer
// (grown by APPEND or written in place, and not replaced since), which
// Redis reports as encoding raw whatever it holds.
func (e *Entry) Raw() bool { return e.typ() == TypeString && e.n&strGrown != 0 }

// strCap is a grown buffer's capacity.
func (e *Entry) strCap() int { return int(*(*uint32)(e.val)) }

// strLentFlag is a grown buffer's lent flag: non-zero once Str has handed
// out a string that shares the bytes.
func (e *Entry) strLentFlag() *uint32 { return (*uint32)(unsafe.Add(e.val, strLent)) }

// appendStr appends suffix to the string value, in place when the buffer
// has room, else in a new buffer with room for more (growStr).
func (e *Entry) appendStr(suffix string) {
	cur := e.PeekStr()
	n := len(cur) + len(suffix)
	if uint64(n) >= strGrown {
		panic("store: string value over 2 GB")
	}
	if e.n&strGrown != 0 && n <= e.strCap() {
		// Only a non-empty suffix has a place inside the buffer to point
		// at: a full buffer's end is past its allocation.
		if len(suffix) > 0 {
			copy(unsafe.Slice((*byte)(unsafe.Add(e.val, strHeader+len(cur))), len(suffix)), suffix)
		}
		e.n = uint32(n) | strGrown
		return
	}
	buf := e.growStr(cur, n, true)
	copy(buf[len(cur):], suffix)
}

// mutableStr makes the value at least n bytes long, zero bytes added at
// the end, and returns its bytes for the caller to change in place. The
// buffer is reused when it has room and no string handed out shares it;
// otherwise the value is copied into a new one, with room to grow as
// APPEND leaves when it grows, and exactly its size when it does not, as
// Redis unshares a string before writing into it.
func (e *Entry) mutableStr(n int) []byte {
	cur := e.PeekStr()
	n = max(n, len(cur))
	if uint64(n) >= strGrown {
		panic("store: string value over 2 GB")
	}
	if e.n&strGrown != 0 && *e.strLentFlag() == 0 && n <= e.strCap() {
		b := unsafe.Slice((*byte)(unsafe.Add(e.val, strHeader)), n)
		clear(b[len(cur):])
		e.n = uint32(n) | strGrown
		return b
	}
	return e.growStr(cur, n, n > len(cur))
}

// growStr moves the value into a new buffer for n bytes that begins with
// cur (the rest zero) and returns the n bytes. With room, the capacity is
// twice n up to 1 MB and 1 MB more beyond, as Redis's sdsMakeRoomFor.
func (e *Entry) growStr(cur string, n int, room bool) []byte {
	size := n
	if room {
		size = n + min(n, 1<<20)
		if uint64(size) >= strGrown {
			size = n
		}
	}
	// At least one byte, so that Str's pointer to the bytes stays inside
	// the allocation even for an empty value.
	size = max(size, 1)
	buf := make([]byte, strHeader+size)
	*(*uint32)(unsafe.Pointer(&buf[0])) = uint32(size)
	copy(buf[strHeader:], cur)
	e.val, e.n = unsafe.Pointer(&buf[0]), uint32(n)|strGrown
	return buf[strHeader : strHeader+n]
}

// strBytes is what a string value occupies: its length, or a grown
// buffer's header and capacity.
func (e *Entry) strBytes() int64 {
	if e.n&strGrown != 0 {
		return strHeader + int64(e.strCap())
	}
	return int64(e.n)
}

// Coll is the value of a collection key; nil for strings.
func (e *Entry) Coll() Collection {
	switch e.typ() {
	case TypeHash:
		return (*Hash)(e.val)
	case TypeList:
		return (*List)(e.val)
	case TypeSet:
		return (*Set)(e.val)
	case TypeZSet:
		return (*ZSet)(e.val)
	}
	return nil
}

// NewHashEntry returns an entry holding a new empty hash, the two in one
// allocation of two cache lines: a command on a hash reads the entry
// (type, deadline) and then the hash's header (index and fields), and
// with separate allocations those were three lines in different places,
// each a cache miss in a keyspace of thousands of hashes (HSET 2-6% faster
// in BenchmarkEmbedded, 1000 hashes, A/Bs of 15 and 21 rounds).
func NewHashEntry() *Entry {
	b := &hashBlock{}
	b.e.vt = uint32(TypeHash)
	b.e.val = unsafe.Pointer(&b.h)
	return &b.e
}

// hashBlock is NewHashEntry's allocation, padded to a size class whose
// objects start on a line.
type hashBlock struct {
	e Entry
	h Hash
	_ [hashBlockPad]byte
}

const hashBlockPad = (2*cacheLine - (unsafe.Sizeof(Entry{})+unsafe.Sizeof(Hash{}))%(2*cacheLine)) % (2 * cacheLine)

// Hash is the value of a hash key, nil for other types.
func (e *Entry) Hash() *Hash {
	if e.typ() != TypeHash {
		return nil
	}
	return (*Hash)(e.val)
}

// List is the value of a list key, nil for other types.
func (e *Entry) List() *List {
	if e.typ() != TypeList {
		return nil
	}
	return (*List)(e.val)
}

// Set is the value of a set key, nil for other types.
func (e *Entry) Set() *Set {
	if e.typ() != TypeSet {
		return nil
	}
	return (*Set)(e.val)
}

// ZSet is the value of a sorted-set key, nil for other types.
func (e *Entry) ZSet() *ZSet {
	if e.typ() != TypeZSet {
		return nil
	}
	return (*ZSet)(e.val)
}

// Type is the value's type.
func (e *Entry) Type() Type { return e.typ() }

func (e *Entry) typ() Type { return Type(e.vt & (1<<typeBits - 1)) }

// touch stamps a read at sec (Unix s). The stamp is only written when it
// changes: a hot key read many times a second keeps its cache line clean
// for the other core.
func (e *Entry) touch(sec uint32) {
	if e.accessed != sec {
		e.accessed = sec
	}
}

// bump counts a write.
func (e *Entry) bump() { e.vt += 1 << typeBits }

// Deadline is the expiry time in Unix milliseconds, 0 when the key is
// persistent.
func (e *Entry) Deadline() int64 { return e.deadline }

// Created is when the key was created (Unix ms, whole seconds).
func (e *Entry) Created() int64 { return int64(e.created) * 1000 }

// Accessed is when the key was last read or written (Unix ms, whole
// seconds).
func (e *Entry) Accessed() int64 { return int64(e.accessed) * 1000 }

// Version changes whenever the entry's value or TTL changes (or the entry
// is stored under a key). Together with the entry's identity it tells
// whether a key was written since it was last looked at (Redis WATCH).
func (e *Entry) Version() uint32 { return e.vt >> typeBits }

// Size is the approximate number of bytes key and its value use, as the
// keyspace counts them.
func (e *Entry) Size(key string) int64 { return e.measure(key) }

// counted is what the keyspace has counted for the entry stored under key.
func (e *Entry) counted(key string) int64 {
	if c := e.Coll(); c != nil {
		return c.acct().counted
	}
	return e.measure(key)
}

func (e *Entry) measure(key string) int64 {
	if c := e.Coll(); c != nil {
		return measureColl(key, c)
	}
	return int64(len(key)) + entryOverhead + e.strBytes()
}

// measureColl is measure for an entry holding c.
func measureColl(key string, c Collection) int64 {
	return int64(len(key)) + entryOverhead + c.Bytes()
}

func (e *Entry) empty() bool {
	c := e.Coll()
	return c != nil && c.Len() == 0
}

// unixSeconds converts the transaction clock (Unix ms) to an Entry's
// 32-bit seconds, clamped to the representable range.
func unixSeconds(ms int64) uint32 {
	s := ms / 1000
	if s < 0 {
		return 0
	}
	if s > math.MaxUint32 {
		return math.MaxUint32
	}
	return uint32(s)
}
