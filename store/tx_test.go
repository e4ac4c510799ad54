package store

import (
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// newTestKeyspace returns a keyspace that is verified when the test ends,
// so every test also checks that keys, index and counters still agree.
func newTestKeyspace(t *testing.T, shards int) *Keyspace {
	t.Helper()
	ks := New(Options{Shards: shards})
	t.Cleanup(func() {
		if err := ks.Verify(); err != nil {
			t.Errorf("Verify at end of test: %v", err)
		}
	})
	return ks
}

// update runs fn on key at time now and fails the test on error.
func update(t *testing.T, ks *Keyspace, now int64, key string, fn func(tx *Tx)) {
	t.Helper()
	require.NoError(t, ks.Update(now, key, func(tx *Tx) error { fn(tx); return nil }))
}

// updateAll runs fn holding every shard.
func updateAll(t *testing.T, ks *Keyspace, now int64, fn func(tx *Tx)) {
	t.Helper()
	require.NoError(t, ks.UpdateAll(now, func(tx *Tx) error { fn(tx); return nil }))
}

// keysInShards returns n keys that live in n different shards.
func keysInShards(t *testing.T, ks *Keyspace, n int) []string {
	t.Helper()
	seen := map[int]bool{}
	var out []string
	for i := 0; len(out) < n; i++ {
		require.Less(t, i, 1<<20, "could not find keys in %d shards", n)
		k := "k" + strconv.Itoa(i)
		if s := ks.shardOf(k); !seen[s] {
			seen[s] = true
			out = append(out, k)
		}
	}
	return out
}

// keysInShard returns n distinct keys that live in shard i.
func keysInShard(t *testing.T, ks *Keyspace, i, n int) []string {
	t.Helper()
	var out []string
	for j := 0; len(out) < n; j++ {
		require.Less(t, j, 1<<22, "could not find %d keys in shard %d", n, i)
		if k := "s" + strconv.Itoa(j); ks.shardOf(k) == i {
			out = append(out, k)
		}
	}
	return out
}

// keyInShardOf returns a key other than key that lives in the same shard.
func keyInShardOf(t *testing.T, ks *Keyspace, key string) string {
	t.Helper()
	for i := 0; i < 1<<20; i++ {
		k := "same" + strconv.Itoa(i)
		if k != key && ks.shardOf(k) == ks.shardOf(key) {
			return k
		}
	}
	t.Fatal("no key found in the same shard")
	return ""
}

func TestTxPutGet(t *testing.T) {
	ks := newTestKeyspace(t, 0)
	update(t, ks, 10, "a", func(tx *Tx) {
		require.Nil(t, tx.Get("a"))
		tx.Put("a", NewString("1"))
		e := tx.Get("a")
		require.NotNil(t, e)
		require.Equal(t, "1", e.Str())
		require.EqualValues(t, 10, tx.Now())
	})
	st := ks.Stats()
	require.EqualValues(t, 1, st.Keys)
	require.EqualValues(t, 1, st.KeysOfType(TypeString))
	require.EqualValues(t, NewString("1").measure("a"), st.Bytes)

	// Put replaces a value of another type, with its deadline.
	update(t, ks, 20_000, "a", func(tx *Tx) {
		tx.Put("a", NewCollection(hashOf("f")))
		require.True(t, tx.SetDeadline("a", tx.Get("a"), 30_000))
		tx.Put("a", NewString("back"))
		e := tx.Get("a")
		require.Equal(t, TypeString, e.Type())
		require.Zero(t, e.Deadline(), "Put forgets the old deadline")
		require.EqualValues(t, 20_000, e.Created(), "the replacement is a new key")
	})
	st = ks.Stats()
	require.EqualValues(t, 1, st.Keys)
	require.Zero(t, st.KeysOfType(TypeHash))
	require.Zero(t, st.Volatile)
}

func TestTxPutEmptyCollectionDeletes(t *testing.T) {
	ks := newTestKeyspace(t, 0)
	update(t, ks, 1, "a", func(tx *Tx) {
		tx.Put("a", NewString("old"))
		tx.SetDeadline("a", tx.Get("a"), 50)
		tx.Put("a", NewCollection(NewSet(0)))
		require.Nil(t, tx.Get("a"), "a key never holds an empty collection")
	})
	st := ks.Stats()
	require.Zero(t, st.Keys)
	require.Zero(t, st.Bytes)
	require.Zero(t, st.Volatile)
}

func TestTxPutTypesByValue(t *testing.T) {
	ks := newTestKeyspace(t, 0)
	z := NewZSet()
	z.Set("m", 1)
	e := NewCollection(z)
	update(t, ks, 1, "z", func(tx *Tx) {
		tx.Put("z", e)
		require.Equal(t, TypeZSet, tx.Get("z").Type())
	})
	require.EqualValues(t, 1, ks.Stats().KeysOfType(TypeZSet))
}

func TestTxLazyExpiry(t *testing.T) {
	for _, tc := range []struct {
		name     string
		deadline int64
		now      int64
		live     bool
	}{
		{"before the deadline", 100, 99, true},
		{"at the deadline", 100, 100, false},
		{"after the deadline", 100, 5000, false},
		{"no deadline", 0, 1 << 50, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ks := newTestKeyspace(t, 0)
			update(t, ks, 1, "k", func(tx *Tx) {
				tx.Put("k", NewString("v"))
				if tc.deadline != 0 {
					require.True(t, tx.SetDeadline("k", tx.Get("k"), tc.deadline))
				}
			})
			update(t, ks, tc.now, "k", func(tx *Tx) {
				require.Equal(t, tc.live, tx.Get("k") != nil)
			})
			st := ks.Stats()
			if tc.live {
				require.EqualValues(t, 1, st.Keys)
				require.Zero(t, st.Expired)
			} else {
				require.Zero(t, st.Keys, "an expired key is deleted when touched")
				require.Zero(t, st.Bytes)
				require.Zero(t, st.Volatile)
				require.EqualValues(t, 1, st.Expired)
			}
		})
	}
}

