package engine

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/isa-cloud/isa-memstore/store"
)

// Sorted-set algebra (ZUNION, ZINTER, ZDIFF, their STORE forms and
// ZINTERCARD), the lexicographic counterparts of ZCOUNT/ZREMRANGEBYSCORE,
// ZRANGESTORE, and the random reads ZRANDMEMBER, HRANDFIELD, plus
// SINTERCARD. Inputs of the algebra may be sorted sets or plain sets (whose
// members count as score 1), as in Redis; any other type is ErrWrongType.

// ZAggregate is how ZUNION and ZINTER combine the weighted scores a member
// has in several inputs (Redis's AGGREGATE).
type ZAggregate uint8

// The AGGREGATE functions.
const (
	ZAggregateSum ZAggregate = iota
	ZAggregateMin
	ZAggregateMax
)

// ZCombineOptions are ZUNION's and ZINTER's WEIGHTS and AGGREGATE. Weights
// nil means every weight is 1; otherwise there is one weight per input
// key, in the keys' order.
type ZCombineOptions struct {
	Weights   []float64
	Aggregate ZAggregate
}

// errWeight is a WEIGHTS value that is not a float (or is NaN).
var errWeight = ErrNotFloat.withText("ERR weight value is not a float")

// errLimitNegative is ZINTERCARD's and SINTERCARD's refusal of a negative
// (or non-numeric) LIMIT.
var errLimitNegative = invalidArg("ERR LIMIT can't be negative")

// ParseWeight parses a WEIGHTS value as Redis does (its strtod rules,
// neither NaN nor out of range), with Redis's error text.
func ParseWeight(s string) (float64, error) {
	w, err := ParseScore(s)
	if err != nil {
		return 0, errWeight
	}
	return w, nil
}

// needKeys is Redis's refusal of a numkeys below 1 for cmd.
func needKeys(cmd string) error {
	return invalidArg("ERR at least 1 input key is needed for '" + cmd + "' command")
}

// zsrc is one input of the algebra: a sorted set, a set (scores 1), or
// neither for a missing key (an empty input), with its weight.
type zsrc struct {
	z *store.ZSet
	s *store.Set
	w float64
}

func (s *zsrc) len() int {
	switch {
	case s.z != nil:
		return s.z.Len()
	case s.s != nil:
		return s.s.Len()
	}
	return 0
}

// each calls fn for every member with its (unweighted) score, until fn
// returns false.
func (s *zsrc) each(fn func(m string, score float64) bool) {
	switch {
	case s.z != nil:
		s.z.Ascend(0, func(m ZMember) bool { return fn(m.Member, m.Score) })
	case s.s != nil:
		s.s.Each(func(m string) bool { return fn(m, 1) })
	}
}

// score returns m's unweighted score.
func (s *zsrc) score(m string) (float64, bool) {
	switch {
	case s.z != nil:
		return s.z.Score(m)
	case s.s != nil:
		return 1, s.s.Has(m)
	}
	return 0, false
}

// zsources looks every key up as Redis does before it reads any option:
// each lookup counts a keyspace hit or miss, and a key holding neither a
// sorted set nor a set is ErrWrongType.
func zsources(tx *store.Tx, keys []string) ([]zsrc, error) {
	srcs := make([]zsrc, len(keys))
	for i, k := range keys {
		srcs[i].w = 1
		e := tx.Read(k)
		if e == nil {
			continue
		}
		if z := e.ZSet(); z != nil {
			srcs[i].z = z
		} else if s := e.Set(); s != nil {
			srcs[i].s = s
		} else {
			return nil, ErrWrongType
		}
	}
	return srcs, nil
}

// validate checks the options against the inputs, with Redis's texts (its
// argument parser would have refused these).
func (o *ZCombineOptions) validate(n int) error {
	if o.Weights != nil && len(o.Weights) != n || o.Aggregate > ZAggregateMax {
		return ErrSyntax
	}
	for _, w := range o.Weights {
		if math.IsNaN(w) {
			return errWeight
		}
	}
	return nil
}

