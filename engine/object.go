package engine

import (
	"math"

	"github.com/isa-cloud/isa-memstore/store"
)

// OBJECT ENCODING|REFCOUNT|IDLETIME|FREQ.
//
// The engine has one representation per type, so ENCODING reports what
// Redis 7.0 would use, under its default thresholds, for the value's
// current contents. Redis's encoding also depends on history, which the
// engine does not keep:
//   - Redis never converts back: a hash, set or sorted set that once
//     outgrew its compact encoding stays hashtable/skiplist after it
//     shrinks; here it reports the compact encoding again.
//   - the result of INCRBYFLOAT is embstr or raw in Redis whatever it
//     holds; here an integer-looking one reports int. A string grown by
//     APPEND or written by SETRANGE, SETBIT or BITFIELD does report raw,
//     as in Redis: the engine keeps it in a buffer too (store.Entry.Raw).
//   - COPY keeps the source's encoding in Redis; here the copy's contents
//     decide, as for any key.

// Redis 7.0's default encoding thresholds.
const (
	hashMaxListpackEntries = 512 // hash-max-listpack-entries (512 in 7.0, not 128)
	hashMaxListpackValue   = 64  // hash-max-listpack-value
	zsetMaxListpackEntries = 128 // zset-max-listpack-entries
	zsetMaxListpackValue   = 64  // zset-max-listpack-value
	setMaxIntsetEntries    = 512 // set-max-intset-entries
	embstrSizeLimit        = 44  // OBJ_ENCODING_EMBSTR_SIZE_LIMIT
	sharedIntegers         = 10000
	// sharedRefCount is what REFCOUNT reports for Redis's shared integer
	// objects (OBJ_SHARED_REFCOUNT, INT_MAX).
	sharedRefCount = math.MaxInt32
)

// errNoLFU is OBJECT FREQ's reply without an LFU maxmemory policy, which
// the engine never has (it does not evict).
var errNoLFU = invalidArg("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")

// ObjectInfo is what OBJECT reports about a key.
type ObjectInfo struct {
	// Encoding is Redis 7.0's name for the representation it would use
	// (see the package notes in object.go for where it can differ).
	Encoding string
	// RefCount is 2147483647 for the integers Redis shares (0-9999), else 1.
	RefCount int64
	// IdleSeconds is the time since the key's last access, in whole
	// seconds (Redis's LRU clock resolution).
	IdleSeconds int64
}

// Object describes key for OBJECT; found is false for a missing key.
func (db *DB) Object(key string) (info ObjectInfo, found bool, err error) {
	err = db.run(key, func(t Txn) error { info, found = t.Object(key); return nil })
	return info, found, err
}

// Object is OBJECT ENCODING/REFCOUNT/IDLETIME: it does not mark the key
// accessed (so IDLETIME reports the access before it) but counts a
// keyspace hit or miss, as Redis's lookup for OBJECT does.
func (t Txn) Object(key string) (ObjectInfo, bool) {
	t.read()
	e := t.tx.Peek(key)
	t.tx.CountRead(key, e != nil)
	if e == nil {
		return ObjectInfo{}, false
	}
	info := ObjectInfo{Encoding: encodingOf(e), RefCount: 1}
	if info.Encoding == "int" {
		if v, _ := parseInt(e.PeekStr()); v >= 0 && v < sharedIntegers {
			info.RefCount = sharedRefCount
		}
	}
	info.IdleSeconds = max(t.tx.Now()-e.Accessed(), 0) / 1000
	return info, true
}

// ObjectFreq is OBJECT FREQ: nothing for a missing key, else Redis's error
// for a server without an LFU policy.
func (db *DB) ObjectFreq(key string) (found bool, err error) {
	err = db.run(key, func(t Txn) error { found, err = t.ObjectFreq(key); return err })
	return found, err
}

// ObjectFreq is OBJECT FREQ.
func (t Txn) ObjectFreq(key string) (bool, error) {
	if _, found := t.Object(key); !found {
		return false, nil
	}
	return true, errNoLFU
}

// encodingOf is the encoding Redis 7.0 would report for e's contents.
func encodingOf(e *store.Entry) string {
	switch e.Type() {
	case store.TypeString:
		if e.Raw() {
			return "raw"
		}
		s := e.PeekStr()
		if _, ok := parseInt(s); ok && len(s) <= 20 {
			return "int"
		}
		if len(s) <= embstrSizeLimit {
			return "embstr"
		}
		return "raw"
	case store.TypeList:
		// Redis 7.0 always uses a quicklist (listpack lists came in 7.2).
		return "quicklist"
	case store.TypeHash:
		h := e.Hash()
		compact := h.Len() <= hashMaxListpackEntries
		if compact {
			h.Each(func(f, v string) bool {
				compact = len(f) <= hashMaxListpackValue && len(v) <= hashMaxListpackValue
				return compact
			})
		}
		if compact {
			return "listpack"
		}
		return "hashtable"
	case store.TypeSet:
		// Redis 7.0 has no listpack sets (7.2 added them).
		s := e.Set()
		ints := s.Len() <= setMaxIntsetEntries
		if ints {
			s.Each(func(m string) bool { _, ints = parseInt(m); return ints })
		}
		if ints {
			return "intset"
		}
		return "hashtable"
	case store.TypeZSet:
		z := e.ZSet()
		compact := z.Len() <= zsetMaxListpackEntries
		if compact {
			z.Ascend(0, func(m store.ZMember) bool { compact = len(m.Member) <= zsetMaxListpackValue; return compact })
		}
		if compact {
			return "listpack"
		}
		return "skiplist"
	}
	return ""
}