func TestTxReadCountsHitsAndMisses(t *testing.T) {
	ks := newTestKeyspace(t, 0)
	update(t, ks, 1, "k", func(tx *Tx) {
		require.Nil(t, tx.Read("k"))
		tx.Put("k", NewString("v"))
		require.NotNil(t, tx.Read("k"))
		require.NotNil(t, tx.Read("k"))
		tx.Get("k") // Get does not count
		tx.CountRead("k", true)
		tx.CountRead("k", false)
		tx.CountCommand()
		tx.CountCommand()
	})
	st := ks.Stats()
	require.EqualValues(t, 3, st.Hits)
	require.EqualValues(t, 2, st.Misses)
	require.EqualValues(t, 2, st.Commands)
}

func TestTxChanged(t *testing.T) {
	ks := newTestKeyspace(t, 0)
	var used atomic.Int64
	ks.used = &used
	update(t, ks, 1, "s", func(tx *Tx) {
		tx.Put("s", NewString("ab"))
	})
	before := ks.Stats().Bytes
	require.Equal(t, before, used.Load(), "UsedBytes follows the keyspace")
	update(t, ks, 7_000, "s", func(tx *Tx) {
		e := tx.Get("s")
		v := e.Version()
		tx.SetStr("s", e, "abcdef")
		require.NotEqual(t, v, e.Version(), "SetStr counts as a write")
		require.True(t, tx.Changed("s", e), "Changed on a string is harmless")
		require.Equal(t, e.measure("s"), e.Size("s"))
		require.EqualValues(t, 7_000, e.Accessed())
	})
	require.Equal(t, before+4, ks.Stats().Bytes)
	require.Equal(t, before+4, used.Load())

	// A collection that became empty is deleted, deadline included.
	c := NewList("a", "bb")
	update(t, ks, 8_000, "l", func(tx *Tx) {
		tx.Put("l", NewCollection(c))
		e := tx.Get("l")
		require.True(t, tx.SetDeadline("l", e, 10_000))
		c.PopFront()
		require.True(t, tx.Changed("l", e))
		require.Equal(t, e.measure("l"), e.Size("l"))
		require.Equal(t, e.measure("l"), c.counted)
		c.PopFront()
		require.False(t, tx.Changed("l", e))
		require.Nil(t, tx.Get("l"))
	})
	st := ks.Stats()
	require.EqualValues(t, 1, st.Keys)
	require.Zero(t, st.KeysOfType(TypeList))
	require.Zero(t, st.Volatile)
	require.Equal(t, st.Bytes, used.Load())
}

func TestTxChangedAndSetDeadlinePanicOnForeignEntry(t *testing.T) {
	ks := newTestKeyspace(t, 0)
	update(t, ks, 1, "k", func(tx *Tx) { tx.Put("k", NewString("v")) })
	for name, fn := range map[string]func(tx *Tx){
		"Changed":     func(tx *Tx) { tx.Changed("k", NewString("other")) },
		"SetDeadline": func(tx *Tx) { tx.SetDeadline("k", NewString("other"), 5) },
		"Changed on a missing key": func(tx *Tx) {
			tx.Changed(keyInShardOf(t, ks, "k"), NewString("x"))
		},
	} {
		t.Run(name, func(t *testing.T) {
			require.Panics(t, func() { _ = ks.Update(1, "k", func(tx *Tx) error { fn(tx); return nil }) })
		})
	}
	// The panics released the shard lock.
	update(t, ks, 1, "k", func(tx *Tx) { require.Equal(t, "v", tx.Get("k").Str()) })
}

