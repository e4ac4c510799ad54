package engine

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/isa-cloud/isa-memstore/store"
)

// Set commands. Redis gives set members in no particular order; every
// reply here that lists several members (SMEMBERS, SUNION, SINTER, SDIFF,
// SPOP and SRANDMEMBER with a count) lists them sorted bytewise, so that
// replies are deterministic. A missing key is an empty set; a key of
// another type involved in a command is ErrWrongType, whatever its place
// among the keys (Redis 7 checks them all before it computes anything).

// randIntN returns a uniform integer in [0, n) for SPOP and SRANDMEMBER.
// math/rand/v2's top-level source is safe for concurrent use; tests swap
// in a seeded source (and must then not run set commands in parallel).
var randIntN = rand.IntN

// maxRandomCount bounds |count| for SRANDMEMBER with a negative count,
// which repeats members and so is not bounded by the set's size. Redis
// accepts up to -LONG_MAX and then streams the reply; an embedded engine
// returns a slice, so it refuses counts whose reply could not be built.
const maxRandomCount = 1 << 24

// setOf returns key's set, nil when the key is absent, or ErrWrongType.
// read counts a keyspace hit or miss, as Redis does for read commands.
func setOf(tx *store.Tx, key string, read bool) (*store.Entry, *store.Set, error) {
	var e *store.Entry
	if read {
		e = tx.Read(key)
	} else {
		e = tx.Get(key)
	}
	if e == nil {
		return nil, nil, nil
	}
	s := e.Set()
	if s == nil {
		return nil, nil, ErrWrongType
	}
	return e, s, nil
}

// SAdd adds members to the set at key, creating it, and returns how many
// were not already members (SADD).
func (db *DB) SAdd(key string, members ...string) (n int64, err error) {
	err = db.run(key, func(t Txn) error { n, err = t.SAdd(key, members...); return err })
	return n, err
}

// SAdd is SADD.
func (t Txn) SAdd(key string, members ...string) (int64, error) {
	if err := t.write(); err != nil {
		return 0, err
	}
	if len(members) == 0 {
		return 0, wrongArgs("sadd")
	}
	e, s, err := setOf(t.tx, key, false)
	if err != nil {
		return 0, err
	}
	if e == nil {
		s = store.NewSet(len(members))
	}
	var n int64
	for _, m := range members {
		if s.Add(m) {
			n++
		}
	}
	if e == nil {
		t.tx.Put(key, store.NewCollection(s))
	} else {
		t.tx.Changed(key, e)
	}
	return n, nil
}

// SRem removes members from the set at key and returns how many were
// members (SREM). A set left empty is deleted.
func (db *DB) SRem(key string, members ...string) (n int64, err error) {
	err = db.run(key, func(t Txn) error { n, err = t.SRem(key, members...); return err })
	return n, err
}

// SRem is SREM.
func (t Txn) SRem(key string, members ...string) (int64, error) {
	t.read() // frees memory: never refused by the limit
	if len(members) == 0 {
		return 0, wrongArgs("srem")
	}
	e, s, err := setOf(t.tx, key, false)
	if e == nil {
		return 0, err
	}
	var n int64
	for _, m := range members {
		if s.Remove(m) {
			n++
		}
	}
	if n > 0 {
		t.tx.Changed(key, e)
	}
	return n, nil
}

// SMembers returns the members of the set at key, sorted (SMEMBERS).
func (db *DB) SMembers(key string) (out []string, err error) {
	err = db.run(key, func(t Txn) error { out, err = t.SMembers(key); return err })
	return out, err
}

// SMembers is SMEMBERS.
func (t Txn) SMembers(key string) ([]string, error) {
	t.read()
	_, s, err := setOf(t.tx, key, true)
	if s == nil {
		return []string{}, err
	}
	return s.Sorted(), nil
}

// SIsMember reports whether member is in the set at key (SISMEMBER).
func (db *DB) SIsMember(key, member string) (ok bool, err error) {
	err = db.run(key, func(t Txn) error { ok, err = t.SIsMember(key, member); return err })
	return ok, err
}

