package resp

import (
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// TestBitsGoRedis drives the bitmap commands, LCS and SORT through a
// client library, in both protocols.
func TestBitsGoRedis(t *testing.T) {
	_, _, addr := startServer(t, Options{})
	for _, proto := range []int{2, 3} {
		rdb := newGoRedis(t, addr, proto)
		ctx := testCtx(t)
		require.NoError(t, rdb.FlushDB(ctx).Err())

		require.Equal(t, int64(0), rdb.SetBit(ctx, "b", 10, 1).Val())
		require.Equal(t, int64(1), rdb.GetBit(ctx, "b", 10).Val())
		require.Equal(t, int64(1), rdb.BitCount(ctx, "b", nil).Val())
		require.Equal(t, int64(1), rdb.BitCount(ctx, "b", &redis.BitCount{Start: 8, End: 15, Unit: "BIT"}).Val())
		require.Equal(t, int64(10), rdb.BitPos(ctx, "b", 1).Val())
		require.Equal(t, int64(10), rdb.BitPosSpan(ctx, "b", 1, 9, -1, "bit").Val())
		require.Equal(t, int64(2), rdb.BitOpNot(ctx, "nb", "b").Val())
		require.Equal(t, "\xff\xdf", rdb.Get(ctx, "nb").Val())
		require.Equal(t, int64(2), rdb.BitOpOr(ctx, "ob", "b", "nb").Val())
		require.Equal(t, []int64{0, 255}, rdb.BitField(ctx, "bf", "SET", "u8", 0, 255, "GET", "u8", 0).Val())
		require.Equal(t, []int64{255}, rdb.BitFieldRO(ctx, "bf", "u8", 0).Val())
		res, err := rdb.BitField(ctx, "bf", "OVERFLOW", "FAIL", "INCRBY", "u8", 0, 1).Result()
		require.NoError(t, err)
		require.Equal(t, []int64{0}, res, "go-redis reads the nil of a failed overflow as 0")

		require.NoError(t, rdb.MSet(ctx, "x", "ohmytext", "y", "mynewtext").Err())
		require.Equal(t, "mytext", rdb.LCS(ctx, &redis.LCSQuery{Key1: "x", Key2: "y"}).Val().MatchString)
		require.Equal(t, int64(6), rdb.LCS(ctx, &redis.LCSQuery{Key1: "x", Key2: "y", Len: true}).Val().Len)
		idx, err := rdb.LCS(ctx, &redis.LCSQuery{Key1: "x", Key2: "y", Idx: true, WithMatchLen: true}).Result()
		require.NoError(t, err)
		require.Equal(t, int64(6), idx.Len)
		require.Len(t, idx.Matches, 2)
		require.Equal(t, redis.LCSMatchedPosition{Key1: redis.LCSPosition{Start: 4, End: 7}, Key2: redis.LCSPosition{Start: 5, End: 8}, MatchLen: 4}, idx.Matches[0])

		require.NoError(t, rdb.RPush(ctx, "l", "3", "1", "2").Err())
		require.Equal(t, []string{"1", "2", "3"}, rdb.Sort(ctx, "l", &redis.Sort{}).Val())
		require.Equal(t, []string{"3", "2"}, rdb.SortRO(ctx, "l", &redis.Sort{Order: "DESC", Count: 2}).Val())
		require.Equal(t, int64(3), rdb.SortStore(ctx, "l", "sl", &redis.Sort{Alpha: true}).Val())
		require.Equal(t, []string{"1", "2", "3"}, rdb.LRange(ctx, "sl", 0, -1).Val())
	}
}
