package engine

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/isa-cloud/isa-memstore/store"
)

// Sorted-set commands. Members are ordered by score, ties by member
// bytewise, as in Redis. Scores are float64; NaN is never stored, and -0
// is stored as 0, as Redis's compact encoding (used for sorted sets of up
// to 128 members) stores it, so "-0" is never a stored score in a reply.

// ZMember is a sorted-set member with its score.
type ZMember = store.ZMember

// MaybeScore is a score that may be absent (a Redis nil).
type MaybeScore struct {
	Score float64
	Found bool
}

// ScoreBound is one end of a score range: Value, excluded from the range
// when Exclusive (Redis's "(" prefix). -Inf and +Inf are the open ends.
type ScoreBound struct {
	Value     float64
	Exclusive bool
}

// LexBound is one end of a lexicographic range: Inf -1 is "-" (below every
// member), +1 is "+" (above every member); otherwise Value, excluded when
// Exclusive ("(" prefix) and included otherwise ("[").
type LexBound struct {
	Value     string
	Exclusive bool
	Inf       int
}

// Errors of score and range parsing, with Redis's texts.
var (
	errScoreRange = ErrNotFloat.withText("ERR min or max is not a float")
	errLexRange   = invalidArg("ERR min or max not valid string range item")
	errNaNScore   = ErrNaNOrInf.withText("ERR resulting score is not a number (NaN)")
)

// ParseScore parses a score argument (ZADD, ZINCRBY) as Redis does: C's
// strtod syntax (decimal, hexadecimal, "inf", "infinity", any case), the
// whole string, no leading space, and neither NaN nor a value out of the
// double range (overflow or underflow to zero). Errors are ErrNotFloat.
func ParseScore(s string) (float64, error) {
	if s == "" || isSpace(s[0]) {
		return 0, ErrNotFloat
	}
	v, n, erange := strtod(s)
	if n != len(s) || math.IsNaN(v) || erange && (math.IsInf(v, 0) || v == 0) {
		return 0, ErrNotFloat
	}
	return v, nil
}

// ParseScoreBound parses one end of a score range (ZRANGEBYSCORE, ZCOUNT,
// ...) as Redis does: an optional "(" for an exclusive bound, then C's
// strtod syntax over the rest of the string. Redis does not check for an
// empty string (which is 0) or a range error (1e400 is +inf), and strtod
// skips leading spaces; only NaN and trailing bytes are refused, with
// "ERR min or max is not a float".
func ParseScoreBound(s string) (ScoreBound, error) {
	var b ScoreBound
	if strings.HasPrefix(s, "(") {
		b.Exclusive = true
		s = s[1:]
	}
	v, n, _ := strtod(s)
	if n != len(s) || math.IsNaN(v) {
		return ScoreBound{}, errScoreRange
	}
	b.Value = v
	return b, nil
}

// ParseLexBound parses one end of a lexicographic range (ZRANGE BYLEX):
// "-", "+", "[member" or "(member"; anything else is "ERR min or max not
// valid string range item".
func ParseLexBound(s string) (LexBound, error) {
	switch {
	case s == "-":
		return LexBound{Inf: -1, Exclusive: true}, nil
	case s == "+":
		return LexBound{Inf: 1, Exclusive: true}, nil
	case strings.HasPrefix(s, "("):
		return LexBound{Value: s[1:], Exclusive: true}, nil
	case strings.HasPrefix(s, "["):
		return LexBound{Value: s[1:]}, nil
	}
	return LexBound{}, errLexRange
}

