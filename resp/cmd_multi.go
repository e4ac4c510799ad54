package resp

import (
	"github.com/isa-cloud/isa-memstore/engine"
)

func init() {
	const g = "transactions"
	nq := flagNoQueue | flagNoScript | flagLoading | flagStale | flagFast
	register(
		&command{name: "multi", arity: 1, flags: nq, group: g, since: "1.2.0", summary: "Mark the start of a transaction block", run: cmdMulti},
		&command{name: "exec", arity: 1, flags: flagNoQueue | flagNoScript | flagLoading | flagStale, group: g, since: "1.2.0", summary: "Execute all commands issued after MULTI", run: cmdExec},
		&command{name: "discard", arity: 1, flags: nq, group: g, since: "2.0.0", summary: "Discard all commands issued after MULTI", run: cmdDiscard},
		&command{name: "watch", arity: -2, flags: nq, first: 1, last: -1, step: 1, group: g, since: "2.2.0", summary: "Watch the given keys to determine execution of the MULTI/EXEC block", run: cmdWatch},
		&command{name: "unwatch", arity: 1, flags: flagNoScript | flagLoading | flagStale | flagFast, group: g, since: "2.2.0", summary: "Forget about all watched keys", run: cmdUnwatch},
	)
}

// queued is a command waiting for EXEC, with its own copy of the arguments
// (the read buffer is reused).
type queued struct {
	cmd  *command
	args []string
}

// watch is a watched key and its version when WATCH was called.
type watch struct {
	db  int
	key string
	ver engine.KeyVersion
}

func (c *client) enqueue(cmd *command, args [][]byte) {
	skip := 1
	if cmd.parent != nil {
		skip = 2
	}
	a := make([]string, len(args)-skip)
	for i := range a {
		a[i] = string(args[i+skip])
	}
	c.queue = append(c.queue, queued{cmd: cmd, args: a})
	c.multiShown.Store(int32(len(c.queue)))
	c.w.simple("QUEUED")
}

func cmdMulti(c *client, a []string) {
	if c.multi {
		c.replyErr(textError("ERR MULTI calls can not be nested"))
		return
	}
	c.multi = true
	c.multiShown.Store(0)
	c.w.ok()
}

func (c *client) discardMulti() {
	c.multi = false
	c.multiDirty = false
	c.queue = nil
	c.multiShown.Store(-1)
}

func cmdDiscard(c *client, a []string) {
	if !c.multi {
		c.replyErr(textError("ERR DISCARD without MULTI"))
		return
	}
	c.discardMulti()
	c.unwatchAll()
	c.w.ok()
}

func cmdWatch(c *client, a []string) {
	if c.multi {
		c.replyErr(textError("ERR WATCH inside MULTI is not allowed"))
		return
	}
	keys := append([]string(nil), a...)
	vers := make([]engine.KeyVersion, len(keys))
	err := c.db.Atomic(keys, func(t engine.Txn) error {
		for i, k := range keys {
			vers[i] = t.KeyVersion(k)
		}
		return nil
	})
	if err != nil {
		c.replyErr(err)
		return
	}
	for i, k := range keys {
		if !c.watching(c.dbIndex, k) {
			c.watches = append(c.watches, watch{db: c.dbIndex, key: k, ver: vers[i]})
		}
	}
	c.w.ok()
}

func (c *client) watching(db int, key string) bool {
	for _, w := range c.watches {
		if w.db == db && w.key == key {
			return true
		}
	}
	return false
}

func (c *client) unwatchAll() { c.watches = nil }

func cmdUnwatch(c *client, a []string) {
	c.unwatchAll()
	c.w.ok()
}

// watchesHold reports whether the watched keys of database db are
// unchanged, read within t.
func (c *client) watchesHold(t engine.Txn, db int) bool {
	for _, w := range c.watches {
		if w.db == db && t.KeyVersion(w.key) != w.ver {
			return false
		}
	}
	return true
}

