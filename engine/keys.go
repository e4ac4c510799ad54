package engine

import (
	"math"
	"sort"
	"time"

	"github.com/isa-cloud/isa-memstore/internal/glob"
	"github.com/isa-cloud/isa-memstore/store"
)

// Type is the kind of value a key holds; its String is the name Redis's
// TYPE command replies with.
type Type = store.Type

// The value types.
const (
	TypeNone   = store.TypeNone
	TypeString = store.TypeString
	TypeHash   = store.TypeHash
	TypeList   = store.TypeList
	TypeSet    = store.TypeSet
	TypeZSet   = store.TypeZSet
)

// TTL and PTTL answers for keys without an expiry and for missing keys, as
// in Redis.
const (
	NoExpiry int64 = -1
	NoKey    int64 = -2
)

// Del deletes the keys and returns how many existed.
func (db *DB) Del(keys ...string) (n int64, err error) {
	err = db.Atomic(keys, func(t Txn) error { n = t.Del(keys...); return nil })
	return n, err
}

// Del deletes the keys and returns how many existed (DEL).
func (t Txn) Del(keys ...string) (n int64) {
	t.read() // deleting frees memory: never refused by the limit
	for _, k := range keys {
		if t.tx.Delete(k) {
			n++
		}
	}
	return n
}

// Exists returns how many of the keys exist; a key named twice counts twice.
func (db *DB) Exists(keys ...string) (n int64, err error) {
	err = db.Atomic(keys, func(t Txn) error { n = t.Exists(keys...); return nil })
	return n, err
}

// Exists returns how many of the keys exist (EXISTS). Like Redis, it
// counts a keyspace hit or miss per key.
func (t Txn) Exists(keys ...string) (n int64) {
	t.read()
	for _, k := range keys {
		if t.tx.Read(k) != nil {
			n++
		}
	}
	return n
}

// ExpireFlags are EXPIRE's conditions; XX may be combined with GT or LT.
type ExpireFlags uint8

// The EXPIRE conditions.
const (
	// ExpireNX sets the expiry only when the key has none.
	ExpireNX ExpireFlags = 1 << iota
	// ExpireXX sets it only when the key has one.
	ExpireXX
	// ExpireGT sets it only when the new expiry is later than the current
	// one (a key without expiry counts as infinitely late).
	ExpireGT
	// ExpireLT sets it only when the new expiry is earlier.
	ExpireLT
)

func (f ExpireFlags) check() error {
	if f&ExpireNX != 0 && f&(ExpireXX|ExpireGT|ExpireLT) != 0 {
		return invalidArg("ERR NX and XX, GT or LT options at the same time are not compatible")
	}
	if f&ExpireGT != 0 && f&ExpireLT != 0 {
		return invalidArg("ERR GT and LT options at the same time are not compatible")
	}
	return nil
}

// Expire sets key's time to live (EXPIRE/PEXPIRE). A ttl <= 0 deletes the
// key. It reports whether the expiry was set (false: no such key, or a
// condition in flags was not met).
func (db *DB) Expire(key string, ttl time.Duration, flags ExpireFlags) (bool, error) {
	return db.ExpireMillis("pexpire", key, ttlMillis(ttl), false, flags)
}

// ExpireAt sets key's expiry to the instant at (EXPIREAT/PEXPIREAT); an
// instant in the past deletes the key.
func (db *DB) ExpireAt(key string, at time.Time, flags ExpireFlags) (bool, error) {
	return db.ExpireMillis("pexpireat", key, at.UnixMilli(), true, flags)
}

// ExpireMillis is the general form of the EXPIRE family for protocol edges:
// when is milliseconds, relative to now unless absolute; cmd names the
// command in error texts.
func (db *DB) ExpireMillis(cmd, key string, when int64, absolute bool, flags ExpireFlags) (ok bool, err error) {
	err = db.run(key, func(t Txn) error { ok, err = t.ExpireMillis(cmd, key, when, absolute, flags); return err })
	return ok, err
}

// Expire sets key's time to live (EXPIRE); ttl <= 0 deletes the key.
func (t Txn) Expire(key string, ttl time.Duration, flags ExpireFlags) (bool, error) {
	return t.ExpireMillis("pexpire", key, ttlMillis(ttl), false, flags)
}

// ExpireMillis is the EXPIRE family (see DB.ExpireMillis).
func (t Txn) ExpireMillis(cmd, key string, when int64, absolute bool, flags ExpireFlags) (bool, error) {
	t.read() // it changes no value's size: not subject to the memory limit
	if err := flags.check(); err != nil {
		return false, err
	}
	tx := t.tx
	at := when
	if !absolute {
		if when > math.MaxInt64-tx.Now() {
			return false, invalidExpire(cmd)
		}
		at = tx.Now() + when
	}
	e := tx.Get(key)
	if e == nil {
		return false, nil
	}
	cur := e.Deadline() // 0 = none: infinitely late
	switch {
	case flags&ExpireNX != 0 && cur != 0,
		flags&ExpireXX != 0 && cur == 0,
		flags&ExpireGT != 0 && (cur == 0 || at <= cur),
		flags&ExpireLT != 0 && cur != 0 && at >= cur:
		return false, nil
	}
	if at <= tx.Now() {
		tx.Delete(key)
		return true, nil
	}
	tx.SetDeadline(key, e, at)
	return true, nil
}

// TTL is the remaining time to live in seconds, rounded as Redis does, or
// NoExpiry / NoKey.
func (db *DB) TTL(key string) (int64, error) {
	ms, err := db.PTTL(key)
	if err != nil || ms < 0 {
		return ms, err
	}
	return (ms + 500) / 1000, nil
}

