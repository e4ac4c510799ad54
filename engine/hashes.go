package engine

import (
	"errors"
	"math"
	"strconv"

	"github.com/isa-cloud/isa-memstore/store"
)

// Hash commands. Fields come back in insertion order (an updated field keeps
// its place, a deleted and re-added one goes last): Redis promises no order
// for HGETALL, HKEYS and HVALS, and insertion order is both deterministic
// and what Redis itself returns for small hashes.

// FieldValue is one field of a hash and its value.
type FieldValue struct {
	Field, Value string
}

// Hash-specific variants of the number errors, with Redis's texts.
var (
	errHashNotInteger = ErrNotInteger.withText("ERR hash value is not an integer")
	errHashNotFloat   = ErrNotFloat.withText("ERR hash value is not a float")
	// errIncrNaNOrInf is HINCRBYFLOAT refusing an infinite increment before
	// looking at the hash (INCRBYFLOAT has no such check).
	errIncrNaNOrInf = ErrNaNOrInf.withText("ERR value is NaN or Infinity")
)

// hashOf returns key's hash (nil when the key is absent) or ErrWrongType.
func hashOf(e *store.Entry) (*store.Hash, error) {
	if e == nil {
		return nil, nil
	}
	h := e.Hash()
	if h == nil {
		return nil, ErrWrongType
	}
	return h, nil
}

// readHash looks key up for a read command (counting a hit or miss).
func (t Txn) readHash(key string) (*store.Hash, error) {
	return hashOf(t.tx.Read(key))
}

// hashWrite is a write command's hash: the entry holding it, and whether
// that entry is a new one that storeHash will install.
type hashWrite struct {
	e     *store.Entry
	fresh bool
}

// writeHash looks key up for a write command. When the key is absent, h is
// a new empty hash in a new entry that storeHash will install.
func (t Txn) writeHash(key string) (hashWrite, *store.Hash, error) {
	e := t.tx.Get(key)
	h, err := hashOf(e)
	if err != nil {
		return hashWrite{}, nil, err
	}
	if h == nil {
		e = store.NewHashEntry()
		return hashWrite{e: e, fresh: true}, e.Hash(), nil
	}
	return hashWrite{e: e}, h, nil
}

// storeHash records a change to the hash w holds: a new key when it is
// fresh, otherwise an in-place change that keeps the key's TTL.
func (t Txn) storeHash(key string, w hashWrite) {
	if w.fresh {
		t.tx.Put(key, w.e)
		return
	}
	t.tx.Changed(key, w.e)
}

// HSet sets the fields of the hash at key (creating it) and returns how
// many fields are new (HSET). Later pairs win over earlier ones with the
// same field.
func (db *DB) HSet(key string, pairs ...FieldValue) (added int64, err error) {
	err = db.run(key, func(t Txn) error { added, err = t.HSet(key, pairs...); return err })
	return added, err
}

// HSet sets fields of the hash at key and returns how many are new (HSET).
func (t Txn) HSet(key string, pairs ...FieldValue) (int64, error) {
	if err := t.write(); err != nil {
		return 0, err
	}
	if len(pairs) == 0 {
		return 0, wrongArgs("hset")
	}
	for _, p := range pairs {
		if len(p.Value) > MaxStringSize || len(p.Field) > MaxStringSize {
			return 0, ErrTooLarge
		}
	}
	w, h, err := t.writeHash(key)
	if err != nil {
		return 0, err
	}
	var added int64
	for _, p := range pairs {
		if h.Set(p.Field, p.Value) {
			added++
		}
	}
	t.storeHash(key, w)
	return added, nil
}

// HSetNX sets field only if it does not exist and reports whether it did
// (HSETNX).
func (db *DB) HSetNX(key, field, value string) (set bool, err error) {
	err = db.run(key, func(t Txn) error { set, err = t.HSetNX(key, field, value); return err })
	return set, err
}

