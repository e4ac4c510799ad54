package store

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// fakeColl is a minimal Collection for tests: the real hash, list, set and
// zset live in their own files and have their own tests; here only the
// contract the keyspace relies on (Type, Len, Bytes) matters.
type fakeColl struct {
	typ   Type
	n     int
	bytes int64
}

func (c *fakeColl) Type() Type   { return c.typ }
func (c *fakeColl) Len() int     { return c.n }
func (c *fakeColl) Bytes() int64 { return c.bytes }

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
	require.Equal(t, "value", s.Str)
	require.Nil(t, s.Coll)
	require.Zero(t, s.Deadline())
	require.False(t, s.empty())

	c := NewCollection(&fakeColl{typ: TypeList, n: 2, bytes: 10})
	require.Equal(t, TypeList, c.Type())
	require.False(t, c.empty())
	require.True(t, NewCollection(&fakeColl{typ: TypeSet}).empty(), "a collection with no element is empty")
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
		{"collection uses Bytes", "k", NewCollection(&fakeColl{typ: TypeHash, n: 3, bytes: 100}), 1 + 100 + entryOverhead},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tc.e.measure(tc.key))
		})
	}
}

func TestEntryMetadataAfterPut(t *testing.T) {
	ks := New(Options{})
	e := NewString("v")
	require.NoError(t, ks.Update(1000, "k", func(tx *Tx) error {
		tx.Put("k", e)
		return nil
	}))
	require.EqualValues(t, 1000, e.Created())
	require.EqualValues(t, 1000, e.Accessed())
	require.Equal(t, e.measure("k"), e.Size())

	require.NoError(t, ks.Update(2000, "k", func(tx *Tx) error {
		require.Same(t, e, tx.Get("k"))
		return nil
	}))
	require.EqualValues(t, 1000, e.Created(), "a read does not change the creation time")
	require.EqualValues(t, 2000, e.Accessed(), "a read marks the key accessed")
}
