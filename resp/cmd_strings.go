package resp

import (
	"math"
	"time"

	"github.com/isa-cloud/isa-memstore/engine"
)

func init() {
	const g = "string"
	rw := flagWrite | flagDenyOOM
	register(
		&command{name: "get", arity: 2, flags: flagReadonly | flagFast | flagBorrowArgs, first: 1, last: 1, step: 1, group: g, since: "1.0.0", summary: "Get the value of a key", txn: cmdGet},
		&command{name: "set", arity: -3, flags: rw, first: 1, last: 1, step: 1, group: g, since: "1.0.0", summary: "Set the string value of a key", txn: cmdSet},
		&command{name: "setnx", arity: 3, flags: rw | flagFast, first: 1, last: 1, step: 1, group: g, since: "1.0.0", summary: "Set the value of a key, only if the key does not exist", txn: cmdSetNX},
		&command{name: "setex", arity: 4, flags: rw, first: 1, last: 1, step: 1, group: g, since: "2.0.0", summary: "Set the value and expiration of a key", txn: cmdSetEx("setex", time.Second)},
		&command{name: "psetex", arity: 4, flags: rw, first: 1, last: 1, step: 1, group: g, since: "2.6.0", summary: "Set the value and expiration in milliseconds of a key", txn: cmdSetEx("psetex", time.Millisecond)},
		&command{name: "getset", arity: 3, flags: rw | flagFast, first: 1, last: 1, step: 1, group: g, since: "1.0.0", summary: "Set the string value of a key and return its old value", txn: cmdGetSet},
		&command{name: "getdel", arity: 2, flags: flagWrite | flagFast, first: 1, last: 1, step: 1, group: g, since: "6.2.0", summary: "Get the value of a key and delete the key", txn: cmdGetDel},
		&command{name: "getex", arity: -2, flags: flagWrite | flagFast, first: 1, last: 1, step: 1, group: g, since: "6.2.0", summary: "Get the value of a key and optionally set its expiration", txn: cmdGetEx},
		&command{name: "mget", arity: -2, flags: flagReadonly | flagFast | flagBorrowArgs, first: 1, last: -1, step: 1, group: g, since: "1.0.0", summary: "Get the values of all the given keys", txn: cmdMGet},
		&command{name: "mset", arity: -3, flags: rw, first: 1, last: -1, step: 2, group: g, since: "1.0.1", summary: "Set multiple keys to multiple values", txn: cmdMSet(false)},
		&command{name: "msetnx", arity: -3, flags: rw, first: 1, last: -1, step: 2, group: g, since: "1.0.1", summary: "Set multiple keys to multiple values, only if none of the keys exist", txn: cmdMSet(true)},
		&command{name: "append", arity: 3, flags: rw | flagFast, first: 1, last: 1, step: 1, group: g, since: "2.0.0", summary: "Append a value to a key", txn: cmdAppend},
		&command{name: "strlen", arity: 2, flags: flagReadonly | flagFast | flagBorrowArgs, first: 1, last: 1, step: 1, group: g, since: "2.2.0", summary: "Get the length of the value stored in a key", txn: cmdStrLen},
		&command{name: "incr", arity: 2, flags: rw | flagFast, first: 1, last: 1, step: 1, group: g, since: "1.0.0", summary: "Increment the integer value of a key by one", txn: cmdIncr(1)},
		&command{name: "decr", arity: 2, flags: rw | flagFast, first: 1, last: 1, step: 1, group: g, since: "1.0.0", summary: "Decrement the integer value of a key by one", txn: cmdIncr(-1)},
		&command{name: "incrby", arity: 3, flags: rw | flagFast, first: 1, last: 1, step: 1, group: g, since: "1.0.0", summary: "Increment the integer value of a key by the given amount", txn: cmdIncrBy},
		&command{name: "decrby", arity: 3, flags: rw | flagFast, first: 1, last: 1, step: 1, group: g, since: "1.0.0", summary: "Decrement the integer value of a key by the given number", txn: cmdDecrBy},
		&command{name: "incrbyfloat", arity: 3, flags: rw | flagFast, first: 1, last: 1, step: 1, group: g, since: "2.6.0", summary: "Increment the float value of a key by the given amount", txn: cmdIncrByFloat},
		&command{name: "getrange", arity: 4, flags: flagReadonly, first: 1, last: 1, step: 1, group: g, since: "2.4.0", summary: "Get a substring of the string stored at a key", txn: cmdGetRange},
		&command{name: "substr", arity: 4, flags: flagReadonly, first: 1, last: 1, step: 1, group: g, since: "1.0.0", summary: "Get a substring of the string stored at a key", txn: cmdGetRange},
		&command{name: "setrange", arity: 4, flags: rw, first: 1, last: 1, step: 1, group: g, since: "2.2.0", summary: "Overwrite part of a string at key starting at the specified offset", txn: cmdSetRange},
	)
}