// PTTL is the remaining time to live in milliseconds, or NoExpiry / NoKey.
func (db *DB) PTTL(key string) (ms int64, err error) {
	err = db.run(key, func(t Txn) error { ms = t.PTTL(key); return nil })
	return ms, err
}

// PTTL is the remaining time to live in milliseconds (PTTL).
func (t Txn) PTTL(key string) int64 {
	at := t.PExpireTime(key)
	if at < 0 {
		return at
	}
	return max(at-t.tx.Now(), 0)
}

// PExpireTime is the absolute expiry in Unix milliseconds, or NoExpiry /
// NoKey (PEXPIRETIME).
func (db *DB) PExpireTime(key string) (ms int64, err error) {
	err = db.run(key, func(t Txn) error { ms = t.PExpireTime(key); return nil })
	return ms, err
}

// PExpireTime is the absolute expiry in Unix milliseconds (PEXPIRETIME).
func (t Txn) PExpireTime(key string) int64 {
	t.read()
	e := t.tx.Read(key)
	switch {
	case e == nil:
		return NoKey
	case e.Deadline() == 0:
		return NoExpiry
	}
	return e.Deadline()
}

// Persist removes key's expiry and reports whether it had one.
func (db *DB) Persist(key string) (ok bool, err error) {
	err = db.run(key, func(t Txn) error { ok = t.Persist(key); return nil })
	return ok, err
}

// Persist removes key's expiry and reports whether it had one (PERSIST).
func (t Txn) Persist(key string) bool {
	t.read()
	e := t.tx.Get(key)
	if e == nil || e.Deadline() == 0 {
		return false
	}
	t.tx.SetDeadline(key, e, 0)
	return true
}

// Rename renames src to dst, replacing dst and keeping src's TTL (RENAME).
// A missing src is ErrNoSuchKey.
func (db *DB) Rename(src, dst string) error {
	_, err := db.rename(src, dst, false)
	return err
}

// RenameNX renames src to dst only if dst does not exist, and reports
// whether it did (RENAMENX).
func (db *DB) RenameNX(src, dst string) (bool, error) {
	return db.rename(src, dst, true)
}

func (db *DB) rename(src, dst string, nx bool) (done bool, err error) {
	err = db.Atomic([]string{src, dst}, func(t Txn) error { done, err = t.Rename(src, dst, nx); return err })
	return done, err
}

// Rename is RENAME (nx false) or RENAMENX (nx true); it reports whether the
// key was renamed.
func (t Txn) Rename(src, dst string, nx bool) (bool, error) {
	t.read()
	tx := t.tx
	if tx.Get(src) == nil {
		return false, ErrNoSuchKey
	}
	if src == dst {
		return !nx, nil // Redis: RENAME k k is OK, RENAMENX k k is 0
	}
	if nx && tx.Get(dst) != nil {
		return false, nil
	}
	if !tx.Rename(src, dst) {
		return false, nil
	}
	t.keyReady(dst) // a list or sorted set under a waited-for name serves its waiters
	return true, nil
}

// Type is the type of the value at key (TypeNone when absent).
func (db *DB) Type(key string) (typ Type, err error) {
	err = db.run(key, func(t Txn) error { typ = t.Type(key); return nil })
	return typ, err
}

// Type is the type of the value at key (TYPE). Like Redis, it counts a
// keyspace hit or miss.
func (t Txn) Type(key string) Type {
	t.read()
	if e := t.tx.Read(key); e != nil {
		return e.Type()
	}
	return TypeNone
}

// Keys returns the keys matching a Redis glob pattern (empty = "*"), sorted,
// at most limit of them (limit <= 0: all), and how many matched in total
// before truncation. It visits the namespace one shard at a time, so other
// callers are never blocked for the whole listing.
func (db *DB) Keys(pattern string, limit int) (keys []string, total int, err error) {
	now, err := db.begin()
	if err != nil {
		return nil, 0, err
	}
	if pattern == "" {
		pattern = "*"
	}
	all := pattern == "*"
	lit, exact := glob.Literal(pattern)
	if exact {
		// A pattern without wildcards names at most one key: look it up
		// instead of walking the namespace (without counting a keyspace
		// hit or miss, which KEYS does not do).
		found := false
		err := db.run(lit, func(t Txn) error {
			t.read()
			found = t.tx.Get(lit) != nil
			return nil
		})
		if err != nil || !found {
			return nil, 0, err
		}
		return []string{lit}, 1, nil
	}
	db.ks.Scan(now, func(k string, _ *store.Entry) bool {
		if all || glob.Match(pattern, k) {
			keys = append(keys, k)
		}
		return true
	})
	sort.Strings(keys)
	total = len(keys)
	if limit > 0 && len(keys) > limit {
		keys = keys[:limit:limit]
	}
	return keys, total, nil
}

// DBSize is the number of live keys. It first reclaims keys past their
// deadline, so expired keys are never counted; the cost is the number of
// such keys, not the size of the namespace.
func (db *DB) DBSize() (int64, error) {
	now, err := db.begin()
	if err != nil {
		return 0, err
	}
	db.ks.ReclaimExpired(now, 0)
	return db.ks.Stats().Keys, nil
}

// FlushDB deletes every key of the namespace and returns how many there
// were. Keys past their deadline are reclaimed first so that, like every
// other count, this one never includes an expired key.
func (db *DB) FlushDB() (int64, error) {
	now, err := db.begin()
	if err != nil {
		return 0, err
	}
	db.ks.ReclaimExpired(now, 0)
	return db.ks.Flush(), nil
}
