package resp

import (
	"github.com/isa-cloud/isa-memstore/engine"
)

func init() {
	const g = "hash"
	rw := flagWrite | flagDenyOOM | flagFast
	ro := flagReadonly | flagFast
	k1 := func(c *command) *command {
		c.first, c.last, c.step, c.group = 1, 1, 1, g
		if c.borrow {
			c.flags |= flagBorrowArgs
		}
		return c
	}
	register(
		k1(&command{name: "hset", arity: -4, flags: rw, since: "2.0.0", summary: "Set the string value of a hash field", txn: cmdHSet(true)}),
		k1(&command{name: "hmset", arity: -4, flags: rw, since: "2.0.0", summary: "Set multiple hash fields to multiple values", txn: cmdHSet(false)}),
		k1(&command{name: "hsetnx", arity: 4, flags: rw, since: "2.0.0", summary: "Set the value of a hash field, only if the field does not exist", txn: cmdHSetNX}),
		k1(&command{name: "hget", borrow: true, arity: 3, flags: ro, since: "2.0.0", summary: "Get the value of a hash field", txn: cmdHGet}),
		k1(&command{name: "hmget", borrow: true, arity: -3, flags: ro, since: "2.0.0", summary: "Get the values of all the given hash fields", txn: cmdHMGet}),
		k1(&command{name: "hgetall", arity: 2, flags: flagReadonly, since: "2.0.0", summary: "Get all the fields and values in a hash", txn: cmdHGetAll}),
		k1(&command{name: "hkeys", arity: 2, flags: flagReadonly, since: "2.0.0", summary: "Get all the fields in a hash", txn: cmdHKeys}),
		k1(&command{name: "hvals", arity: 2, flags: flagReadonly, since: "2.0.0", summary: "Get all the values in a hash", txn: cmdHVals}),
		k1(&command{name: "hdel", arity: -3, flags: flagWrite | flagFast, since: "2.0.0", summary: "Delete one or more hash fields", txn: cmdHDel}),
		k1(&command{name: "hexists", borrow: true, arity: 3, flags: ro, since: "2.0.0", summary: "Determine if a hash field exists", txn: cmdHExists}),
		k1(&command{name: "hlen", borrow: true, arity: 2, flags: ro, since: "2.0.0", summary: "Get the number of fields in a hash", txn: cmdHLen}),
		k1(&command{name: "hstrlen", borrow: true, arity: 3, flags: ro, since: "3.2.0", summary: "Get the length of the value of a hash field", txn: cmdHStrLen}),
		k1(&command{name: "hincrby", arity: 4, flags: rw, since: "2.0.0", summary: "Increment the integer value of a hash field by the given number", txn: cmdHIncrBy}),
		k1(&command{name: "hincrbyfloat", arity: 4, flags: rw, since: "2.6.0", summary: "Increment the float value of a hash field by the given amount", txn: cmdHIncrByFloat}),
		k1(&command{name: "hscan", arity: -3, flags: flagReadonly, since: "2.8.0", summary: "Incrementally iterate hash fields and associated values", run: cmdHScan}),
	)
}

func cmdHSet(counting bool) func(c *client, t engine.Txn, a []string) error {
	name := "hmset"
	if counting {
		name = "hset"
	}
	return func(c *client, t engine.Txn, a []string) error {
		if (len(a)-1)%2 != 0 {
			return textError("ERR wrong number of arguments for '" + name + "' command")
		}
		pairs := make([]engine.FieldValue, (len(a)-1)/2)
		for i := range pairs {
			pairs[i] = engine.FieldValue{Field: a[1+2*i], Value: a[2+2*i]}
		}
		n, err := t.HSet(a[0], pairs...)
		if err != nil {
			return err
		}
		if counting {
			c.w.integer(n)
		} else {
			c.w.ok()
		}
		return nil
	}
}

func cmdHSetNX(c *client, t engine.Txn, a []string) error {
	ok, err := t.HSetNX(a[0], a[1], a[2])
	if err != nil {
		return err
	}
	c.w.boolInt(ok)
	return nil
}

func cmdHGet(c *client, t engine.Txn, a []string) error {
	v, found, err := t.HGet(a[0], a[1])
	if err != nil {
		return err
	}
	c.writeMaybe(v, found)
	return nil
}

func cmdHMGet(c *client, t engine.Txn, a []string) error {
	vs, err := t.HMGet(a[0], a[1:]...)
	if err != nil {
		return err
	}
	c.writeMaybes(vs)
	return nil
}

func cmdHGetAll(c *client, t engine.Txn, a []string) error {
	fvs, err := t.HGetAll(a[0])
	if err != nil {
		return err
	}
	c.w.mapLen(len(fvs))
	for _, fv := range fvs {
		c.w.bulkString(fv.Field)
		c.w.bulkString(fv.Value)
	}
	return nil
}

func cmdHKeys(c *client, t engine.Txn, a []string) error {
	vs, err := t.HKeys(a[0])
	if err != nil {
		return err
	}
	c.writeStrings(vs)
	return nil
}

func cmdHVals(c *client, t engine.Txn, a []string) error {
	vs, err := t.HVals(a[0])
	if err != nil {
		return err
	}
	c.writeStrings(vs)
	return nil
}

func cmdHDel(c *client, t engine.Txn, a []string) error {
	n, err := t.HDel(a[0], a[1:]...)
	if err != nil {
		return err
	}
	c.w.integer(n)
	return nil
}

func cmdHExists(c *client, t engine.Txn, a []string) error {
	ok, err := t.HExists(a[0], a[1])
	if err != nil {
		return err
	}
	c.w.boolInt(ok)
	return nil
}

func cmdHLen(c *client, t engine.Txn, a []string) error {
	n, err := t.HLen(a[0])
	if err != nil {
		return err
	}
	c.w.integer(n)
	return nil
}

func cmdHStrLen(c *client, t engine.Txn, a []string) error {
	n, err := t.HStrLen(a[0], a[1])
	if err != nil {
		return err
	}
	c.w.integer(n)
	return nil
}

func cmdHIncrBy(c *client, t engine.Txn, a []string) error {
	d, err := parseInt(a[2])
	if err != nil {
		return err
	}
	v, err := t.HIncrBy(a[0], a[1], d)
	if err != nil {
		return err
	}
	c.w.integer(v)
	return nil
}

func cmdHIncrByFloat(c *client, t engine.Txn, a []string) error {
	d, err := parseFloat(a[2])
	if err != nil {
		return err
	}
	v, err := t.HIncrByFloat(a[0], a[1], d)
	if err != nil {
		return err
	}
	c.w.bulkString(v)
	return nil
}

func cmdHScan(c *client, a []string) {
	collectionScan(c, "hscan", a, true, func(t engine.Txn, key string) ([]scanItem, error) {
		fvs, err := t.HGetAll(key)
		items := make([]scanItem, len(fvs))
		for i, fv := range fvs {
			items[i] = scanItem{key: fv.Field, val: fv.Value}
		}
		return items, err
	})
}
