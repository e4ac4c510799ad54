package resp

import (
	"github.com/isa-cloud/isa-memstore/engine"
)

func init() {
	const g = "sorted-set"
	k1 := func(c *command) *command {
		c.first, c.last, c.step, c.group = 1, 1, 1, g
		if c.borrow {
			c.flags |= flagBorrowArgs
		}
		return c
	}
	rw := flagWrite | flagDenyOOM | flagFast
	ro := flagReadonly
	register(
		k1(&command{name: "zadd", arity: -4, flags: rw, since: "1.2.0", summary: "Add one or more members to a sorted set, or update its score if it already exists", txn: cmdZAdd}),
		k1(&command{name: "zincrby", arity: 4, flags: rw, since: "1.2.0", summary: "Increment the score of a member in a sorted set", txn: cmdZIncrBy}),
		k1(&command{name: "zrem", arity: -3, flags: flagWrite | flagFast, since: "1.2.0", summary: "Remove one or more members from a sorted set", txn: cmdZRem}),
		k1(&command{name: "zscore", arity: 3, flags: ro | flagFast, borrow: true, since: "1.2.0", summary: "Get the score associated with the given member in a sorted set", txn: cmdZScore}),
		k1(&command{name: "zmscore", arity: -3, flags: ro | flagFast, borrow: true, since: "6.2.0", summary: "Get the score associated with the given members in a sorted set", txn: cmdZMScore}),
		k1(&command{name: "zcard", arity: 2, flags: ro | flagFast, borrow: true, since: "1.2.0", summary: "Get the number of members in a sorted set", txn: cmdZCard}),
		k1(&command{name: "zcount", arity: 4, flags: ro | flagFast, borrow: true, since: "2.0.0", summary: "Count the members in a sorted set with scores within the given values", txn: cmdZCount}),
		k1(&command{name: "zrank", arity: 3, flags: ro | flagFast, borrow: true, since: "2.0.0", summary: "Determine the index of a member in a sorted set", txn: cmdZRank(false)}),
		k1(&command{name: "zrevrank", arity: 3, flags: ro | flagFast, borrow: true, since: "2.0.0", summary: "Determine the index of a member in a sorted set, with scores ordered from high to low", txn: cmdZRank(true)}),
		k1(&command{name: "zrange", arity: -4, flags: ro, borrow: true, since: "1.2.0", summary: "Return a range of members in a sorted set", txn: cmdZRange(engine.ZByRank, false, false)}),
		k1(&command{name: "zrangebyscore", arity: -4, flags: ro, borrow: true, since: "1.0.5", summary: "Return a range of members in a sorted set, by score", txn: cmdZRange(engine.ZByScore, false, true)}),
		k1(&command{name: "zrevrangebyscore", arity: -4, flags: ro, borrow: true, since: "2.2.0", summary: "Return a range of members in a sorted set, by score, with scores ordered from high to low", txn: cmdZRange(engine.ZByScore, true, true)}),
		k1(&command{name: "zrangebylex", arity: -4, flags: ro, borrow: true, since: "2.8.9", summary: "Return a range of members in a sorted set, by lexicographical range", txn: cmdZRange(engine.ZByLex, false, true)}),
		k1(&command{name: "zrevrangebylex", arity: -4, flags: ro, borrow: true, since: "2.8.9", summary: "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings", txn: cmdZRange(engine.ZByLex, true, true)}),
		k1(&command{name: "zrevrange", arity: -4, flags: ro, borrow: true, since: "1.2.0", summary: "Return a range of members in a sorted set, by index, with scores ordered from high to low", txn: cmdZRange(engine.ZByRank, true, true)}),
		k1(&command{name: "zremrangebyrank", arity: 4, flags: flagWrite, since: "2.0.0", summary: "Remove all members in a sorted set within the given indexes", txn: cmdZRemRangeByRank}),
		k1(&command{name: "zremrangebyscore", arity: 4, flags: flagWrite, since: "1.2.0", summary: "Remove all members in a sorted set within the given scores", txn: cmdZRemRangeByScore}),
		k1(&command{name: "zpopmin", arity: -2, flags: flagWrite | flagFast, since: "5.0.0", summary: "Remove and return members with the lowest scores in a sorted set", txn: cmdZPop(false)}),
		k1(&command{name: "zpopmax", arity: -2, flags: flagWrite | flagFast, since: "5.0.0", summary: "Remove and return members with the highest scores in a sorted set", txn: cmdZPop(true)}),
		k1(&command{name: "zscan", arity: -3, flags: ro, since: "2.8.0", summary: "Incrementally iterate sorted sets elements and associated scores", run: cmdZScan}),
	)
}