func TestTxDelete(t *testing.T) {
	ks := newTestKeyspace(t, 0)
	update(t, ks, 1, "k", func(tx *Tx) {
		require.False(t, tx.Delete("k"))
		tx.Put("k", NewString("v"))
		tx.SetDeadline("k", tx.Get("k"), 10)
		require.True(t, tx.Delete("k"))
		require.False(t, tx.Delete("k"))
		tx.Put("k", NewString("v"))
		tx.SetDeadline("k", tx.Get("k"), 10)
	})
	update(t, ks, 10, "k", func(tx *Tx) {
		require.False(t, tx.Delete("k"), "an expired key counts as absent")
	})
	st := ks.Stats()
	require.Zero(t, st.Keys)
	require.Zero(t, st.Volatile)
	require.EqualValues(t, 1, st.Expired)
}

func TestTxSetDeadline(t *testing.T) {
	for _, tc := range []struct {
		name      string
		now       int64
		at        []int64 // successive deadlines
		wantLive  bool
		wantFinal int64
	}{
		{"set", 10, []int64{20}, true, 20},
		{"change", 10, []int64{20, 30}, true, 30},
		{"shorten", 10, []int64{30, 11}, true, 11},
		{"clear", 10, []int64{20, 0}, true, 0},
		{"clear without deadline", 10, []int64{0}, true, 0},
		{"now deletes", 10, []int64{10}, false, 0},
		{"past deletes", 10, []int64{20, 3}, false, 0},
		{"negative deletes", 10, []int64{-5}, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ks := newTestKeyspace(t, 0)
			update(t, ks, tc.now, "k", func(tx *Tx) {
				tx.Put("k", NewString("v"))
				for i, at := range tc.at {
					e := tx.Get("k")
					ok := tx.SetDeadline("k", e, at)
					if i == len(tc.at)-1 {
						require.Equal(t, tc.wantLive, ok)
					}
				}
				e := tx.Get("k")
				require.Equal(t, tc.wantLive, e != nil)
				if e != nil {
					require.Equal(t, tc.wantFinal, e.Deadline())
				}
			})
			st := ks.Stats()
			if tc.wantFinal != 0 {
				require.EqualValues(t, 1, st.Volatile)
				at, ok := ks.NextDeadline()
				require.True(t, ok)
				require.Equal(t, tc.wantFinal, at)
			} else {
				require.Zero(t, st.Volatile)
				_, ok := ks.NextDeadline()
				require.False(t, ok)
			}
			require.Zero(t, st.Expired, "an explicit delete is not an expiry")
		})
	}
}

func TestTxRename(t *testing.T) {
	ks := newTestKeyspace(t, 0)
	keys := keysInShards(t, ks, 2) // src and dst in different shards
	src, dst := keys[0], keys[1]
	same := keyInShardOf(t, ks, src)

	for _, tc := range []struct {
		name string
		dst  string
	}{
		{"across shards", dst},
		{"within a shard", same},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ks.Flush()
			var srcEntry *Entry
			update(t, ks, 100_000, src, func(tx *Tx) {
				srcEntry = NewString("value")
				tx.Put(src, srcEntry)
				require.True(t, tx.SetDeadline(src, srcEntry, 500_000))
			})
			update(t, ks, 150_000, tc.dst, func(tx *Tx) {
				old := NewCollection(NewSet(0))
				old.Set().Add("m")
				tx.Put(tc.dst, old)
				require.True(t, tx.SetDeadline(tc.dst, old, 900_000))
			})
			require.NoError(t, ks.UpdateKeys(200_000, []string{src, tc.dst}, func(tx *Tx) error {
				require.True(t, tx.Rename(src, tc.dst))
				require.Nil(t, tx.Get(src))
				e := tx.Get(tc.dst)
				require.Same(t, srcEntry, e)
				require.Equal(t, "value", e.Str())
				require.EqualValues(t, 500_000, e.Deadline(), "rename keeps the deadline")
				require.EqualValues(t, 100_000, e.Created(), "rename keeps the creation time")
				require.Equal(t, e.measure(tc.dst), e.Size(tc.dst))
				return nil
			}))
			st := ks.Stats()
			require.EqualValues(t, 1, st.Keys)
			require.EqualValues(t, 1, st.Volatile)
			require.Zero(t, st.KeysOfType(TypeSet))
			at, _ := ks.NextDeadline()
			require.EqualValues(t, 500_000, at)
			require.NoError(t, ks.Verify())
			// The renamed key expires under its new name.
			update(t, ks, 500_000, tc.dst, func(tx *Tx) { require.Nil(t, tx.Get(tc.dst)) })
			require.Zero(t, ks.Stats().Keys)
		})
	}

	t.Run("missing or expired source", func(t *testing.T) {
		ks.Flush()
		require.NoError(t, ks.UpdateKeys(1, []string{src, dst}, func(tx *Tx) error {
			require.False(t, tx.Rename(src, dst))
			tx.Put(src, NewString("v"))
			tx.SetDeadline(src, tx.Get(src), 5)
			tx.Put(dst, NewString("keep"))
			return nil
		}))
		require.NoError(t, ks.UpdateKeys(5, []string{src, dst}, func(tx *Tx) error {
			require.False(t, tx.Rename(src, dst))
			require.Equal(t, "keep", tx.Get(dst).Str(), "a failed rename leaves dst alone")
			return nil
		}))
	})

	t.Run("same key", func(t *testing.T) {
		ks.Flush()
		update(t, ks, 1, src, func(tx *Tx) {
			require.False(t, tx.Rename(src, src))
			tx.Put(src, NewString("v"))
			tx.SetDeadline(src, tx.Get(src), 50)
			require.True(t, tx.Rename(src, src))
			require.EqualValues(t, 50, tx.Get(src).Deadline())
		})
	})
}

