package resp

import (
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// forBothProtocols runs fn against one server with a RESP2 and a RESP3
// go-redis client.
func forBothProtocols(t *testing.T, fn func(t *testing.T, rdb *redis.Client)) {
	_, _, addr := startServer(t, Options{})
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			rdb := newGoRedis(t, addr, proto)
			require.NoError(t, rdb.FlushAll(testCtx(t)).Err())
			fn(t, rdb)
		})
	}
}

func TestStringsGoRedis(t *testing.T) {
	forBothProtocols(t, func(t *testing.T, rdb *redis.Client) {
		ctx := testCtx(t)
		require.Equal(t, "OK", rdb.Set(ctx, "k", "v", 0).Val())
		assert.Equal(t, "v", rdb.Get(ctx, "k").Val())
		assert.ErrorIs(t, rdb.Get(ctx, "missing").Err(), redis.Nil)

		assert.True(t, rdb.SetNX(ctx, "nx", "1", 0).Val())
		assert.False(t, rdb.SetNX(ctx, "nx", "2", 0).Val())
		assert.False(t, rdb.SetXX(ctx, "xx", "1", 0).Val())

		require.NoError(t, rdb.Set(ctx, "ttl", "v", time.Minute).Err())
		assert.InDelta(t, time.Minute.Seconds(), rdb.TTL(ctx, "ttl").Val().Seconds(), 1)
		require.NoError(t, rdb.SetArgs(ctx, "ttl", "w", redis.SetArgs{KeepTTL: true}).Err())
		assert.Greater(t, rdb.PTTL(ctx, "ttl").Val(), time.Duration(0))
		old, err := rdb.SetArgs(ctx, "ttl", "x", redis.SetArgs{Get: true}).Result()
		require.NoError(t, err)
		assert.Equal(t, "w", old)
		assert.Equal(t, time.Duration(-1), rdb.TTL(ctx, "ttl").Val())

		require.NoError(t, rdb.Do(ctx, "setex", "ex", "10", "v").Err())
		assert.Equal(t, 10*time.Second, rdb.TTL(ctx, "ex").Val())
		v, err := rdb.GetEx(ctx, "ex", time.Hour).Result()
		require.NoError(t, err)
		assert.Equal(t, "v", v)
		assert.Equal(t, time.Hour, rdb.TTL(ctx, "ex").Val())
		assert.Equal(t, "v", rdb.GetDel(ctx, "ex").Val())
		assert.Equal(t, int64(0), rdb.Exists(ctx, "ex").Val())

		require.NoError(t, rdb.MSet(ctx, "a", "1", "b", "2").Err())
		assert.Equal(t, []any{"1", "2", nil}, rdb.MGet(ctx, "a", "b", "c").Val())
		assert.False(t, rdb.MSetNX(ctx, "c", "3", "a", "9").Val())
		assert.True(t, rdb.MSetNX(ctx, "c", "3", "d", "4").Val())

		assert.Equal(t, int64(2), rdb.Incr(ctx, "a").Val())
		assert.Equal(t, int64(12), rdb.IncrBy(ctx, "a", 10).Val())
		assert.Equal(t, int64(11), rdb.Decr(ctx, "a").Val())
		assert.Equal(t, int64(1), rdb.DecrBy(ctx, "a", 10).Val())
		assert.Equal(t, 1.5, rdb.IncrByFloat(ctx, "a", 0.5).Val())
		assert.EqualError(t, rdb.Incr(ctx, "a").Err(), "ERR value is not an integer or out of range")

		assert.Equal(t, int64(5), rdb.Append(ctx, "s", "hello").Val())
		assert.Equal(t, int64(11), rdb.Append(ctx, "s", " world").Val())
		assert.Equal(t, int64(11), rdb.StrLen(ctx, "s").Val())
		assert.Equal(t, "world", rdb.GetRange(ctx, "s", -5, -1).Val())
		assert.Equal(t, int64(11), rdb.SetRange(ctx, "s", 6, "WORLD").Val())
		assert.Equal(t, "hello WORLD", rdb.Get(ctx, "s").Val())
		assert.Equal(t, int64(13), rdb.SetRange(ctx, "pad", 10, "abc").Val())
		assert.Equal(t, "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00abc", rdb.Get(ctx, "pad").Val())
		assert.Equal(t, "hello WORLD", rdb.Do(ctx, "getset", "s", "new").Val())

		assert.EqualError(t, rdb.Do(ctx, "set", "k", "v", "ex", "-1").Err(), "ERR invalid expire time in 'set' command")
		assert.EqualError(t, rdb.Do(ctx, "set", "k", "v", "nx", "xx").Err(), "ERR syntax error")
		assert.EqualError(t, rdb.Do(ctx, "set", "k", "v", "ex", "1", "px", "1").Err(), "ERR syntax error")
		assert.Equal(t, "OK", rdb.Do(ctx, "set", "k", "v", "ex", "100", "ex", "200").Val())
		assert.EqualError(t, rdb.Do(ctx, "setex", "k", "0", "v").Err(), "ERR invalid expire time in 'setex' command")
		assert.EqualError(t, rdb.Do(ctx, "mset", "a").Err(), "ERR wrong number of arguments for 'mset' command")
		assert.EqualError(t, rdb.Do(ctx, "mset", "a", "1", "b").Err(), "ERR wrong number of arguments for 'mset' command")
	})
}
