package resp

import (
	"math"
	"math/rand/v2"

	"github.com/isa-cloud/isa-memstore/engine"
)

func init() {
	const g = "generic"
	w := flagWrite
	ro := flagReadonly
	register(
		&command{name: "del", arity: -2, flags: w, first: 1, last: -1, step: 1, group: g, since: "1.0.0", summary: "Delete a key", txn: cmdDel},
		&command{name: "unlink", arity: -2, flags: w | flagFast, first: 1, last: -1, step: 1, group: g, since: "4.0.0", summary: "Delete a key asynchronously in another thread", txn: cmdDel},
		&command{name: "exists", arity: -2, flags: ro | flagFast | flagBorrowArgs, first: 1, last: -1, step: 1, group: g, since: "1.0.0", summary: "Determine if a key exists", txn: cmdExists},
		&command{name: "touch", arity: -2, flags: ro | flagFast, first: 1, last: -1, step: 1, group: g, since: "3.2.1", summary: "Alters the last access time of a key(s)", txn: cmdExists},
		&command{name: "expire", arity: -3, flags: w | flagFast, first: 1, last: 1, step: 1, group: g, since: "1.0.0", summary: "Set a key's time to live in seconds", txn: cmdExpire("expire", false, true)},
		&command{name: "pexpire", arity: -3, flags: w | flagFast, first: 1, last: 1, step: 1, group: g, since: "2.6.0", summary: "Set a key's time to live in milliseconds", txn: cmdExpire("pexpire", false, false)},
		&command{name: "expireat", arity: -3, flags: w | flagFast, first: 1, last: 1, step: 1, group: g, since: "1.2.0", summary: "Set the expiration for a key as a UNIX timestamp", txn: cmdExpire("expireat", true, true)},
		&command{name: "pexpireat", arity: -3, flags: w | flagFast, first: 1, last: 1, step: 1, group: g, since: "2.6.0", summary: "Set the expiration for a key as a UNIX timestamp specified in milliseconds", txn: cmdExpire("pexpireat", true, false)},
		&command{name: "ttl", arity: 2, flags: ro | flagFast | flagBorrowArgs, first: 1, last: 1, step: 1, group: g, since: "1.0.0", summary: "Get the time to live for a key in seconds", txn: cmdTTL(false)},
		&command{name: "pttl", arity: 2, flags: ro | flagFast | flagBorrowArgs, first: 1, last: 1, step: 1, group: g, since: "2.6.0", summary: "Get the time to live for a key in milliseconds", txn: cmdTTL(true)},
		&command{name: "expiretime", arity: 2, flags: ro | flagFast, first: 1, last: 1, step: 1, group: g, since: "7.0.0", summary: "Get the expiration Unix timestamp for a key", txn: cmdExpireTime(false)},
		&command{name: "pexpiretime", arity: 2, flags: ro | flagFast, first: 1, last: 1, step: 1, group: g, since: "7.0.0", summary: "Get the expiration Unix timestamp for a key in milliseconds", txn: cmdExpireTime(true)},
		&command{name: "persist", arity: 2, flags: w | flagFast, first: 1, last: 1, step: 1, group: g, since: "2.2.0", summary: "Remove the expiration from a key", txn: cmdPersist},
		&command{name: "rename", arity: 3, flags: w, first: 1, last: 2, step: 1, group: g, since: "1.0.0", summary: "Rename a key", txn: cmdRename(false)},
		&command{name: "renamenx", arity: 3, flags: w | flagFast, first: 1, last: 2, step: 1, group: g, since: "1.0.0", summary: "Rename a key, only if the new key does not exist", txn: cmdRename(true)},
		&command{name: "type", arity: 2, flags: ro | flagFast | flagBorrowArgs, first: 1, last: 1, step: 1, group: g, since: "1.0.0", summary: "Determine the type stored at key", txn: cmdType},
		&command{name: "keys", arity: 2, flags: ro, group: g, since: "1.0.0", summary: "Find all keys matching the given pattern", run: cmdKeys},
		&command{name: "randomkey", arity: 1, flags: ro, group: g, since: "1.0.0", summary: "Return a random key from the keyspace", run: cmdRandomKey},
		&command{name: "dbsize", arity: 1, flags: ro | flagFast, group: "server", since: "1.0.0", summary: "Return the number of keys in the selected database", run: cmdDBSize},
		&command{name: "flushdb", arity: -1, flags: w, group: "server", since: "1.0.0", summary: "Remove all keys from the current database", run: cmdFlushDB},
		&command{name: "flushall", arity: -1, flags: w, group: "server", since: "1.0.0", summary: "Remove all keys from all databases", run: cmdFlushAll},
	)
}

func cmdDel(c *client, t engine.Txn, a []string) error {
	c.w.integer(t.Del(a...))
	return nil
}

