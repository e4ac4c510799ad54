package resp

import (
	"slices"
	"strings"

	"github.com/isa-cloud/isa-memstore/internal/glob"
)

// The COMMAND family describes the command table, enough for redis-cli's
// hints and for clients that read key positions.

func sortedCommands() []*command {
	out := make([]*command, 0, len(commands))
	for _, c := range commands {
		out = append(out, c)
	}
	slices.SortFunc(out, func(x, y *command) int { return strings.Compare(x.name, y.name) })
	return out
}

func cmdCommand(c *client, a []string) {
	cmds := sortedCommands()
	c.w.array(len(cmds))
	for _, cmd := range cmds {
		c.writeCommandInfo(cmd)
	}
}

func cmdCommandCount(c *client, a []string) { c.w.integer(int64(len(commands))) }

// cmdCommandList is COMMAND LIST [FILTERBY MODULE name | ACLCAT category |
// PATTERN pattern]: the names of every command and subcommand, as Redis
// 7.0 lists them, optionally filtered. A pattern matches the full name
// (config|get) ignoring case; no module is loaded, so MODULE matches none.
func cmdCommandList(c *client, a []string) {
	var match func(cmd *command) bool
	switch {
	case len(a) == 0:
		match = func(*command) bool { return true }
	case len(a) == 3 && eq(a[0], "filterby"):
		switch v := a[2]; {
		case eq(a[1], "pattern"):
			pat := strings.ToLower(v)
			match = func(cmd *command) bool { return glob.MatchFold(pat, cmd.fullName()) }
		case eq(a[1], "aclcat"):
			cat := "@" + strings.ToLower(v)
			match = func(cmd *command) bool { return slices.Contains(aclCategories(cmd), cat) }
		case eq(a[1], "module"):
			match = func(*command) bool { return false }
		}
	}
	if match == nil {
		c.replyErr(errSyntax)
		return
	}
	var names []string
	for _, cmd := range sortedCommands() {
		if match(cmd) {
			names = append(names, cmd.name)
		}
		for _, sub := range sortedSubs(cmd) {
			if match(sub) {
				names = append(names, sub.fullName())
			}
		}
	}
	c.w.array(len(names))
	for _, n := range names {
		c.w.bulkString(n)
	}
}

// findCommand resolves "get" or "config|get".
func findCommand(name string) *command {
	name = strings.ToLower(name)
	parent, sub, isSub := strings.Cut(name, "|")
	cmd := commands[parent]
	if cmd == nil || !isSub {
		return cmd
	}
	return cmd.subs[sub]
}

func cmdCommandInfo(c *client, a []string) {
	if len(a) == 0 {
		cmdCommand(c, a)
		return
	}
	c.w.array(len(a))
	for _, name := range a {
		if cmd := findCommand(name); cmd != nil {
			c.writeCommandInfo(cmd)
		} else {
			c.w.null() // a null bulk string in RESP2, as Redis answers
		}
	}
}

// writeCommandInfo writes Redis 7's ten-element command description.
func (c *client) writeCommandInfo(cmd *command) {
	c.w.array(10)
	c.w.bulkString(cmd.fullName())
	c.w.integer(int64(cmd.arity))
	var flags []string
	for _, f := range flagNames {
		if cmd.flags&f.f != 0 {
			flags = append(flags, f.name)
		}
	}
	if cmd.keys != nil {
		// Key positions that depend on the arguments (numkeys), which
		// Redis lists last.
		flags = append(flags, "movablekeys")
	}
	c.w.setLen(len(flags))
	for _, f := range flags {
		c.w.simple(f)
	}
	c.w.integer(int64(cmd.first))
	c.w.integer(int64(cmd.last))
	c.w.integer(int64(cmd.step))
	cats := aclCategories(cmd)
	c.w.setLen(len(cats))
	for _, cat := range cats {
		c.w.simple(cat)
	}
	c.w.array(0) // tips
	c.w.array(0) // key specs: first/last/step describe the keys
	subs := sortedSubs(cmd)
	c.w.array(len(subs))
	for _, s := range subs {
		c.writeCommandInfo(s)
	}
}