// HSetNX sets field only if it does not exist (HSETNX).
func (t Txn) HSetNX(key, field, value string) (bool, error) {
	if err := t.write(); err != nil {
		return false, err
	}
	if len(value) > MaxStringSize || len(field) > MaxStringSize {
		return false, ErrTooLarge
	}
	w, h, err := t.writeHash(key)
	if err != nil || h.Has(field) {
		return false, err
	}
	h.Set(field, value)
	t.storeHash(key, w)
	return true, nil
}

// HGet returns the value of field in the hash at key (HGET).
func (db *DB) HGet(key, field string) (value string, found bool, err error) {
	err = db.run(key, func(t Txn) error { value, found, err = t.HGet(key, field); return err })
	return value, found, err
}

// HGet returns the value of field (HGET).
func (t Txn) HGet(key, field string) (string, bool, error) {
	t.read()
	h, err := t.readHash(key)
	if err != nil || h == nil {
		return "", false, err
	}
	v, ok := h.Get(field)
	return v, ok, nil
}

// HMGet returns the value of each field (HMGET); a missing key answers
// every field as not found.
func (db *DB) HMGet(key string, fields ...string) (out []Maybe, err error) {
	err = db.run(key, func(t Txn) error { out, err = t.HMGet(key, fields...); return err })
	return out, err
}

// HMGet returns the value of each field (HMGET).
func (t Txn) HMGet(key string, fields ...string) ([]Maybe, error) {
	t.read()
	if len(fields) == 0 {
		return nil, wrongArgs("hmget")
	}
	h, err := t.readHash(key)
	if err != nil {
		return nil, err
	}
	out := make([]Maybe, len(fields))
	if h != nil {
		for i, f := range fields {
			out[i].Value, out[i].Found = h.Get(f)
		}
	}
	return out, nil
}

// HGetAll returns every field and value, in insertion order (HGETALL).
func (db *DB) HGetAll(key string) (out []FieldValue, err error) {
	err = db.run(key, func(t Txn) error { out, err = t.HGetAll(key); return err })
	return out, err
}

// HGetAll returns every field and value in insertion order (HGETALL).
func (t Txn) HGetAll(key string) ([]FieldValue, error) {
	t.read()
	h, err := t.readHash(key)
	if err != nil {
		return nil, err
	}
	if h == nil {
		return []FieldValue{}, nil
	}
	out := make([]FieldValue, 0, h.Len())
	h.Each(func(f, v string) bool {
		out = append(out, FieldValue{Field: f, Value: v})
		return true
	})
	return out, nil
}

// HKeys returns the fields in insertion order (HKEYS).
func (db *DB) HKeys(key string) (out []string, err error) {
	err = db.run(key, func(t Txn) error { out, err = t.HKeys(key); return err })
	return out, err
}

// HKeys returns the fields in insertion order (HKEYS).
func (t Txn) HKeys(key string) ([]string, error) { return t.hashColumn(key, true) }

// HVals returns the values in field insertion order (HVALS).
func (db *DB) HVals(key string) (out []string, err error) {
	err = db.run(key, func(t Txn) error { out, err = t.HVals(key); return err })
	return out, err
}

// HVals returns the values in field insertion order (HVALS).
func (t Txn) HVals(key string) ([]string, error) { return t.hashColumn(key, false) }

func (t Txn) hashColumn(key string, fields bool) ([]string, error) {
	t.read()
	h, err := t.readHash(key)
	if err != nil {
		return nil, err
	}
	if h == nil {
		return []string{}, nil
	}
	out := make([]string, 0, h.Len())
	h.Each(func(f, v string) bool {
		if fields {
			out = append(out, f)
		} else {
			out = append(out, v)
		}
		return true
	})
	return out, nil
}

// HDel deletes fields from the hash at key and returns how many existed
// (HDEL). The key goes when its last field does.
func (db *DB) HDel(key string, fields ...string) (n int64, err error) {
	err = db.run(key, func(t Txn) error { n, err = t.HDel(key, fields...); return err })
	return n, err
}

