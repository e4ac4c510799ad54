package resp

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/cespare/xxhash/v2"

	"github.com/isa-cloud/isa-memstore/engine"
	"github.com/isa-cloud/isa-memstore/internal/glob"
)

// The SCAN family's cursor is a position in hash order: every element has
// a fixed 63-bit hash, a call returns the elements whose hash is at least
// the cursor (COUNT of them, never splitting equal hashes), and the next
// cursor is one past the last hash returned. An element present for the
// whole iteration is therefore returned exactly once, whatever is added or
// removed meanwhile (Redis's guarantee), and the cursor is stateless: any
// connection may continue it. To keep a full iteration O(N log N) instead
// of O(N²/COUNT), a connection keeps the hash-sorted snapshot of its
// current iteration and reuses it while the cursor it is given continues
// it; elements gone since are filtered out before replying.

func init() {
	register(&command{name: "scan", arity: -2, flags: flagReadonly, group: "generic", since: "2.8.0", summary: "Incrementally iterate the keys space", run: cmdScan})
}

// smallCollection is the size up to which HSCAN, SSCAN and ZSCAN return
// the whole collection in one reply with cursor 0, as Redis does for its
// compact encodings.
const smallCollection = 128

type scanItem struct {
	h   uint64
	key string // key or member / field
	val string // value or score (HSCAN, ZSCAN)
}

func scanHash(s string) uint64 { return xxhash.Sum64String(s) >> 1 }

// keySnapshot is a database's keys in hash order, shared by SCAN calls.
type keySnapshot struct {
	db    *engine.DB
	items []scanItem
}

// scanOpts are SCAN's MATCH, COUNT and TYPE options.
type scanOpts struct {
	match   string // "" = everything
	count   int
	typ     string
	hasType bool
}