func cmdGet(c *client, t engine.Txn, a []string) error {
	v, found, err := t.Get(a[0])
	if err != nil {
		return err
	}
	c.writeMaybe(v, found)
	return nil
}

// expireArg is an EX/PX/EXAT/PXAT option as parsed from a command.
type expireArg struct {
	set      bool
	absolute bool
	unit     time.Duration // time.Second or time.Millisecond
	value    string
}

// millis converts the option's value the way Redis's
// getExpireMillisecondsOrReply does: an integer > 0 that does not overflow
// once in milliseconds.
func (x expireArg) millis(cmd string) (int64, error) {
	v, err := parseInt(x.value)
	if err != nil {
		return 0, err
	}
	if v <= 0 || (x.unit == time.Second && v > math.MaxInt64/1000) {
		return 0, engine.InvalidExpire(cmd)
	}
	if x.unit == time.Second {
		v *= 1000
	}
	return v, nil
}

// apply sets the expiry part of SET's options.
func (x expireArg) apply(cmd string, o *engine.SetOptions) error {
	if !x.set {
		return nil
	}
	ms, err := x.millis(cmd)
	if err != nil {
		return err
	}
	switch {
	case x.absolute:
		o.ExpireAt = time.UnixMilli(ms)
	case ms <= math.MaxInt64/int64(time.Millisecond):
		o.TTL = time.Duration(ms) * time.Millisecond
	default:
		// Beyond what a Duration holds (about 292 years): as an absolute
		// time, which the engine range-checks as Redis does.
		return engine.InvalidExpire(cmd)
	}
	return nil
}

// parseExpireOpt recognises EX/PX/EXAT/PXAT at a[i] (with its value at
// a[i+1]) and reports whether it consumed them. Like Redis, the same option
// may be repeated (the last wins) but two different ones may not.
func parseExpireOpt(a []string, i int, x *expireArg) bool {
	if i+1 >= len(a) {
		return false
	}
	var y expireArg
	switch {
	case eq(a[i], "ex"):
		y = expireArg{set: true, unit: time.Second}
	case eq(a[i], "px"):
		y = expireArg{set: true, unit: time.Millisecond}
	case eq(a[i], "exat"):
		y = expireArg{set: true, absolute: true, unit: time.Second}
	case eq(a[i], "pxat"):
		y = expireArg{set: true, absolute: true, unit: time.Millisecond}
	default:
		return false
	}
	if x.set && (x.absolute != y.absolute || x.unit != y.unit) {
		return false
	}
	y.value = a[i+1]
	*x = y
	return true
}

func cmdSet(c *client, t engine.Txn, a []string) error {
	var o engine.SetOptions
	var x expireArg
	for i := 2; i < len(a); i++ {
		switch opt := a[i]; {
		case eq(opt, "nx") && !o.XX:
			o.NX = true
		case eq(opt, "xx") && !o.NX:
			o.XX = true
		case eq(opt, "get"):
			o.Get = true
		case eq(opt, "keepttl") && !x.set:
			o.KeepTTL = true
		case !o.KeepTTL && parseExpireOpt(a, i, &x):
			i++
		default:
			return errSyntax
		}
	}
	if err := x.apply("set", &o); err != nil {
		return err
	}
	res, err := t.Set(a[0], a[1], o)
	if err != nil {
		return err
	}
	switch {
	case o.Get:
		c.writeMaybe(res.Old, res.HadOld)
	case res.Written:
		c.w.ok()
	default:
		c.w.null()
	}
	return nil
}

func cmdSetNX(c *client, t engine.Txn, a []string) error {
	res, err := t.Set(a[0], a[1], engine.SetOptions{NX: true})
	if err != nil {
		return err
	}
	c.w.boolInt(res.Written)
	return nil
}

func cmdSetEx(name string, unit time.Duration) func(c *client, t engine.Txn, a []string) error {
	return func(c *client, t engine.Txn, a []string) error {
		var o engine.SetOptions
		if err := (expireArg{set: true, unit: unit, value: a[1]}).apply(name, &o); err != nil {
			return err
		}
		if _, err := t.Set(a[0], a[2], o); err != nil {
			return err
		}
		c.w.ok()
		return nil
	}
}

func cmdGetSet(c *client, t engine.Txn, a []string) error {
	res, err := t.Set(a[0], a[1], engine.SetOptions{Get: true})
	if err != nil {
		return err
	}
	c.writeMaybe(res.Old, res.HadOld)
	return nil
}