// strtod scans the longest prefix of s that C's strtod would convert (in
// the C locale) and returns its value, its length (0 when nothing
// converts), and whether strtod would set ERANGE (overflow, or a non-zero
// number that underflows to zero; a subnormal result does not count, as
// Redis's check only looks for 0 or ±HUGE_VAL).
func strtod(s string) (v float64, n int, erange bool) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	sign := func(f float64) float64 {
		if neg {
			return -f
		}
		return f
	}
	rest := s[i:]
	switch {
	case hasPrefixFold(rest, "infinity"):
		return sign(math.Inf(1)), i + 8, false
	case hasPrefixFold(rest, "inf"):
		return sign(math.Inf(1)), i + 3, false
	case hasPrefixFold(rest, "nan"):
		j := i + 3
		// "nan(chars)" consumes the parenthesised part when it is closed.
		if j < len(s) && s[j] == '(' {
			k := j + 1
			for k < len(s) && (isAlnum(s[k]) || s[k] == '_') {
				k++
			}
			if k < len(s) && s[k] == ')' {
				j = k + 1
			}
		}
		return math.NaN(), j, false
	}
	if len(rest) >= 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X') {
		if v, m, er, ok := scanHex(rest[2:]); ok {
			return sign(v), i + 2 + m, er
		}
		// "0x" without hex digits: strtod converts the "0" alone.
		return sign(0), i + 1, false
	}
	start := i
	digits, nonzero := 0, false
	for i < len(s) && isDigit(s[i]) {
		nonzero = nonzero || s[i] != '0'
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			nonzero = nonzero || s[i] != '0'
			i++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			i = j
		}
	}
	// The scanned text is plain decimal syntax, which ParseFloat rounds
	// correctly, as glibc's strtod does.
	f, err := strconv.ParseFloat(s[start:i], 64)
	if err != nil { // only a range error is possible here
		return sign(f), i, true
	}
	return sign(f), i, nonzero && f == 0
}

// scanHex scans a hexadecimal significand (after "0x") with an optional
// binary exponent, and reports ok false when there is no hex digit.
func scanHex(s string) (v float64, n int, erange, ok bool) {
	i, digits, nonzero := 0, 0, false
	for i < len(s) && isHex(s[i]) {
		nonzero = nonzero || s[i] != '0'
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isHex(s[i]) {
			nonzero = nonzero || s[i] != '0'
			i++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0, false, false
	}
	mant := s[:i]
	exp := "p0"
	if i < len(s) && (s[i] == 'p' || s[i] == 'P') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			exp = s[i:j]
			i = j
		}
	}
	// Go's hexadecimal float syntax needs the exponent, C's does not.
	f, err := strconv.ParseFloat("0x"+mant+exp, 64)
	if err != nil {
		return f, i, true, true
	}
	return f, i, nonzero && f == 0, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'f' }

func isAlnum(c byte) bool { return isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'z' }

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// normScore stores -0 as 0 (see the note at the top of the file).
func normScore(f float64) float64 {
	if f == 0 {
		return 0
	}
	return f
}

// zsetOf returns key's sorted set, nil when the key is absent, or
// ErrWrongType. read counts a keyspace hit or miss.
func zsetOf(tx *store.Tx, key string, read bool) (*store.Entry, *store.ZSet, error) {
	var e *store.Entry
	if read {
		e = tx.Read(key)
	} else {
		e = tx.Get(key)
	}
	if e == nil {
		return nil, nil, nil
	}
	z := e.ZSet()
	if z == nil {
		return nil, nil, ErrWrongType
	}
	return e, z, nil
}

// ZAddOptions are ZADD's flags. NX adds only new members, XX only updates
// existing ones; GT and LT update only when the new score is greater or
// less than the current one (they never prevent adding); CH counts changed
// members as well as new ones; Incr makes ZADD act like ZINCRBY on a
// single member.
type ZAddOptions struct {
	NX, XX, GT, LT, CH, Incr bool
}

// ZAddResult is ZADD's reply: Count without Incr; with Incr the new score,
// or Scored false when NX/XX/GT/LT prevented the increment (Redis's nil).
type ZAddResult struct {
	Count  int64
	Score  float64
	Scored bool
}

