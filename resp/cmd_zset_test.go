package resp

import (
	"fmt"
	"math"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSortedSetsGoRedis(t *testing.T) {
	forBothProtocols(t, func(t *testing.T, rdb *redis.Client) {
		ctx := testCtx(t)
		assert.Equal(t, int64(3), rdb.ZAdd(ctx, "z", redis.Z{Score: 1, Member: "a"}, redis.Z{Score: 2, Member: "b"}, redis.Z{Score: 3, Member: "c"}).Val())
		assert.Equal(t, int64(1), rdb.ZAddArgs(ctx, "z", redis.ZAddArgs{GT: true, Ch: true, Members: []redis.Z{{Score: 5, Member: "a"}}}).Val())
		assert.Equal(t, 6.5, rdb.ZAddArgsIncr(ctx, "z", redis.ZAddArgs{Members: []redis.Z{{Score: 1.5, Member: "a"}}}).Val())
		assert.Equal(t, 6.5, rdb.ZScore(ctx, "z", "a").Val())
		assert.ErrorIs(t, rdb.ZScore(ctx, "z", "zz").Err(), redis.Nil)
		assert.Equal(t, []float64{2, 0}, rdb.ZMScore(ctx, "z", "b", "zz").Val())
		assert.Equal(t, 4.0, rdb.ZIncrBy(ctx, "z", 2, "b").Val())
		assert.Equal(t, int64(3), rdb.ZCard(ctx, "z").Val())
		assert.Equal(t, int64(2), rdb.ZCount(ctx, "z", "(3", "+inf").Val())
		assert.Equal(t, int64(0), rdb.ZRank(ctx, "z", "c").Val())
		assert.Equal(t, int64(0), rdb.ZRevRank(ctx, "z", "a").Val())
		assert.Equal(t, []string{"c", "b", "a"}, rdb.ZRange(ctx, "z", 0, -1).Val())
		assert.Equal(t, []redis.Z{{Score: 3, Member: "c"}, {Score: 4, Member: "b"}}, rdb.ZRangeWithScores(ctx, "z", 0, 1).Val())
		// The pre-6.2 range commands, which go-redis marks deprecated.
		strs := func(args ...any) []string {
			v, err := rdb.Do(ctx, args...).StringSlice()
			require.NoError(t, err)
			return v
		}
		assert.Equal(t, []string{"a", "b"}, strs("zrevrange", "z", 0, 1))
		assert.Equal(t, []string{"b", "a"}, strs("zrangebyscore", "z", "(3", "+inf"))
		assert.Equal(t, []string{"a"}, strs("zrevrangebyscore", "z", "+inf", "-inf", "limit", 0, 1))
		assert.Equal(t, []redis.Z{{Score: 6.5, Member: "a"}}, rdb.ZRangeArgsWithScores(ctx, redis.ZRangeArgs{Key: "z", Start: "+inf", Stop: "(4", ByScore: true, Rev: true}).Val())
		require.NoError(t, rdb.ZAdd(ctx, "lex", redis.Z{Member: "a"}, redis.Z{Member: "b"}, redis.Z{Member: "c"}).Err())
		assert.Equal(t, []string{"b", "c"}, strs("zrangebylex", "lex", "(a", "+"))
		assert.Equal(t, []string{"c", "b"}, strs("zrevrangebylex", "lex", "+", "[b"))
		assert.True(t, math.IsInf(rdb.ZIncrBy(ctx, "z", math.Inf(1), "a").Val(), 1))
		assert.Equal(t, []redis.Z{{Score: 3, Member: "c"}}, rdb.ZPopMin(ctx, "z").Val())
		assert.Equal(t, []redis.Z{{Score: math.Inf(1), Member: "a"}, {Score: 4, Member: "b"}}, rdb.ZPopMax(ctx, "z", 5).Val())
		assert.Empty(t, rdb.ZPopMin(ctx, "z").Val())
		require.NoError(t, rdb.ZAdd(ctx, "r", redis.Z{Score: 1, Member: "x"}, redis.Z{Score: 2, Member: "y"}, redis.Z{Score: 3, Member: "w"}).Err())
		assert.Equal(t, int64(1), rdb.ZRem(ctx, "r", "x", "zz").Val())
		assert.Equal(t, int64(1), rdb.ZRemRangeByRank(ctx, "r", 0, 0).Val())
		assert.Equal(t, int64(1), rdb.ZRemRangeByScore(ctx, "r", "-inf", "+inf").Val())
		assert.EqualError(t, rdb.Do(ctx, "zadd", "r", "nx", "xx", "1", "a").Err(), "ERR XX and NX options at the same time are not compatible")
		assert.EqualError(t, rdb.Do(ctx, "zadd", "r", "x", "a").Err(), "ERR value is not a valid float")

		for i := 0; i < 200; i++ {
			require.NoError(t, rdb.ZAdd(ctx, "big", redis.Z{Score: float64(i) / 2, Member: fmt.Sprint("m", i)}).Err())
		}
		seen := map[string]string{}
		var cursor uint64
		for {
			kv, next, err := rdb.ZScan(ctx, "big", cursor, "m1*", 20).Result()
			require.NoError(t, err)
			for i := 0; i < len(kv); i += 2 {
				seen[kv[i]] = kv[i+1]
			}
			if next == 0 {
				break
			}
			cursor = next
		}
		assert.Len(t, seen, 111) // m1, m10-m19, m100-m199
		assert.Equal(t, "7.5", seen["m15"])
	})
}
