package engine

import "github.com/isa-cloud/isa-memstore/store"

// COPY and MOVE, within a namespace or between two.
//
// Between two namespaces the operation holds the shard of the source key
// in one keyspace and the shard of the destination key in the other at
// the same time, so it is atomic: no caller observes the key in both
// namespaces, in neither, or half copied. The two keyspaces are always
// locked in the same global order (by namespace name), so two
// cross-namespace operations in opposite directions cannot deadlock. No
// other engine operation holds a lock of one namespace while taking one of
// another, so the order cannot be inverted elsewhere.

// errSameObject is Redis's reply to a COPY onto itself or a MOVE to the
// same database.
var errSameObject = invalidArg("ERR source and destination objects are the same")

// Copy copies the value at src to dst in the same namespace (COPY): a deep
// copy of any type, with src's TTL. It reports false, copying nothing,
// when src is missing or dst exists and replace is false.
func (db *DB) Copy(src, dst string, replace bool) (copied bool, err error) {
	err = db.Atomic([]string{src, dst}, func(t Txn) error { copied, err = t.Copy(src, dst, replace); return err })
	return copied, err
}

// Copy is COPY within the transaction's namespace.
func (t Txn) Copy(src, dst string, replace bool) (bool, error) {
	if err := t.write(); err != nil {
		return false, err
	}
	if src == dst {
		return false, errSameObject
	}
	return copyEntry(t.tx, t.tx, src, dst, replace), nil
}

// CopyTo copies the value at src in db to dst in namespace to (COPY ... DB
// n), atomically across the two namespaces; to == db is Copy.
func (db *DB) CopyTo(to *DB, src, dst string, replace bool) (copied bool, err error) {
	if to == db {
		return db.Copy(src, dst, replace)
	}
	err = across(db, src, to, dst, func(from, into *store.Tx) error {
		from.CountCommand()
		if err := db.checkMemory(); err != nil {
			return err
		}
		copied = copyEntry(from, into, src, dst, replace)
		return nil
	})
	return copied, err
}

// Move moves key from db to namespace to, keeping its TTL (MOVE). It
// reports false, moving nothing, when the key is missing from db or
// already exists in to.
func (db *DB) Move(key string, to *DB) (moved bool, err error) {
	if to == db {
		// Redis counts the command although it refuses it.
		err = db.run(key, func(t Txn) error { t.read(); return errSameObject })
		return false, err
	}
	err = across(db, key, to, key, func(from, into *store.Tx) error {
		// MOVE frees as much as it takes: Redis does not apply maxmemory.
		from.CountCommand()
		e := from.Get(key)
		if e == nil || into.Get(key) != nil {
			return nil
		}
		deadline := e.Deadline()
		from.Delete(key)
		// The entry itself changes namespace: Adopt accounts it there
		// anew, keeping its creation and access times.
		into.Adopt(key, e)
		if deadline != 0 {
			into.SetDeadline(key, e, deadline)
		}
		moved = true
		return nil
	})
	return moved, err
}

// across runs fn holding src's shard in a and dst's shard in b (a != b),
// taking the two keyspaces in name order.
func across(a *DB, src string, b *DB, dst string, fn func(from, into *store.Tx) error) error {
	now, err := a.begin()
	if err != nil {
		return err
	}
	if _, err := b.begin(); err != nil {
		return err
	}
	if a.name < b.name {
		return a.ks.Update(now, src, func(from *store.Tx) error {
			return b.ks.Update(now, dst, func(into *store.Tx) error { return fn(from, into) })
		})
	}
	return b.ks.Update(now, dst, func(into *store.Tx) error {
		return a.ks.Update(now, src, func(from *store.Tx) error { return fn(from, into) })
	})
}

// copyEntry is COPY's core: from and into may be the same transaction.
func copyEntry(from, into *store.Tx, src, dst string, replace bool) bool {
	e := from.Read(src)
	if e == nil {
		return false
	}
	if into.Get(dst) != nil {
		if !replace {
			return false
		}
		into.Delete(dst)
	}
	var ne *store.Entry
	if e.Type() == store.TypeString {
		// Strings are immutable: the copy shares the bytes.
		ne = into.PutString(dst, e.Str())
	} else {
		ne = store.NewCollection(cloneCollection(e.Coll()))
		into.Put(dst, ne)
	}
	if d := e.Deadline(); d != 0 {
		into.SetDeadline(dst, ne, d)
	}
	return true
}

// cloneCollection returns a deep copy of c.
func cloneCollection(c store.Collection) store.Collection {
	switch c := c.(type) {
	case *store.Hash:
		h := store.NewHash()
		c.Each(func(f, v string) bool { h.Set(f, v); return true })
		return h
	case *store.List:
		return store.NewList(c.Range(0, c.Len())...)
	case *store.Set:
		s := store.NewSet(c.Len())
		c.Each(func(m string) bool { s.Add(m); return true })
		return s
	case *store.ZSet:
		z := store.NewZSet()
		c.Ascend(0, func(m store.ZMember) bool { z.Set(m.Member, m.Score); return true })
		return z
	}
	panic("engine: unknown collection type")
}
