package engine

import (
	"math"
	"strconv"
	"time"

	"github.com/isa-cloud/isa-memstore/store"
)

// MaxStringSize is the largest string value, as Redis's default
// proto-max-bulk-len (512 MB).
const MaxStringSize = 512 << 20

// SetOptions are SET's options. The zero value is a plain SET.
type SetOptions struct {
	// TTL > 0 sets a relative expiry (EX/PX); negative is an error. Below a
	// millisecond it rounds up to one, so a positive TTL never means "none".
	TTL time.Duration
	// ExpireAt, when not zero, sets an absolute expiry (EXAT/PXAT); a time in
	// the past stores nothing, as Redis.
	ExpireAt time.Time
	// KeepTTL keeps the key's current expiry (KEEPTTL).
	KeepTTL bool
	// NX writes only if the key does not exist; XX only if it does.
	NX, XX bool
	// Get returns the previous value (SET ... GET).
	Get bool
}

// SetResult is what SET reports.
type SetResult struct {
	// Written is false when NX or XX prevented the write.
	Written bool
	// Old and HadOld are the previous value, filled only with Get.
	Old    string
	HadOld bool
}

// ttlMillis converts a relative TTL to whole milliseconds, rounding a
// positive sub-millisecond TTL up to 1ms.
func ttlMillis(d time.Duration) int64 {
	ms := d.Milliseconds()
	if ms == 0 && d > 0 {
		ms = 1
	}
	return ms
}

// deadline computes SET's deadline (0 = none) or the error Redis gives;
// now is the time in Unix ms, read only when o.TTL > 0 (else unused).
func (o *SetOptions) deadline(now int64) (int64, error) {
	n := 0
	if o.TTL != 0 {
		n++
	}
	if !o.ExpireAt.IsZero() {
		n++
	}
	if o.KeepTTL {
		n++
	}
	if n > 1 || (o.NX && o.XX) {
		return 0, ErrSyntax
	}
	switch {
	case o.TTL < 0:
		return 0, invalidExpire("set")
	case o.TTL > 0:
		ms := ttlMillis(o.TTL)
		if ms > math.MaxInt64-now {
			return 0, invalidExpire("set")
		}
		return now + ms, nil
	case !o.ExpireAt.IsZero():
		at := o.ExpireAt.UnixMilli()
		if at <= 0 {
			return 0, invalidExpire("set")
		}
		return at, nil
	}
	return 0, nil
}

// InvalidExpire is the error Redis gives for a bad expire time in command
// cmd ("ERR invalid expire time in 'set' command"); protocol edges use it
// for arguments the Go API cannot express, such as EX 0.
func InvalidExpire(cmd string) error { return invalidExpire(cmd) }

// Get returns the string at key.
func (db *DB) Get(key string) (value string, found bool, err error) {
	// The common case skips the transaction (store.ReadString says why);
	// a key past its deadline is deleted by the transaction below.
	if !db.e.closed.Load() {
		v, ok, wrong, expired := db.ks.ReadString(key)
		if wrong {
			return "", false, ErrWrongType
		}
		if !expired {
			return v, ok, nil
		}
	}
	err = db.run(key, func(t Txn) error { value, found, err = t.Get(key); return err })
	return value, found, err
}

// Get returns the string at key (GET).
func (t Txn) Get(key string) (string, bool, error) {
	e, err := t.readString(key)
	if e == nil {
		return "", false, err
	}
	return e.Str(), true, nil
}

// readString looks key up for a read command on a string (counting a hit
// or miss): its entry, nil when absent, or ErrWrongType.
func (t Txn) readString(key string) (*store.Entry, error) {
	t.read()
	e := t.tx.Read(key)
	if e != nil && e.Type() != store.TypeString {
		return nil, ErrWrongType
	}
	return e, nil
}

// Set is Redis's SET with its options.
func (db *DB) Set(key, value string, opts SetOptions) (res SetResult, err error) {
	err = db.run(key, func(t Txn) error { res, err = t.Set(key, value, opts); return err })
	return res, err
}

// Set is Redis's SET with its options.
func (t Txn) Set(key, value string, opts SetOptions) (res SetResult, err error) {
	if err := t.write(); err != nil {
		return res, err
	}
	if len(value) > MaxStringSize {
		return res, ErrTooLarge
	}
	tx := t.tx
	// Only a relative TTL needs the time: reading the clock was 4% of a
	// pipelined SET's CPU over RESP (bench/RESULTS.md, session 8).
	var now int64
	if opts.TTL > 0 {
		now = tx.Now()
	}
	deadline, err := opts.deadline(now)
	if err != nil {
		return res, err
	}
	e := tx.Get(key)
	if opts.Get {
		tx.CountRead(key, e != nil)
		if e != nil {
			if e.Type() != store.TypeString {
				return res, ErrWrongType
			}
			res.Old, res.HadOld = e.Str(), true
		}
	}
	if (opts.NX && e != nil) || (opts.XX && e == nil) {
		return res, nil
	}
	res.Written = true
	if opts.KeepTTL && e != nil {
		deadline = e.Deadline()
	}
	if deadline != 0 && deadline <= tx.Now() {
		// An absolute expiry in the past: Redis replies OK and the key is
		// gone.
		if e != nil {
			tx.Delete(key)
		}
		return res, nil
	}
	e = putString(tx, key, e, value)
	if deadline != 0 {
		tx.SetDeadline(key, e, deadline)
	}
	return res, nil
}