// SIsMember is SISMEMBER.
func (t Txn) SIsMember(key, member string) (bool, error) {
	t.read()
	_, s, err := setOf(t.tx, key, true)
	if s == nil {
		return false, err
	}
	return s.Has(member), nil
}

// SMIsMember reports for each member whether it is in the set at key
// (SMISMEMBER).
func (db *DB) SMIsMember(key string, members ...string) (out []bool, err error) {
	err = db.run(key, func(t Txn) error { out, err = t.SMIsMember(key, members...); return err })
	return out, err
}

// SMIsMember is SMISMEMBER.
func (t Txn) SMIsMember(key string, members ...string) ([]bool, error) {
	t.read()
	if len(members) == 0 {
		return nil, wrongArgs("smismember")
	}
	_, s, err := setOf(t.tx, key, true)
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(members))
	if s != nil {
		for i, m := range members {
			out[i] = s.Has(m)
		}
	}
	return out, nil
}

// SCard is the number of members of the set at key (SCARD).
func (db *DB) SCard(key string) (n int64, err error) {
	err = db.run(key, func(t Txn) error { n, err = t.SCard(key); return err })
	return n, err
}

// SCard is SCARD.
func (t Txn) SCard(key string) (int64, error) {
	t.read()
	_, s, err := setOf(t.tx, key, true)
	if s == nil {
		return 0, err
	}
	return int64(s.Len()), nil
}

type setOp uint8

const (
	opUnion setOp = iota
	opInter
	opDiff
)

func (op setOp) name(store bool) string {
	n := [...]string{"sunion", "sinter", "sdiff"}[op]
	if store {
		n += "store"
	}
	return n
}

// SUnion returns the union of the sets at keys, sorted (SUNION).
func (db *DB) SUnion(keys ...string) ([]string, error) { return db.setAlgebra(opUnion, keys) }

// SInter returns the intersection of the sets at keys, sorted (SINTER).
func (db *DB) SInter(keys ...string) ([]string, error) { return db.setAlgebra(opInter, keys) }

// SDiff returns the members of the first set that are in none of the
// others, sorted (SDIFF).
func (db *DB) SDiff(keys ...string) ([]string, error) { return db.setAlgebra(opDiff, keys) }

func (db *DB) setAlgebra(op setOp, keys []string) (out []string, err error) {
	err = db.Atomic(keys, func(t Txn) error {
		switch op {
		case opUnion:
			out, err = t.SUnion(keys...)
		case opInter:
			out, err = t.SInter(keys...)
		default:
			out, err = t.SDiff(keys...)
		}
		return err
	})
	return out, err
}

// SUnion is SUNION.
func (t Txn) SUnion(keys ...string) ([]string, error) { return t.setRead(opUnion, keys) }

// SInter is SINTER.
func (t Txn) SInter(keys ...string) ([]string, error) { return t.setRead(opInter, keys) }

// SDiff is SDIFF.
func (t Txn) SDiff(keys ...string) ([]string, error) { return t.setRead(opDiff, keys) }

