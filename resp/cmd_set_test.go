package resp

import (
	"fmt"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSetsGoRedis(t *testing.T) {
	forBothProtocols(t, func(t *testing.T, rdb *redis.Client) {
		ctx := testCtx(t)
		assert.Equal(t, int64(3), rdb.SAdd(ctx, "s", "a", "b", "c", "a").Val())
		assert.Equal(t, int64(1), rdb.SRem(ctx, "s", "a", "zz").Val())
		assert.ElementsMatch(t, []string{"b", "c"}, rdb.SMembers(ctx, "s").Val())
		assert.True(t, rdb.SIsMember(ctx, "s", "b").Val())
		assert.Equal(t, []bool{true, false}, rdb.SMIsMember(ctx, "s", "b", "zz").Val())
		assert.Equal(t, int64(2), rdb.SCard(ctx, "s").Val())
		require.NoError(t, rdb.SAdd(ctx, "t", "c", "d").Err())
		assert.ElementsMatch(t, []string{"b", "c", "d"}, rdb.SUnion(ctx, "s", "t").Val())
		assert.Equal(t, []string{"c"}, rdb.SInter(ctx, "s", "t").Val())
		assert.Equal(t, []string{"b"}, rdb.SDiff(ctx, "s", "t").Val())
		assert.Equal(t, int64(3), rdb.SUnionStore(ctx, "u", "s", "t").Val())
		assert.Equal(t, int64(1), rdb.SInterStore(ctx, "i", "s", "t").Val())
		assert.Equal(t, int64(1), rdb.SDiffStore(ctx, "d", "s", "t").Val())
		assert.True(t, rdb.SMove(ctx, "s", "t", "b").Val())
		assert.Contains(t, []string{"c", "d", "b"}, rdb.SRandMember(ctx, "t").Val())
		assert.Len(t, rdb.SRandMemberN(ctx, "t", 2).Val(), 2)
		assert.Len(t, rdb.SPopN(ctx, "t", 2).Val(), 2)
		assert.Len(t, rdb.SPop(ctx, "t").Val(), 1)
		assert.Equal(t, int64(0), rdb.Exists(ctx, "t").Val())

		for i := 0; i < 200; i++ {
			require.NoError(t, rdb.SAdd(ctx, "big", fmt.Sprint("m", i)).Err())
		}
		seen := map[string]bool{}
		var cursor uint64
		for {
			ms, next, err := rdb.SScan(ctx, "big", cursor, "", 30).Result()
			require.NoError(t, err)
			for _, m := range ms {
				seen[m] = true
			}
			if next == 0 {
				break
			}
			cursor = next
		}
		assert.Len(t, seen, 200)
	})
}
