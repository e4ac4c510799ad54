package resp

import "github.com/isa-cloud/isa-memstore/engine"

func init() {
	const g = "generic"
	register(
		&command{name: "sort", arity: -2, flags: flagWrite | flagDenyOOM, first: 1, last: 1, step: 1, keys: sortKeys(false), group: g, since: "1.0.0", summary: "Sort the elements in a list, set or sorted set", txn: cmdSort(false)},
		&command{name: "sort_ro", arity: -2, flags: flagReadonly, first: 1, last: 1, step: 1, keys: sortKeys(true), group: g, since: "7.0.0", summary: "Sort the elements in a list, set or sorted set. Read-only variant of SORT.", txn: cmdSort(true)},
	)
}

// sortKeys locks the key and the STORE key, or the whole database when a
// BY or GET pattern makes SORT read other keys (or the options do not
// parse: the error is then reported under the same lock).
func sortKeys(readOnly bool) func(a []string, buf []string) []string {
	return func(a []string, buf []string) []string {
		o, err := engine.ParseSort(a[1:], readOnly)
		if err != nil || o.Patterns() {
			return nil
		}
		buf = append(buf, a[0])
		if o.StoreSet {
			buf = append(buf, o.Store)
		}
		return buf
	}
}

func cmdSort(readOnly bool) func(c *client, t engine.Txn, a []string) error {
	return func(c *client, t engine.Txn, a []string) error {
		o, err := engine.ParseSort(a[1:], readOnly)
		if err != nil {
			return err
		}
		out, n, err := t.Sort(a[0], o, readOnly)
		if err != nil {
			return err
		}
		if o.StoreSet {
			c.w.integer(n)
			return nil
		}
		c.w.array(len(out))
		for _, m := range out {
			c.writeMaybe(m.Value, m.Found)
		}
		return nil
	}
}
