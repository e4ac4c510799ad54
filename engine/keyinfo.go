package engine

import "time"

// KeyInfo describes a key without touching it.
type KeyInfo struct {
	// Type is the value's type.
	Type Type
	// PTTL is the remaining time to live in milliseconds, or NoExpiry for a
	// key without one (as PTTL); a missing key has no KeyInfo (PTTL would
	// be NoKey).
	PTTL int64
	// TTL is PTTL as a Duration: NoExpiry is -1ms.
	TTL time.Duration
	// ExpiresAt is the absolute expiry; zero for a key without one.
	ExpiresAt time.Time
	// Size approximates the bytes the key and its value use.
	Size int64
	// CreatedAt is when the key was created (a SET over an existing string
	// keeps it, as the key was not recreated).
	CreatedAt time.Time
	// LastAccessed is the last read or write before this call: KeyInfo
	// itself does not count as an access.
	LastAccessed time.Time
}

// TTLSeconds is TTL's reply for the key: seconds rounded as Redis does, or
// NoExpiry.
func (k KeyInfo) TTLSeconds() int64 {
	if k.PTTL < 0 {
		return k.PTTL
	}
	return (k.PTTL + 500) / 1000
}

// KeyInfo describes key; found is false when it does not exist.
func (db *DB) KeyInfo(key string) (info KeyInfo, found bool, err error) {
	err = db.run(key, func(t Txn) error { info, found = t.KeyInfo(key); return nil })
	return info, found, err
}

// KeyInfo describes key (like OBJECT and PTTL together). It neither marks
// the key accessed nor counts a keyspace hit or miss, as Redis's OBJECT.
func (t Txn) KeyInfo(key string) (KeyInfo, bool) {
	t.read()
	e := t.tx.Peek(key)
	if e == nil {
		return KeyInfo{PTTL: NoKey, TTL: time.Duration(NoKey) * time.Millisecond}, false
	}
	info := KeyInfo{
		Type:         e.Type(),
		PTTL:         NoExpiry,
		Size:         e.Size(key),
		CreatedAt:    unixMs(e.Created()),
		LastAccessed: unixMs(e.Accessed()),
	}
	if at := e.Deadline(); at != 0 {
		info.PTTL = max(at-t.tx.Now(), 0)
		info.ExpiresAt = unixMs(at)
	}
	info.TTL = time.Duration(info.PTTL) * time.Millisecond
	return info, true
}