// putString stores value at key and returns its entry. An existing string
// entry is reused (saving an allocation and a map write on overwrite) and
// keeps its creation time; like SET, the write clears any TTL.
func putString(tx *store.Tx, key string, e *store.Entry, value string) *store.Entry {
	if e != nil && e.Type() == store.TypeString {
		if e.Deadline() != 0 {
			tx.SetDeadline(key, e, 0)
		}
		tx.SetStr(key, e, value)
		return e
	}
	return tx.PutString(key, value)
}

// SetNX sets key only if it does not exist and reports whether it did.
func (db *DB) SetNX(key, value string) (bool, error) {
	res, err := db.Set(key, value, SetOptions{NX: true})
	return res.Written, err
}

// GetSet sets key and returns its previous value (GETSET).
func (db *DB) GetSet(key, value string) (old string, found bool, err error) {
	res, err := db.Set(key, value, SetOptions{Get: true})
	return res.Old, res.HadOld, err
}

// GetDel returns the string at key and deletes the key (GETDEL).
func (db *DB) GetDel(key string) (value string, found bool, err error) {
	err = db.run(key, func(t Txn) error {
		if value, found, err = t.Get(key); found {
			t.tx.Delete(key)
		}
		return err
	})
	return value, found, err
}

// Maybe is a value that may be absent (a Redis nil).
type Maybe struct {
	Value string
	Found bool
}

// MGet returns the string at each key; a missing key or one holding another
// type is not found (MGET never fails on type).
func (db *DB) MGet(keys ...string) (out []Maybe, err error) {
	err = db.Atomic(keys, func(t Txn) error { out = t.MGet(keys...); return nil })
	return out, err
}

// MGet returns the string at each key (MGET).
func (t Txn) MGet(keys ...string) []Maybe {
	t.read()
	out := make([]Maybe, len(keys))
	for i, k := range keys {
		e := t.tx.Read(k)
		if e != nil && e.Type() == store.TypeString {
			out[i] = Maybe{Value: e.Str(), Found: true}
		}
	}
	return out
}

// KV is a key and a string value.
type KV struct {
	Key, Value string
}

func kvKeys(pairs []KV) []string {
	keys := make([]string, len(pairs))
	for i, p := range pairs {
		keys[i] = p.Key
	}
	return keys
}

// MSet sets every pair atomically (MSET). Later pairs win over earlier ones
// with the same key.
func (db *DB) MSet(pairs ...KV) error {
	return db.Atomic(kvKeys(pairs), func(t Txn) error { _, err := t.MSet(false, pairs...); return err })
}

// MSetNX sets every pair only if none of the keys exists (MSETNX), and
// reports whether it did.
func (db *DB) MSetNX(pairs ...KV) (written bool, err error) {
	err = db.Atomic(kvKeys(pairs), func(t Txn) error { written, err = t.MSet(true, pairs...); return err })
	return written, err
}

// MSet sets every pair (MSET), or with nx only if none of the keys exists
// (MSETNX), and reports whether it wrote.
func (t Txn) MSet(nx bool, pairs ...KV) (bool, error) {
	if err := t.write(); err != nil {
		return false, err
	}
	if len(pairs) == 0 {
		cmd := "mset"
		if nx {
			cmd = "msetnx"
		}
		return false, wrongArgs(cmd)
	}
	for _, p := range pairs {
		if len(p.Value) > MaxStringSize {
			return false, ErrTooLarge
		}
		if nx && t.tx.Get(p.Key) != nil {
			return false, nil
		}
	}
	for _, p := range pairs {
		putString(t.tx, p.Key, t.tx.Get(p.Key), p.Value)
	}
	return true, nil
}

// stringEntry returns key's string entry (nil if absent) or ErrWrongType.
func stringEntry(tx *store.Tx, key string) (*store.Entry, error) {
	e := tx.Get(key)
	if e != nil && e.Type() != store.TypeString {
		return nil, ErrWrongType
	}
	return e, nil
}

// storeString writes s at key: into e when the key exists (keeping its
// TTL, as INCR and APPEND do), as a new key otherwise.
func storeString(tx *store.Tx, key string, e *store.Entry, s string) {
	if e == nil {
		tx.PutString(key, s)
		return
	}
	tx.SetStr(key, e, s)
}

// Append appends value to the string at key (creating it) and returns the
// new length.
func (db *DB) Append(key, value string) (n int64, err error) {
	err = db.run(key, func(t Txn) error { n, err = t.Append(key, value); return err })
	return n, err
}

