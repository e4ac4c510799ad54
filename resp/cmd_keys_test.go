package resp

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeysGoRedis(t *testing.T) {
	forBothProtocols(t, func(t *testing.T, rdb *redis.Client) {
		ctx := testCtx(t)
		require.NoError(t, rdb.MSet(ctx, "a", "1", "b", "2", "c", "3").Err())
		assert.Equal(t, int64(3), rdb.Exists(ctx, "a", "b", "a", "x").Val())
		assert.Equal(t, int64(2), rdb.Del(ctx, "a", "b", "x").Val())
		assert.Equal(t, int64(1), rdb.Unlink(ctx, "c").Val())
		assert.Equal(t, int64(0), rdb.DBSize(ctx).Val())

		require.NoError(t, rdb.Set(ctx, "k", "v", 0).Err())
		assert.True(t, rdb.Expire(ctx, "k", time.Minute).Val())
		assert.Equal(t, time.Minute, rdb.TTL(ctx, "k").Val())
		assert.False(t, rdb.ExpireNX(ctx, "k", time.Hour).Val())
		assert.True(t, rdb.ExpireGT(ctx, "k", time.Hour).Val())
		assert.False(t, rdb.ExpireLT(ctx, "k", 2*time.Hour).Val())
		assert.True(t, rdb.PExpire(ctx, "k", 5000*time.Millisecond).Val())
		assert.InDelta(t, 5000, rdb.PTTL(ctx, "k").Val().Milliseconds(), 100)
		at := time.Now().Add(time.Hour).Truncate(time.Second)
		assert.True(t, rdb.ExpireAt(ctx, "k", at).Val())
		assert.Equal(t, time.Duration(at.Unix())*time.Second, rdb.ExpireTime(ctx, "k").Val())
		assert.True(t, rdb.Persist(ctx, "k").Val())
		assert.Equal(t, time.Duration(-1), rdb.TTL(ctx, "k").Val())
		assert.Equal(t, time.Duration(-2), rdb.TTL(ctx, "nokey").Val())
		assert.EqualError(t, rdb.Do(ctx, "expire", "k", "10", "nx", "xx").Err(), "ERR NX and XX, GT or LT options at the same time are not compatible")
		assert.EqualError(t, rdb.Do(ctx, "expire", "k", "10", "foo").Err(), "ERR Unsupported option foo")
		assert.EqualError(t, rdb.Do(ctx, "expire", "k", "9223372036854775807").Err(), "ERR invalid expire time in 'expire' command")
		assert.True(t, rdb.Expire(ctx, "k", -time.Second).Val())
		assert.Equal(t, int64(0), rdb.Exists(ctx, "k").Val())

		require.NoError(t, rdb.Set(ctx, "src", "v", time.Hour).Err())
		require.NoError(t, rdb.Rename(ctx, "src", "dst").Err())
		assert.Greater(t, rdb.TTL(ctx, "dst").Val(), time.Minute)
		assert.EqualError(t, rdb.Rename(ctx, "src", "dst").Err(), "ERR no such key")
		require.NoError(t, rdb.Set(ctx, "other", "v", 0).Err())
		assert.False(t, rdb.RenameNX(ctx, "dst", "other").Val())
		assert.True(t, rdb.RenameNX(ctx, "dst", "new").Val())

		assert.Equal(t, "string", rdb.Type(ctx, "new").Val())
		assert.Equal(t, "none", rdb.Type(ctx, "nokey").Val())
		assert.ElementsMatch(t, []string{"new", "other"}, rdb.Keys(ctx, "*").Val())
		assert.Equal(t, []string{"new"}, rdb.Keys(ctx, "n*").Val())
		assert.Contains(t, []string{"new", "other"}, rdb.RandomKey(ctx).Val())
		assert.Equal(t, int64(2), rdb.Touch(ctx, "new", "other", "none").Val())

		// Databases are separate namespaces.
		require.NoError(t, rdb.Do(ctx, "select", "1").Err())
		assert.Equal(t, int64(0), rdb.Exists(ctx, "new").Val())
		require.NoError(t, rdb.Do(ctx, "select", "0").Err())
		assert.EqualError(t, rdb.Do(ctx, "select", "16").Err(), "ERR DB index is out of range")
		require.NoError(t, rdb.FlushDB(ctx).Err())
		assert.Equal(t, int64(0), rdb.DBSize(ctx).Val())
		assert.EqualError(t, rdb.Do(ctx, "flushdb", "now").Err(), "ERR syntax error")
	})
}

func TestSelectAndFlushAll(t *testing.T) {
	_, _, addr := startServer(t, Options{})
	ctx := testCtx(t)
	db0 := newGoRedis(t, addr, 2)
	db3 := newGoRedis(t, addr, 3, func(o *redis.Options) { o.DB = 3 })
	require.NoError(t, db0.Set(ctx, "k", "zero", 0).Err())
	require.NoError(t, db3.Set(ctx, "k", "three", 0).Err())
	assert.Equal(t, "zero", db0.Get(ctx, "k").Val())
	assert.Equal(t, "three", db3.Get(ctx, "k").Val())
	require.NoError(t, db0.FlushAll(ctx).Err())
	assert.Equal(t, int64(0), db3.DBSize(ctx).Val())
}