// cmdZAdd parses ZADD as Redis does: flags, the pair count, option
// conflicts, every score, then the command.
func cmdZAdd(c *client, t engine.Txn, a []string) error {
	var o engine.ZAddOptions
	i := 1
flags:
	for ; i < len(a); i++ {
		switch {
		case eq(a[i], "nx"):
			o.NX = true
		case eq(a[i], "xx"):
			o.XX = true
		case eq(a[i], "gt"):
			o.GT = true
		case eq(a[i], "lt"):
			o.LT = true
		case eq(a[i], "ch"):
			o.CH = true
		case eq(a[i], "incr"):
			o.Incr = true
		default:
			break flags
		}
	}
	rest := a[i:]
	if len(rest) == 0 || len(rest)%2 != 0 {
		return errSyntax
	}
	if err := o.Validate(len(rest) / 2); err != nil {
		return err
	}
	ms := make([]engine.ZMember, 0, len(rest)/2)
	for j := 0; j < len(rest); j += 2 {
		s, err := engine.ParseScore(rest[j])
		if err != nil {
			return err
		}
		ms = append(ms, engine.ZMember{Member: rest[j+1], Score: s})
	}
	res, err := t.ZAdd(a[0], o, ms...)
	if err != nil {
		return err
	}
	switch {
	case !o.Incr:
		c.w.integer(res.Count)
	case res.Scored:
		c.w.double(res.Score)
	default:
		c.w.null()
	}
	return nil
}

func cmdZIncrBy(c *client, t engine.Txn, a []string) error {
	incr, err := engine.ParseScore(a[1])
	if err != nil {
		return err
	}
	s, err := t.ZIncrBy(a[0], incr, a[2])
	if err != nil {
		return err
	}
	c.w.double(s)
	return nil
}

func cmdZRem(c *client, t engine.Txn, a []string) error {
	n, err := t.ZRem(a[0], a[1:]...)
	if err != nil {
		return err
	}
	c.w.integer(n)
	return nil
}

func cmdZScore(c *client, t engine.Txn, a []string) error {
	s, found, err := t.ZScore(a[0], a[1])
	if err != nil {
		return err
	}
	if found {
		c.w.double(s)
	} else {
		c.w.null()
	}
	return nil
}

func cmdZMScore(c *client, t engine.Txn, a []string) error {
	ss, err := t.ZMScore(a[0], a[1:]...)
	if err != nil {
		return err
	}
	c.w.array(len(ss))
	for _, s := range ss {
		if s.Found {
			c.w.double(s.Score)
		} else {
			c.w.null()
		}
	}
	return nil
}

func cmdZCard(c *client, t engine.Txn, a []string) error {
	n, err := t.ZCard(a[0])
	if err != nil {
		return err
	}
	c.w.integer(n)
	return nil
}

// scoreRange parses a min/max pair of score bounds.
func scoreRange(lo, hi string) (engine.ScoreBound, engine.ScoreBound, error) {
	min, err := engine.ParseScoreBound(lo)
	if err != nil {
		return min, min, err
	}
	max, err := engine.ParseScoreBound(hi)
	return min, max, err
}

func cmdZCount(c *client, t engine.Txn, a []string) error {
	min, max, err := scoreRange(a[1], a[2])
	if err != nil {
		return err
	}
	n, err := t.ZCount(a[0], min, max)
	if err != nil {
		return err
	}
	c.w.integer(n)
	return nil
}

func cmdZRank(rev bool) func(c *client, t engine.Txn, a []string) error {
	return func(c *client, t engine.Txn, a []string) error {
		rank := t.ZRank
		if rev {
			rank = t.ZRevRank
		}
		r, found, err := rank(a[0], a[1])
		if err != nil {
			return err
		}
		if found {
			c.w.integer(r)
		} else {
			c.w.null()
		}
		return nil
	}
}

// cmdZRange is the ZRANGE family (see parseZRange). fixed marks the older
// commands whose kind and direction options cannot change.
func cmdZRange(by engine.ZRangeBy, rev, fixed bool) func(c *client, t engine.Txn, a []string) error {
	return func(c *client, t engine.Txn, a []string) error {
		q := engine.ZRangeQuery{By: by, Rev: rev}
		if err := parseZRange(&q, a[1], a[2], a[3:], fixed, false); err != nil {
			return err
		}
		ms, err := t.ZRange(a[0], q)
		if err != nil {
			return err
		}
		c.writeZMembers(ms, q.WithScores)
		return nil
	}
}

