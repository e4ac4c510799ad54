package resp

import (
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHashesGoRedis(t *testing.T) {
	forBothProtocols(t, func(t *testing.T, rdb *redis.Client) {
		ctx := testCtx(t)
		assert.Equal(t, int64(2), rdb.HSet(ctx, "h", "a", "1", "b", "2").Val())
		assert.Equal(t, int64(0), rdb.HSet(ctx, "h", "a", "10").Val())
		assert.True(t, rdb.HMSet(ctx, "h", "c", "3").Val())
		assert.False(t, rdb.HSetNX(ctx, "h", "a", "x").Val())
		assert.True(t, rdb.HSetNX(ctx, "h", "d", "4").Val())
		assert.Equal(t, "10", rdb.HGet(ctx, "h", "a").Val())
		assert.ErrorIs(t, rdb.HGet(ctx, "h", "zz").Err(), redis.Nil)
		assert.Equal(t, []any{"10", nil}, rdb.HMGet(ctx, "h", "a", "zz").Val())
		assert.Equal(t, map[string]string{"a": "10", "b": "2", "c": "3", "d": "4"}, rdb.HGetAll(ctx, "h").Val())
		assert.Equal(t, []string{"a", "b", "c", "d"}, rdb.HKeys(ctx, "h").Val())
		assert.Equal(t, []string{"10", "2", "3", "4"}, rdb.HVals(ctx, "h").Val())
		assert.Equal(t, int64(4), rdb.HLen(ctx, "h").Val())
		assert.True(t, rdb.HExists(ctx, "h", "a").Val())
		assert.Equal(t, int64(2), rdb.HStrLen(ctx, "h", "a").Val())
		assert.Equal(t, int64(15), rdb.HIncrBy(ctx, "h", "a", 5).Val())
		assert.Equal(t, 2.5, rdb.HIncrByFloat(ctx, "h", "new", 2.5).Val())
		assert.Equal(t, int64(2), rdb.HDel(ctx, "h", "a", "b", "zz").Val())
		assert.Equal(t, map[string]string{}, rdb.HGetAll(ctx, "nohash").Val())
		require.NoError(t, rdb.Set(ctx, "s", "v", 0).Err())
		assert.EqualError(t, rdb.HGet(ctx, "s", "a").Err(), "WRONGTYPE Operation against a key holding the wrong kind of value")
		assert.EqualError(t, rdb.Do(ctx, "hset", "h", "a").Err(), "ERR wrong number of arguments for 'hset' command")
		require.NoError(t, rdb.HSet(ctx, "h", "text", "x").Err())
		assert.EqualError(t, rdb.HIncrBy(ctx, "h", "text", 1).Err(), "ERR hash value is not an integer")
	})
}

func TestHScanGoRedis(t *testing.T) {
	forBothProtocols(t, func(t *testing.T, rdb *redis.Client) {
		ctx := testCtx(t)
		want := map[string]string{}
		for i := 0; i < 300; i++ {
			f := "f" + string(rune('a'+i%26)) + string(rune('0'+i/26))
			want[f] = f + "v"
			require.NoError(t, rdb.HSet(ctx, "big", f, f+"v").Err())
		}
		got := map[string]string{}
		var cursor uint64
		for {
			kv, next, err := rdb.HScan(ctx, "big", cursor, "", 25).Result()
			require.NoError(t, err)
			for i := 0; i < len(kv); i += 2 {
				got[kv[i]] = kv[i+1]
			}
			if next == 0 {
				break
			}
			cursor = next
		}
		assert.Equal(t, want, got)
		require.NoError(t, rdb.HSet(ctx, "small", "x", "1", "y", "2").Err())
		kv, next, err := rdb.HScan(ctx, "small", 0, "x*", 1).Result()
		require.NoError(t, err)
		assert.Equal(t, []string{"x", "1"}, kv)
		assert.Zero(t, next)
		kv, _, err = rdb.HScan(ctx, "nokey", 0, "", 1).Result()
		require.NoError(t, err)
		assert.Empty(t, kv)
	})
}
