package resp

import (
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// copyDB is the second database of the COPY/MOVE differential cases (the
// first is diffDB).
const copyDB = "8"

var copyDiffCases = map[string][][]string{
	"copy": {
		{"SET", "s", "v", "EX", "100"}, {"COPY", "s", "s2"}, {"GET", "s2"}, {"TTL", "s2"}, {"COPY", "s", "s2"},
		{"SET", "s", "w"}, {"COPY", "s", "s2", "REPLACE"}, {"GET", "s2"}, {"TTL", "s2"}, {"COPY", "nokey", "s2"}, {"COPY", "nokey", "s2", "REPLACE"},
		{"RPUSH", "l", "a", "b", "c"}, {"COPY", "l", "l2"}, {"RPUSH", "l2", "d"}, {"LRANGE", "l", "0", "-1"}, {"LRANGE", "l2", "0", "-1"},
		{"HSET", "h", "f", "1", "g", "2"}, {"COPY", "h", "h2"}, {"HSET", "h2", "f", "9"}, {"HGETALL", "h"}, {"HGETALL", "h2"},
		{"SADD", "st", "x", "y", "1"}, {"COPY", "st", "st2"}, {"SREM", "st2", "x"}, {"SMEMBERS", "st"}, {"SMEMBERS", "st2"},
		{"ZADD", "z", "1", "a", "2", "b"}, {"COPY", "z", "z2"}, {"ZINCRBY", "z2", "5", "a"}, {"ZRANGE", "z", "0", "-1", "WITHSCORES"}, {"ZRANGE", "z2", "0", "-1", "WITHSCORES"},
		{"COPY", "z", "s", "REPLACE"}, {"TYPE", "s"}, {"COPY", "l", "z"}, {"TYPE", "z"},
		{"COPY", "s", "s"}, {"COPY", "nokey", "nokey"}, {"COPY", "s", "x", "FOO"}, {"COPY", "s", "x", "DB"}, {"COPY", "s", "x", "DB", "x"},
		{"COPY", "s", "x", "DB", "16"}, {"COPY", "s", "x", "DB", "-1"}, {"COPY", "s", "x", "DB", "99999999999"}, {"COPY", "s", "s", "DB", diffDB},
		{"COPY", "s", "x", "REPLACE", "REPLACE", "DB", diffDB, "DB", diffDB}, {"COPY", "s"}, {"DBSIZE"},
		{"COPY", "l", "l", "DB", copyDB}, {"COPY", "h", "hh", "DB", copyDB}, {"COPY", "h", "hh", "DB", copyDB}, {"COPY", "st", "hh", "DB", copyDB, "REPLACE"},
		{"SET", "t", "x", "PX", "100000"}, {"COPY", "t", "t", "DB", copyDB},
		{"SELECT", copyDB}, {"LRANGE", "l", "0", "-1"}, {"TYPE", "hh"}, {"SMEMBERS", "hh"}, {"TTL", "t"}, {"DBSIZE"}, {"SELECT", diffDB},
		{"DBSIZE"},
	},
	"move": {
		{"SET", "s", "v", "EX", "100"}, {"MOVE", "s", copyDB}, {"EXISTS", "s"}, {"MOVE", "s", copyDB},
		{"RPUSH", "l", "a"}, {"SELECT", copyDB}, {"TTL", "s"}, {"GET", "s"}, {"SET", "l", "there"}, {"SELECT", diffDB}, {"MOVE", "l", copyDB}, {"LRANGE", "l", "0", "-1"},
		{"MOVE", "l", diffDB}, {"MOVE", "l", "16"}, {"MOVE", "l", "-1"}, {"MOVE", "l", "x"}, {"MOVE", "l", "99999999999"}, {"MOVE", "l", "99999999999999999999"},
		{"MOVE", "nokey", copyDB}, {"MOVE", "nokey", diffDB}, {"MOVE", "l"}, {"SELECT", "99999999999"}, {"SELECT", "16"},
		{"ZADD", "z", "1", "a"}, {"MULTI"}, {"MOVE", "z", copyDB}, {"COPY", "l", "l9", "DB", copyDB}, {"EXISTS", "z"}, {"EXEC"},
		{"SELECT", copyDB}, {"ZRANGE", "z", "0", "-1"}, {"LRANGE", "l9", "0", "-1"}, {"DBSIZE"}, {"SELECT", diffDB}, {"DBSIZE"},
	},
}

func TestDiffCopyMove(t *testing.T) {
	for _, proto := range []int{2, 3} {
		for name, cmds := range copyDiffCases {
			t.Run(fmt.Sprintf("%s/RESP%d", name, proto), func(t *testing.T) {
				p := newDiffPair(t, proto)
				for _, c := range []*rawConn{p.ours, p.real} {
					require.Equal(t, "+OK\r\n", c.do("SELECT", copyDB))
					require.Equal(t, "+OK\r\n", c.do("FLUSHDB"))
					require.Equal(t, "+OK\r\n", c.do("SELECT", diffDB))
				}
				for _, cmd := range cmds {
					p.check(cmd...)
				}
			})
		}
	}
}

// TestCopyMoveGoRedis exercises COPY and MOVE through a client library.
func TestCopyMoveGoRedis(t *testing.T) {
	_, _, addr := startServer(t, Options{})
	rdb := newGoRedis(t, addr, 3)
	rdb1 := newGoRedis(t, addr, 3, func(o *redis.Options) { o.DB = 1 })
	ctx := testCtx(t)
	require.NoError(t, rdb.RPush(ctx, "k", "a", "b").Err())
	require.NoError(t, rdb.Expire(ctx, "k", time.Hour).Err())
	n, err := rdb.Copy(ctx, "k", "k2", 1, false).Result()
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
	moved, err := rdb.Move(ctx, "k", 1).Result()
	require.NoError(t, err)
	require.True(t, moved)
	require.Equal(t, []string{"a", "b"}, rdb1.LRange(ctx, "k2", 0, -1).Val())
	require.Greater(t, rdb1.TTL(ctx, "k2").Val(), 59*time.Minute)
	require.False(t, rdb.Move(ctx, "k", 1).Val(), "k is gone from db 0")
	require.Zero(t, rdb.Exists(ctx, "k").Val())
	require.Equal(t, int64(0), rdb.DBSize(ctx).Val())
	require.Equal(t, int64(2), rdb1.DBSize(ctx).Val())
	_, err = rdb.Copy(ctx, "k", "k", 0, false).Result()
	require.EqualError(t, err, "ERR source and destination objects are the same")
}