// Validate returns Redis's error for incompatible options, in Redis's order,
// for a ZADD of pairs score-member pairs. A protocol edge calls it before it
// parses the scores, as Redis does; ZAdd calls it too.
func (o ZAddOptions) Validate(pairs int) error {
	switch {
	case o.NX && o.XX:
		return invalidArg("ERR XX and NX options at the same time are not compatible")
	case o.GT && o.NX, o.LT && o.NX, o.GT && o.LT:
		return invalidArg("ERR GT, LT, and/or NX options at the same time are not compatible")
	case o.Incr && pairs > 1:
		return invalidArg("ERR INCR option supports a single increment-element pair")
	}
	return nil
}

// ZAdd is ZADD: it adds members (or, with Incr, increments one) in the
// sorted set at key, creating it unless XX.
func (db *DB) ZAdd(key string, opts ZAddOptions, members ...ZMember) (res ZAddResult, err error) {
	err = db.run(key, func(t Txn) error { res, err = t.ZAdd(key, opts, members...); return err })
	return res, err
}

// ZAdd is ZADD.
func (t Txn) ZAdd(key string, opts ZAddOptions, members ...ZMember) (ZAddResult, error) {
	var res ZAddResult
	if err := t.write(); err != nil {
		return res, err
	}
	if len(members) == 0 {
		return res, wrongArgs("zadd")
	}
	if err := opts.Validate(len(members)); err != nil {
		return res, err
	}
	for _, m := range members {
		if math.IsNaN(m.Score) { // what parsing the argument would refuse
			return res, ErrNotFloat
		}
	}
	e, z, err := zsetOf(t.tx, key, false)
	if err != nil {
		return res, err
	}
	if e == nil {
		if opts.XX {
			return res, nil
		}
		z = store.NewZSet()
	}
	var added, updated int64
	var nanErr error
	for _, m := range members {
		score := m.Score
		ref, exists := z.Lookup(m.Member)
		cur := ref.Score
		if exists {
			if opts.NX {
				continue
			}
			if opts.Incr {
				score += cur
				if math.IsNaN(score) {
					nanErr = errNaNScore
					break
				}
			}
			if opts.LT && score >= cur || opts.GT && score <= cur {
				continue
			}
			res.Score, res.Scored = score, true
			if score != cur {
				z.Move(ref, normScore(score))
				updated++
			}
			continue
		}
		if opts.XX {
			continue
		}
		z.Set(m.Member, normScore(score))
		res.Score, res.Scored = score, true
		added++
	}
	if e == nil {
		t.tx.Put(key, store.NewCollection(z)) // not stored if nothing was added
		t.keyReady(key)
	} else if added+updated > 0 {
		t.tx.Changed(key, e)
	}
	if nanErr != nil {
		return ZAddResult{}, nanErr
	}
	if opts.Incr {
		return ZAddResult{Score: res.Score, Scored: res.Scored}, nil
	}
	res.Count = added
	if opts.CH {
		res.Count += updated
	}
	res.Score, res.Scored = 0, false
	return res, nil
}

// ZIncrBy adds incr to member's score in the sorted set at key (a missing
// member counts as 0) and returns the new score (ZINCRBY).
func (db *DB) ZIncrBy(key string, incr float64, member string) (score float64, err error) {
	err = db.run(key, func(t Txn) error { score, err = t.ZIncrBy(key, incr, member); return err })
	return score, err
}

// ZIncrBy is ZINCRBY.
func (t Txn) ZIncrBy(key string, incr float64, member string) (float64, error) {
	res, err := t.ZAdd(key, ZAddOptions{Incr: true}, ZMember{Member: member, Score: incr})
	return res.Score, err
}

// ZRem removes members from the sorted set at key and returns how many
// were members (ZREM).
func (db *DB) ZRem(key string, members ...string) (n int64, err error) {
	err = db.run(key, func(t Txn) error { n, err = t.ZRem(key, members...); return err })
	return n, err
}