func TestTxEach(t *testing.T) {
	ks := newTestKeyspace(t, 16)
	keys := keysInShards(t, ks, 4)
	k0, same := keys[0], keyInShardOf(t, ks, keys[0])
	all := append([]string{same}, keys...)
	updateAll(t, ks, 1, func(tx *Tx) {
		for _, k := range all {
			tx.Put(k, NewString(k))
		}
		tx.SetDeadline(keys[3], tx.Get(keys[3]), 10)
	})

	collect := func(tx *Tx) map[string]bool {
		got := map[string]bool{}
		tx.Each(func(k string, e *Entry) bool {
			require.Equal(t, k, e.Str())
			got[k] = true
			return true
		})
		return got
	}

	// A single-shard transaction sees only its shard.
	update(t, ks, 1, k0, func(tx *Tx) {
		require.Equal(t, map[string]bool{k0: true, same: true}, collect(tx))
	})
	// A multi-key transaction sees the shards it holds.
	require.NoError(t, ks.UpdateKeys(1, []string{k0, keys[1]}, func(tx *Tx) error {
		require.Equal(t, map[string]bool{k0: true, same: true, keys[1]: true}, collect(tx))
		return nil
	}))
	// UpdateAll sees everything, and never an expired key.
	updateAll(t, ks, 9, func(tx *Tx) { require.Len(t, collect(tx), 5) })
	updateAll(t, ks, 10, func(tx *Tx) {
		got := collect(tx)
		require.Len(t, got, 4)
		require.False(t, got[keys[3]])
	})
	require.EqualValues(t, 1, ks.Stats().Expired, "Each reclaims expired keys")

	// Returning false stops the walk.
	updateAll(t, ks, 10, func(tx *Tx) {
		n := 0
		tx.Each(func(string, *Entry) bool { n++; return false })
		require.Equal(t, 1, n)
	})
}

func TestTxPanicsOnKeyOutsideTransaction(t *testing.T) {
	ks := newTestKeyspace(t, 16)
	keys := keysInShards(t, ks, 3)
	a, b, c := keys[0], keys[1], keys[2]
	ops := map[string]func(tx *Tx, k string){
		"Get":       func(tx *Tx, k string) { tx.Get(k) },
		"Read":      func(tx *Tx, k string) { tx.Read(k) },
		"Put":       func(tx *Tx, k string) { tx.Put(k, NewString("x")) },
		"Delete":    func(tx *Tx, k string) { tx.Delete(k) },
		"CountRead": func(tx *Tx, k string) { tx.CountRead(k, true) },
		"Rename to": func(tx *Tx, k string) {
			tx.Put(a, NewString("x"))
			tx.Rename(a, k)
		},
	}
	for name, op := range ops {
		t.Run(name+"/single shard", func(t *testing.T) {
			require.PanicsWithValue(t, "store: key outside the transaction's shards: "+b, func() {
				_ = ks.Update(1, a, func(tx *Tx) error { op(tx, b); return nil })
			})
		})
		t.Run(name+"/multi shard", func(t *testing.T) {
			require.PanicsWithValue(t, "store: key outside the transaction's shards: "+c, func() {
				_ = ks.UpdateKeys(1, []string{a, b}, func(tx *Tx) error { op(tx, c); return nil })
			})
		})
	}
	// Every panic released its locks: all three shards are free again, and
	// an operation that stays inside its shards works.
	require.NoError(t, ks.UpdateKeys(1, []string{a, b, c}, func(tx *Tx) error {
		tx.Put(c, NewString("ok"))
		return nil
	}))
	ks.Flush()
}

