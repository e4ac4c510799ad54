package resp

import (
	"math"

	"github.com/isa-cloud/isa-memstore/engine"
)

// Sorted-set algebra, ZRANGESTORE, the lexicographic ZLEXCOUNT and
// ZREMRANGEBYLEX, the random reads ZRANDMEMBER and HRANDFIELD, and
// SINTERCARD. Their argument checks follow Redis 7.0 step by step, since the
// order decides which error a bad call gets.

func init() {
	ro, rw := flagReadonly, flagWrite|flagDenyOOM
	zs := func(c *command) *command {
		if c.group == "" {
			c.group = "sorted-set"
		}
		if c.first == 0 && c.keys == nil {
			c.first, c.last, c.step = 1, 1, 1
		}
		if c.borrow {
			c.flags |= flagBorrowArgs
		}
		return c
	}
	// The numkeys commands name their keys through keys (Redis's
	// movablekeys); first/last/step are what Redis's COMMAND INFO reports.
	readKeys, storeKeys := numkeysKeys(0, false), numkeysKeys(1, true)
	register(
		zs(&command{name: "zunion", arity: -3, flags: ro, borrow: true, since: "6.2.0", summary: "Add multiple sorted sets", keys: readKeys, txn: cmdZCombine(opZUnion, false)}),
		zs(&command{name: "zinter", arity: -3, flags: ro, borrow: true, since: "6.2.0", summary: "Intersect multiple sorted sets", keys: readKeys, txn: cmdZCombine(opZInter, false)}),
		zs(&command{name: "zdiff", arity: -3, flags: ro, borrow: true, since: "6.2.0", summary: "Subtract multiple sorted sets", keys: readKeys, txn: cmdZCombine(opZDiff, false)}),
		zs(&command{name: "zunionstore", arity: -4, flags: rw, first: 1, last: 1, step: 1, since: "2.0.0", summary: "Add multiple sorted sets and store the resulting sorted set in a new key", keys: storeKeys, txn: cmdZCombine(opZUnion, true)}),
		zs(&command{name: "zinterstore", arity: -4, flags: rw, first: 1, last: 1, step: 1, since: "2.0.0", summary: "Intersect multiple sorted sets and store the resulting sorted set in a new key", keys: storeKeys, txn: cmdZCombine(opZInter, true)}),
		zs(&command{name: "zdiffstore", arity: -4, flags: rw, first: 1, last: 1, step: 1, since: "6.2.0", summary: "Subtract multiple sorted sets and store the resulting sorted set in a new key", keys: storeKeys, txn: cmdZCombine(opZDiff, true)}),
		zs(&command{name: "zintercard", arity: -3, flags: ro, borrow: true, since: "7.0.0", summary: "Intersect multiple sorted sets and return the cardinality of the result", keys: readKeys, txn: cmdZInterCard}),
		zs(&command{name: "zrangestore", arity: -5, flags: rw, first: 1, last: 2, step: 1, since: "6.2.0", summary: "Store a range of members from sorted set into another key", txn: cmdZRangeStore}),
		zs(&command{name: "zlexcount", arity: 4, flags: ro | flagFast, borrow: true, since: "2.8.9", summary: "Count the number of members in a sorted set between a given lexicographical range", txn: cmdLexRange(engine.Txn.ZLexCount)}),
		zs(&command{name: "zremrangebylex", arity: 4, flags: flagWrite, since: "2.8.9", summary: "Remove all members in a sorted set between the given lexicographical range", txn: cmdLexRange(engine.Txn.ZRemRangeByLex)}),
		zs(&command{name: "zrandmember", arity: -2, flags: ro, borrow: true, since: "6.2.0", summary: "Get one or multiple random elements from a sorted set", txn: cmdZRandMember}),
		zs(&command{name: "hrandfield", arity: -2, flags: ro, borrow: true, group: "hash", since: "6.2.0", summary: "Get one or multiple random fields from a hash", txn: cmdHRandField}),
		zs(&command{name: "sintercard", arity: -3, flags: ro, borrow: true, group: "set", since: "7.0.0", summary: "Intersect multiple sets and return the cardinality of the result", keys: readKeys, txn: cmdSInterCard}),
	)
}

// numkeysKeys returns the key function of a command whose arguments (name
// excluded) hold numkeys at index i followed by the keys, with a
// destination key first when dst. A numkeys the command will refuse names
// no input keys: the command replies with an error before it reads any.
func numkeysKeys(i int, dst bool) func(a, buf []string) []string {
	return func(a, buf []string) []string {
		if buf == nil {
			buf = []string{} // nil would lock the whole database
		}
		if dst && len(a) > 0 {
			buf = append(buf, a[0])
		}
		if i < len(a) {
			if n, ok := engine.ParseInt(a[i]); ok && n >= 1 && n <= int64(len(a)-i-1) {
				buf = append(buf, a[i+1:i+1+int(n)]...)
			}
		}
		return buf
	}
}