// ZRem is ZREM.
func (t Txn) ZRem(key string, members ...string) (int64, error) {
	t.read()
	if len(members) == 0 {
		return 0, wrongArgs("zrem")
	}
	e, z, err := zsetOf(t.tx, key, false)
	if e == nil {
		return 0, err
	}
	var n int64
	for _, m := range members {
		if z.Remove(m) {
			n++
		}
	}
	if n > 0 {
		t.tx.Changed(key, e)
	}
	return n, nil
}

// ZScore returns member's score in the sorted set at key (ZSCORE).
func (db *DB) ZScore(key, member string) (score float64, found bool, err error) {
	err = db.run(key, func(t Txn) error { score, found, err = t.ZScore(key, member); return err })
	return score, found, err
}

// ZScore is ZSCORE.
func (t Txn) ZScore(key, member string) (float64, bool, error) {
	t.read()
	_, z, err := zsetOf(t.tx, key, true)
	if z == nil {
		return 0, false, err
	}
	s, ok := z.Score(member)
	return s, ok, nil
}

// ZMScore returns the score of each member in the sorted set at key
// (ZMSCORE).
func (db *DB) ZMScore(key string, members ...string) (out []MaybeScore, err error) {
	err = db.run(key, func(t Txn) error { out, err = t.ZMScore(key, members...); return err })
	return out, err
}

// ZMScore is ZMSCORE.
func (t Txn) ZMScore(key string, members ...string) ([]MaybeScore, error) {
	t.read()
	if len(members) == 0 {
		return nil, wrongArgs("zmscore")
	}
	_, z, err := zsetOf(t.tx, key, true)
	if err != nil {
		return nil, err
	}
	out := make([]MaybeScore, len(members))
	if z != nil {
		for i, m := range members {
			out[i].Score, out[i].Found = z.Score(m)
		}
	}
	return out, nil
}

// ZCard is the number of members of the sorted set at key (ZCARD).
func (db *DB) ZCard(key string) (n int64, err error) {
	err = db.run(key, func(t Txn) error { n, err = t.ZCard(key); return err })
	return n, err
}

// ZCard is ZCARD.
func (t Txn) ZCard(key string) (int64, error) {
	t.read()
	_, z, err := zsetOf(t.tx, key, true)
	if z == nil {
		return 0, err
	}
	return int64(z.Len()), nil
}

// scoreSpan returns the ascending positions [lo, hi) of the members with
// scores within [min, max]; O(log n).
func scoreSpan(z *store.ZSet, min, max ScoreBound) (lo, hi int) {
	lo = z.CountScoreBelow(min.Value, min.Exclusive)
	hi = z.CountScoreBelow(max.Value, !max.Exclusive)
	return lo, hi
}

// lexSpan is scoreSpan for a lexicographic range.
func lexSpan(z *store.ZSet, min, max LexBound) (lo, hi int) {
	pos := func(b LexBound, orEqual bool) int {
		switch {
		case b.Inf < 0:
			return 0
		case b.Inf > 0:
			return z.Len()
		}
		return z.CountMemberBelow(b.Value, orEqual)
	}
	return pos(min, min.Exclusive), pos(max, !max.Exclusive)
}

// ZCount is the number of members with a score within [min, max] (ZCOUNT).
func (db *DB) ZCount(key string, min, max ScoreBound) (n int64, err error) {
	err = db.run(key, func(t Txn) error { n, err = t.ZCount(key, min, max); return err })
	return n, err
}

// ZCount is ZCOUNT; O(log n).
func (t Txn) ZCount(key string, min, max ScoreBound) (int64, error) {
	return t.countSpan(key, func(z *store.ZSet) (int, int) { return scoreSpan(z, min, max) })
}