// aggregate combines a member's accumulated score with another weighted
// score as Redis does: a sum that is NaN (inf + -inf, or a NaN from
// inf*0 weighting) becomes 0; MIN and MAX keep the accumulated score when
// the comparison fails, so a NaN never replaces it.
func (a ZAggregate) aggregate(acc, v float64) float64 {
	switch a {
	case ZAggregateMin:
		if v < acc {
			return v
		}
		return acc
	case ZAggregateMax:
		if v > acc {
			return v
		}
		return acc
	}
	if s := acc + v; !math.IsNaN(s) {
		return s
	}
	return 0
}

// weighted is score*w with NaN (inf times 0) read as 0, as Redis does for
// the first score it sees of a member.
func weighted(score, w float64) float64 {
	if v := score * w; !math.IsNaN(v) {
		return v
	}
	return 0
}

// zcompare orders results as a sorted set does: by score (-0 equal to 0),
// then member bytewise.
func zcompare(a, b ZMember) int {
	switch {
	case a.Score < b.Score:
		return -1
	case a.Score > b.Score:
		return 1
	}
	return strings.Compare(a.Member, b.Member)
}

// bySize sorts inputs from the smallest, stably (glibc's qsort, which
// Redis uses, is a merge sort): with SUM the order of the additions is
// the order of the inputs, and floating-point sums and NaN resets depend
// on it.
func bySize(srcs []zsrc) {
	slices.SortStableFunc(srcs, func(a, b zsrc) int { return a.len() - b.len() })
}

// zunion computes ZUNION's members with their aggregated scores, in no
// particular order.
func zunion(srcs []zsrc, agg ZAggregate) []ZMember {
	bySize(srcs)
	acc := make(map[string]int) // member -> index in out
	var out []ZMember
	for i := range srcs {
		w := srcs[i].w
		srcs[i].each(func(m string, score float64) bool {
			v := weighted(score, w)
			if j, ok := acc[m]; ok {
				out[j].Score = agg.aggregate(out[j].Score, v)
				return true
			}
			acc[m] = len(out)
			out = append(out, ZMember{Member: m, Score: v})
			return true
		})
	}
	return out
}

// zinter computes ZINTER's members with their aggregated scores, in no
// particular order; with cardOnly it only counts them, stopping at limit
// when limit > 0, and returns a nil slice.
func zinter(srcs []zsrc, agg ZAggregate, cardOnly bool, limit int64) ([]ZMember, int64) {
	bySize(srcs)
	if srcs[0].len() == 0 {
		return nil, 0
	}
	var out []ZMember
	var n int64
	first, rest := &srcs[0], srcs[1:]
	first.each(func(m string, score float64) bool {
		acc := weighted(score, first.w)
		for i := range rest {
			s, ok := rest[i].score(m)
			if !ok {
				return true
			}
			// Unlike the first score, these products are not cleared
			// of NaN: SUM turns the NaN sum into 0, MIN and MAX ignore
			// it (Redis does the same).
			acc = agg.aggregate(acc, s*rest[i].w)
		}
		n++
		if cardOnly {
			return limit == 0 || n < limit
		}
		out = append(out, ZMember{Member: m, Score: acc})
		return true
	})
	return out, n
}

// zdiff computes ZDIFF: the members of the first input that are in none of
// the others, with their scores in the first.
func zdiff(srcs []zsrc) []ZMember {
	var out []ZMember
	srcs[0].each(func(m string, score float64) bool {
		for i := range srcs[1:] {
			if _, ok := srcs[1+i].score(m); ok {
				return true
			}
		}
		out = append(out, ZMember{Member: m, Score: score})
		return true
	})
	return out
}

// zcombine runs op over the inputs at keys and returns the result in
// sorted-set order.
func (t Txn) zcombine(op setOp, keys []string, opts ZCombineOptions, cmd string) ([]ZMember, error) {
	if len(keys) == 0 {
		return nil, needKeys(cmd)
	}
	srcs, err := zsources(t.tx, keys)
	if err != nil {
		return nil, err
	}
	if op == opDiff {
		if opts.Weights != nil || opts.Aggregate != ZAggregateSum {
			return nil, ErrSyntax // ZDIFF has neither option
		}
	} else if err := opts.validate(len(keys)); err != nil {
		return nil, err
	}
	for i, w := range opts.Weights {
		srcs[i].w = w
	}
	var out []ZMember
	switch op {
	case opUnion:
		out = zunion(srcs, opts.Aggregate)
	case opInter:
		out, _ = zinter(srcs, opts.Aggregate, false, 0)
	default:
		out = zdiff(srcs)
	}
	if out == nil {
		return []ZMember{}, nil
	}
	slices.SortFunc(out, zcompare)
	return out, nil
}