func cmdGetDel(c *client, t engine.Txn, a []string) error {
	v, found, err := t.Get(a[0])
	if err != nil {
		return err
	}
	if found {
		t.Del(a[0])
	}
	c.writeMaybe(v, found)
	return nil
}

func cmdGetEx(c *client, t engine.Txn, a []string) error {
	var x expireArg
	persist := false
	for i := 1; i < len(a); i++ {
		switch {
		case eq(a[i], "persist") && !x.set:
			persist = true
		case !persist && parseExpireOpt(a, i, &x):
			i++
		default:
			return errSyntax
		}
	}
	var ms int64
	if x.set {
		var err error
		if ms, err = x.millis("getex"); err != nil {
			return err
		}
	}
	v, found, err := t.Get(a[0])
	if err != nil {
		return err
	}
	if found {
		switch {
		case persist:
			t.Persist(a[0])
		case x.set:
			if _, err := t.ExpireMillis("getex", a[0], ms, x.absolute, 0); err != nil {
				return err
			}
		}
	}
	c.writeMaybe(v, found)
	return nil
}

func cmdMGet(c *client, t engine.Txn, a []string) error {
	c.writeMaybes(t.MGet(a...))
	return nil
}

func cmdMSet(nx bool) func(c *client, t engine.Txn, a []string) error {
	name := "mset"
	if nx {
		name = "msetnx"
	}
	return func(c *client, t engine.Txn, a []string) error {
		if len(a)%2 != 0 {
			return textError("ERR wrong number of arguments for '" + name + "' command")
		}
		pairs := make([]engine.KV, len(a)/2)
		for i := range pairs {
			pairs[i] = engine.KV{Key: a[2*i], Value: a[2*i+1]}
		}
		written, err := t.MSet(nx, pairs...)
		if err != nil {
			return err
		}
		if nx {
			c.w.boolInt(written)
		} else {
			c.w.ok()
		}
		return nil
	}
}

func cmdAppend(c *client, t engine.Txn, a []string) error {
	n, err := t.Append(a[0], a[1])
	if err != nil {
		return err
	}
	c.w.integer(n)
	return nil
}

func cmdStrLen(c *client, t engine.Txn, a []string) error {
	v, _, err := t.Get(a[0])
	if err != nil {
		return err
	}
	c.w.integer(int64(len(v)))
	return nil
}

func cmdIncr(delta int64) func(c *client, t engine.Txn, a []string) error {
	return func(c *client, t engine.Txn, a []string) error {
		v, err := t.IncrBy(a[0], delta)
		if err != nil {
			return err
		}
		c.w.integer(v)
		return nil
	}
}

func cmdIncrBy(c *client, t engine.Txn, a []string) error {
	d, err := parseInt(a[1])
	if err != nil {
		return err
	}
	v, err := t.IncrBy(a[0], d)
	if err != nil {
		return err
	}
	c.w.integer(v)
	return nil
}

func cmdDecrBy(c *client, t engine.Txn, a []string) error {
	d, err := parseInt(a[1])
	if err != nil {
		return err
	}
	v, err := t.DecrBy(a[0], d)
	if err != nil {
		return err
	}
	c.w.integer(v)
	return nil
}

func cmdIncrByFloat(c *client, t engine.Txn, a []string) error {
	d, err := parseFloat(a[1])
	if err != nil {
		// Redis checks the key's type before it parses the increment.
		if typ := t.Type(a[0]); typ != engine.TypeNone && typ != engine.TypeString {
			return engine.ErrWrongType
		}
		return err
	}
	v, err := t.IncrByFloat(a[0], d)
	if err != nil {
		return err
	}
	c.w.bulkString(v)
	return nil
}

func cmdGetRange(c *client, t engine.Txn, a []string) error {
	start, err := parseInt(a[1])
	if err != nil {
		return err
	}
	end, err := parseInt(a[2])
	if err != nil {
		return err
	}
	v, _, err := t.Get(a[0])
	if err != nil {
		return err
	}
	c.w.bulkString(substr(v, start, end))
	return nil
}

// substr is GETRANGE's index arithmetic (inclusive, negative from the end).
func substr(v string, start, end int64) string {
	n := int64(len(v))
	if start < 0 && end < 0 && start > end {
		return ""
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start, end = max(start, 0), max(end, 0)
	if end >= n {
		end = n - 1
	}
	if start > end || n == 0 {
		return ""
	}
	return v[start : end+1]
}

func cmdSetRange(c *client, t engine.Txn, a []string) error {
	off, err := parseInt(a[1])
	if err != nil {
		return err
	}
	n, err := t.SetRange(a[0], off, a[2])
	if err != nil {
		return err
	}
	c.w.integer(n)
	return nil
}
