package redisbackend

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/grpcserver"
	"github.com/isa-cloud/isa-memstore/internal/testredis"
)

func TestStatistics(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *Backend{"standalone": standalone, "cluster": cluster} {
		t.Run(name, func(t *testing.T) {
			b := open(t)
			ctx := testCtx(t)
			tn := freshTenant()
			require.NoError(t, b.Set(ctx, tn, "s", "v", time.Hour))
			_, err := b.HSet(ctx, tn, "h", []grpcserver.HashField{{Field: "f", Value: "v"}})
			require.NoError(t, err)
			_, err = b.RPush(ctx, tn, "l", []string{"a"})
			require.NoError(t, err)
			_, err = b.SAdd(ctx, tn, "set", []string{"a"})
			require.NoError(t, err)
			_, err = b.ZAdd(ctx, tn, "z", []grpcserver.ZMember{{Member: "a", Score: 1}})
			require.NoError(t, err)
			_, _, err = b.AcquireLock(ctx, tn, "s", time.Minute, 0) // not a key
			require.NoError(t, err)
			_, _, err = b.Get(ctx, tn, "s") // hit
			require.NoError(t, err)
			_, _, err = b.Get(ctx, tn, "missing") // miss
			require.NoError(t, err)

			st, err := b.Statistics(ctx, tn)
			require.NoError(t, err)
			assert.Equal(t, int64(5), st.Keys)
			assert.Equal(t, map[string]int64{"string": 1, "hash": 1, "list": 1, "set": 1, "zset": 1}, st.KeysByType)
			assert.Positive(t, st.MemoryBytes)
			assert.Equal(t, int64(9), st.Commands, "the 8 calls above and this one")
			assert.InDelta(t, 0.5, st.HitRate, 1e-9)

			empty, err := b.Statistics(ctx, freshTenant())
			require.NoError(t, err)
			assert.Zero(t, empty.Keys)
			assert.Len(t, empty.KeysByType, 5, "every type, zero or not")
		})
	}
}

// TestCountersAreShared: two processes in front of one Redis report the
// same tenant's commands together.
func TestCountersAreShared(t *testing.T) {
	addr := testredis.Addr(t)
	one := newBackend(t, Options{Addrs: []string{addr}, DB: testDB})
	two := newBackend(t, Options{Addrs: []string{addr}, DB: testDB})
	ctx := testCtx(t)
	tn := freshTenant()
	for range 3 {
		_, _, err := one.Get(ctx, tn, "k")
		require.NoError(t, err)
	}
	require.NoError(t, two.Set(ctx, tn, "k", "v", time.Hour))
	_, err := two.Statistics(ctx, tn) // flushes two's counts
	require.NoError(t, err)
	st, err := one.Statistics(ctx, tn) // flushes one's, reads both
	require.NoError(t, err)
	assert.Equal(t, int64(6), st.Commands)
	assert.Zero(t, st.HitRate, "three misses, no hit")
}

func TestKeyInfo(t *testing.T) {
	b := standalone(t)
	ctx := testCtx(t)
	tn := freshTenant()
	require.NoError(t, b.Set(ctx, tn, "k", "value", 90*time.Second))
	info, found, err := b.KeyInfo(ctx, tn, "k")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, "string", info.Type)
	assert.Equal(t, int64(90), info.TTLSeconds)
	assert.GreaterOrEqual(t, info.Size, int64(len("k")+len("value")))
	assert.WithinDuration(t, time.Now(), info.LastAccessed, 5*time.Second)
	assert.Equal(t, info.LastAccessed, info.CreatedAt, "Redis keeps no creation time")

	_, err = b.LPush(ctx, tn, "l", []string{"x"})
	require.NoError(t, err)
	info, _, err = b.KeyInfo(ctx, tn, "l")
	require.NoError(t, err)
	assert.Equal(t, "list", info.Type)
	assert.Equal(t, int64(-1), info.TTLSeconds)

	_, found, err = b.KeyInfo(ctx, tn, "missing")
	require.NoError(t, err)
	assert.False(t, found)
}

func TestHealth(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *Backend{"standalone": standalone, "cluster": cluster} {
		t.Run(name, func(t *testing.T) {
			b := open(t)
			ctx := testCtx(t)
			used, err := b.Health(ctx, false)
			require.NoError(t, err)
			assert.Positive(t, used)
			used, err = b.Health(ctx, true)
			require.NoError(t, err)
			assert.Positive(t, used)
			assert.True(t, b.Healthy())
		})
	}
}