func TestTxReturnsCallbackError(t *testing.T) {
	ks := newTestKeyspace(t, 0)
	boom := errors.New("boom")
	require.ErrorIs(t, ks.Update(1, "k", func(*Tx) error { return boom }), boom)
	require.ErrorIs(t, ks.UpdateKeys(1, []string{"a", "b"}, func(*Tx) error { return boom }), boom)
	require.ErrorIs(t, ks.UpdateAll(1, func(*Tx) error { return boom }), boom)
}

func TestUpdateKeysEdgeCases(t *testing.T) {
	ks := newTestKeyspace(t, 16)
	keys := keysInShards(t, ks, 2)
	// One key: the single-shard path, which still refuses other shards.
	require.NoError(t, ks.UpdateKeys(1, keys[:1], func(tx *Tx) error {
		tx.Put(keys[0], NewString("v"))
		return nil
	}))
	require.Panics(t, func() {
		_ = ks.UpdateKeys(1, keys[:1], func(tx *Tx) error { tx.Get(keys[1]); return nil })
	})
	// The same key twice is one shard.
	require.NoError(t, ks.UpdateKeys(1, []string{keys[0], keys[0]}, func(tx *Tx) error {
		require.Equal(t, "v", tx.Get(keys[0]).Str())
		return nil
	}))
	// No key at all: a transaction that can only count.
	require.NoError(t, ks.UpdateKeys(1, nil, func(tx *Tx) error {
		tx.CountCommand()
		return nil
	}))
	require.EqualValues(t, 1, ks.Stats().Commands)
}

// TestTxShardCache checks that remembering the last key's shard never
// sends a key to the wrong shard or hides a key outside the transaction.
func TestTxShardCache(t *testing.T) {
	ks := newTestKeyspace(t, 16)
	keys := keysInShards(t, ks, 3)
	a, b, c := keys[0], keys[1], keys[2]
	if ks.shardOf("") == ks.shardOf(c) {
		c = keysInShards(t, ks, 4)[3]
	}
	require.NoError(t, ks.UpdateKeys(1, []string{a, b}, func(tx *Tx) error {
		for _, k := range []string{a, b, a, a, b} {
			tx.Put(k, NewString(k))
			require.Equal(t, k, tx.Get(k).Str())
		}
		return nil
	}))
	require.NoError(t, ks.Verify(), "every key landed in its own shard")
	require.Panics(t, func() {
		_ = ks.Update(1, a, func(tx *Tx) error { tx.Get(a); tx.Get(b); return nil })
	})
	// The empty key is a key like any other, not "no key remembered".
	update(t, ks, 1, "", func(tx *Tx) {
		tx.Put("", NewString("empty"))
		require.Equal(t, "empty", tx.Read("").Str())
		require.Panics(t, func() { tx.Get(c) })
	})
	require.NoError(t, ks.UpdateAll(1, func(tx *Tx) error {
		require.Equal(t, "empty", tx.Get("").Str())
		require.Equal(t, a, tx.Get(a).Str())
		return nil
	}))
	ks.Flush()
}

func TestTxPutString(t *testing.T) {
	ks := newTestKeyspace(t, 0)
	for _, n := range []int{0, 1, 16, 17, 24, 32, 33, 48, 49, 64, 65, 200} {
		key := strings.Repeat("k", n)
		update(t, ks, 1000, key, func(tx *Tx) {
			tx.Put(key, NewCollection(hashOf("f"))) // replaced by the string
			e := tx.PutString(key, "value")
			require.Same(t, e, tx.Get(key))
			require.Equal(t, "value", e.Str())
			require.Equal(t, TypeString, e.Type())
			require.EqualValues(t, 1000, e.Created())
			s := tx.shard(key)
			for k, got := range s.m {
				if got != e {
					continue
				}
				require.Equal(t, key, k)
				start := uintptr(unsafe.Pointer(e))
				p := uintptr(unsafe.Pointer(unsafe.StringData(k)))
				inline := n > 0 && p > start && p < start+unsafe.Sizeof(Entry{})+64
				require.Equal(t, n > 0 && n <= 64, inline, "key of %d bytes stored inline", n)
			}
		})
	}
	require.NoError(t, ks.Verify())
	require.EqualValues(t, 12, ks.Stats().KeysOfType(TypeString))
	require.Zero(t, ks.Stats().KeysOfType(TypeHash))
}