// zstore replaces dst with a sorted set of ms (deleting dst when ms is
// empty) and returns its size. dst loses any TTL, whatever it held before.
func (t Txn) zstore(dst string, ms []ZMember) int64 {
	if len(ms) == 0 {
		t.tx.Delete(dst)
		return 0
	}
	z := store.NewZSet()
	for _, m := range ms {
		z.Set(m.Member, normScore(m.Score))
	}
	t.tx.Put(dst, store.NewCollection(z))
	return int64(len(ms))
}

// ZCheckSources type-checks the inputs of ZUNION, ZINTER, ZDIFF (and their
// STORE forms) and ZINTERCARD the way those commands do before they read
// their options: a protocol edge that fails to parse the options calls it
// first, so that a WRONGTYPE input wins over the option's error, as in
// Redis. It counts as the command (and its lookups as keyspace hits or
// misses).
func (t Txn) ZCheckSources(keys ...string) error {
	t.read()
	_, err := zsources(t.tx, keys)
	return err
}

// ZUnion returns the union of the sorted sets (or sets) at keys, each
// member with the aggregate of its weighted scores, in sorted-set order
// (ZUNION ... WITHSCORES). A missing key is an empty input. A weighted
// score that is NaN (an infinite score times a zero weight) counts as 0,
// and so does a sum of +inf and -inf, as in Redis.
func (db *DB) ZUnion(keys []string, opts ZCombineOptions) (out []ZMember, err error) {
	err = db.Atomic(keys, func(t Txn) error { out, err = t.ZUnion(keys, opts); return err })
	return out, err
}

// ZInter returns the members present in every input at keys, with their
// aggregated weighted scores (ZINTER ... WITHSCORES); see ZUnion.
func (db *DB) ZInter(keys []string, opts ZCombineOptions) (out []ZMember, err error) {
	err = db.Atomic(keys, func(t Txn) error { out, err = t.ZInter(keys, opts); return err })
	return out, err
}

// ZDiff returns the members of the first input that are in none of the
// others, with their scores in the first (ZDIFF ... WITHSCORES).
func (db *DB) ZDiff(keys ...string) (out []ZMember, err error) {
	err = db.Atomic(keys, func(t Txn) error { out, err = t.ZDiff(keys...); return err })
	return out, err
}

// ZUnion is ZUNION.
func (t Txn) ZUnion(keys []string, opts ZCombineOptions) ([]ZMember, error) {
	t.read()
	return t.zcombine(opUnion, keys, opts, "zunion")
}

// ZInter is ZINTER.
func (t Txn) ZInter(keys []string, opts ZCombineOptions) ([]ZMember, error) {
	t.read()
	return t.zcombine(opInter, keys, opts, "zinter")
}

// ZDiff is ZDIFF.
func (t Txn) ZDiff(keys ...string) ([]ZMember, error) {
	t.read()
	return t.zcombine(opDiff, keys, ZCombineOptions{}, "zdiff")
}

// ZUnionStore stores ZUnion's result in dst and returns its size
// (ZUNIONSTORE). dst may be one of the inputs; it is replaced whatever its
// type, loses any TTL, and is deleted when the result is empty.
func (db *DB) ZUnionStore(dst string, keys []string, opts ZCombineOptions) (n int64, err error) {
	err = db.Atomic(append([]string{dst}, keys...), func(t Txn) error { n, err = t.ZUnionStore(dst, keys, opts); return err })
	return n, err
}

