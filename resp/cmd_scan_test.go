package resp

import (
	"fmt"
	"sort"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScanGoRedis(t *testing.T) {
	forBothProtocols(t, func(t *testing.T, rdb *redis.Client) {
		ctx := testCtx(t)
		var want []string
		for i := 0; i < 500; i++ {
			k := fmt.Sprintf("key:%03d", i)
			want = append(want, k)
			require.NoError(t, rdb.Set(ctx, k, "v", 0).Err())
		}
		// A full iteration returns every key present throughout, even while
		// other keys come and go.
		seen := map[string]int{}
		var cursor uint64
		calls := 0
		for {
			keys, next, err := rdb.Scan(ctx, cursor, "", 37).Result()
			require.NoError(t, err)
			assert.LessOrEqual(t, len(keys), 40)
			for _, k := range keys {
				seen[k]++
			}
			require.NoError(t, rdb.Set(ctx, fmt.Sprintf("new:%d", calls), "v", 0).Err())
			calls++
			if next == 0 {
				break
			}
			cursor = next
		}
		for _, k := range want {
			assert.Equal(t, 1, seen[k], k)
		}
		assert.Greater(t, calls, 10)

		keys, _, err := rdb.Scan(ctx, 0, "key:00*", 1000).Result()
		require.NoError(t, err)
		sort.Strings(keys)
		assert.Equal(t, want[:10], keys)

		require.NoError(t, rdb.Del(ctx, "key:001").Err())
		require.NoError(t, rdb.Do(ctx, "select", "0").Err())
		keys, _, err = rdb.ScanType(ctx, 0, "", 10000, "string").Result()
		require.NoError(t, err)
		assert.NotContains(t, keys, "key:001")
		assert.Len(t, keys, 499+calls)
		keys, _, err = rdb.ScanType(ctx, 0, "", 10000, "hash").Result()
		require.NoError(t, err)
		assert.Empty(t, keys)

		assert.EqualError(t, rdb.Do(ctx, "scan", "x").Err(), "ERR invalid cursor")
		assert.EqualError(t, rdb.Do(ctx, "scan", "0", "count", "0").Err(), "ERR syntax error")
		assert.EqualError(t, rdb.Do(ctx, "scan", "0", "match").Err(), "ERR syntax error")
	})
}

func TestScanPage(t *testing.T) {
	items := []scanItem{{h: 1, key: "a"}, {h: 5, key: "b"}, {h: 5, key: "c"}, {h: 9, key: "d"}}
	got, next := page(items, 0, 2)
	// Equal hashes are never split across calls.
	assert.Equal(t, items[:3], got)
	assert.Equal(t, uint64(6), next)
	got, next = page(items, next, 2)
	assert.Equal(t, items[3:], got)
	assert.Equal(t, uint64(0), next)
	got, next = page(items, 10, 2)
	assert.Empty(t, got)
	assert.Equal(t, uint64(0), next)
}

func TestParseCursor(t *testing.T) {
	for s, want := range map[string]uint64{"0": 0, "+7": 7, "-1": ^uint64(0), "18446744073709551615": ^uint64(0)} {
		v, err := parseCursor(s)
		require.NoError(t, err, s)
		assert.Equal(t, want, v, s)
	}
	for _, s := range []string{"", " 1", "1 ", "x", "18446744073709551616", "1_0"} {
		_, err := parseCursor(s)
		assert.EqualError(t, err, "ERR invalid cursor", s)
	}
}

// Interleaved iterations on two connections share one snapshot per
// database, and each still returns every key present throughout it.
func TestScanInterleavedIterations(t *testing.T) {
	srv, _, addr := startServer(t, Options{})
	ctx := testCtx(t)
	rdb := newGoRedis(t, addr, 2)
	var want []string
	for i := 0; i < 300; i++ {
		k := fmt.Sprint("k", i)
		want = append(want, k)
		require.NoError(t, rdb.Set(ctx, k, "v", 0).Err())
	}
	a, b := newGoRedis(t, addr, 2), newGoRedis(t, addr, 3)
	seenA, seenB := map[string]bool{}, map[string]bool{}
	step := func(c *redis.Client, cursor uint64, seen map[string]bool) uint64 {
		keys, next, err := c.Scan(ctx, cursor, "", 20).Result()
		require.NoError(t, err)
		for _, k := range keys {
			seen[k] = true
		}
		return next
	}
	ca := step(a, 0, seenA)
	require.NoError(t, rdb.Set(ctx, "late", "v", 0).Err()) // after A began, before B
	cb := step(b, 0, seenB)
	for ca != 0 || cb != 0 {
		if ca != 0 {
			ca = step(a, ca, seenA)
		}
		if cb != 0 {
			cb = step(b, cb, seenB)
		}
	}
	for _, k := range want {
		assert.True(t, seenA[k], k)
		assert.True(t, seenB[k], k)
	}
	assert.True(t, seenB["late"], "present throughout B's iteration")
	assert.NotNil(t, srv.scans[0].Load())
}
