package engine

import (
	"slices"
	"strings"

	"github.com/isa-cloud/isa-memstore/store"
)

// errSortScore is SORT's reply when a weight is not a number.
var errSortScore = invalidArg("ERR One or more scores can't be converted into double")

// SortOptions are SORT's options. The zero value sorts numerically,
// ascending, everything.
type SortOptions struct {
	// By is the BY pattern ("" for none). A pattern without '*' means "do
	// not sort" (Redis's trick to skip sorting).
	By string
	// Limit, Offset and Count are LIMIT offset count.
	Limit         bool
	Offset, Count int64
	// Get lists the GET patterns, in order ("#" is the element itself,
	// "pat*->field" a hash field).
	Get []string
	// Desc and Alpha are DESC and ALPHA.
	Desc, Alpha bool
	// Store, when StoreSet, is the key the result is stored at (a list).
	Store    string
	StoreSet bool
}

// ParseSort parses SORT's (readOnly: SORT_RO's) arguments after the key,
// in Redis's order of checks.
func ParseSort(args []string, readOnly bool) (SortOptions, error) {
	var o SortOptions
	for j := 0; j < len(args); j++ {
		left := len(args) - j - 1
		switch a := args[j]; {
		case strings.EqualFold(a, "asc"):
			o.Desc = false
		case strings.EqualFold(a, "desc"):
			o.Desc = true
		case strings.EqualFold(a, "alpha"):
			o.Alpha = true
		case strings.EqualFold(a, "limit") && left >= 2:
			off, ok1 := parseInt(args[j+1])
			cnt, ok2 := parseInt(args[j+2])
			if !ok1 || !ok2 {
				return o, ErrNotInteger
			}
			o.Limit, o.Offset, o.Count = true, off, cnt
			j += 2
		case !readOnly && strings.EqualFold(a, "store") && left >= 1:
			o.Store, o.StoreSet = args[j+1], true
			j++
		case strings.EqualFold(a, "by") && left >= 1:
			o.By = args[j+1]
			j++
		case strings.EqualFold(a, "get") && left >= 1:
			o.Get = append(o.Get, args[j+1])
			j++
		default:
			return o, ErrSyntax
		}
	}
	return o, nil
}

// Patterns reports whether the options read other keys (a BY or GET
// pattern), so that the sort must hold the whole namespace.
func (o SortOptions) Patterns() bool {
	if strings.Contains(o.By, "*") {
		return true
	}
	for _, g := range o.Get {
		if g != "#" {
			return true
		}
	}
	return false
}

// SortKeys lists the keys a SORT with these options locks: nil (the whole
// namespace) when it reads keys named by patterns.
func (o SortOptions) SortKeys(key string) []string {
	if o.Patterns() {
		return nil
	}
	if o.StoreSet {
		return []string{key, o.Store}
	}
	return []string{key}
}

// Sort is SORT without STORE (or SORT_RO with readOnly): the sorted
// elements, or the GET values of each, nil where a GET finds nothing.
func (db *DB) Sort(key string, o SortOptions, readOnly bool) (out []Maybe, err error) {
	err = db.Atomic(o.SortKeys(key), func(t Txn) error { out, _, err = t.Sort(key, o, readOnly); return err })
	return out, err
}

// SortStore is SORT ... STORE: it stores the result as a list at
// o.Store (deleting it when empty) and returns its length.
func (db *DB) SortStore(key string, o SortOptions) (n int64, err error) {
	err = db.Atomic(o.SortKeys(key), func(t Txn) error { _, n, err = t.Sort(key, o, false); return err })
	return n, err
}

// sortItem is one element with what it sorts by.
type sortItem struct {
	elem  string
	score float64
	cmp   string
	hasBy bool // alpha BY: the BY key exists
}