// TestTxAppendStr appends to a string over and over: the value is the
// concatenation, every string handed out before stays as it was, the
// buffer is copied a logarithmic number of times, the accounting follows
// (Verify at the end), and SetStr replaces a grown value.
func TestTxAppendStr(t *testing.T) {
	ks := newTestKeyspace(t, 0)
	const key = "log"
	update(t, ks, 1000, key, func(tx *Tx) {
		require.True(t, tx.SetDeadline(key, tx.PutString(key, "start:"), 1_000_000))
	})
	want := "start:"
	type seen struct{ got, was string }
	var handed []seen
	copies, last := 0, unsafe.Pointer(nil)
	for i := range 3000 {
		suffix := strings.Repeat(string(rune('a'+i%26)), 1+i%37)
		update(t, ks, 1000, key, func(tx *Tx) {
			e := tx.Get(key)
			tx.AppendStr(key, e, suffix)
			want += suffix
			v := e.Str()
			require.Equal(t, len(want), len(v))
			if i%100 == 0 {
				require.Equal(t, want, v)
				handed = append(handed, seen{v, strings.Clone(v)})
			}
			if e.val != last {
				copies, last = copies+1, e.val
			}
			require.EqualValues(t, 1_000_000, e.Deadline(), "the TTL is kept")
		})
	}
	for _, h := range handed {
		require.Equal(t, h.was, h.got, "a string handed out changed")
	}
	require.LessOrEqual(t, copies, 16, "%d bytes appended in 3000 calls", len(want))
	var bytes int64
	update(t, ks, 1000, key, func(tx *Tx) {
		e := tx.Get(key)
		require.Equal(t, want, e.Str())
		bytes = e.measure(key)
		require.Greater(t, bytes, int64(len(want)), "the spare room counts")
		tx.SetStr(key, e, "reset")
		require.Equal(t, "reset", e.Str())
		tx.AppendStr(key, e, "!")
		require.Equal(t, "reset!", e.Str())
	})
	require.NoError(t, ks.Verify())

	// Empty values and suffixes: under -race, checkptr fails any pointer
	// that leaves the buffer (an empty string's bytes, a full buffer's end).
	update(t, ks, 1000, "empty", func(tx *Tx) {
		e := tx.PutString("empty", "")
		tx.AppendStr("empty", e, "")
		require.Equal(t, "", e.Str())
		require.True(t, e.Raw())
		tx.AppendStr("empty", e, "x")
		require.Equal(t, "x", e.Str())
		for e.Str() == "" || len(e.Str()) < int(*(*uint32)(e.val)) {
			tx.AppendStr("empty", e, "y") // fill the buffer to the end
		}
		full := e.Str()
		tx.AppendStr("empty", e, "")
		require.Equal(t, full, e.Str())
		tx.AppendStr("empty", e, "z")
		require.Equal(t, full+"z", e.Str())
	})
	require.NoError(t, ks.Verify())
}

