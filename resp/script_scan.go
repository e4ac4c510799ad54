package resp

import (
	"github.com/isa-cloud/isa-memstore/engine"
)

// scriptScans are HSCAN, SSCAN and ZSCAN for scripts. The commands' own
// forms (collectionScan) read the collection in an engine transaction of
// their own, which cannot open inside the script's; these read it with
// the script's transaction and answer the same pages.
var scriptScans = map[string]func(c *client, t engine.Txn, a []string) error{
	"hscan": scriptCollectionScan(true, func(t engine.Txn, key string) ([]scanItem, error) {
		fvs, err := t.HGetAll(key)
		items := make([]scanItem, len(fvs))
		for i, fv := range fvs {
			items[i] = scanItem{key: fv.Field, val: fv.Value}
		}
		return items, err
	}),
	"sscan": scriptCollectionScan(false, func(t engine.Txn, key string) ([]scanItem, error) {
		ms, err := t.SMembers(key)
		items := make([]scanItem, len(ms))
		for i, m := range ms {
			items[i] = scanItem{key: m}
		}
		return items, err
	}),
	"zscan": scriptCollectionScan(true, func(t engine.Txn, key string) ([]scanItem, error) {
		ms, err := t.ZRange(key, engine.ZRangeQuery{Start: 0, Stop: -1})
		items := make([]scanItem, len(ms))
		for i, m := range ms {
			items[i] = scanItem{key: m.Member, val: engine.FormatFloat(m.Score)}
		}
		return items, err
	}),
}

// scriptCollectionScan is collectionScan over a transaction already open.
func scriptCollectionScan(pairs bool, load func(t engine.Txn, key string) ([]scanItem, error)) func(c *client, t engine.Txn, a []string) error {
	return func(c *client, t engine.Txn, a []string) error {
		cursor, err := parseCursor(a[1])
		if err != nil {
			return err
		}
		all, err := load(t, a[0])
		if err != nil {
			return err
		}
		if len(all) == 0 {
			writeScanReply(c, 0, nil)
			return nil
		}
		o, err := parseScanOpts(a[2:], false)
		if err != nil {
			return err
		}
		writeCollectionPage(c, all, cursor, o, pairs)
		return nil
	}
}