// parseZRange parses a ZRANGE-style range (lo, hi as given) and its
// options into q, as Redis's zrangeGenericCommand: options in one pass
// (LIMIT's numbers as they come), option conflicts, then the range (max
// first when reversed by score or lex). fixed keeps q's kind and direction
// (the older commands); store refuses WITHSCORES, as ZRANGESTORE does.
func parseZRange(q *engine.ZRangeQuery, lo, hi string, opts []string, fixed, store bool) error {
	byAuto, revAuto := !fixed, !fixed
	for j := 0; j < len(opts); j++ {
		left := len(opts) - j - 1
		switch opt := opts[j]; {
		case !store && eq(opt, "withscores"):
			q.WithScores = true
		case eq(opt, "limit") && left >= 2:
			off, err := parseInt(opts[j+1])
			if err != nil {
				return err
			}
			cnt, err := parseInt(opts[j+2])
			if err != nil {
				return err
			}
			q.Limit = &engine.ZLimit{Offset: off, Count: cnt}
			j += 2
		case revAuto && eq(opt, "rev"):
			q.Rev, revAuto = true, false
		case byAuto && eq(opt, "bylex"):
			q.By, byAuto = engine.ZByLex, false
		case byAuto && eq(opt, "byscore"):
			q.By, byAuto = engine.ZByScore, false
		default:
			return errSyntax
		}
	}
	if err := q.Validate(); err != nil {
		return err
	}
	if q.Rev && q.By != engine.ZByRank {
		lo, hi = hi, lo
	}
	switch q.By {
	case engine.ZByRank:
		start, stop, err := twoInts(lo, hi)
		if err != nil {
			return err
		}
		q.Start, q.Stop = start, stop
	case engine.ZByScore:
		min, max, err := scoreRange(lo, hi)
		if err != nil {
			return err
		}
		q.Min, q.Max = min, max
	case engine.ZByLex:
		min, max, err := lexRange(lo, hi)
		if err != nil {
			return err
		}
		q.LexMin, q.LexMax = min, max
	}
	return nil
}

// lexRange parses a min/max pair of lexicographic bounds.
func lexRange(lo, hi string) (engine.LexBound, engine.LexBound, error) {
	min, err := engine.ParseLexBound(lo)
	if err != nil {
		return min, min, err
	}
	max, err := engine.ParseLexBound(hi)
	return min, max, err
}

// writeZMembers writes members, with their scores as pairs (RESP3) or
// interleaved (RESP2) when withScores.
func (c *client) writeZMembers(ms []engine.ZMember, withScores bool) {
	if !withScores {
		c.w.array(len(ms))
		for _, m := range ms {
			c.w.bulkString(m.Member)
		}
		return
	}
	if c.w.proto == 3 {
		c.w.array(len(ms))
		for _, m := range ms {
			c.w.array(2)
			c.w.bulkString(m.Member)
			c.w.double(m.Score)
		}
		return
	}
	c.w.array(2 * len(ms))
	for _, m := range ms {
		c.w.bulkString(m.Member)
		c.w.double(m.Score)
	}
}

func cmdZRemRangeByRank(c *client, t engine.Txn, a []string) error {
	start, stop, err := twoInts(a[1], a[2])
	if err != nil {
		return err
	}
	n, err := t.ZRemRangeByRank(a[0], start, stop)
	if err != nil {
		return err
	}
	c.w.integer(n)
	return nil
}

func cmdZRemRangeByScore(c *client, t engine.Txn, a []string) error {
	min, max, err := scoreRange(a[1], a[2])
	if err != nil {
		return err
	}
	n, err := t.ZRemRangeByScore(a[0], min, max)
	if err != nil {
		return err
	}
	c.w.integer(n)
	return nil
}

// cmdZPop is ZPOPMIN/ZPOPMAX: without a count the reply is one flat
// member-score pair (or empty), with one a list of pairs (nested in RESP3).
func cmdZPop(highest bool) func(c *client, t engine.Txn, a []string) error {
	return func(c *client, t engine.Txn, a []string) error {
		if len(a) > 2 {
			return errSyntax
		}
		count := int64(1)
		if len(a) == 2 {
			n, err := parseInt(a[1])
			if err != nil {
				return errMustBePositive
			}
			count = n
		}
		pop := t.ZPopMin
		if highest {
			pop = t.ZPopMax
		}
		ms, err := pop(a[0], count)
		if err != nil {
			return err
		}
		if len(a) == 1 {
			c.w.array(2 * len(ms))
			for _, m := range ms {
				c.w.bulkString(m.Member)
				c.w.double(m.Score)
			}
			return nil
		}
		c.writeZMembers(ms, true)
		return nil
	}
}

func cmdZScan(c *client, a []string) {
	collectionScan(c, "zscan", a, true, func(t engine.Txn, key string) ([]scanItem, error) {
		ms, err := t.ZRange(key, engine.ZRangeQuery{Start: 0, Stop: -1})
		items := make([]scanItem, len(ms))
		for i, m := range ms {
			items[i] = scanItem{key: m.Member, val: engine.FormatFloat(m.Score)}
		}
		return items, err
	})
}
