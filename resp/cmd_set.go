package resp

import (
	"github.com/isa-cloud/isa-memstore/engine"
)

func init() {
	const g = "set"
	spec := func(c *command, first, last int) *command {
		c.first, c.last, c.step, c.group = first, last, 1, g
		if c.borrow {
			c.flags |= flagBorrowArgs
		}
		return c
	}
	rw := flagWrite | flagDenyOOM
	register(
		spec(&command{name: "sadd", arity: -3, flags: rw | flagFast, since: "1.0.0", summary: "Add one or more members to a set", txn: cmdSAdd}, 1, 1),
		spec(&command{name: "srem", arity: -3, flags: flagWrite | flagFast, since: "1.0.0", summary: "Remove one or more members from a set", txn: cmdSRem}, 1, 1),
		spec(&command{name: "smembers", arity: 2, flags: flagReadonly, borrow: true, since: "1.0.0", summary: "Get all the members in a set", txn: cmdSMembers}, 1, 1),
		spec(&command{name: "sismember", arity: 3, flags: flagReadonly | flagFast, borrow: true, since: "1.0.0", summary: "Determine if a given value is a member of a set", txn: cmdSIsMember}, 1, 1),
		spec(&command{name: "smismember", arity: -3, flags: flagReadonly | flagFast, borrow: true, since: "6.2.0", summary: "Returns the membership associated with the given elements for a set", txn: cmdSMIsMember}, 1, 1),
		spec(&command{name: "scard", arity: 2, flags: flagReadonly | flagFast, borrow: true, since: "1.0.0", summary: "Get the number of members in a set", txn: cmdSCard}, 1, 1),
		spec(&command{name: "sunion", arity: -2, flags: flagReadonly, borrow: true, since: "1.0.0", summary: "Add multiple sets", txn: cmdSetAlgebra(engine.Txn.SUnion)}, 1, -1),
		spec(&command{name: "sinter", arity: -2, flags: flagReadonly, borrow: true, since: "1.0.0", summary: "Intersect multiple sets", txn: cmdSetAlgebra(engine.Txn.SInter)}, 1, -1),
		spec(&command{name: "sdiff", arity: -2, flags: flagReadonly, borrow: true, since: "1.0.0", summary: "Subtract multiple sets", txn: cmdSetAlgebra(engine.Txn.SDiff)}, 1, -1),
		spec(&command{name: "sunionstore", arity: -3, flags: rw, since: "1.0.0", summary: "Add multiple sets and store the resulting set in a key", txn: cmdSetStore(engine.Txn.SUnionStore)}, 1, -1),
		spec(&command{name: "sinterstore", arity: -3, flags: rw, since: "1.0.0", summary: "Intersect multiple sets and store the resulting set in a key", txn: cmdSetStore(engine.Txn.SInterStore)}, 1, -1),
		spec(&command{name: "sdiffstore", arity: -3, flags: rw, since: "1.0.0", summary: "Subtract multiple sets and store the resulting set in a key", txn: cmdSetStore(engine.Txn.SDiffStore)}, 1, -1),
		spec(&command{name: "spop", arity: -2, flags: flagWrite | flagFast, since: "1.0.0", summary: "Remove and return one or multiple random members from a set", txn: cmdSPop}, 1, 1),
		spec(&command{name: "srandmember", arity: -2, flags: flagReadonly, since: "1.0.0", summary: "Get one or multiple random members from a set", txn: cmdSRandMember}, 1, 1),
		spec(&command{name: "smove", arity: 4, flags: flagWrite | flagFast, since: "1.0.0", summary: "Move a member from one set to another", txn: cmdSMove}, 1, 2),
		spec(&command{name: "sscan", arity: -3, flags: flagReadonly, since: "2.8.0", summary: "Incrementally iterate Set elements", run: cmdSScan}, 1, 1),
	)
}

func cmdSAdd(c *client, t engine.Txn, a []string) error {
	n, err := t.SAdd(a[0], a[1:]...)
	if err != nil {
		return err
	}
	c.w.integer(n)
	return nil
}

func cmdSRem(c *client, t engine.Txn, a []string) error {
	n, err := t.SRem(a[0], a[1:]...)
	if err != nil {
		return err
	}
	c.w.integer(n)
	return nil
}

func cmdSMembers(c *client, t engine.Txn, a []string) error {
	ms, err := t.SMembers(a[0])
	if err != nil {
		return err
	}
	c.writeStringSet(ms)
	return nil
}

func cmdSIsMember(c *client, t engine.Txn, a []string) error {
	ok, err := t.SIsMember(a[0], a[1])
	if err != nil {
		return err
	}
	c.w.boolInt(ok)
	return nil
}

func cmdSMIsMember(c *client, t engine.Txn, a []string) error {
	oks, err := t.SMIsMember(a[0], a[1:]...)
	if err != nil {
		return err
	}
	c.w.array(len(oks))
	for _, ok := range oks {
		c.w.boolInt(ok)
	}
	return nil
}

func cmdSCard(c *client, t engine.Txn, a []string) error {
	n, err := t.SCard(a[0])
	if err != nil {
		return err
	}
	c.w.integer(n)
	return nil
}

func cmdSetAlgebra(op func(engine.Txn, ...string) ([]string, error)) func(c *client, t engine.Txn, a []string) error {
	return func(c *client, t engine.Txn, a []string) error {
		ms, err := op(t, a...)
		if err != nil {
			return err
		}
		c.writeStringSet(ms)
		return nil
	}
}

func cmdSetStore(op func(engine.Txn, string, ...string) (int64, error)) func(c *client, t engine.Txn, a []string) error {
	return func(c *client, t engine.Txn, a []string) error {
		n, err := op(t, a[0], a[1:]...)
		if err != nil {
			return err
		}
		c.w.integer(n)
		return nil
	}
}

func cmdSPop(c *client, t engine.Txn, a []string) error {
	switch len(a) {
	case 1:
		m, found, err := t.SPop(a[0])
		if err != nil {
			return err
		}
		c.writeMaybe(m, found)
		return nil
	case 2:
	default:
		return errSyntax
	}
	n, err := parseInt(a[1])
	if err != nil {
		return errMustBePositive
	}
	ms, err := t.SPopCount(a[0], n)
	if err != nil {
		return err
	}
	c.writeStringSet(ms)
	return nil
}

func cmdSRandMember(c *client, t engine.Txn, a []string) error {
	switch len(a) {
	case 1:
		m, found, err := t.SRandMember(a[0])
		if err != nil {
			return err
		}
		c.writeMaybe(m, found)
		return nil
	case 2:
	default:
		return errSyntax
	}
	n, err := parseInt(a[1])
	if err != nil {
		return err
	}
	ms, err := t.SRandMemberCount(a[0], n)
	if err != nil {
		return err
	}
	c.writeStrings(ms)
	return nil
}

func cmdSMove(c *client, t engine.Txn, a []string) error {
	ok, err := t.SMove(a[0], a[1], a[2])
	if err != nil {
		return err
	}
	c.w.boolInt(ok)
	return nil
}

func cmdSScan(c *client, a []string) {
	collectionScan(c, "sscan", a, false, func(t engine.Txn, key string) ([]scanItem, error) {
		ms, err := t.SMembers(key)
		items := make([]scanItem, len(ms))
		for i, m := range ms {
			items[i] = scanItem{key: m}
		}
		return items, err
	})
}
