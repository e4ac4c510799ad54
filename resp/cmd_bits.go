package resp

import "github.com/isa-cloud/isa-memstore/engine"

func init() {
	const g = "bitmap"
	rw := flagWrite | flagDenyOOM
	register(
		&command{name: "setbit", arity: 4, flags: rw, first: 1, last: 1, step: 1, group: g, since: "2.2.0", summary: "Sets or clears the bit at offset in the string value stored at key", txn: cmdSetBit},
		&command{name: "getbit", arity: 3, flags: flagReadonly | flagFast, first: 1, last: 1, step: 1, group: g, since: "2.2.0", summary: "Returns the bit value at offset in the string value stored at key", txn: cmdGetBit},
		&command{name: "bitcount", arity: -2, flags: flagReadonly, first: 1, last: 1, step: 1, group: g, since: "2.6.0", summary: "Count set bits in a string", txn: cmdBitCount},
		&command{name: "bitpos", arity: -3, flags: flagReadonly, first: 1, last: 1, step: 1, group: g, since: "2.8.7", summary: "Find first bit set or clear in a string", txn: cmdBitPos},
		&command{name: "bitop", arity: -4, flags: rw, first: 2, last: -1, step: 1, group: g, since: "2.6.0", summary: "Perform bitwise operations between strings", txn: cmdBitOp},
		&command{name: "bitfield", arity: -2, flags: rw, first: 1, last: 1, step: 1, group: g, since: "3.2.0", summary: "Perform arbitrary bitfield integer operations on strings", txn: cmdBitField(false)},
		&command{name: "bitfield_ro", arity: -2, flags: flagReadonly | flagFast, first: 1, last: 1, step: 1, group: g, since: "6.0.0", summary: "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD", txn: cmdBitField(true)},
	)
}

func cmdSetBit(c *client, t engine.Txn, a []string) error {
	off, err := engine.ParseBitOffset(a[1])
	if err != nil {
		return err
	}
	on, err := engine.ParseBitValue(a[2])
	if err != nil {
		return err
	}
	old, err := t.SetBit(a[0], off, on)
	if err != nil {
		return err
	}
	c.w.integer(old)
	return nil
}

func cmdGetBit(c *client, t engine.Txn, a []string) error {
	off, err := engine.ParseBitOffset(a[1])
	if err != nil {
		return err
	}
	bit, err := t.GetBit(a[0], off)
	if err != nil {
		return err
	}
	c.w.integer(bit)
	return nil
}

func cmdBitCount(c *client, t engine.Txn, a []string) error {
	n, err := t.BitCount(a[0], a[1:]...)
	if err != nil {
		return err
	}
	c.w.integer(n)
	return nil
}

func cmdBitPos(c *client, t engine.Txn, a []string) error {
	n, err := t.BitPos(a[0], a[1], a[2:]...)
	if err != nil {
		return err
	}
	c.w.integer(n)
	return nil
}

func cmdBitOp(c *client, t engine.Txn, a []string) error {
	op, err := engine.ParseBitOp(a[0])
	if err != nil {
		return err
	}
	n, err := t.BitOp(op, a[1], a[2:]...)
	if err != nil {
		return err
	}
	c.w.integer(n)
	return nil
}

func cmdBitField(readOnly bool) func(c *client, t engine.Txn, a []string) error {
	return func(c *client, t engine.Txn, a []string) error {
		ops, err := engine.ParseBitField(a[1:])
		if err != nil {
			return err
		}
		res, err := t.BitField(a[0], ops, readOnly)
		if err != nil {
			return err
		}
		c.w.array(len(res))
		for _, r := range res {
			if r.Nil {
				c.w.null()
			} else {
				c.w.integer(r.Value)
			}
		}
		return nil
	}
}