func cmdExists(c *client, t engine.Txn, a []string) error {
	c.w.integer(t.Exists(a...))
	return nil
}

// cmdExpire is EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT, with their NX, XX,
// GT and LT options checked before the time, as Redis does.
func cmdExpire(name string, absolute, seconds bool) func(c *client, t engine.Txn, a []string) error {
	return func(c *client, t engine.Txn, a []string) error {
		var flags engine.ExpireFlags
		for _, opt := range a[2:] {
			switch {
			case eq(opt, "nx"):
				flags |= engine.ExpireNX
			case eq(opt, "xx"):
				flags |= engine.ExpireXX
			case eq(opt, "gt"):
				flags |= engine.ExpireGT
			case eq(opt, "lt"):
				flags |= engine.ExpireLT
			default:
				return textError("ERR Unsupported option " + opt)
			}
		}
		if flags&engine.ExpireNX != 0 && flags&(engine.ExpireXX|engine.ExpireGT|engine.ExpireLT) != 0 {
			return textError("ERR NX and XX, GT or LT options at the same time are not compatible")
		}
		if flags&engine.ExpireGT != 0 && flags&engine.ExpireLT != 0 {
			return textError("ERR GT and LT options at the same time are not compatible")
		}
		when, err := parseInt(a[1])
		if err != nil {
			return err
		}
		if seconds {
			if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
				return engine.InvalidExpire(name)
			}
			when *= 1000
		}
		ok, err := t.ExpireMillis(name, a[0], when, absolute, flags)
		if err != nil {
			return err
		}
		c.w.boolInt(ok)
		return nil
	}
}

func cmdTTL(ms bool) func(c *client, t engine.Txn, a []string) error {
	return func(c *client, t engine.Txn, a []string) error {
		v := t.PTTL(a[0])
		if v >= 0 && !ms {
			v = (v + 500) / 1000
		}
		c.w.integer(v)
		return nil
	}
}

func cmdExpireTime(ms bool) func(c *client, t engine.Txn, a []string) error {
	return func(c *client, t engine.Txn, a []string) error {
		v := t.PExpireTime(a[0])
		if v >= 0 && !ms {
			// Rounded to the nearest second like TTL (Redis computes
			// (v+500)/1000), split so a deadline near MaxInt64 cannot
			// overflow.
			v = v/1000 + (v%1000+500)/1000
		}
		c.w.integer(v)
		return nil
	}
}

func cmdPersist(c *client, t engine.Txn, a []string) error {
	c.w.boolInt(t.Persist(a[0]))
	return nil
}

func cmdRename(nx bool) func(c *client, t engine.Txn, a []string) error {
	return func(c *client, t engine.Txn, a []string) error {
		ok, err := t.Rename(a[0], a[1], nx)
		if err != nil {
			return err
		}
		if nx {
			c.w.boolInt(ok)
		} else {
			c.w.ok()
		}
		return nil
	}
}

func cmdType(c *client, t engine.Txn, a []string) error {
	c.w.simple(t.Type(a[0]).String())
	return nil
}

func cmdKeys(c *client, a []string) {
	keys, _, err := c.db.Keys(a[0], 0)
	if err != nil {
		c.replyErr(err)
		return
	}
	c.writeStrings(keys)
}

// cmdRandomKey lists the keys and picks one: O(N), unlike Redis, because
// the engine has no sampling primitive.
func cmdRandomKey(c *client, a []string) {
	keys, _, err := c.db.Keys("*", 0)
	if err != nil {
		c.replyErr(err)
		return
	}
	if len(keys) == 0 {
		c.w.null()
		return
	}
	c.w.bulkString(keys[rand.IntN(len(keys))])
}

func cmdDBSize(c *client, a []string) {
	n, err := c.db.DBSize()
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.integer(n)
}

// flushMode checks FLUSHDB/FLUSHALL's optional ASYNC|SYNC (both flush at
// once here: there is no background freeing to choose).
func flushMode(a []string) error {
	if len(a) > 1 || (len(a) == 1 && !eq(a[0], "async") && !eq(a[0], "sync")) {
		return errSyntax
	}
	return nil
}

func cmdFlushDB(c *client, a []string) {
	if err := flushMode(a); err != nil {
		c.replyErr(err)
		return
	}
	if _, err := c.db.FlushDB(); err != nil {
		c.replyErr(err)
		return
	}
	c.w.ok()
}

func cmdFlushAll(c *client, a []string) {
	if err := flushMode(a); err != nil {
		c.replyErr(err)
		return
	}
	for i := range c.s.dbs {
		if _, err := c.s.db(i).FlushDB(); err != nil {
			c.replyErr(err)
			return
		}
	}
	c.w.ok()
}
