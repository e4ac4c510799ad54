package resp

import (
	"github.com/isa-cloud/isa-memstore/engine"
)

func init() {
	const g = "list"
	rw := flagWrite | flagDenyOOM | flagFast
	k1 := func(c *command) *command {
		c.first, c.last, c.step, c.group = 1, 1, 1, g
		if c.borrow {
			c.flags |= flagBorrowArgs
		}
		return c
	}
	k2 := func(c *command) *command { c.first, c.last, c.step, c.group = 1, 2, 1, g; return c }
	register(
		k1(&command{name: "lpush", arity: -3, flags: rw, since: "1.0.0", summary: "Prepend one or multiple elements to a list", txn: cmdPush(engine.Txn.LPush)}),
		k1(&command{name: "rpush", arity: -3, flags: rw, since: "1.0.0", summary: "Append one or multiple elements to a list", txn: cmdPush(engine.Txn.RPush)}),
		k1(&command{name: "lpushx", arity: -3, flags: rw, since: "2.2.0", summary: "Prepend an element to a list, only if the list exists", txn: cmdPush(engine.Txn.LPushX)}),
		k1(&command{name: "rpushx", arity: -3, flags: rw, since: "2.2.0", summary: "Append an element to a list, only if the list exists", txn: cmdPush(engine.Txn.RPushX)}),
		k1(&command{name: "lpop", arity: -2, flags: flagWrite | flagFast, since: "1.0.0", summary: "Remove and get the first elements in a list", txn: cmdPop("lpop", engine.Txn.LPop, engine.Txn.LPopCount)}),
		k1(&command{name: "rpop", arity: -2, flags: flagWrite | flagFast, since: "1.0.0", summary: "Remove and get the last elements in a list", txn: cmdPop("rpop", engine.Txn.RPop, engine.Txn.RPopCount)}),
		k1(&command{name: "llen", borrow: true, arity: 2, flags: flagReadonly | flagFast, since: "1.0.0", summary: "Get the length of a list", txn: cmdLLen}),
		k1(&command{name: "lindex", borrow: true, arity: 3, flags: flagReadonly, since: "1.0.0", summary: "Get an element from a list by its index", txn: cmdLIndex}),
		k1(&command{name: "lrange", borrow: true, arity: 4, flags: flagReadonly, since: "1.0.0", summary: "Get a range of elements from a list", txn: cmdLRange}),
		k1(&command{name: "ltrim", arity: 4, flags: flagWrite, since: "1.0.0", summary: "Trim a list to the specified range", txn: cmdLTrim}),
		k1(&command{name: "lset", arity: 4, flags: flagWrite | flagDenyOOM, since: "1.0.0", summary: "Set the value of an element in a list by its index", txn: cmdLSet}),
		k1(&command{name: "lrem", arity: 4, flags: flagWrite, since: "1.0.0", summary: "Remove elements from a list", txn: cmdLRem}),
		k1(&command{name: "linsert", arity: 5, flags: flagWrite | flagDenyOOM, since: "2.2.0", summary: "Insert an element before or after another element in a list", txn: cmdLInsert}),
		k1(&command{name: "lpos", arity: -3, flags: flagReadonly, since: "6.0.6", summary: "Return the index of matching elements on a list", txn: cmdLPos}),
		k2(&command{name: "lmove", arity: 5, flags: flagWrite | flagDenyOOM, since: "6.2.0", summary: "Pop an element from a list, push it to another list and return it", txn: cmdLMove}),
		k2(&command{name: "rpoplpush", arity: 3, flags: flagWrite | flagDenyOOM, since: "1.2.0", summary: "Remove the last element in a list, prepend it to another list and return it", txn: cmdRPopLPush}),
	)
}

func cmdPush(push func(engine.Txn, string, ...string) (int64, error)) func(c *client, t engine.Txn, a []string) error {
	return func(c *client, t engine.Txn, a []string) error {
		n, err := push(t, a[0], a[1:]...)
		if err != nil {
			return err
		}
		c.w.integer(n)
		return nil
	}
}

var errMustBePositive = textError("ERR value is out of range, must be positive")

func cmdPop(name string, one func(engine.Txn, string) (string, bool, error), many func(engine.Txn, string, int64) ([]string, bool, error)) func(c *client, t engine.Txn, a []string) error {
	return func(c *client, t engine.Txn, a []string) error {
		if len(a) > 2 {
			return textError("ERR wrong number of arguments for '" + name + "' command")
		}
		if len(a) == 1 {
			v, found, err := one(t, a[0])
			if err != nil {
				return err
			}
			c.writeMaybe(v, found)
			return nil
		}
		n, err := parseInt(a[1])
		if err != nil || n < 0 {
			return errMustBePositive
		}
		vs, found, err := many(t, a[0], n)
		if err != nil {
			return err
		}
		if !found {
			c.w.nullArray()
			return nil
		}
		c.writeStrings(vs)
		return nil
	}
}

