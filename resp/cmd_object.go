package resp

import "github.com/isa-cloud/isa-memstore/engine"

func init() {
	const g = "generic"
	ro := flagReadonly
	register(&command{name: "object", arity: -2, group: g, since: "2.2.3", summary: "A container for object introspection commands", subs: subcommands(
		&command{name: "encoding", arity: 3, flags: ro, first: 2, last: 2, step: 1, group: g, since: "2.2.3", summary: "Inspect the internal encoding of a Redis object", txn: cmdObjectEncoding},
		&command{name: "refcount", arity: 3, flags: ro, first: 2, last: 2, step: 1, group: g, since: "2.2.3", summary: "Get the number of references to the value of the key", txn: cmdObjectRefCount},
		&command{name: "idletime", arity: 3, flags: ro, first: 2, last: 2, step: 1, group: g, since: "2.2.3", summary: "Get the time since a Redis object was last accessed", txn: cmdObjectIdleTime},
		&command{name: "freq", arity: 3, flags: ro, first: 2, last: 2, step: 1, group: g, since: "4.0.0", summary: "Get the logarithmic access frequency counter of a Redis object", txn: cmdObjectFreq},
	)})
	// Redis's own OBJECT HELP text rather than the generic one.
	commands["object"].subs["help"].run = cmdObjectHelp
	// MEMORY offers USAGE only (DOCTOR, STATS, MALLOC-STATS and PURGE are
	// about Redis's allocator), so its HELP is the generic one listing it.
	register(&command{name: "memory", arity: -2, group: "server", since: "4.0.0", summary: "A container for memory diagnostics commands", subs: subcommands(
		&command{name: "usage", arity: -3, flags: ro, first: 2, last: 2, step: 1, group: "server", since: "4.0.0", summary: "Estimate the memory usage of a key", txn: cmdMemoryUsage},
	)})
}

// cmdMemoryUsage is MEMORY USAGE key [SAMPLES count]: the key's size in
// the engine's accounting, the figure maxmemory limits (store.Entry's
// Size), rather than Redis's allocator bytes. The engine keeps each
// collection's size as it changes, so nothing is sampled and SAMPLES
// only has to be valid, as Redis checks it.
func cmdMemoryUsage(c *client, t engine.Txn, a []string) error {
	for i := 1; i < len(a); i += 2 {
		if !eq(a[i], "samples") || i+1 >= len(a) {
			return engine.ErrSyntax
		}
		n, err := parseInt(a[i+1])
		if err != nil {
			return err
		}
		if n < 0 {
			return engine.ErrSyntax
		}
	}
	info, found := t.KeyInfo(a[0])
	if !found {
		c.w.null()
		return nil
	}
	c.w.integer(info.Size)
	return nil
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
