package resp

import (
	"slices"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// go-redis's typed commands over the sorted-set algebra, the range and lex
// commands, the random reads and SINTERCARD, in both protocols: the reply
// shapes must be what the client parses.
func TestZSetOpsGoRedis(t *testing.T) {
	forBothProtocols(t, func(t *testing.T, rdb *redis.Client) {
		ctx := testCtx(t)
		require.NoError(t, rdb.ZAdd(ctx, "z1", redis.Z{Score: 1, Member: "a"}, redis.Z{Score: 2, Member: "b"}, redis.Z{Score: 3, Member: "c"}).Err())
		require.NoError(t, rdb.ZAdd(ctx, "z2", redis.Z{Score: 10, Member: "b"}, redis.Z{Score: 20, Member: "c"}, redis.Z{Score: 30, Member: "d"}).Err())
		require.NoError(t, rdb.SAdd(ctx, "s1", "a", "d", "e").Err())
		require.NoError(t, rdb.Set(ctx, "str", "x", 0).Err())

		assert.Equal(t, []string{"a", "b", "c", "d"}, rdb.ZUnion(ctx, redis.ZStore{Keys: []string{"z1", "z2"}}).Val())
		assert.Equal(t, []redis.Z{{Member: "a", Score: 1}, {Member: "b", Score: 20}, {Member: "c", Score: 40}, {Member: "d", Score: 60}},
			rdb.ZUnionWithScores(ctx, redis.ZStore{Keys: []string{"z1", "z2"}, Weights: []float64{1, 2}, Aggregate: "MAX"}).Val())
		assert.Equal(t, []redis.Z{{Member: "d", Score: 1}, {Member: "e", Score: 1}, {Member: "a", Score: 2}, {Member: "b", Score: 2}, {Member: "c", Score: 3}},
			rdb.ZUnionWithScores(ctx, redis.ZStore{Keys: []string{"z1", "s1"}}).Val())
		assert.Equal(t, []string{"b", "c"}, rdb.ZInter(ctx, &redis.ZStore{Keys: []string{"z1", "z2"}}).Val())
		assert.Equal(t, []redis.Z{{Member: "b", Score: 2}, {Member: "c", Score: 3}},
			rdb.ZInterWithScores(ctx, &redis.ZStore{Keys: []string{"z1", "z2"}, Aggregate: "MIN"}).Val())
		assert.Equal(t, []string{"a"}, rdb.ZDiff(ctx, "z1", "z2").Val())
		assert.Equal(t, []redis.Z{{Member: "d", Score: 1}, {Member: "e", Score: 1}}, rdb.ZDiffWithScores(ctx, "s1", "z1").Val())
		assert.Equal(t, int64(2), rdb.ZInterCard(ctx, 0, "z1", "z2").Val())
		assert.Equal(t, int64(1), rdb.ZInterCard(ctx, 1, "z1", "z2").Val())

		assert.Equal(t, int64(4), rdb.ZUnionStore(ctx, "u", &redis.ZStore{Keys: []string{"z1", "z2"}}).Val())
		assert.Equal(t, int64(2), rdb.ZInterStore(ctx, "i", &redis.ZStore{Keys: []string{"z1", "z2"}, Weights: []float64{1, 0}}).Val())
		assert.Equal(t, []redis.Z{{Member: "b", Score: 2}, {Member: "c", Score: 3}}, rdb.ZRangeWithScores(ctx, "i", 0, -1).Val())
		assert.Equal(t, int64(1), rdb.ZDiffStore(ctx, "df", "z1", "z2").Val())
		assert.Equal(t, int64(0), rdb.ZDiffStore(ctx, "df", "z1", "z1").Val())
		assert.Equal(t, int64(0), rdb.Exists(ctx, "df").Val())
		err := rdb.ZUnionStore(ctx, "u", &redis.ZStore{Keys: []string{"z1", "str"}}).Err()
		require.Error(t, err)
		assert.Equal(t, "WRONGTYPE Operation against a key holding the wrong kind of value", err.Error())
		err = rdb.ZInter(ctx, &redis.ZStore{Keys: []string{"z1", "z2"}, Aggregate: "AVG"}).Err()
		require.Error(t, err)
		assert.Equal(t, "ERR syntax error", err.Error())

		assert.Equal(t, int64(2), rdb.ZRangeStore(ctx, "rs", redis.ZRangeArgs{Key: "z2", Start: "+inf", Stop: "(10", ByScore: true, Rev: true}).Val())
		assert.Equal(t, []string{"c", "d"}, rdb.ZRange(ctx, "rs", 0, -1).Val())
		require.NoError(t, rdb.ZAdd(ctx, "lex", redis.Z{Member: "a"}, redis.Z{Member: "b"}, redis.Z{Member: "c"}, redis.Z{Member: "d"}).Err())
		assert.Equal(t, int64(3), rdb.ZLexCount(ctx, "lex", "(a", "+").Val())
		assert.Equal(t, int64(2), rdb.ZRemRangeByLex(ctx, "lex", "[b", "(d").Val())
		assert.Equal(t, []string{"a", "d"}, rdb.ZRange(ctx, "lex", 0, -1).Val())
		err = rdb.ZLexCount(ctx, "lex", "a", "+").Err()
		require.Error(t, err)
		assert.Equal(t, "ERR min or max not valid string range item", err.Error())

		all := []string{"a", "b", "c"}
		m := rdb.Do(ctx, "zrandmember", "z1").Val()
		assert.Contains(t, all, m)
		assert.ErrorIs(t, rdb.Do(ctx, "zrandmember", "nokey").Err(), redis.Nil)
		got := rdb.ZRandMember(ctx, "z1", 2).Val()
		require.Len(t, got, 2)
		assert.NotEqual(t, got[0], got[1])
		assert.Subset(t, all, got)
		assert.Equal(t, []string{"c", "b", "a"}, rdb.ZRandMember(ctx, "z1", 5).Val())
		assert.Len(t, rdb.ZRandMember(ctx, "z1", -7).Val(), 7)
		zs := rdb.ZRandMemberWithScores(ctx, "z1", -4).Val()
		require.Len(t, zs, 4)
		for _, z := range zs {
			assert.Equal(t, rdb.ZScore(ctx, "z1", z.Member.(string)).Val(), z.Score)
		}
		assert.Empty(t, rdb.ZRandMember(ctx, "nokey", 3).Val())

		require.NoError(t, rdb.HSet(ctx, "h", "f1", "v1", "f2", "v2", "f3", "v3").Err())
		assert.Contains(t, []string{"f1", "f2", "f3"}, rdb.Do(ctx, "hrandfield", "h").Val())
		assert.ErrorIs(t, rdb.Do(ctx, "hrandfield", "nokey").Err(), redis.Nil)
		assert.Equal(t, []string{"f1", "f2", "f3"}, rdb.HRandField(ctx, "h", 3).Val())
		assert.Equal(t, []redis.KeyValue{{Key: "f1", Value: "v1"}, {Key: "f2", Value: "v2"}, {Key: "f3", Value: "v3"}},
			rdb.HRandFieldWithValues(ctx, "h", 10).Val())
		kvs := rdb.HRandFieldWithValues(ctx, "h", -5).Val()
		require.Len(t, kvs, 5)
		for _, kv := range kvs {
			assert.Equal(t, "v"+kv.Key[1:], kv.Value)
		}
		fs := rdb.HRandField(ctx, "h", 2).Val()
		require.Len(t, fs, 2)
		assert.False(t, slices.Equal(fs[:1], fs[1:]))

		require.NoError(t, rdb.SAdd(ctx, "s2", "a", "e", "x").Err())
		assert.Equal(t, int64(2), rdb.SInterCard(ctx, 0, "s1", "s2").Val())
		assert.Equal(t, int64(1), rdb.SInterCard(ctx, 1, "s1", "s2").Val())
		assert.Equal(t, int64(0), rdb.SInterCard(ctx, 0, "s1", "nokey").Val())
		err = rdb.SInterCard(ctx, 0, "s1", "str").Err()
		require.Error(t, err)
		assert.Equal(t, "WRONGTYPE Operation against a key holding the wrong kind of value", err.Error())
	})
}

// COMMAND INFO reports the numkeys commands as Redis does: movablekeys,
// with the legacy positions Redis gives (the destination only, or none).
func TestZSetOpsCommandInfo(t *testing.T) {
	_, _, addr := startServer(t, Options{})
	c := dialRaw(t, addr)
	for name, want := range map[string]string{
		"zunion":      "*10\r\n$6\r\nzunion\r\n:-3\r\n*2\r\n+readonly\r\n+movablekeys\r\n:0\r\n:0\r\n:0\r\n",
		"zunionstore": "*10\r\n$11\r\nzunionstore\r\n:-4\r\n*3\r\n+write\r\n+denyoom\r\n+movablekeys\r\n:1\r\n:1\r\n:1\r\n",
		"sintercard":  "*10\r\n$10\r\nsintercard\r\n:-3\r\n*2\r\n+readonly\r\n+movablekeys\r\n:0\r\n:0\r\n:0\r\n",
		"zrangestore": "*10\r\n$11\r\nzrangestore\r\n:-5\r\n*2\r\n+write\r\n+denyoom\r\n:1\r\n:2\r\n:1\r\n",
	} {
		reply := c.do("COMMAND", "INFO", name)
		assert.Contains(t, reply, want, name)
	}
}

// The numkeys commands lock exactly their keys; a numkeys they refuse
// locks none (and must not panic, whatever the arguments).
func TestNumkeysKeys(t *testing.T) {
	read, store := numkeysKeys(0, false), numkeysKeys(1, true)
	for _, tc := range []struct {
		fn   func(a, buf []string) []string
		args []string
		want []string
	}{
		{read, []string{"2", "a", "b", "WITHSCORES"}, []string{"a", "b"}},
		{read, []string{"3", "a", "b"}, []string{}},
		{read, []string{"0", "a"}, []string{}},
		{read, []string{"x", "a"}, []string{}},
		{read, []string{"-1", "a"}, []string{}},
		{read, []string{}, []string{}},
		{store, []string{"d", "1", "a", "WEIGHTS", "2"}, []string{"d", "a"}},
		{store, []string{"d", "2", "a"}, []string{"d"}},
		{store, []string{"d"}, []string{"d"}},
	} {
		got := tc.fn(tc.args, nil)
		require.NotNil(t, got, "%q: nil would lock the whole database", tc.args)
		assert.Equal(t, tc.want, got, "%q", tc.args)
	}
}
