package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/ttl"
)

func TestKeyInfo(t *testing.T) {
	clock := ttl.NewManual(time.Time{})
	e := coordEngine(t, clock, Options{})
	db := e.DB("ns")
	t0 := clock.Now()

	_, found, err := db.KeyInfo("k")
	require.NoError(t, err)
	require.False(t, found)

	_, err = db.Set("k", "hello", SetOptions{})
	require.NoError(t, err)
	clock.Advance(time.Second)
	_, _, err = db.Get("k")
	require.NoError(t, err)
	t1 := clock.Now()
	clock.Advance(time.Second)

	info, found, err := db.KeyInfo("k")
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, TypeString, info.Type)
	require.Equal(t, NoExpiry, info.PTTL)
	require.Equal(t, -time.Millisecond, info.TTL)
	require.Equal(t, NoExpiry, info.TTLSeconds())
	require.True(t, info.ExpiresAt.IsZero())
	require.Equal(t, t0, info.CreatedAt)
	require.Equal(t, t1, info.LastAccessed)
	s, err := db.Stats()
	require.NoError(t, err)
	require.Equal(t, s.MemoryBytes, info.Size, "the only key's size is the namespace's memory")
	require.Greater(t, info.Size, int64(len("k")+len("hello")))

	clock.Advance(time.Second)
	again, _, err := db.KeyInfo("k")
	require.NoError(t, err)
	require.Equal(t, t1, again.LastAccessed, "KeyInfo is not an access")
	s2, err := db.Stats()
	require.NoError(t, err)
	require.Equal(t, s.Hits, s2.Hits, "nor a keyspace hit")

	_, err = db.Expire("k", 2500*time.Millisecond, 0)
	require.NoError(t, err)
	info, _, err = db.KeyInfo("k")
	require.NoError(t, err)
	require.EqualValues(t, 2500, info.PTTL)
	require.Equal(t, 2500*time.Millisecond, info.TTL)
	require.EqualValues(t, 3, info.TTLSeconds(), "rounded as Redis's TTL")
	require.Equal(t, clock.Now().Add(2500*time.Millisecond), info.ExpiresAt)
	require.Equal(t, clock.Now(), info.LastAccessed, "EXPIRE touched it")

	clock.Advance(2500 * time.Millisecond)
	_, found, err = db.KeyInfo("k")
	require.NoError(t, err)
	require.False(t, found, "an expired key has no info")
	n, err := db.DBSize()
	require.NoError(t, err)
	require.Zero(t, n)
}

func TestKeyInfoClosedEngine(t *testing.T) {
	e := coordEngine(t, ttl.NewManual(time.Time{}), Options{})
	require.NoError(t, e.Close())
	_, _, err := e.DB("ns").KeyInfo("k")
	require.ErrorIs(t, err, ErrClosed)
}