// countSpan counts the members between the ascending positions [lo, hi)
// that span finds (ZCOUNT, ZLEXCOUNT).
func (t Txn) countSpan(key string, span func(z *store.ZSet) (lo, hi int)) (int64, error) {
	t.read()
	_, z, err := zsetOf(t.tx, key, true)
	if z == nil {
		return 0, err
	}
	lo, hi := span(z)
	if hi <= lo {
		return 0, nil
	}
	return int64(hi - lo), nil
}

// ZRank returns member's 0-based rank by ascending score (ZRANK); found is
// false when the key or the member does not exist. O(log n).
func (db *DB) ZRank(key, member string) (rank int64, found bool, err error) {
	err = db.run(key, func(t Txn) error { rank, found, err = t.ZRank(key, member); return err })
	return rank, found, err
}

// ZRevRank is ZRank by descending score (ZREVRANK).
func (db *DB) ZRevRank(key, member string) (rank int64, found bool, err error) {
	err = db.run(key, func(t Txn) error { rank, found, err = t.ZRevRank(key, member); return err })
	return rank, found, err
}

// ZRank is ZRANK.
func (t Txn) ZRank(key, member string) (int64, bool, error) { return t.zrank(key, member, false) }

// ZRevRank is ZREVRANK.
func (t Txn) ZRevRank(key, member string) (int64, bool, error) { return t.zrank(key, member, true) }

func (t Txn) zrank(key, member string, rev bool) (int64, bool, error) {
	t.read()
	_, z, err := zsetOf(t.tx, key, true)
	if z == nil {
		return 0, false, err
	}
	r, ok := z.Rank(member)
	if !ok {
		return 0, false, nil
	}
	if rev {
		r = z.Len() - 1 - r
	}
	return int64(r), true, nil
}

// ZRangeBy selects how ZRANGE interprets its range.
type ZRangeBy uint8

// The kinds of ZRANGE range.
const (
	// ZByRank ranges over positions (Start, Stop), negative from the end.
	ZByRank ZRangeBy = iota
	// ZByScore ranges over scores (Min, Max).
	ZByScore
	// ZByLex ranges over members (LexMin, LexMax), for sorted sets whose
	// members all have the same score; otherwise the result is
	// unspecified, as in Redis.
	ZByLex
)

// ZLimit is ZRANGE's LIMIT: skip Offset members (a negative offset gives
// an empty result), then return at most Count (negative: all the rest).
type ZLimit struct {
	Offset, Count int64
}

// ZRangeQuery is a ZRANGE request. Min/Max and LexMin/LexMax are always the
// low and high ends, also with Rev (the protocol's "ZRANGE key max min
// BYSCORE REV" order is the edge's business).
type ZRangeQuery struct {
	By          ZRangeBy
	Start, Stop int64      // ZByRank: inclusive positions
	Min, Max    ScoreBound // ZByScore
	LexMin      LexBound   // ZByLex
	LexMax      LexBound   // ZByLex
	// Rev walks from the highest score down; positions and LIMIT count
	// from that end.
	Rev bool
	// Limit applies to ZByScore and ZByLex only.
	Limit *ZLimit
	// WithScores is only checked against ZByLex, as Redis refuses the
	// combination; results always carry scores.
	WithScores bool
}