// ZInterStore stores ZInter's result in dst (ZINTERSTORE); see
// ZUnionStore.
func (db *DB) ZInterStore(dst string, keys []string, opts ZCombineOptions) (n int64, err error) {
	err = db.Atomic(append([]string{dst}, keys...), func(t Txn) error { n, err = t.ZInterStore(dst, keys, opts); return err })
	return n, err
}

// ZDiffStore stores ZDiff's result in dst (ZDIFFSTORE); see ZUnionStore.
func (db *DB) ZDiffStore(dst string, keys ...string) (n int64, err error) {
	err = db.Atomic(append([]string{dst}, keys...), func(t Txn) error { n, err = t.ZDiffStore(dst, keys...); return err })
	return n, err
}

// ZUnionStore is ZUNIONSTORE.
func (t Txn) ZUnionStore(dst string, keys []string, opts ZCombineOptions) (int64, error) {
	return t.zcombineStore(opUnion, dst, keys, opts, "zunionstore")
}

// ZInterStore is ZINTERSTORE.
func (t Txn) ZInterStore(dst string, keys []string, opts ZCombineOptions) (int64, error) {
	return t.zcombineStore(opInter, dst, keys, opts, "zinterstore")
}

// ZDiffStore is ZDIFFSTORE.
func (t Txn) ZDiffStore(dst string, keys ...string) (int64, error) {
	return t.zcombineStore(opDiff, dst, keys, ZCombineOptions{}, "zdiffstore")
}

func (t Txn) zcombineStore(op setOp, dst string, keys []string, opts ZCombineOptions, cmd string) (int64, error) {
	if err := t.write(); err != nil {
		return 0, err
	}
	ms, err := t.zcombine(op, keys, opts, cmd)
	if err != nil {
		return 0, err
	}
	return t.zstore(dst, ms), nil
}

// ZInterCard returns the number of members present in every input at keys
// (sorted sets or sets), counting no further than limit when limit > 0
// (ZINTERCARD). A negative limit is an error, as in Redis.
func (db *DB) ZInterCard(keys []string, limit int64) (n int64, err error) {
	err = db.Atomic(keys, func(t Txn) error { n, err = t.ZInterCard(keys, limit); return err })
	return n, err
}

// ZInterCard is ZINTERCARD.
func (t Txn) ZInterCard(keys []string, limit int64) (int64, error) {
	t.read()
	if len(keys) == 0 {
		return 0, needKeys("zintercard")
	}
	srcs, err := zsources(t.tx, keys)
	if err != nil {
		return 0, err
	}
	if limit < 0 {
		return 0, errLimitNegative
	}
	_, n := zinter(srcs, ZAggregateSum, true, limit)
	return n, nil
}

// SInterCard returns the number of members of the intersection of the sets
// at keys, counting no further than limit when limit > 0 (SINTERCARD).
// Every key is type-checked; a missing key makes the intersection empty.
func (db *DB) SInterCard(keys []string, limit int64) (n int64, err error) {
	err = db.Atomic(keys, func(t Txn) error { n, err = t.SInterCard(keys, limit); return err })
	return n, err
}

// SInterCard is SINTERCARD.
func (t Txn) SInterCard(keys []string, limit int64) (int64, error) {
	t.read()
	if len(keys) == 0 {
		return 0, invalidArg("ERR numkeys should be greater than 0")
	}
	if limit < 0 {
		return 0, errLimitNegative
	}
	sets := make([]*store.Set, len(keys))
	empty := false
	for i, k := range keys {
		_, s, err := setOf(t.tx, k, true)
		if err != nil {
			return 0, err
		}
		sets[i] = s
		empty = empty || s == nil
	}
	if empty {
		return 0, nil
	}
	slices.SortFunc(sets, func(a, b *store.Set) int { return a.Len() - b.Len() })
	var n int64
	sets[0].Each(func(m string) bool {
		for _, s := range sets[1:] {
			if !s.Has(m) {
				return true
			}
		}
		n++
		return limit == 0 || n < limit
	})
	return n, nil
}

// ZLexCount is the number of members within the lexicographic range
// [min, max] (ZLEXCOUNT); meaningful when all members have the same score.
func (db *DB) ZLexCount(key string, min, max LexBound) (n int64, err error) {
	err = db.run(key, func(t Txn) error { n, err = t.ZLexCount(key, min, max); return err })
	return n, err
}

