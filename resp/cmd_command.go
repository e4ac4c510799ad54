package resp

import (
	"slices"
	"strings"
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

func cmdCommandList(c *client, a []string) {
	if len(a) > 0 {
		c.replyErr(errSyntax) // FILTERBY is not supported
		return
	}
	cmds := sortedCommands()
	c.w.array(len(cmds))
	for _, cmd := range cmds {
		c.w.bulkString(cmd.name)
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
	cats := []string{"@" + aclCategory(cmd.group)}
	switch {
	case cmd.flags&flagWrite != 0:
		cats = append(cats, "@write")
	case cmd.flags&flagReadonly != 0:
		cats = append(cats, "@read")
	}
	if cmd.flags&flagFast != 0 {
		cats = append(cats, "@fast")
	} else {
		cats = append(cats, "@slow")
	}
	if cmd.flags&flagBlocking != 0 {
		cats = append(cats, "@blocking")
	}
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

func aclCategory(group string) string {
	switch group {
	case "generic":
		return "keyspace"
	case "transactions":
		return "transaction"
	case "server", "connection":
		return group
	}
	return group
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