// parseCursor reads a cursor as strtoul does (a sign is accepted and a
// negative value wraps), refusing what Redis refuses.
func parseCursor(s string) (uint64, error) {
	bad := textError("ERR invalid cursor")
	if s == "" || isSpace(s[0]) {
		return 0, bad
	}
	neg := false
	if s[0] == '+' || s[0] == '-' {
		neg = s[0] == '-'
		s = s[1:]
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || strings.ContainsRune(s, '_') {
		return 0, bad
	}
	if neg {
		v = -v
	}
	return v, nil
}

func parseScanOpts(a []string, allowType bool) (scanOpts, error) {
	o := scanOpts{count: 10}
	for i := 0; i < len(a); {
		more := len(a) - i
		switch {
		case eq(a[i], "count") && more >= 2:
			n, err := parseInt(a[i+1])
			if err != nil {
				return o, err
			}
			if n < 1 {
				return o, errSyntax
			}
			o.count = int(min(n, 1<<30))
			i += 2
		case eq(a[i], "match") && more >= 2:
			o.match = a[i+1]
			if o.match == "*" {
				o.match = ""
			}
			i += 2
		case eq(a[i], "type") && allowType && more >= 2:
			o.typ = a[i+1]
			o.hasType = true
			i += 2
		default:
			return o, errSyntax
		}
	}
	return o, nil
}

// page returns the items of one call starting at cursor and the cursor of
// the next call (0 when the iteration is complete).
func page(items []scanItem, cursor uint64, count int) ([]scanItem, uint64) {
	i := sort.Search(len(items), func(i int) bool { return items[i].h >= cursor })
	j := min(i+count, len(items))
	for j > i && j < len(items) && items[j].h == items[j-1].h {
		j++
	}
	if j >= len(items) {
		return items[i:], 0
	}
	return items[i:j], items[j-1].h + 1
}

func sortItems(items []scanItem) {
	slices.SortFunc(items, func(x, y scanItem) int {
		switch {
		case x.h < y.h:
			return -1
		case x.h > y.h:
			return 1
		}
		return strings.Compare(x.key, y.key)
	})
}

// keySnapshot returns the shared snapshot of the client's database for a
// SCAN at cursor, taking a new one for cursor 0 (or when there is none).
func (c *client) keySnapshot(cursor uint64) ([]scanItem, error) {
	slot := &c.s.scans[c.dbIndex]
	if snap := slot.Load(); cursor != 0 && snap != nil && snap.db == c.db {
		return snap.items, nil
	}
	keys, _, err := c.db.Keys("*", 0)
	if err != nil {
		return nil, err
	}
	items := make([]scanItem, len(keys))
	for i, k := range keys {
		items[i] = scanItem{h: scanHash(k), key: k}
	}
	sortItems(items)
	slot.Store(&keySnapshot{db: c.db, items: items})
	return items, nil
}

func writeScanReply(c *client, next uint64, elems []string) {
	c.w.array(2)
	c.w.bulkString(strconv.FormatUint(next, 10))
	c.writeStrings(elems)
}

func cmdScan(c *client, a []string) {
	cursor, err := parseCursor(a[0])
	if err != nil {
		c.replyErr(err)
		return
	}
	o, err := parseScanOpts(a[1:], true)
	if err != nil {
		c.replyErr(err)
		return
	}
	items, err := c.keySnapshot(cursor)
	if err != nil {
		c.replyErr(err)
		return
	}
	batch, next := page(items, cursor, o.count)
	keys := make([]string, 0, len(batch))
	for _, it := range batch {
		if o.match == "" || glob.Match(o.match, it.key) {
			keys = append(keys, it.key)
		}
	}
	// Drop keys deleted since the snapshot, and apply TYPE.
	live := keys[:0]
	if len(keys) > 0 {
		err = c.db.Atomic(keys, func(t engine.Txn) error {
			for _, k := range keys {
				if o.hasType {
					if typ := t.Type(k); typ != engine.TypeNone && strings.EqualFold(typ.String(), o.typ) {
						live = append(live, k)
					}
				} else if t.KeyVersion(k) != (engine.KeyVersion{}) {
					live = append(live, k)
				}
			}
			return nil
		})
		if err != nil {
			c.replyErr(err)
			return
		}
	}
	writeScanReply(c, next, live)
}

// collectionScan is HSCAN, SSCAN and ZSCAN over the items load returns
// (read in one engine transaction); pairs says whether items carry a value.
// It costs O(N log N) per call for a collection of N elements.
func collectionScan(c *client, kind string, a []string, pairs bool, load func(t engine.Txn, key string) ([]scanItem, error)) {
	key := a[0]
	cursor, err := parseCursor(a[1])
	if err != nil {
		c.replyErr(err)
		return
	}
	var all []scanItem
	err = c.db.Atomic([]string{key}, func(t engine.Txn) error {
		var err error
		all, err = load(t, key)
		return err
	})
	if err != nil {
		c.replyErr(err)
		return
	}
	if len(all) == 0 {
		writeScanReply(c, 0, nil)
		return
	}
	o, err := parseScanOpts(a[2:], false)
	if err != nil {
		c.replyErr(err)
		return
	}
	writeCollectionPage(c, all, cursor, o, pairs)
}

// writeCollectionPage answers an HSCAN/SSCAN/ZSCAN call with the page of
// all (a whole collection, read for this call) that cursor starts.
func writeCollectionPage(c *client, all []scanItem, cursor uint64, o scanOpts, pairs bool) {
	var batch []scanItem
	var next uint64
	if len(all) <= smallCollection {
		batch = all
	} else {
		// Values change in place, so a large collection is read afresh
		// on every call rather than from a cached snapshot.
		for i := range all {
			all[i].h = scanHash(all[i].key)
		}
		sortItems(all)
		batch, next = page(all, cursor, o.count)
	}
	out := make([]string, 0, 2*len(batch))
	for _, it := range batch {
		if o.match != "" && !glob.Match(o.match, it.key) {
			continue
		}
		out = append(out, it.key)
		if pairs {
			out = append(out, it.val)
		}
	}
	writeScanReply(c, next, out)
}