// Append appends value to the string at key and returns the new length
// (APPEND).
func (t Txn) Append(key, value string) (int64, error) {
	if err := t.write(); err != nil {
		return 0, err
	}
	e, err := stringEntry(t.tx, key)
	if err != nil {
		return 0, err
	}
	cur := ""
	if e != nil {
		cur = e.Str()
	}
	if len(cur)+len(value) > MaxStringSize {
		return 0, ErrTooLarge
	}
	if e == nil {
		t.tx.PutString(key, value)
	} else {
		t.tx.AppendStr(key, e, value)
	}
	return int64(len(cur) + len(value)), nil
}

// errOffsetRange is SETRANGE's refusal of a negative offset.
var errOffsetRange = invalidArg("ERR offset is out of range")

// SetRange overwrites the string at key from offset with value, padding
// with zero bytes (creating the key), and returns the new length
// (SETRANGE).
func (db *DB) SetRange(key string, offset int64, value string) (n int64, err error) {
	err = db.run(key, func(t Txn) error { n, err = t.SetRange(key, offset, value); return err })
	return n, err
}

// SetRange is SETRANGE: the string is written in place (store.Tx.MutateStr),
// so patching a few bytes of a large value costs those bytes. An empty
// value changes nothing and does not create the key, as in Redis.
func (t Txn) SetRange(key string, offset int64, value string) (int64, error) {
	if err := t.write(); err != nil {
		return 0, err
	}
	if offset < 0 {
		return 0, errOffsetRange
	}
	e, err := stringEntry(t.tx, key)
	if err != nil {
		return 0, err
	}
	cur := 0
	if e != nil {
		cur = len(e.PeekStr())
	}
	if len(value) == 0 {
		return int64(cur), nil
	}
	if offset > MaxStringSize-int64(len(value)) {
		return 0, ErrTooLarge
	}
	n := max(int64(cur), offset+int64(len(value)))
	writeString(t.tx, key, e, n, func(b []byte) { copy(b[offset:], value) })
	return n, nil
}

// StrLen is the length of the string at key (0 if absent).
func (db *DB) StrLen(key string) (n int64, err error) {
	err = db.run(key, func(t Txn) error {
		v, _, err := t.Get(key)
		n = int64(len(v))
		return err
	})
	return n, err
}

// Incr adds 1 to the integer at key (INCR).
func (db *DB) Incr(key string) (int64, error) { return db.IncrBy(key, 1) }

// Decr subtracts 1 from the integer at key (DECR).
func (db *DB) Decr(key string) (int64, error) { return db.IncrBy(key, -1) }

// DecrBy subtracts delta from the integer at key (DECRBY).
func (db *DB) DecrBy(key string, delta int64) (v int64, err error) {
	err = db.run(key, func(t Txn) error { v, err = t.DecrBy(key, delta); return err })
	return v, err
}

// DecrBy subtracts delta from the integer at key (DECRBY). Like Redis, a
// delta of math.MinInt64 cannot be negated and is refused.
func (t Txn) DecrBy(key string, delta int64) (int64, error) {
	if delta == math.MinInt64 {
		t.read()
		return 0, ErrOverflow.withText("ERR decrement would overflow")
	}
	return t.IncrBy(key, -delta)
}

// IncrBy adds delta to the integer at key, treating a missing key as 0, and
// returns the new value (INCRBY). The key keeps its TTL.
func (db *DB) IncrBy(key string, delta int64) (v int64, err error) {
	err = db.run(key, func(t Txn) error { v, err = t.IncrBy(key, delta); return err })
	return v, err
}

// IncrBy adds delta to the integer at key (INCRBY).
func (t Txn) IncrBy(key string, delta int64) (int64, error) {
	if err := t.write(); err != nil {
		return 0, err
	}
	e, err := stringEntry(t.tx, key)
	if err != nil {
		return 0, err
	}
	var cur int64
	if e != nil {
		var ok bool
		if cur, ok = parseInt(e.Str()); !ok {
			return 0, ErrNotInteger
		}
	}
	if (delta > 0 && cur > math.MaxInt64-delta) || (delta < 0 && cur < math.MinInt64-delta) {
		return 0, ErrOverflow
	}
	storeString(t.tx, key, e, strconv.FormatInt(cur+delta, 10))
	return cur + delta, nil
}

// IncrByFloat adds delta to the number at key (INCRBYFLOAT) with Redis's
// long double arithmetic and formatting, and returns the stored text.
func (db *DB) IncrByFloat(key string, delta float64) (v string, err error) {
	err = db.run(key, func(t Txn) error { v, err = t.IncrByFloat(key, delta); return err })
	return v, err
}

// IncrByFloat adds delta to the number at key (INCRBYFLOAT).
func (t Txn) IncrByFloat(key string, delta float64) (string, error) {
	if err := t.write(); err != nil {
		return "", err
	}
	e, err := stringEntry(t.tx, key)
	if err != nil {
		return "", err
	}
	cur := "0"
	if e != nil {
		cur = e.Str()
	}
	v, err := addFloat(cur, delta)
	if err != nil {
		return "", err
	}
	storeString(t.tx, key, e, v)
	return v, nil
}
