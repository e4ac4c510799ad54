package resp

import "github.com/isa-cloud/isa-memstore/engine"

func init() {
	const g = "generic"
	key := func(a []string, buf []string) []string { return append(buf, a[0]) }
	ro := flagReadonly
	register(&command{name: "object", arity: -2, group: g, since: "2.2.3", summary: "A container for object introspection commands", subs: subcommands(
		&command{name: "encoding", arity: 3, flags: ro, first: 2, last: 2, step: 1, keys: key, group: g, since: "2.2.3", summary: "Inspect the internal encoding of a Redis object", txn: cmdObjectEncoding},
		&command{name: "refcount", arity: 3, flags: ro, first: 2, last: 2, step: 1, keys: key, group: g, since: "2.2.3", summary: "Get the number of references to the value of the key", txn: cmdObjectRefCount},
		&command{name: "idletime", arity: 3, flags: ro, first: 2, last: 2, step: 1, keys: key, group: g, since: "2.2.3", summary: "Get the time since a Redis object was last accessed", txn: cmdObjectIdleTime},
		&command{name: "freq", arity: 3, flags: ro, first: 2, last: 2, step: 1, keys: key, group: g, since: "4.0.0", summary: "Get the logarithmic access frequency counter of a Redis object", txn: cmdObjectFreq},
	)})
	// Redis's own OBJECT HELP text rather than the generic one.
	commands["object"].subs["help"].run = cmdObjectHelp
}

var objectHelp = []string{
	"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"ENCODING <key>",
	"    Return the kind of internal representation used in order to store the value",
	"    associated with a <key>.",
	"FREQ <key>",
	"    Return the access frequency index of the <key>. The returned integer is",
	"    proportional to the logarithm of the recent access frequency of the key.",
	"IDLETIME <key>",
	"    Return the idle time of the <key>, that is the approximated number of",
	"    seconds elapsed since the last access to the key.",
	"REFCOUNT <key>",
	"    Return the number of references of the value associated with the specified",
	"    <key>.",
	"HELP",
	"    Prints this help.",
}

func cmdObjectHelp(c *client, a []string) {
	c.w.array(len(objectHelp))
	for _, l := range objectHelp {
		c.w.simple(l)
	}
}

func cmdObjectEncoding(c *client, t engine.Txn, a []string) error {
	info, found := t.Object(a[0])
	c.writeMaybe(info.Encoding, found)
	return nil
}

func cmdObjectRefCount(c *client, t engine.Txn, a []string) error {
	info, found := t.Object(a[0])
	if !found {
		c.w.null()
		return nil
	}
	c.w.integer(info.RefCount)
	return nil
}

func cmdObjectIdleTime(c *client, t engine.Txn, a []string) error {
	info, found := t.Object(a[0])
	if !found {
		c.w.null()
		return nil
	}
	c.w.integer(info.IdleSeconds)
	return nil
}

func cmdObjectFreq(c *client, t engine.Txn, a []string) error {
	found, err := t.ObjectFreq(a[0])
	if !found && err == nil {
		c.w.null()
	}
	return err
}