func cmdLLen(c *client, t engine.Txn, a []string) error {
	n, err := t.LLen(a[0])
	if err != nil {
		return err
	}
	c.w.integer(n)
	return nil
}

// badIndex is the error for an unparsable index: Redis looks the key up
// first, so a missing key or one of another type wins over the number.
func badIndex(t engine.Txn, key string, missing, err error) error {
	switch t.Type(key) {
	case engine.TypeNone:
		return missing
	case engine.TypeList:
	default:
		return engine.ErrWrongType
	}
	return err
}

func cmdLIndex(c *client, t engine.Txn, a []string) error {
	i, err := parseInt(a[1])
	if err != nil {
		if err = badIndex(t, a[0], nil, err); err == nil {
			c.w.null()
		}
		return err
	}
	v, found, err := t.LIndex(a[0], i)
	if err != nil {
		return err
	}
	c.writeMaybe(v, found)
	return nil
}

// twoInts parses two integer arguments (ranges).
func twoInts(x, y string) (int64, int64, error) {
	a, err := parseInt(x)
	if err != nil {
		return 0, 0, err
	}
	b, err := parseInt(y)
	return a, b, err
}

func cmdLRange(c *client, t engine.Txn, a []string) error {
	start, stop, err := twoInts(a[1], a[2])
	if err != nil {
		return err
	}
	vs, err := t.LRange(a[0], start, stop)
	if err != nil {
		return err
	}
	c.writeStrings(vs)
	return nil
}

func cmdLTrim(c *client, t engine.Txn, a []string) error {
	start, stop, err := twoInts(a[1], a[2])
	if err != nil {
		return err
	}
	if err := t.LTrim(a[0], start, stop); err != nil {
		return err
	}
	c.w.ok()
	return nil
}

func cmdLSet(c *client, t engine.Txn, a []string) error {
	i, err := parseInt(a[1])
	if err != nil {
		return badIndex(t, a[0], engine.ErrNoSuchKey, err)
	}
	if err := t.LSet(a[0], i, a[2]); err != nil {
		return err
	}
	c.w.ok()
	return nil
}

func cmdLRem(c *client, t engine.Txn, a []string) error {
	n, err := parseInt(a[1])
	if err != nil {
		return err
	}
	removed, err := t.LRem(a[0], n, a[2])
	if err != nil {
		return err
	}
	c.w.integer(removed)
	return nil
}

func cmdLInsert(c *client, t engine.Txn, a []string) error {
	var where engine.InsertPosition
	switch {
	case eq(a[1], "before"):
		where = engine.InsertBefore
	case eq(a[1], "after"):
		where = engine.InsertAfter
	default:
		return errSyntax
	}
	n, err := t.LInsert(a[0], where, a[2], a[3])
	if err != nil {
		return err
	}
	c.w.integer(n)
	return nil
}

func cmdLPos(c *client, t engine.Txn, a []string) error {
	var opts engine.LPosOptions
	count, withCount := int64(0), false
	for i := 2; i < len(a); i++ {
		more := i+1 < len(a)
		switch {
		case eq(a[i], "rank") && more:
			i++
			r, err := parseInt(a[i])
			if err != nil {
				return err
			}
			if r == 0 {
				return engine.LPosRankZero()
			}
			opts.Rank = r
		case eq(a[i], "count") && more:
			i++
			n, err := parseInt(a[i])
			if err != nil || n < 0 {
				return textError("ERR COUNT can't be negative")
			}
			count, withCount = n, true
		case eq(a[i], "maxlen") && more:
			i++
			n, err := parseInt(a[i])
			if err != nil || n < 0 {
				return textError("ERR MAXLEN can't be negative")
			}
			opts.MaxLen = n
		default:
			return errSyntax
		}
	}
	if withCount {
		ps, err := t.LPosCount(a[0], a[1], count, opts)
		if err != nil {
			return err
		}
		c.w.array(len(ps))
		for _, p := range ps {
			c.w.integer(p)
		}
		return nil
	}
	p, found, err := t.LPos(a[0], a[1], opts)
	if err != nil {
		return err
	}
	if found {
		c.w.integer(p)
	} else {
		c.w.null()
	}
	return nil
}

func parseSide(s string) (engine.ListSide, bool) {
	switch {
	case eq(s, "left"):
		return engine.ListLeft, true
	case eq(s, "right"):
		return engine.ListRight, true
	}
	return 0, false
}

func cmdLMove(c *client, t engine.Txn, a []string) error {
	from, ok1 := parseSide(a[2])
	to, ok2 := parseSide(a[3])
	if !ok1 || !ok2 {
		return errSyntax
	}
	return lmove(c, t, a[0], a[1], from, to)
}

func cmdRPopLPush(c *client, t engine.Txn, a []string) error {
	return lmove(c, t, a[0], a[1], engine.ListRight, engine.ListLeft)
}

func lmove(c *client, t engine.Txn, src, dst string, from, to engine.ListSide) error {
	v, found, err := t.LMove(src, dst, from, to)
	if err != nil {
		return err
	}
	c.writeMaybe(v, found)
	return nil
}