type zop uint8

const (
	opZUnion zop = iota
	opZInter
	opZDiff
)

var zopNames = [...]string{"zunion", "zinter", "zdiff"}

// zcombineCall is a parsed ZUNION/ZINTER/ZDIFF/ZINTERCARD call. optErr is
// an option error, which Redis reports only after it has type-checked the
// inputs.
type zcombineCall struct {
	keys       []string
	opts       engine.ZCombineOptions
	withScores bool
	limit      int64
	optErr     error
}

// parseZCombine parses "numkeys key... options" (a starts at numkeys) as
// Redis's zunionInterDiffGenericCommand: numkeys, then the options, whose
// error is kept for after the type checks. card is ZINTERCARD (LIMIT, no
// WEIGHTS/AGGREGATE/WITHSCORES); store refuses WITHSCORES.
func parseZCombine(a []string, cmd string, op zop, store, card bool) (zcombineCall, error) {
	var call zcombineCall
	n, err := parseInt(a[0])
	if err != nil {
		return call, err
	}
	if n < 1 {
		return call, textError("ERR at least 1 input key is needed for '" + cmd + "' command")
	}
	if n > int64(len(a)-1) {
		return call, errSyntax
	}
	call.keys = a[1 : 1+n]
	rest := a[1+n:]
	algebra := op != opZDiff && !card
	for j := 0; j < len(rest) && call.optErr == nil; {
		left := len(rest) - j
		switch opt := rest[j]; {
		case algebra && left >= len(call.keys)+1 && eq(opt, "weights"):
			j++
			ws := make([]float64, len(call.keys))
			for i := range ws {
				w, err := engine.ParseWeight(rest[j])
				if err != nil {
					call.optErr = err
					break
				}
				ws[i] = w
				j++
			}
			call.opts.Weights = ws
		case algebra && left >= 2 && eq(opt, "aggregate"):
			switch agg := rest[j+1]; {
			case eq(agg, "sum"):
				call.opts.Aggregate = engine.ZAggregateSum
			case eq(agg, "min"):
				call.opts.Aggregate = engine.ZAggregateMin
			case eq(agg, "max"):
				call.opts.Aggregate = engine.ZAggregateMax
			default:
				call.optErr = errSyntax
			}
			j += 2
		case !store && !card && eq(opt, "withscores"):
			call.withScores = true
			j++
		case card && left >= 2 && eq(opt, "limit"):
			l, err := parseInt(rest[j+1])
			if err != nil || l < 0 {
				call.optErr = textError("ERR LIMIT can't be negative")
			}
			call.limit = l
			j += 2
		default:
			call.optErr = errSyntax
		}
	}
	return call, nil
}

// cmdZCombine is ZUNION, ZINTER, ZDIFF and their STORE forms.
func cmdZCombine(op zop, store bool) func(c *client, t engine.Txn, a []string) error {
	cmd := zopNames[op]
	if store {
		cmd += "store"
	}
	return func(c *client, t engine.Txn, a []string) error {
		var dst string
		if store {
			dst, a = a[0], a[1:]
		}
		call, err := parseZCombine(a, cmd, op, store, false)
		if err != nil {
			return err
		}
		if call.optErr != nil {
			if err := t.ZCheckSources(call.keys...); err != nil {
				return err
			}
			return call.optErr
		}
		if store {
			var n int64
			switch op {
			case opZUnion:
				n, err = t.ZUnionStore(dst, call.keys, call.opts)
			case opZInter:
				n, err = t.ZInterStore(dst, call.keys, call.opts)
			default:
				n, err = t.ZDiffStore(dst, call.keys...)
			}
			if err != nil {
				return err
			}
			c.w.integer(n)
			return nil
		}
		var ms []engine.ZMember
		switch op {
		case opZUnion:
			ms, err = t.ZUnion(call.keys, call.opts)
		case opZInter:
			ms, err = t.ZInter(call.keys, call.opts)
		default:
			ms, err = t.ZDiff(call.keys...)
		}
		if err != nil {
			return err
		}
		c.writeZMembers(ms, call.withScores)
		return nil
	}
}

