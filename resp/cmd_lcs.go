package resp

import "github.com/isa-cloud/isa-memstore/engine"

func init() {
	register(&command{name: "lcs", arity: -3, flags: flagReadonly, first: 1, last: 2, step: 1, group: "string", since: "7.0.0", summary: "Find longest common substring", txn: cmdLCS})
}

func cmdLCS(c *client, t engine.Txn, a []string) error {
	res, err := t.LCS(a[0], a[1], a[2:]...)
	if err != nil {
		return err
	}
	switch {
	case res.Idx:
		c.w.mapLen(2)
		c.w.bulkString("matches")
		c.w.array(len(res.Matches))
		for _, m := range res.Matches {
			if res.WithMatchLen {
				c.w.array(3)
			} else {
				c.w.array(2)
			}
			c.w.array(2)
			c.w.integer(m.A[0])
			c.w.integer(m.A[1])
			c.w.array(2)
			c.w.integer(m.B[0])
			c.w.integer(m.B[1])
			if res.WithMatchLen {
				c.w.integer(m.Len)
			}
		}
		c.w.bulkString("len")
		c.w.integer(res.Len)
	case res.LenOnly:
		c.w.integer(res.Len)
	default:
		c.w.bulkString(res.String)
	}
	return nil
}
