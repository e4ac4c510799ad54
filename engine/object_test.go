package engine

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestObjectEncoding(t *testing.T) {
	db, _ := openTestDB(t)
	set := func(k, v string) {
		_, err := db.Set(k, v, SetOptions{})
		require.NoError(t, err)
	}
	set("int", "42")
	set("big", "10000")
	set("neg", "-1")
	set("emb", strings.Repeat("a", 44))
	set("raw", strings.Repeat("a", 45))
	set("lead", "01")
	// As Redis 7.0 (checked with redis-cli): APPEND to a missing key
	// stores the value as given; APPEND to a string makes it raw, until a
	// SET replaces it.
	appendTo := func(k, v string) {
		_, err := db.Append(k, v)
		require.NoError(t, err)
	}
	appendTo("app-new", "12")
	set("app-int", "1")
	appendTo("app-int", "2")
	appendTo("app-set", "ab")
	appendTo("app-set", "cd")
	set("app-set", "5")
	_, err := db.RPush("l", "a")
	require.NoError(t, err)
	_, err = db.HSet("h", FieldValue{"f", "v"})
	require.NoError(t, err)
	_, err = db.HSet("hv", FieldValue{"f", strings.Repeat("v", 65)})
	require.NoError(t, err)
	_, err = db.SAdd("si", "1", "2")
	require.NoError(t, err)
	_, err = db.SAdd("ss", "1", "x")
	require.NoError(t, err)
	_, err = db.ZAdd("z", ZAddOptions{}, ZMember{Member: "m", Score: 1})
	require.NoError(t, err)
	for i := 0; i < 129; i++ {
		_, err = db.ZAdd("zbig", ZAddOptions{}, ZMember{Member: strconv.Itoa(i), Score: 1})
		require.NoError(t, err)
	}
	for _, tc := range []struct {
		key, enc string
		ref      int64
	}{
		{"int", "int", 2147483647}, {"big", "int", 1}, {"neg", "int", 1}, {"emb", "embstr", 1}, {"raw", "raw", 1},
		{"lead", "embstr", 1}, {"l", "quicklist", 1}, {"h", "listpack", 1}, {"hv", "hashtable", 1},
		{"si", "intset", 1}, {"ss", "hashtable", 1}, {"z", "listpack", 1}, {"zbig", "skiplist", 1},
		{"app-new", "int", 2147483647}, {"app-int", "raw", 1}, {"app-set", "int", 2147483647},
	} {
		info, found, err := db.Object(tc.key)
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, tc.enc, info.Encoding, tc.key)
		require.Equal(t, tc.ref, info.RefCount, tc.key)
	}
	_, found, err := db.Object("missing")
	require.NoError(t, err)
	require.False(t, found)
	found, err = db.ObjectFreq("missing")
	require.NoError(t, err)
	require.False(t, found)
	found, err = db.ObjectFreq("int")
	require.True(t, found)
	require.ErrorIs(t, err, ErrInvalidArgument)
	require.Contains(t, err.Error(), "ERR An LFU maxmemory policy is not selected")
	checkDB(t, db)
}

func TestObjectIdleTime(t *testing.T) {
	db, te := openTestDB(t)
	_, err := db.Set("k", "v", SetOptions{})
	require.NoError(t, err)
	te.clock.Advance(5 * time.Second)
	info, _, err := db.Object("k")
	require.NoError(t, err)
	require.Equal(t, int64(5), info.IdleSeconds)
	te.clock.Advance(2 * time.Second)
	info, _, err = db.Object("k")
	require.NoError(t, err)
	require.Equal(t, int64(7), info.IdleSeconds, "OBJECT is not an access")
	_, _, err = db.Get("k")
	require.NoError(t, err)
	info, _, err = db.Object("k")
	require.NoError(t, err)
	require.Zero(t, info.IdleSeconds, "GET is")
}