// TestTxMutateStr checks in-place writes into a string: a buffer no string
// handed out shares is written where it is (no copy per write), one that
// Str lent is copied first so the strings handed out never change, PeekStr
// lends nothing, growth zero-fills, and the accounting follows.
func TestTxMutateStr(t *testing.T) {
	ks := newTestKeyspace(t, 1)
	const key = "bm"
	update(t, ks, 1000, key, func(tx *Tx) {
		e := tx.PutString(key, "abc")
		require.False(t, e.Raw())
		tx.MutateStr(key, e, 0, func(b []byte) {
			require.Equal(t, "abc", string(b))
			b[0] = 'A'
		})
		require.True(t, e.Raw(), "written in place, the value is in a buffer")
		require.Equal(t, "Abc", e.PeekStr())
		require.Equal(t, e.measure(key), e.Size(key))

		buf := e.val
		for i := range 100 {
			tx.MutateStr(key, e, 0, func(b []byte) { b[1] = byte('0' + i%10) })
			_ = e.PeekStr()
		}
		require.Equal(t, buf, e.val, "unlent, the buffer is written where it is")
		require.Equal(t, "A9c", e.PeekStr())

		handed := e.Str()
		tx.MutateStr(key, e, 0, func(b []byte) { b[2] = 'C' })
		require.NotEqual(t, buf, e.val, "lent, the buffer is copied before the write")
		require.Equal(t, "A9c", handed, "a string handed out never changes")
		require.Equal(t, "A9C", e.PeekStr())
		buf = e.val
		tx.MutateStr(key, e, 0, func(b []byte) { b[0] = 'a' })
		require.Equal(t, buf, e.val, "the copy is not lent")

		tx.MutateStr(key, e, 6, func(b []byte) {
			require.Equal(t, []byte{'a', '9', 'C', 0, 0, 0}, b, "growth adds zero bytes")
			b[5] = 'z'
		})
		require.Equal(t, "a9C\x00\x00z", e.PeekStr())
		require.GreaterOrEqual(t, e.strCap(), 12, "growth leaves room, as APPEND does")
		tx.AppendStr(key, e, "!")
		require.Equal(t, "a9C\x00\x00z!", e.Str())
		tx.MutateStr(key, e, 10, nil)
		require.Equal(t, "a9C\x00\x00z!", e.PeekStr(), "a nil write changes nothing")
		require.Equal(t, e.measure(key), e.Size(key))
	})
	require.NoError(t, ks.Verify())

	// Empty values: under -race, checkptr fails any pointer that leaves
	// the buffer.
	update(t, ks, 1000, "empty", func(tx *Tx) {
		e := tx.PutString("empty", "")
		tx.MutateStr("empty", e, 0, nil)
		require.True(t, e.Raw())
		require.Equal(t, "", e.Str())
		tx.MutateStr("empty", e, 0, func(b []byte) { require.Empty(t, b) })
		tx.MutateStr("empty", e, 1, func(b []byte) { b[0] = 'x' })
		require.Equal(t, "x", e.Str())
	})
	require.NoError(t, ks.Verify())
}

// TestLazyNow checks that a LazyNow transaction reads the exact clock only
// when it needs the time (a deadline to check or set, Now), at most once,
// and stamps created/accessed times from the coarse clock otherwise.
func TestLazyNow(t *testing.T) {
	var exact, coarse atomic.Int64
	var exactReads, coarseReads atomic.Int64
	exact.Store(5_000_700)
	coarse.Store(4_999_990) // lags, as the engine's worker-synced clock may
	ks := New(Options{
		Shards: 4,
		Now:    func() int64 { exactReads.Add(1); return exact.Load() },
		Coarse: func() int64 { coarseReads.Add(1); return coarse.Load() },
	})
	t.Cleanup(func() { require.NoError(t, ks.Verify()) })
	lazy := func(key string, fn func(tx *Tx)) {
		t.Helper()
		require.NoError(t, ks.Update(LazyNow, key, func(tx *Tx) error { fn(tx); return nil }))
	}

	// Writes and reads of keys without deadlines: no exact read.
	lazy("a", func(tx *Tx) { tx.PutString("a", "1") })
	lazy("a", func(tx *Tx) {
		e := tx.Read("a")
		require.NotNil(t, e)
		require.Equal(t, int64(4_999_000), e.Created(), "coarse seconds")
		tx.SetStr("a", e, "2")
	})
	require.Zero(t, exactReads.Load())
	require.Positive(t, coarseReads.Load())

	// Now reads the exact clock once per transaction; stamps then use it.
	lazy("b", func(tx *Tx) {
		require.Equal(t, int64(5_000_700), tx.Now())
		exact.Add(1)
		require.Equal(t, int64(5_000_700), tx.Now(), "read once")
		e := tx.PutString("b", "x")
		require.Equal(t, int64(5_000_000), e.Created(), "exact seconds once read")
		require.True(t, tx.SetDeadline("b", e, 5_000_800))
	})
	require.Equal(t, int64(1), exactReads.Load())

	// A key with a deadline is checked against the exact clock, to the
	// millisecond.
	exact.Store(5_000_799)
	lazy("b", func(tx *Tx) { require.NotNil(t, tx.Get("b"), "1 ms before its deadline") })
	exact.Store(5_000_800)
	lazy("b", func(tx *Tx) { require.Nil(t, tx.Get("b"), "at its deadline") })
	require.Equal(t, int64(3), exactReads.Load())

	// An explicit time is used as given; the clocks are not read.
	before := exactReads.Load() + coarseReads.Load()
	update(t, ks, 9_000_000, "a", func(tx *Tx) {
		require.Equal(t, int64(9_000_000), tx.Now())
		require.NotNil(t, tx.Get("a"))
	})
	require.Equal(t, before, exactReads.Load()+coarseReads.Load())

	// Without a clock LazyNow is a programming error.
	plain := New(Options{Shards: 1})
	require.Panics(t, func() { _ = plain.Update(LazyNow, "k", func(*Tx) error { return nil }) })
}