// Sort is SORT / SORT_RO. With o.StoreSet it stores the result and returns
// its length; otherwise it returns the reply's elements.
func (t Txn) Sort(key string, o SortOptions, readOnly bool) ([]Maybe, int64, error) {
	if readOnly {
		t.read()
		if o.StoreSet {
			return nil, 0, ErrSyntax
		}
	} else if err := t.write(); err != nil {
		return nil, 0, err
	}
	e := t.tx.Read(key)
	if e != nil && e.Type() != store.TypeList && e.Type() != store.TypeSet && e.Type() != store.TypeZSet {
		return nil, 0, ErrWrongType
	}
	dontSort := o.By != "" && !strings.Contains(o.By, "*")
	by := o.By
	alpha := o.Alpha
	if dontSort && e != nil && e.Type() == store.TypeSet && o.StoreSet {
		// Redis sorts a set anyway when storing, so that the stored result
		// does not depend on the set's internal order.
		dontSort, alpha, by = false, true, ""
	}
	n := int64(0)
	if e != nil {
		n = int64(e.Coll().Len())
	}
	start := max(o.Offset, 0)
	end := n - 1
	if o.Limit && o.Count >= 0 {
		end = satAdd(start, o.Count) - 1
	}
	if start >= n {
		start, end = n-1, n-2
	}
	end = min(end, n-1)

	var elems []string
	native := e != nil && e.Type() != store.TypeSet
	if e != nil {
		elems = sortElements(e, dontSort && native && o.Desc)
	}
	if !dontSort {
		items := make([]sortItem, len(elems))
		bad := false
		for i, el := range elems {
			items[i].elem = el
			var v string
			found := true
			if by != "" {
				v, found = t.lookupPattern(by, el)
				if !found {
					continue
				}
			} else {
				v = el
			}
			if alpha {
				items[i].cmp, items[i].hasBy = v, true
			} else if f, ok := sortScore(v); ok {
				items[i].score = f
			} else {
				bad = true
			}
		}
		if bad {
			return nil, 0, errSortScore
		}
		cmp := func(a, b sortItem) int {
			var c int
			switch {
			case !alpha:
				switch {
				case a.score > b.score:
					c = 1
				case a.score < b.score:
					c = -1
				default:
					c = strings.Compare(a.elem, b.elem)
				}
			case by != "":
				switch {
				case !a.hasBy || !b.hasBy:
					c = boolCmp(a.hasBy, b.hasBy)
				default:
					c = strings.Compare(a.cmp, b.cmp)
				}
			default:
				c = strings.Compare(a.elem, b.elem)
			}
			if o.Desc {
				return -c
			}
			return c
		}
		// Stable, like glibc's qsort (a merge sort), so that ties under
		// ALPHA with BY keep the load order.
		slices.SortStableFunc(items, cmp)
		for i := range items {
			elems[i] = items[i].elem
		}
	}
	var sel []string
	if end >= start {
		sel = elems[start : end+1]
	}
	var out []Maybe
	for _, el := range sel {
		if len(o.Get) == 0 {
			out = append(out, Maybe{Value: el, Found: true})
			continue
		}
		for _, g := range o.Get {
			v, found := t.lookupPattern(g, el)
			out = append(out, Maybe{Value: v, Found: found})
		}
	}
	if !o.StoreSet {
		return out, 0, nil
	}
	if len(out) == 0 {
		t.tx.Delete(o.Store)
		return nil, 0, nil
	}
	vals := make([]string, len(out))
	for i, m := range out {
		vals[i] = m.Value // a missing GET stores an empty string
	}
	t.tx.Put(o.Store, store.NewCollection(store.NewList(vals...)))
	return nil, int64(len(vals)), nil
}

// sortElements lists e's elements: a list or sorted set in its order
// (reversed with rev), a set in its own order (ascending for a set Redis
// would hold as an intset).
func sortElements(e *store.Entry, rev bool) []string {
	var out []string
	switch e.Type() {
	case store.TypeList:
		l := e.List()
		out = l.Range(0, l.Len())
	case store.TypeSet:
		out = e.Set().Members()
		if encodingOf(e) == "intset" {
			// Redis walks an intset in ascending order, which shows when
			// nothing is sorted (BY a constant) and in the order of ties.
			slices.SortFunc(out, func(a, b string) int {
				x, _ := parseInt(a)
				y, _ := parseInt(b)
				return cmpInt(x, y)
			})
		}
	case store.TypeZSet:
		z := e.ZSet()
		out = make([]string, 0, z.Len())
		z.Ascend(0, func(m store.ZMember) bool { out = append(out, m.Member); return true })
	}
	if rev {
		slices.Reverse(out)
	}
	return out
}

// lookupPattern is Redis's lookupKeyByPattern: "#" is the element itself;
// otherwise the first '*' is replaced by it, and a "->field" after the
// '*' reads that hash field. A pattern without '*', a missing key or one
// of another type finds nothing.
func (t Txn) lookupPattern(pat, elem string) (string, bool) {
	if pat == "#" {
		return elem, true
	}
	p := strings.IndexByte(pat, '*')
	if p < 0 {
		return "", false
	}
	keyPat, field := pat, ""
	if f := strings.Index(pat[p+1:], "->"); f >= 0 && p+1+f+2 < len(pat) {
		keyPat, field = pat[:p+1+f], pat[p+1+f+2:]
	}
	k := keyPat[:p] + elem + keyPat[p+1:]
	e := t.tx.Read(k)
	if e == nil {
		return "", false
	}
	if field != "" {
		if e.Type() != store.TypeHash {
			return "", false
		}
		return e.Hash().Get(field)
	}
	if e.Type() != store.TypeString {
		return "", false
	}
	return e.Str(), true
}

// sortScore parses a weight as SORT's strtod: leading white space allowed,
// nothing after the number, no NaN; "" is 0.
func sortScore(s string) (float64, bool) {
	if s == "" {
		return 0, true
	}
	return parseFloat(strings.TrimLeft(s, " \t\n\v\f\r"))
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// satAdd is a+b saturated at the int64 range (LIMIT's offset+count).
func satAdd(a, b int64) int64 {
	if b > 0 && a > (1<<63-1)-b {
		return 1<<63 - 1
	}
	return a + b
}