// aclOrder is Redis's ACL category table, in whose order COMMAND INFO
// lists a command's categories.
var aclOrder = []string{
	"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog",
	"geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection",
	"transaction", "scripting",
}

// aclExplicit are the categories Redis's command table gives the
// commands whose group does not say them (the others get their group's
// category, generic meaning keyspace and server none).
var aclExplicit = map[string][]string{
	"dbsize": {"keyspace"}, "flushall": {"keyspace", "dangerous"}, "flushdb": {"keyspace", "dangerous"},
	"info": {"dangerous"}, "keys": {"keyspace", "dangerous"}, "lastsave": {"admin", "dangerous"},
	"sort": {"set", "sortedset", "list", "dangerous"}, "sort_ro": {"set", "sortedset", "list", "dangerous"},
	"command": {"connection"}, "pubsub|help": {},
}

// aclCategories are the categories COMMAND INFO reports: the explicit
// ones plus those Redis derives from the flags (setImplicitACLCategories).
// Containers (CLIENT, CONFIG, ...) have only the derived ones.
func aclCategories(cmd *command) []string {
	has := map[string]bool{}
	name := cmd.fullName()
	switch {
	case aclExplicit[name] != nil:
		for _, c := range aclExplicit[name] {
			has[c] = true
		}
	case cmd.subs != nil:
	case cmd.parent != nil && cmd.parent.name == "command":
		has["connection"] = true // COMMAND's group is server, its category connection
	default:
		switch cmd.group {
		case "generic":
			has["keyspace"] = true
		case "transactions":
			has["transaction"] = true
		case "sorted-set":
			has["sortedset"] = true
		case "server":
		default:
			has[cmd.group] = true
		}
	}
	if cmd.flags&flagWrite != 0 {
		has["write"] = true
	}
	if cmd.flags&flagReadonly != 0 && cmd.group != "scripting" {
		has["read"] = true
	}
	if cmd.flags&flagAdmin != 0 {
		has["admin"], has["dangerous"] = true, true
	}
	if cmd.flags&flagPubSub != 0 {
		has["pubsub"] = true
	}
	if cmd.flags&flagFast != 0 {
		has["fast"] = true
	} else {
		has["slow"] = true
	}
	if cmd.flags&flagBlocking != 0 {
		has["blocking"] = true
	}
	var cats []string
	for _, c := range aclOrder {
		if has[c] {
			cats = append(cats, "@"+c)
		}
	}
	return cats
}

func sortedSubs(cmd *command) []*command {
	subs := make([]*command, 0, len(cmd.subs))
	for _, s := range cmd.subs {
		subs = append(subs, s)
	}
	slices.SortFunc(subs, func(x, y *command) int { return strings.Compare(x.name, y.name) })
	return subs
}

func cmdCommandDocs(c *client, a []string) {
	var cmds []*command
	if len(a) == 0 {
		cmds = sortedCommands()
	} else {
		for _, name := range a {
			if cmd := findCommand(name); cmd != nil {
				cmds = append(cmds, cmd)
			}
		}
	}
	c.w.mapLen(len(cmds))
	for _, cmd := range cmds {
		c.w.bulkString(cmd.fullName())
		c.writeCommandDoc(cmd)
	}
}

func (c *client) writeCommandDoc(cmd *command) {
	subs := sortedSubs(cmd)
	n := 3
	if len(subs) > 0 {
		n++
	}
	c.w.mapLen(n)
	c.w.bulkString("summary")
	c.w.bulkString(cmd.summary)
	c.w.bulkString("since")
	c.w.bulkString(cmd.since)
	c.w.bulkString("group")
	c.w.bulkString(cmd.group)
	if len(subs) > 0 {
		c.w.bulkString("subcommands")
		c.w.mapLen(len(subs))
		for _, s := range subs {
			c.w.bulkString(s.fullName())
			c.writeCommandDoc(s)
		}
	}
}