// ZLexCount is ZLEXCOUNT; O(log n).
func (t Txn) ZLexCount(key string, min, max LexBound) (int64, error) {
	return t.countSpan(key, func(z *store.ZSet) (int, int) { return lexSpan(z, min, max) })
}

// ZRemRangeByLex removes the members within the lexicographic range
// [min, max] and returns how many it removed (ZREMRANGEBYLEX).
func (db *DB) ZRemRangeByLex(key string, min, max LexBound) (n int64, err error) {
	err = db.run(key, func(t Txn) error { n, err = t.ZRemRangeByLex(key, min, max); return err })
	return n, err
}

// ZRemRangeByLex is ZREMRANGEBYLEX.
func (t Txn) ZRemRangeByLex(key string, min, max LexBound) (int64, error) {
	return t.removeSpan(key, func(z *store.ZSet) (int, int) { return lexSpan(z, min, max) })
}

// ZRangeStore stores the members ZRange(src, q) would return, with their
// scores, in dst and returns how many (ZRANGESTORE). dst may be src; it is
// replaced whatever its type, loses any TTL, and is deleted when the range
// is empty. q.WithScores is refused (ErrSyntax), as Redis refuses the
// option.
func (db *DB) ZRangeStore(dst, src string, q ZRangeQuery) (n int64, err error) {
	err = db.Atomic([]string{dst, src}, func(t Txn) error { n, err = t.ZRangeStore(dst, src, q); return err })
	return n, err
}

// ZRangeStore is ZRANGESTORE.
func (t Txn) ZRangeStore(dst, src string, q ZRangeQuery) (int64, error) {
	if err := t.write(); err != nil {
		return 0, err
	}
	if q.WithScores {
		return 0, ErrSyntax
	}
	if err := q.Validate(); err != nil {
		return 0, err
	}
	_, z, err := zsetOf(t.tx, src, true)
	if err != nil {
		return 0, err
	}
	var ms []ZMember
	if z != nil {
		ms = zrangeOf(z, q)
	}
	return t.zstore(dst, ms), nil
}

// zrangeOf is the range q of z in ascending positions (the order does not
// matter to ZRANGESTORE, whose result is a sorted set again).
func zrangeOf(z *store.ZSet, q ZRangeQuery) []ZMember {
	lo, hi := querySpan(z, q)
	if hi <= lo {
		return nil
	}
	return z.AppendRange(make([]ZMember, 0, hi-lo), lo, hi)
}