// TestChangedChecksTheStoredEntry checks that the shortcut for "the entry
// this transaction just looked up" never accepts an entry that is no
// longer stored under the key.
func TestChangedChecksTheStoredEntry(t *testing.T) {
	ks := newTestKeyspace(t, 1)
	update(t, ks, 1000, "h", func(tx *Tx) {
		h := NewHash()
		h.Set("f", "v")
		tx.Put("h", NewCollection(h))
	})
	for _, tc := range []struct {
		name   string
		remove func(tx *Tx, e *Entry)
	}{
		{"deleted", func(tx *Tx, _ *Entry) { require.True(t, tx.Delete("h")) }},
		{"replaced", func(tx *Tx, _ *Entry) { tx.PutString("h", "x") }},
		{"renamed", func(tx *Tx, _ *Entry) { require.True(t, tx.Rename("h", "h2")) }},
		{"expired by SetDeadline", func(tx *Tx, e *Entry) { require.False(t, tx.SetDeadline("h", e, 500)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ks := newTestKeyspace(t, 1)
			update(t, ks, 1000, "h", func(tx *Tx) {
				h := NewHash()
				h.Set("f", "v")
				tx.Put("h", NewCollection(h))
			})
			updateAll(t, ks, 1000, func(tx *Tx) {
				e := tx.Get("h")
				require.NotNil(t, e)
				require.True(t, tx.Changed("h", e), "the entry just looked up")
				tc.remove(tx, e)
				require.Panics(t, func() { tx.Changed("h", e) })
				require.Panics(t, func() { tx.SetDeadline("h", e, 5000) })
			})
		})
	}
	// Another key looked up in between: the map decides.
	updateAll(t, ks, 1000, func(tx *Tx) {
		e := tx.Get("h")
		require.Nil(t, tx.Get("other"))
		require.True(t, tx.Changed("h", e))
	})
}

// TestReadString checks GET's transaction-free read against a
// transaction's Read on a twin keyspace: the same answers, the same hit,
// miss and command counts, the same accessed stamps; a key past its
// deadline is left for a transaction to delete, untouched and uncounted.
func TestReadString(t *testing.T) {
	var now, coarse atomic.Int64
	now.Store(7_000_500)
	coarse.Store(7_000_000)
	newKS := func() *Keyspace {
		ks := New(Options{Shards: 4, Now: now.Load, Coarse: coarse.Load})
		t.Cleanup(func() { require.NoError(t, ks.Verify()) })
		return ks
	}
	fast, slow := newKS(), newKS()
	for _, ks := range []*Keyspace{fast, slow} {
		update(t, ks, 1_000_000, "s", func(tx *Tx) { tx.PutString("s", "value") })
		update(t, ks, 1_000_000, "h", func(tx *Tx) {
			h := NewHash()
			h.Set("f", "v")
			tx.Put("h", NewCollection(h))
		})
		update(t, ks, 1_000_000, "ttl", func(tx *Tx) {
			e := tx.PutString("ttl", "soon")
			require.True(t, tx.SetDeadline("ttl", e, 7_000_600))
		})
	}
	readSlow := func(key string) (val string, found, wrongType bool) {
		update(t, slow, LazyNow, key, func(tx *Tx) {
			tx.CountCommand()
			e := tx.Read(key)
			switch {
			case e == nil:
			case e.Type() != TypeString:
				wrongType = true
			default:
				val, found = e.Str(), true
			}
		})
		return val, found, wrongType
	}
	for _, key := range []string{"s", "missing", "h", "ttl"} {
		val, found, wrongType, expired := fast.ReadString(key)
		require.False(t, expired, key)
		sv, sf, sw := readSlow(key)
		require.Equal(t, []any{sv, sf, sw}, []any{val, found, wrongType}, key)
	}
	require.Equal(t, slow.Stats(), fast.Stats())
	require.Equal(t, uint32(7_000), fast.shards[fast.shardOf("s")].m["s"].accessed, "accessed stamp from the coarse clock")
	require.Equal(t, slow.shards[slow.shardOf("s")].m["s"].accessed, fast.shards[fast.shardOf("s")].m["s"].accessed)

	// At its deadline the key is not read, not counted and not deleted.
	now.Store(7_000_600)
	before := fast.Stats()
	val, found, wrongType, expired := fast.ReadString("ttl")
	require.Equal(t, []any{"", false, false, true}, []any{val, found, wrongType, expired})
	require.Equal(t, before, fast.Stats())
	require.NotNil(t, fast.shards[fast.shardOf("ttl")].m["ttl"], "left for a transaction to delete")
}
