package resp

import (
	"strings"

	"github.com/isa-cloud/isa-memstore/engine"
)

// cmdFlags are a command's properties: some drive dispatch, the rest are
// reported by COMMAND INFO.
type cmdFlags uint16

const (
	flagWrite cmdFlags = 1 << iota
	flagReadonly
	flagDenyOOM
	flagFast
	flagAdmin
	flagPubSub
	flagNoScript
	flagLoading
	flagStale
	// flagNoAuth: allowed before AUTH (AUTH, HELLO, QUIT, RESET).
	flagNoAuth
	// flagSubContext: allowed in RESP2 subscribed mode.
	flagSubContext
	// flagNoQueue: executed at once inside MULTI (EXEC, DISCARD, MULTI,
	// WATCH, QUIT, RESET).
	flagNoQueue
	// flagBorrowArgs: the arguments may alias the read buffer (see
	// client.strArgs). Only for engine reads that keep nothing.
	flagBorrowArgs
	// flagBlocking: may wait for data (BLPOP, ...).
	flagBlocking
)

var flagNames = []struct {
	f    cmdFlags
	name string
}{
	{flagWrite, "write"}, {flagReadonly, "readonly"}, {flagDenyOOM, "denyoom"},
	{flagAdmin, "admin"}, {flagPubSub, "pubsub"}, {flagNoScript, "noscript"}, {flagBlocking, "blocking"},
	{flagLoading, "loading"}, {flagStale, "stale"}, {flagFast, "fast"},
	{flagNoAuth, "no_auth"},
}

// command is one entry of the command table. Exactly one of run and txn
// is set: txn commands run inside an engine transaction holding the shards
// of their keys (or, inside EXEC, the whole database), run commands manage
// their own engine calls.
type command struct {
	name    string // lower case, as Redis reports it
	arity   int    // Redis convention: n exact, -n at least n (name included)
	flags   cmdFlags
	first   int // key positions (name is 0); first 0 = no keys
	last    int // negative counts from the end
	step    int
	group   string
	summary string
	since   string
	borrow  bool // table shorthand for flagBorrowArgs

	run func(c *client, a []string)
	// txn returns an error to be sent as the reply instead of writing one.
	txn func(c *client, t engine.Txn, a []string) error
	// keys, when set, lists the keys for commands whose key positions the
	// first/last/step triple cannot express; returning nil locks the whole
	// database.
	keys func(a []string, buf []string) []string
	// block, for blocking commands, parses the arguments of a call
	// outside MULTI, which may wait (cmd_block.go); txn is then the
	// immediate attempt used inside transactions.
	block blockParser

	subs   map[string]*command // container commands (CONFIG GET, ...)
	parent *command
}

// fullName is Redis's name in error texts: "get", "config|get".
func (cmd *command) fullName() string {
	if cmd.parent != nil {
		return cmd.parent.name + "|" + cmd.name
	}
	return cmd.name
}

// keysOf returns the keys of a call with arguments a (the command name
// excluded), appended to buf; nil means the whole database.
func (cmd *command) keysOf(a []string, buf []string) []string {
	if cmd.keys != nil {
		return cmd.keys(a, buf)
	}
	if cmd.first == 0 {
		return nil
	}
	// Redis's positions count the command's name, and a subcommand's
	// too (OBJECT ENCODING key: 2), which a does not hold.
	off := 1
	if cmd.parent != nil {
		off = 2
	}
	last := cmd.last
	if last < 0 {
		last = len(a) + off + last
	}
	step := max(cmd.step, 1)
	for i := cmd.first; i <= last && i-off < len(a); i += step {
		buf = append(buf, a[i-off])
	}
	return buf
}

// commands is the command table, keyed by lower-case name.
var commands = map[string]*command{}

// register adds commands to the table (from each group file's init).
// Containers get a HELP subcommand listing the others, as in Redis.
func register(cmds ...*command) {
	for _, c := range cmds {
		if _, dup := commands[c.name]; dup {
			panic("resp: command registered twice: " + c.name)
		}
		if c.subs != nil {
			c.subs["help"] = &command{name: "help", arity: 2, flags: flagLoading | flagStale, group: c.group, since: c.since, summary: "Show helpful text about the different subcommands", run: helpFor(c)}
		}
		for _, s := range c.subs {
			s.parent = c
		}
		commands[c.name] = c
	}
}

// helpFor is a container's HELP: its subcommands and what they do.
func helpFor(parent *command) func(c *client, a []string) {
	return func(c *client, a []string) {
		subs := sortedSubs(parent)
		c.w.array(1 + 2*len(subs))
		c.w.simple(strings.ToUpper(parent.name) + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
		for _, s := range subs {
			c.w.simple(strings.ToUpper(s.name))
			c.w.simple("    " + s.summary + ".")
		}
	}
}

// subcommands builds a container's subcommand table.
func subcommands(cmds ...*command) map[string]*command {
	m := make(map[string]*command, len(cmds))
	for _, c := range cmds {
		m[c.name] = c
	}
	return m
}

// lookup finds a command by name, case-insensitively, without allocating.
func lookup(name []byte) *command { return lookupIn(commands, name) }

func lookupIn(table map[string]*command, name []byte) *command {
	var buf [32]byte
	if len(name) > len(buf) {
		return nil
	}
	for i, ch := range name {
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		buf[i] = ch
	}
	return table[string(buf[:len(name)])]
}

// Errors the protocol layer itself produces, with Redis's texts.
var (
	errNotInteger = engine.ErrNotInteger
	errNotFloat   = engine.ErrNotFloat
	errSyntax     = engine.ErrSyntax
)

// textError is a reply error made here (argument checks with no engine
// counterpart).
type textError string

func (e textError) Error() string { return string(e) }

// parseInt parses an integer argument with Redis's rules.
func parseInt(s string) (int64, error) {
	v, ok := engine.ParseInt(s)
	if !ok {
		return 0, errNotInteger
	}
	return v, nil
}

// parseFloat parses a float argument with Redis's rules.
func parseFloat(s string) (float64, error) {
	v, ok := engine.ParseFloat(s)
	if !ok {
		return 0, errNotFloat
	}
	return v, nil
}

// eq compares an option name case-insensitively.
func eq(arg, opt string) bool { return strings.EqualFold(arg, opt) }

// writeMaybe writes a value that may be absent.
func (c *client) writeMaybe(v string, found bool) {
	if found {
		c.w.bulkString(v)
	} else {
		c.w.null()
	}
}

// writeStrings writes an array of bulk strings.
func (c *client) writeStrings(vs []string) {
	c.w.array(len(vs))
	for _, v := range vs {
		c.w.bulkString(v)
	}
}

// writeStringSet writes a set reply (array in RESP2).
func (c *client) writeStringSet(vs []string) {
	c.w.setLen(len(vs))
	for _, v := range vs {
		c.w.bulkString(v)
	}
}

// writeMaybes writes an array of maybe-values (MGET, HMGET).
func (c *client) writeMaybes(vs []engine.Maybe) {
	c.w.array(len(vs))
	for _, v := range vs {
		c.writeMaybe(v.Value, v.Found)
	}
}