// otherWatchesHold checks the watched keys outside database db, each
// database in a transaction of its own.
func (c *client) otherWatchesHold(db int) (bool, error) {
	byDB := map[int][]watch{}
	for _, w := range c.watches {
		if w.db != db {
			byDB[w.db] = append(byDB[w.db], w)
		}
	}
	for i, ws := range byDB {
		keys := make([]string, len(ws))
		for j, w := range ws {
			keys[j] = w.key
		}
		held := true
		err := c.s.db(i).Atomic(keys, func(t engine.Txn) error {
			for _, w := range ws {
				if t.KeyVersion(w.key) != w.ver {
					held = false
				}
			}
			return nil
		})
		if err != nil || !held {
			return false, err
		}
	}
	return true, nil
}

// cmdExec runs the queued commands. Runs of commands that work inside an
// engine transaction execute in one db.Atomic(nil, ...) over the current
// database, so no other client observes them half done; the watched keys
// are checked inside the first of those transactions. Commands that manage
// their own engine calls (KEYS, SCAN, FLUSHDB, SELECT, PUBLISH, ...) run
// between them.
func cmdExec(c *client, a []string) {
	if !c.multi {
		c.replyErr(textError("ERR EXEC without MULTI"))
		return
	}
	queue, dirty := c.queue, c.multiDirty
	c.discardMulti()
	defer c.unwatchAll()
	if dirty {
		c.replyErr(textError("EXECABORT Transaction discarded because of previous errors."))
		return
	}
	if ok, err := c.otherWatchesHold(c.dbIndex); err != nil || !ok {
		if err != nil {
			c.replyErr(err)
		} else {
			c.w.nullArray()
		}
		return
	}
	started := false
	// begin checks the current database's watched keys and writes the
	// reply's header; false means the transaction is aborted.
	begin := func(t engine.Txn) bool {
		if !c.watchesHold(t, c.dbIndex) {
			return false
		}
		c.w.array(len(queue))
		started = true
		return true
	}
	for i := 0; i < len(queue); {
		if queue[i].cmd.txn == nil {
			if !started {
				held := false
				err := c.db.Atomic(c.watchedKeys(c.dbIndex), func(t engine.Txn) error {
					held = begin(t)
					return nil
				})
				if err != nil || !held {
					c.abortExec(err)
					return
				}
			}
			c.ncmds.Add(1)
			q := queue[i]
			q.cmd.run(c, q.args)
			i++
			continue
		}
		j := i
		for j < len(queue) && queue[j].cmd.txn != nil {
			j++
		}
		aborted := false
		c.w.hold = true
		err := c.db.Atomic(nil, func(t engine.Txn) error {
			if !started && !begin(t) {
				aborted = true
				return nil
			}
			for _, q := range queue[i:j] {
				c.ncmds.Add(1)
				if err := q.cmd.txn(c, t, q.args); err != nil {
					c.replyErr(err)
				}
			}
			return nil
		})
		c.w.hold = false
		if err != nil && !started {
			c.abortExec(err)
			return
		}
		if aborted {
			c.w.nullArray()
			return
		}
		if err != nil { // the engine closed under us: answer every command
			for range queue[i:j] {
				c.replyErr(err)
			}
		}
		i = j
	}
	if !started {
		held := false
		err := c.db.Atomic(c.watchedKeys(c.dbIndex), func(t engine.Txn) error {
			held = begin(t)
			return nil
		})
		if err != nil || !held {
			c.abortExec(err)
		}
	}
}

func (c *client) abortExec(err error) {
	if err != nil {
		c.replyErr(err)
		return
	}
	c.w.nullArray()
}

// watchedKeys lists the watched keys of database db (never nil, so an
// empty list locks one shard instead of all).
func (c *client) watchedKeys(db int) []string {
	keys := []string{}
	for _, w := range c.watches {
		if w.db == db {
			keys = append(keys, w.key)
		}
	}
	return keys
}