func (t Txn) setRead(op setOp, keys []string) ([]string, error) {
	t.read()
	if len(keys) == 0 {
		return nil, wrongArgs(op.name(false))
	}
	res, err := t.combine(op, keys, true)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// combine computes op over the sets at keys (missing keys are empty sets)
// and returns the members, sorted. Every key is type-checked first.
func (t Txn) combine(op setOp, keys []string, read bool) ([]string, error) {
	sets := make([]*store.Set, len(keys))
	for i, k := range keys {
		_, s, err := setOf(t.tx, k, read)
		if err != nil {
			return nil, err
		}
		sets[i] = s
	}
	var out []string
	switch op {
	case opUnion:
		seen := make(map[string]struct{})
		for _, s := range sets {
			if s == nil {
				continue
			}
			s.Each(func(m string) bool {
				if _, dup := seen[m]; !dup {
					seen[m] = struct{}{}
					out = append(out, m)
				}
				return true
			})
		}
	case opInter:
		if slices.Contains(sets, nil) {
			return []string{}, nil
		}
		// Walk the smallest set and probe the others, smallest first, so
		// that most non-members are rejected by the first probe.
		slices.SortFunc(sets, func(a, b *store.Set) int { return a.Len() - b.Len() })
		sets[0].Each(func(m string) bool {
			for _, s := range sets[1:] {
				if !s.Has(m) {
					return true
				}
			}
			out = append(out, m)
			return true
		})
	case opDiff:
		if sets[0] == nil {
			return []string{}, nil
		}
		sets[0].Each(func(m string) bool {
			for _, s := range sets[1:] {
				if s != nil && s.Has(m) {
					return true
				}
			}
			out = append(out, m)
			return true
		})
	}
	if out == nil {
		return []string{}, nil
	}
	slices.Sort(out)
	return out, nil
}

// SUnionStore stores the union of the sets at keys in dst and returns its
// size (SUNIONSTORE). dst is replaced whatever its type, loses any TTL, and
// is deleted when the result is empty.
func (db *DB) SUnionStore(dst string, keys ...string) (int64, error) {
	return db.setStore(opUnion, dst, keys)
}

// SInterStore stores the intersection of the sets at keys in dst
// (SINTERSTORE); see SUnionStore.
func (db *DB) SInterStore(dst string, keys ...string) (int64, error) {
	return db.setStore(opInter, dst, keys)
}

// SDiffStore stores the difference of the sets at keys in dst
// (SDIFFSTORE); see SUnionStore.
func (db *DB) SDiffStore(dst string, keys ...string) (int64, error) {
	return db.setStore(opDiff, dst, keys)
}

func (db *DB) setStore(op setOp, dst string, keys []string) (n int64, err error) {
	all := append([]string{dst}, keys...)
	err = db.Atomic(all, func(t Txn) error {
		switch op {
		case opUnion:
			n, err = t.SUnionStore(dst, keys...)
		case opInter:
			n, err = t.SInterStore(dst, keys...)
		default:
			n, err = t.SDiffStore(dst, keys...)
		}
		return err
	})
	return n, err
}

// SUnionStore is SUNIONSTORE.
func (t Txn) SUnionStore(dst string, keys ...string) (int64, error) {
	return t.setWrite(opUnion, dst, keys)
}

// SInterStore is SINTERSTORE.
func (t Txn) SInterStore(dst string, keys ...string) (int64, error) {
	return t.setWrite(opInter, dst, keys)
}

// SDiffStore is SDIFFSTORE.
func (t Txn) SDiffStore(dst string, keys ...string) (int64, error) {
	return t.setWrite(opDiff, dst, keys)
}

func (t Txn) setWrite(op setOp, dst string, keys []string) (int64, error) {
	if err := t.write(); err != nil {
		return 0, err
	}
	if len(keys) == 0 {
		return 0, wrongArgs(op.name(true))
	}
	// Redis 7.0 counts the inputs' lookups as keyspace hits and misses for
	// the STORE forms too (read from INFO stats).
	res, err := t.combine(op, keys, true)
	if err != nil {
		return 0, err
	}
	if len(res) == 0 {
		t.tx.Delete(dst)
		return 0, nil
	}
	s := store.NewSet(len(res))
	for _, m := range res {
		s.Add(m)
	}
	t.tx.Put(dst, store.NewCollection(s))
	return int64(len(res)), nil
}

// SPop removes and returns a random member of the set at key (SPOP);
// found is false when the key does not exist.
func (db *DB) SPop(key string) (member string, found bool, err error) {
	err = db.run(key, func(t Txn) error { member, found, err = t.SPop(key); return err })
	return member, found, err
}

// SPop is SPOP without a count.
func (t Txn) SPop(key string) (string, bool, error) {
	t.read()
	e, s, err := setOf(t.tx, key, false)
	if e == nil {
		return "", false, err
	}
	m := s.Pop(randIntN)
	t.tx.Changed(key, e)
	return m, true, nil
}

// SPopCount removes and returns up to count random members of the set at
// key, sorted (SPOP with a count). A negative count is an error, as in
// Redis.
func (db *DB) SPopCount(key string, count int64) (out []string, err error) {
	err = db.run(key, func(t Txn) error { out, err = t.SPopCount(key, count); return err })
	return out, err
}

// SPopCount is SPOP with a count.
func (t Txn) SPopCount(key string, count int64) ([]string, error) {
	t.read()
	if count < 0 {
		return nil, errNotPositive
	}
	e, s, err := setOf(t.tx, key, false)
	if e == nil || err != nil || count == 0 {
		return []string{}, err
	}
	var out []string
	if count >= int64(s.Len()) {
		out = s.Sorted()
		t.tx.Delete(key)
		return out, nil
	}
	out = make([]string, count)
	for i := range out {
		out[i] = s.Pop(randIntN)
	}
	t.tx.Changed(key, e)
	slices.Sort(out)
	return out, nil
}

// SRandMember returns a random member of the set at key without removing
// it (SRANDMEMBER); found is false when the key does not exist.
func (db *DB) SRandMember(key string) (member string, found bool, err error) {
	err = db.run(key, func(t Txn) error { member, found, err = t.SRandMember(key); return err })
	return member, found, err
}

// SRandMember is SRANDMEMBER without a count.
func (t Txn) SRandMember(key string) (string, bool, error) {
	t.read()
	_, s, err := setOf(t.tx, key, true)
	if s == nil {
		return "", false, err
	}
	return s.Random(randIntN), true, nil
}

// SRandMemberCount is SRANDMEMBER with a count, as Redis: a positive count
// returns that many distinct members (the whole set if it is smaller); a
// negative count returns -count members chosen independently, so members
// may repeat. The result is sorted.
func (db *DB) SRandMemberCount(key string, count int64) (out []string, err error) {
	err = db.run(key, func(t Txn) error { out, err = t.SRandMemberCount(key, count); return err })
	return out, err
}

// SRandMemberCount is SRANDMEMBER with a count.
func (t Txn) SRandMemberCount(key string, count int64) ([]string, error) {
	t.read()
	if count == math.MinInt64 {
		return nil, invalidArg("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
	}
	if count < -maxRandomCount {
		return nil, invalidArg("ERR value is out of range, value must between -" + strconv.Itoa(maxRandomCount) + " and 9223372036854775807")
	}
	_, s, err := setOf(t.tx, key, true)
	if s == nil || err != nil || count == 0 {
		return []string{}, err
	}
	var out []string
	if count > 0 {
		out = s.RandomDistinct(int(min(count, int64(s.Len()))), randIntN)
	} else {
		out = make([]string, -count)
		for i := range out {
			out[i] = s.Random(randIntN)
		}
	}
	slices.Sort(out)
	return out, nil
}

// SMove moves member from the set at src to the set at dst (creating it)
// and reports whether member was in src (SMOVE). As in Redis, a missing src
// is false before dst's type is looked at, and src == dst only reports
// membership.
func (db *DB) SMove(src, dst, member string) (moved bool, err error) {
	err = db.Atomic([]string{src, dst}, func(t Txn) error { moved, err = t.SMove(src, dst, member); return err })
	return moved, err
}

// SMove is SMOVE.
func (t Txn) SMove(src, dst, member string) (bool, error) {
	t.read() // moves a member: no net growth, never refused by the limit
	se, ss, err := setOf(t.tx, src, false)
	if se == nil {
		return false, err
	}
	de, ds, err := setOf(t.tx, dst, false)
	if err != nil {
		return false, err
	}
	if src == dst {
		return ss.Has(member), nil
	}
	if !ss.Remove(member) {
		return false, nil
	}
	t.tx.Changed(src, se)
	if de == nil {
		ds = store.NewSet(1)
		ds.Add(member)
		t.tx.Put(dst, store.NewCollection(ds))
	} else if ds.Add(member) {
		t.tx.Changed(dst, de)
	}
	return true, nil
}