// randomCountErr refuses the counts a random read cannot serve: Redis's
// own lower bound (-LONG_MAX), and, for a negative count that repeats
// members, more than maxRandomCount of them (Redis would stream the reply;
// the engine builds it in memory). size is the collection's size.
func randomCountErr(count int64, size int) error {
	if count == math.MinInt64 {
		return invalidArg("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
	}
	if count < -maxRandomCount && size > 0 {
		return invalidArg("ERR value is out of range, value must between -" + strconv.Itoa(maxRandomCount) + " and 9223372036854775807")
	}
	return nil
}

// distinctPositions returns k distinct positions in [0, n), k < n, in
// ascending order.
func distinctPositions(k, n int) []int {
	pos := make([]int, 0, k)
	if k*3 > n {
		// Most positions are wanted: a partial Fisher-Yates shuffle.
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		for i := 0; i < k; i++ {
			j := i + randIntN(n-i)
			all[i], all[j] = all[j], all[i]
		}
		pos = append(pos, all[:k]...)
	} else {
		// A small sample: each draw is new with probability >= 2/3.
		seen := make(map[int]struct{}, k)
		for len(pos) < k {
			i := randIntN(n)
			if _, dup := seen[i]; !dup {
				seen[i] = struct{}{}
				pos = append(pos, i)
			}
		}
	}
	slices.Sort(pos)
	return pos
}

// ZRandMember returns a random member of the sorted set at key with its
// score, without removing it (ZRANDMEMBER); found is false when the key
// does not exist.
func (db *DB) ZRandMember(key string) (m ZMember, found bool, err error) {
	err = db.run(key, func(t Txn) error { m, found, err = t.ZRandMember(key); return err })
	return m, found, err
}

// ZRandMember is ZRANDMEMBER without a count.
func (t Txn) ZRandMember(key string) (ZMember, bool, error) {
	t.read()
	_, z, err := zsetOf(t.tx, key, true)
	if z == nil {
		return ZMember{}, false, err
	}
	return z.At(randIntN(z.Len())), true, nil
}

// ZRandMemberCount is ZRANDMEMBER with a count, as Redis: a positive count
// returns that many distinct members (the whole set when it is not larger),
// a negative count -count members drawn independently (so they may
// repeat). Members come with their scores; distinct members are listed
// from the highest score down, as Redis lists a whole set, repeated ones in
// the order drawn. A missing key gives an empty list.
func (db *DB) ZRandMemberCount(key string, count int64) (out []ZMember, err error) {
	err = db.run(key, func(t Txn) error { out, err = t.ZRandMemberCount(key, count); return err })
	return out, err
}

// ZRandMemberCount is ZRANDMEMBER with a count.
func (t Txn) ZRandMemberCount(key string, count int64) ([]ZMember, error) {
	t.read()
	if count == math.MinInt64 {
		return nil, randomCountErr(count, 0)
	}
	_, z, err := zsetOf(t.tx, key, true)
	if z == nil || err != nil || count == 0 {
		return []ZMember{}, err
	}
	n := z.Len()
	if err := randomCountErr(count, n); err != nil {
		return nil, err
	}
	if count < 0 {
		out := make([]ZMember, -count)
		for i := range out {
			out[i] = z.At(randIntN(n))
		}
		return out, nil
	}
	var out []ZMember
	if count >= int64(n) {
		out = z.AppendRange(make([]ZMember, 0, n), 0, n)
	} else {
		pos := distinctPositions(int(count), n)
		out = make([]ZMember, len(pos))
		for i, p := range pos {
			out[i] = z.At(p)
		}
	}
	slices.Reverse(out)
	return out, nil
}

// HRandField returns a random field of the hash at key with its value
// (HRANDFIELD); found is false when the key does not exist.
func (db *DB) HRandField(key string) (fv FieldValue, found bool, err error) {
	err = db.run(key, func(t Txn) error { fv, found, err = t.HRandField(key); return err })
	return fv, found, err
}

// HRandField is HRANDFIELD without a count.
func (t Txn) HRandField(key string) (FieldValue, bool, error) {
	t.read()
	h, err := t.readHash(key)
	if h == nil {
		return FieldValue{}, false, err
	}
	f, v := h.Random(randIntN)
	return FieldValue{Field: f, Value: v}, true, nil
}

// HRandFieldCount is HRANDFIELD with a count, as Redis: a positive count
// returns that many distinct fields (the whole hash when it is not larger),
// in the hash's order; a negative count -count fields drawn independently
// (so they may repeat). Fields come with their values. A missing key gives
// an empty list.
func (db *DB) HRandFieldCount(key string, count int64) (out []FieldValue, err error) {
	err = db.run(key, func(t Txn) error { out, err = t.HRandFieldCount(key, count); return err })
	return out, err
}

// HRandFieldCount is HRANDFIELD with a count.
func (t Txn) HRandFieldCount(key string, count int64) ([]FieldValue, error) {
	t.read()
	if count == math.MinInt64 {
		return nil, randomCountErr(count, 0)
	}
	h, err := t.readHash(key)
	if h == nil || err != nil || count == 0 {
		return []FieldValue{}, err
	}
	n := h.Len()
	if err := randomCountErr(count, n); err != nil {
		return nil, err
	}
	if count < 0 {
		// Independent draws: O(1) each, whatever the hash's size.
		out := make([]FieldValue, -count)
		for i := range out {
			out[i].Field, out[i].Value = h.Random(randIntN)
		}
		return out, nil
	}
	k := int(min(count, int64(n)))
	out := make([]FieldValue, 0, k)
	h.Sample(k, randIntN, func(f, v string) { out = append(out, FieldValue{Field: f, Value: v}) })
	return out, nil
}
