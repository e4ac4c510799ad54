package resp

// COPY and MOVE run outside the engine transaction of the current
// database (run handlers): with another database they need the engine's
// cross-namespace operation, which takes both namespaces' locks itself. So
// inside MULTI they are each atomic, but execute between the runs of
// queued commands that share one transaction, like FLUSHDB or SELECT.
func init() {
	const g = "generic"
	register(
		&command{name: "copy", arity: -3, flags: flagWrite | flagDenyOOM, first: 1, last: 2, step: 1, group: g, since: "6.2.0", summary: "Copy a key", run: cmdCopy},
		&command{name: "move", arity: 3, flags: flagWrite | flagFast, first: 1, last: 1, step: 1, group: g, since: "1.0.0", summary: "Move a key to another database", run: cmdMove},
	)
}

var (
	errDBRange  = textError("ERR DB index is out of range")
	errIntRange = textError("ERR value is out of range, value must between -2147483648 and 2147483647")
)

// dbArg parses a database index as Redis's getIntFromObjectOrReply +
// selectDb.
func (c *client) dbArg(s string) (int, error) {
	n, err := parseInt(s)
	if err != nil {
		return 0, errNotInteger
	}
	if n < -1<<31 || n > 1<<31-1 {
		return 0, errIntRange
	}
	if n < 0 || n >= int64(len(c.s.dbs)) {
		return 0, errDBRange
	}
	return int(n), nil
}

func cmdCopy(c *client, a []string) {
	dst, replace := c.dbIndex, false
	for j := 2; j < len(a); j++ {
		switch {
		case eq(a[j], "replace"):
			replace = true
		case eq(a[j], "db") && j+1 < len(a):
			n, err := c.dbArg(a[j+1])
			if err != nil {
				c.replyErr(err)
				return
			}
			dst = n
			j++
		default:
			c.replyErr(errSyntax)
			return
		}
	}
	copied, err := c.db.CopyTo(c.s.db(dst), a[0], a[1], replace)
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.boolInt(copied)
}

func cmdMove(c *client, a []string) {
	dst, err := c.dbArg(a[1])
	if err != nil {
		c.replyErr(err)
		return
	}
	moved, err := c.db.Move(a[0], c.s.db(dst))
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.boolInt(moved)
}
