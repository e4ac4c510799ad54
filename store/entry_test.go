package store

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// hashOf is a real hash with the given fields (field i holds "v").
func hashOf(fields ...string) *Hash {
	h := NewHash()
	for _, f := range fields {
		h.Set(f, "v")
	}
	return h
}

func TestTypeString(t *testing.T) {
	for _, tc := range []struct {
		t    Type
		want string
	}{
		{TypeNone, "none"},
		{TypeString, "string"},
		{TypeHash, "hash"},
		{TypeList, "list"},
		{TypeSet, "set"},
		{TypeZSet, "zset"},
		{numTypes, "unknown"},
		{Type(200), "unknown"},
	} {
		require.Equal(t, tc.want, tc.t.String())
	}
}

func TestNewEntries(t *testing.T) {
	s := NewString("value")
	require.Equal(t, TypeString, s.Type())
	require.Equal(t, "value", s.Str())
	require.Nil(t, s.Coll())
	require.Nil(t, s.Hash())
	require.Nil(t, s.List())
	require.Nil(t, s.Set())
	require.Nil(t, s.ZSet())
	require.Zero(t, s.Deadline())
	require.False(t, s.empty())

	l := NewList("a", "b")
	c := NewCollection(l)
	require.Equal(t, TypeList, c.Type())
	require.Same(t, l, c.List())
	require.Nil(t, c.Hash())
	require.Equal(t, "", c.Str(), "a collection has no string value")
	require.False(t, c.empty())
	require.True(t, NewCollection(NewSet(0)).empty(), "a collection with no element is empty")
	for _, coll := range []Collection{NewHash(), NewList(), NewSet(0), NewZSet()} {
		require.Equal(t, coll, NewCollection(coll).Coll(), "%T round-trips", coll)
	}
	require.False(t, NewString("").empty(), "an empty string is a value, not an empty collection")
}

func TestEntryMeasure(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  string
		e    *Entry
		want int64
	}{
		{"string", "key", NewString("hello"), 3 + 5 + entryOverhead},
		{"empty string and key", "", NewString(""), entryOverhead},
		{"collection uses Bytes", "k", NewCollection(hashOf("a", "b", "c")), 1 + hashOf("a", "b", "c").Bytes() + entryOverhead},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tc.e.measure(tc.key))
		})
	}
}

func TestEntryMetadataAfterPut(t *testing.T) {
	ks := New(Options{})
	e := NewString("v")
	require.NoError(t, ks.Update(1000_400, "k", func(tx *Tx) error {
		tx.Put("k", e)
		return nil
	}))
	require.EqualValues(t, 1000_000, e.Created(), "whole seconds")
	require.EqualValues(t, 1000_000, e.Accessed())
	require.Equal(t, e.measure("k"), e.Size("k"))

	require.NoError(t, ks.Update(2000_999, "k", func(tx *Tx) error {
		require.Same(t, e, tx.Get("k"))
		return nil
	}))
	require.EqualValues(t, 1000_000, e.Created(), "a read does not change the creation time")
	require.EqualValues(t, 2000_000, e.Accessed(), "a read marks the key accessed")
}

func TestUnixSeconds(t *testing.T) {
	require.EqualValues(t, 0, unixSeconds(-5000), "before 1970 clamps to 0")
	require.EqualValues(t, 1, unixSeconds(1999))
	require.EqualValues(t, uint32(1<<32-1), unixSeconds(1<<50), "after 2106 clamps")
}

func TestEntryIs32Bytes(t *testing.T) {
	// The per-key cost of the engine: a change that grows Entry past the
	// 32-byte size class costs 16 bytes on every key. On 32-bit platforms
	// the pointer is 4 bytes shorter.
	want := 32 - (8 - unsafe.Sizeof(uintptr(0)))
	require.EqualValues(t, want, unsafe.Sizeof(Entry{}))
}

func TestEntryTypeAndVersionShareAWord(t *testing.T) {
	e := NewString("v")
	for i := 0; i < 1<<(32-typeBits)+3; i += 1 << 20 {
		e.vt += 1 << 20 << typeBits // fast-forward the counter
		require.Equal(t, TypeString, e.Type(), "the counter never spills into the type")
	}
	v := e.Version()
	e.bump()
	require.Equal(t, (v+1)&(1<<(32-typeBits)-1), e.Version())
}

// TestChangedStampsAccessed: a change marks the key accessed at the
// transaction's time, whether the entry was looked up in the same
// transaction (Changed then skips the clock) or adopted with the stamps it
// had in another keyspace (MOVE), which are not this transaction's.
func TestChangedStampsAccessed(t *testing.T) {
	ks := New(Options{})
	require.NoError(t, ks.Update(1000_000, "h", func(tx *Tx) error {
		tx.Put("h", NewCollection(hashOf("f", "v")))
		return nil
	}))
	var e *Entry
	require.NoError(t, ks.Update(5000_000, "h", func(tx *Tx) error {
		e = tx.Get("h")
		e.Hash().Set("g", "w")
		require.True(t, tx.Changed("h", e))
		return nil
	}))
	require.EqualValues(t, 5000_000, e.Accessed())

	other := New(Options{})
	require.NoError(t, other.Update(9000_000, "h", func(tx *Tx) error {
		tx.Adopt("h", e)
		require.EqualValues(t, 5000_000, e.Accessed(), "adopting keeps the stamp")
		e.Hash().Set("x", "y")
		require.True(t, tx.Changed("h", e))
		return nil
	}))
	require.EqualValues(t, 9000_000, e.Accessed(), "the change after adopting is stamped")
	require.NoError(t, other.Verify())
}

// TestHashEntryIsOneBlock: NewHashEntry's entry and hash share an
// allocation that starts on a cache line and fills two, so that the
// entry and the hash's header are two lines, not three.
func TestHashEntryIsOneBlock(t *testing.T) {
	require.EqualValues(t, 2*cacheLine, unsafe.Sizeof(hashBlock{}))
	for range 100 {
		e := NewHashEntry()
		h := e.Hash()
		require.NotNil(t, h)
		require.Equal(t, TypeHash, e.typ())
		require.Zero(t, h.Len())
		require.Zero(t, uintptr(unsafe.Pointer(e))%cacheLine, "starts on a line")
		require.Equal(t, uintptr(unsafe.Pointer(e))+unsafe.Sizeof(Entry{}), uintptr(unsafe.Pointer(h)), "the hash follows the entry")
	}
}
