package resp

import (
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestListsGoRedis(t *testing.T) {
	forBothProtocols(t, func(t *testing.T, rdb *redis.Client) {
		ctx := testCtx(t)
		assert.Equal(t, int64(3), rdb.RPush(ctx, "l", "a", "b", "c").Val())
		assert.Equal(t, int64(4), rdb.LPush(ctx, "l", "z").Val())
		assert.Equal(t, int64(0), rdb.LPushX(ctx, "nol", "x").Val())
		assert.Equal(t, int64(5), rdb.RPushX(ctx, "l", "a").Val())
		assert.Equal(t, []string{"z", "a", "b", "c", "a"}, rdb.LRange(ctx, "l", 0, -1).Val())
		assert.Equal(t, int64(5), rdb.LLen(ctx, "l").Val())
		assert.Equal(t, "b", rdb.LIndex(ctx, "l", 2).Val())
		assert.ErrorIs(t, rdb.LIndex(ctx, "l", 99).Err(), redis.Nil)
		assert.Equal(t, int64(1), rdb.LPos(ctx, "l", "a", redis.LPosArgs{}).Val())
		assert.Equal(t, int64(4), rdb.LPos(ctx, "l", "a", redis.LPosArgs{Rank: 2}).Val())
		assert.Equal(t, []int64{1, 4}, rdb.LPosCount(ctx, "l", "a", 0, redis.LPosArgs{}).Val())
		assert.ErrorIs(t, rdb.LPos(ctx, "l", "nope", redis.LPosArgs{}).Err(), redis.Nil)
		assert.Equal(t, "OK", rdb.LSet(ctx, "l", 0, "y").Val())
		assert.EqualError(t, rdb.LSet(ctx, "l", 99, "y").Err(), "ERR index out of range")
		assert.Equal(t, int64(6), rdb.LInsertBefore(ctx, "l", "b", "new").Val())
		assert.Equal(t, int64(2), rdb.LRem(ctx, "l", 0, "a").Val())
		assert.Equal(t, "y", rdb.LPop(ctx, "l").Val())
		assert.Equal(t, "c", rdb.RPop(ctx, "l").Val())
		assert.Equal(t, []string{"new", "b"}, rdb.LPopCount(ctx, "l", 5).Val())
		assert.ErrorIs(t, rdb.LPopCount(ctx, "l", 5).Err(), redis.Nil)
		assert.ErrorIs(t, rdb.LPop(ctx, "l").Err(), redis.Nil)

		require.NoError(t, rdb.RPush(ctx, "src", "1", "2", "3").Err())
		assert.Equal(t, "3", rdb.Do(ctx, "rpoplpush", "src", "dst").Val())
		assert.Equal(t, "1", rdb.LMove(ctx, "src", "dst", "LEFT", "RIGHT").Val())
		assert.Equal(t, []string{"3", "1"}, rdb.LRange(ctx, "dst", 0, -1).Val())
		assert.Equal(t, "OK", rdb.LTrim(ctx, "dst", 1, -1).Val())
		assert.Equal(t, []string{"1"}, rdb.LRange(ctx, "dst", 0, -1).Val())
		assert.EqualError(t, rdb.Do(ctx, "lmove", "src", "dst", "up", "left").Err(), "ERR syntax error")
		assert.EqualError(t, rdb.Do(ctx, "lpop", "src", "-1").Err(), "ERR value is out of range, must be positive")
		assert.EqualError(t, rdb.Do(ctx, "lpos", "src", "1", "rank", "0").Err(), "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")
	})
}