// HDel deletes fields and returns how many existed (HDEL).
func (t Txn) HDel(key string, fields ...string) (int64, error) {
	t.read() // deleting frees memory: never refused by the limit
	if len(fields) == 0 {
		return 0, wrongArgs("hdel")
	}
	e := t.tx.Get(key)
	h, err := hashOf(e)
	if err != nil || h == nil {
		return 0, err
	}
	var n int64
	for _, f := range fields {
		if h.Delete(f) {
			n++
		}
	}
	if n > 0 {
		t.tx.Changed(key, e)
	}
	return n, nil
}

// HExists reports whether field exists in the hash at key (HEXISTS).
func (db *DB) HExists(key, field string) (ok bool, err error) {
	err = db.run(key, func(t Txn) error { ok, err = t.HExists(key, field); return err })
	return ok, err
}

// HExists reports whether field exists (HEXISTS).
func (t Txn) HExists(key, field string) (bool, error) {
	t.read()
	h, err := t.readHash(key)
	if err != nil || h == nil {
		return false, err
	}
	return h.Has(field), nil
}

// HLen is the number of fields in the hash at key, 0 when absent (HLEN).
func (db *DB) HLen(key string) (n int64, err error) {
	err = db.run(key, func(t Txn) error { n, err = t.HLen(key); return err })
	return n, err
}

// HLen is the number of fields (HLEN).
func (t Txn) HLen(key string) (int64, error) {
	t.read()
	h, err := t.readHash(key)
	if err != nil || h == nil {
		return 0, err
	}
	return int64(h.Len()), nil
}

// HStrLen is the length of field's value, 0 when absent (HSTRLEN).
func (db *DB) HStrLen(key, field string) (n int64, err error) {
	err = db.run(key, func(t Txn) error { n, err = t.HStrLen(key, field); return err })
	return n, err
}

// HStrLen is the length of field's value (HSTRLEN).
func (t Txn) HStrLen(key, field string) (int64, error) {
	v, _, err := t.HGet(key, field)
	return int64(len(v)), err
}

// HIncrBy adds delta to the integer in field (a missing field counts as
// 0) and returns the new value (HINCRBY). The key keeps its TTL.
func (db *DB) HIncrBy(key, field string, delta int64) (v int64, err error) {
	err = db.run(key, func(t Txn) error { v, err = t.HIncrBy(key, field, delta); return err })
	return v, err
}

// HIncrBy adds delta to the integer in field (HINCRBY).
func (t Txn) HIncrBy(key, field string, delta int64) (int64, error) {
	if err := t.write(); err != nil {
		return 0, err
	}
	w, h, err := t.writeHash(key)
	if err != nil {
		return 0, err
	}
	var cur int64
	if s, ok := h.Get(field); ok {
		if cur, ok = parseInt(s); !ok {
			return 0, errHashNotInteger
		}
	}
	if (delta > 0 && cur > math.MaxInt64-delta) || (delta < 0 && cur < math.MinInt64-delta) {
		return 0, ErrOverflow
	}
	h.Set(field, strconv.FormatInt(cur+delta, 10))
	t.storeHash(key, w)
	return cur + delta, nil
}

// HIncrByFloat adds delta to the number in field with Redis's long double
// arithmetic and formatting, and returns the stored text (HINCRBYFLOAT).
func (db *DB) HIncrByFloat(key, field string, delta float64) (v string, err error) {
	err = db.run(key, func(t Txn) error { v, err = t.HIncrByFloat(key, field, delta); return err })
	return v, err
}

// HIncrByFloat adds delta to the number in field (HINCRBYFLOAT).
func (t Txn) HIncrByFloat(key, field string, delta float64) (string, error) {
	if err := t.write(); err != nil {
		return "", err
	}
	if math.IsNaN(delta) || math.IsInf(delta, 0) {
		return "", errIncrNaNOrInf
	}
	w, h, err := t.writeHash(key)
	if err != nil {
		return "", err
	}
	cur, ok := h.Get(field)
	if !ok {
		cur = "0"
	}
	v, err := addFloat(cur, delta)
	if errors.Is(err, ErrNotFloat) {
		return "", errHashNotFloat
	}
	if err != nil {
		return "", err
	}
	h.Set(field, v)
	t.storeHash(key, w)
	return v, nil
}
