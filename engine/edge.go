package engine

// Helpers for the protocol edges (the RESP listener) that the command API
// does not otherwise expose.

import "github.com/isa-cloud/isa-memstore/store"

// KeyVersion identifies the state of a key at one moment: two versions of
// the same key compare equal only if the key was not written, deleted,
// expired or given a new TTL in between. Protocol edges use it for Redis's
// WATCH. A missing key has the zero KeyVersion. Holding a KeyVersion keeps
// the value it saw reachable until it is dropped.
type KeyVersion struct {
	e *store.Entry
	v uint32
}

// KeyVersion returns key's current version (see the KeyVersion type). It is
// not a command: it counts nothing in the statistics.
func (t Txn) KeyVersion(key string) KeyVersion {
	e := t.tx.Get(key)
	if e == nil {
		return KeyVersion{}
	}
	return KeyVersion{e: e, v: e.Version()}
}

// Volatile is the number of keys with an expiry in the namespace (Redis's
// INFO keyspace "expires"); like Stats, it may include keys past their
// deadline that have not been reclaimed yet.
func (db *DB) Volatile() int64 { return db.ks.Stats().Volatile }