// Validate returns Redis's error for incompatible ZRANGE options. A
// protocol edge calls it before parsing the range's bounds, to report
// errors in Redis's order; ZRange calls it too.
func (q *ZRangeQuery) Validate() error {
	// Redis marks "no LIMIT" as count -1, so LIMIT x -1 passes with a rank
	// range; mirror that.
	if q.Limit != nil && q.Limit.Count != -1 && q.By == ZByRank {
		return ErrSyntax.withText("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
	}
	if q.WithScores && q.By == ZByLex {
		return ErrSyntax.withText("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
	}
	if q.By > ZByLex {
		return ErrSyntax
	}
	// A Go caller can pass NaN, which no argument Redis parses can be; Redis
	// refuses it as a bound, and ranges over NaN have no order to follow.
	if q.By == ZByScore && (math.IsNaN(q.Min.Value) || math.IsNaN(q.Max.Value)) {
		return errScoreRange
	}
	return nil
}

// ZRange is ZRANGE with BYSCORE/BYLEX/REV/LIMIT: the members in the range,
// in order (descending with Rev), with their scores. O(log n) to find the
// start, then O(1) per member.
func (db *DB) ZRange(key string, q ZRangeQuery) (out []ZMember, err error) {
	err = db.run(key, func(t Txn) error { out, err = t.ZRange(key, q); return err })
	return out, err
}

// ZRangeByScore is ZRANGEBYSCORE: the members with scores within [min,
// max], ascending, after LIMIT when limit is not nil.
func (db *DB) ZRangeByScore(key string, min, max ScoreBound, limit *ZLimit) ([]ZMember, error) {
	return db.ZRange(key, ZRangeQuery{By: ZByScore, Min: min, Max: max, Limit: limit})
}

// ZRevRange is ZREVRANGE: positions start..stop counted from the highest
// score.
func (db *DB) ZRevRange(key string, start, stop int64) ([]ZMember, error) {
	return db.ZRange(key, ZRangeQuery{Start: start, Stop: stop, Rev: true})
}

// ZRange is ZRANGE.
func (t Txn) ZRange(key string, q ZRangeQuery) ([]ZMember, error) {
	t.read()
	if err := q.Validate(); err != nil {
		return nil, err
	}
	_, z, err := zsetOf(t.tx, key, true)
	if z == nil {
		return []ZMember{}, err
	}
	lo, hi := querySpan(z, q)
	if hi <= lo {
		return []ZMember{}, nil
	}
	out := z.AppendRange(make([]ZMember, 0, hi-lo), lo, hi)
	if q.Rev {
		slices.Reverse(out)
	}
	return out, nil
}

// querySpan is the range q selects in z as ascending positions [lo, hi),
// empty when hi <= lo; ZRANGE reverses it for Rev.
func querySpan(z *store.ZSet, q ZRangeQuery) (lo, hi int) {
	n := z.Len()
	switch q.By {
	case ZByRank:
		start, stop, ok := rankSpan(q.Start, q.Stop, n)
		if !ok {
			return 0, 0
		}
		if q.Rev {
			start, stop = n-1-stop, n-1-start
		}
		lo, hi = start, stop+1
	case ZByScore:
		lo, hi = scoreSpan(z, q.Min, q.Max)
	case ZByLex:
		lo, hi = lexSpan(z, q.LexMin, q.LexMax)
	}
	if q.By != ZByRank && q.Limit != nil {
		lo, hi = applyLimit(lo, hi, *q.Limit, q.Rev)
	}
	return lo, hi
}

// rankSpan normalises ZRANGE-style inclusive positions over n members as
// Redis does, and reports false for an empty range.
func rankSpan(start, stop int64, n int) (int, int, bool) {
	ln := int64(n)
	if start < 0 {
		start += ln
	}
	if stop < 0 {
		stop += ln
	}
	start = max(start, 0)
	if start > stop || start >= ln {
		return 0, 0, false
	}
	stop = min(stop, ln-1)
	return int(start), int(stop), true
}

// applyLimit narrows the ascending positions [lo, hi) to LIMIT, counted
// from the high end when rev.
func applyLimit(lo, hi int, l ZLimit, rev bool) (int, int) {
	size := int64(hi - lo)
	if l.Offset < 0 || size <= 0 || l.Offset >= size {
		return 0, 0
	}
	take := size - l.Offset
	if l.Count >= 0 {
		take = min(take, l.Count)
	}
	if rev {
		hi -= int(l.Offset)
		return hi - int(take), hi
	}
	lo += int(l.Offset)
	return lo, lo + int(take)
}

// ZRemRangeByRank removes the members at positions start..stop (negative
// from the end) and returns how many it removed (ZREMRANGEBYRANK).
func (db *DB) ZRemRangeByRank(key string, start, stop int64) (n int64, err error) {
	err = db.run(key, func(t Txn) error { n, err = t.ZRemRangeByRank(key, start, stop); return err })
	return n, err
}

// ZRemRangeByRank is ZREMRANGEBYRANK.
func (t Txn) ZRemRangeByRank(key string, start, stop int64) (int64, error) {
	t.read()
	e, z, err := zsetOf(t.tx, key, false)
	if e == nil {
		return 0, err
	}
	lo, hi, ok := rankSpan(start, stop, z.Len())
	if !ok {
		return 0, nil
	}
	n := z.RemoveRange(lo, hi+1)
	t.tx.Changed(key, e)
	return int64(n), nil
}

// ZRemRangeByScore removes the members with scores within [min, max] and
// returns how many it removed (ZREMRANGEBYSCORE).
func (db *DB) ZRemRangeByScore(key string, min, max ScoreBound) (n int64, err error) {
	err = db.run(key, func(t Txn) error { n, err = t.ZRemRangeByScore(key, min, max); return err })
	return n, err
}

// ZRemRangeByScore is ZREMRANGEBYSCORE.
func (t Txn) ZRemRangeByScore(key string, min, max ScoreBound) (int64, error) {
	return t.removeSpan(key, func(z *store.ZSet) (int, int) { return scoreSpan(z, min, max) })
}

// removeSpan removes the members between the ascending positions
// [lo, hi) that span finds and returns how many (ZREMRANGEBYSCORE,
// ZREMRANGEBYLEX).
func (t Txn) removeSpan(key string, span func(z *store.ZSet) (lo, hi int)) (int64, error) {
	t.read()
	e, z, err := zsetOf(t.tx, key, false)
	if e == nil {
		return 0, err
	}
	lo, hi := span(z)
	if hi <= lo {
		return 0, nil
	}
	n := z.RemoveRange(lo, hi)
	t.tx.Changed(key, e)
	return int64(n), nil
}

// ZPopMin removes and returns up to count members with the lowest scores,
// lowest first (ZPOPMIN). A negative count is an error, as in Redis.
func (db *DB) ZPopMin(key string, count int64) (out []ZMember, err error) {
	err = db.run(key, func(t Txn) error { out, err = t.ZPopMin(key, count); return err })
	return out, err
}

// ZPopMax removes and returns up to count members with the highest scores,
// highest first (ZPOPMAX).
func (db *DB) ZPopMax(key string, count int64) (out []ZMember, err error) {
	err = db.run(key, func(t Txn) error { out, err = t.ZPopMax(key, count); return err })
	return out, err
}

// ZPopMin is ZPOPMIN.
func (t Txn) ZPopMin(key string, count int64) ([]ZMember, error) { return t.zpop(key, count, false) }

// ZPopMax is ZPOPMAX.
func (t Txn) ZPopMax(key string, count int64) ([]ZMember, error) { return t.zpop(key, count, true) }

func (t Txn) zpop(key string, count int64, highest bool) ([]ZMember, error) {
	t.read()
	if count < 0 {
		return nil, errNotPositive
	}
	e, z, err := zsetOf(t.tx, key, false)
	if e == nil || err != nil || count == 0 {
		return []ZMember{}, err
	}
	out := zpopFrom(z, int(min(count, int64(z.Len()))), highest)
	t.tx.Changed(key, e)
	return out, nil
}

// zpopFrom removes and returns the k (<= z.Len()) lowest members of z,
// lowest first, or the k highest, highest first. The caller calls Changed.
func zpopFrom(z *store.ZSet, k int, highest bool) []ZMember {
	var out []ZMember
	if highest {
		out = make([]ZMember, 0, k)
		z.Descend(z.Len()-1, func(m ZMember) bool { out = append(out, m); return len(out) < k })
	} else {
		out = z.Slice(0, k)
	}
	for _, m := range out {
		z.Remove(m.Member)
	}
	return out
}