func cmdZInterCard(c *client, t engine.Txn, a []string) error {
	call, err := parseZCombine(a, "zintercard", opZInter, false, true)
	if err != nil {
		return err
	}
	if call.optErr != nil {
		if err := t.ZCheckSources(call.keys...); err != nil {
			return err
		}
		return call.optErr
	}
	n, err := t.ZInterCard(call.keys, call.limit)
	if err != nil {
		return err
	}
	c.w.integer(n)
	return nil
}

// cmdSInterCard parses as Redis's sinterCardCommand: numkeys, the options,
// and only then the keys.
func cmdSInterCard(c *client, t engine.Txn, a []string) error {
	n, err := parseInt(a[0])
	if err != nil || n < 1 {
		return textError("ERR numkeys should be greater than 0")
	}
	if n > int64(len(a)-1) {
		return textError("ERR Number of keys can't be greater than number of args")
	}
	keys := a[1 : 1+n]
	var limit int64
	for j := 1 + int(n); j < len(a); j++ {
		if !eq(a[j], "limit") || j == len(a)-1 {
			return errSyntax
		}
		j++
		l, err := parseInt(a[j])
		if err != nil || l < 0 {
			return textError("ERR LIMIT can't be negative")
		}
		limit = l
	}
	card, err := t.SInterCard(keys, limit)
	if err != nil {
		return err
	}
	c.w.integer(card)
	return nil
}

func cmdZRangeStore(c *client, t engine.Txn, a []string) error {
	var q engine.ZRangeQuery
	if err := parseZRange(&q, a[2], a[3], a[4:], false, true); err != nil {
		return err
	}
	n, err := t.ZRangeStore(a[0], a[1], q)
	if err != nil {
		return err
	}
	c.w.integer(n)
	return nil
}

// cmdLexRange is ZLEXCOUNT and ZREMRANGEBYLEX: key min max, answered with
// a count.
func cmdLexRange(f func(t engine.Txn, key string, min, max engine.LexBound) (int64, error)) func(c *client, t engine.Txn, a []string) error {
	return func(c *client, t engine.Txn, a []string) error {
		min, max, err := lexRange(a[1], a[2])
		if err != nil {
			return err
		}
		n, err := f(t, a[0], min, max)
		if err != nil {
			return err
		}
		c.w.integer(n)
		return nil
	}
}

// randomCount parses the count and the WITH... flag of ZRANDMEMBER and
// HRANDFIELD (a holds the key first) as Redis: the count, a syntax check
// of the rest, then, with the flag, a narrower range (Redis doubles the
// reply's length in RESP2). It reports whether a count was given.
func randomCount(a []string, flag string) (count int64, with, counted bool, err error) {
	if len(a) < 2 {
		return 0, false, false, nil
	}
	count, err = parseInt(a[1])
	if err != nil {
		return 0, false, true, err
	}
	if len(a) > 3 || len(a) == 3 && !eq(a[2], flag) {
		return 0, false, true, errSyntax
	}
	if len(a) == 3 {
		if count < -math.MaxInt64/2 || count > math.MaxInt64/2 {
			return 0, false, true, textError("ERR value is out of range")
		}
		with = true
	}
	return count, with, true, nil
}

func cmdZRandMember(c *client, t engine.Txn, a []string) error {
	count, with, counted, err := randomCount(a, "withscores")
	if err != nil {
		return err
	}
	if !counted {
		m, found, err := t.ZRandMember(a[0])
		if err != nil {
			return err
		}
		c.writeMaybe(m.Member, found)
		return nil
	}
	ms, err := t.ZRandMemberCount(a[0], count)
	if err != nil {
		return err
	}
	c.writeZMembers(ms, with)
	return nil
}

func cmdHRandField(c *client, t engine.Txn, a []string) error {
	count, with, counted, err := randomCount(a, "withvalues")
	if err != nil {
		return err
	}
	if !counted {
		fv, found, err := t.HRandField(a[0])
		if err != nil {
			return err
		}
		c.writeMaybe(fv.Field, found)
		return nil
	}
	fvs, err := t.HRandFieldCount(a[0], count)
	if err != nil {
		return err
	}
	switch {
	case !with:
		c.w.array(len(fvs))
		for _, fv := range fvs {
			c.w.bulkString(fv.Field)
		}
	case c.w.proto == 3:
		// RESP3 pairs each field with its value in an array of two (not
		// a map: fields may repeat and the order matters).
		c.w.array(len(fvs))
		for _, fv := range fvs {
			c.w.array(2)
			c.w.bulkString(fv.Field)
			c.w.bulkString(fv.Value)
		}
	default:
		c.w.array(2 * len(fvs))
		for _, fv := range fvs {
			c.w.bulkString(fv.Field)
			c.w.bulkString(fv.Value)
		}
	}
	return nil
}
