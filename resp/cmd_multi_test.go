package resp

import (
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTransactionsGoRedis(t *testing.T) {
	forBothProtocols(t, func(t *testing.T, rdb *redis.Client) {
		ctx := testCtx(t)
		cmds, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, "a", "1", 0)
			p.Incr(ctx, "a")
			p.Get(ctx, "a")
			p.Keys(ctx, "*") // runs outside the engine transaction, between segments
			p.Incr(ctx, "a")
			return nil
		})
		require.NoError(t, err)
		require.Len(t, cmds, 5)
		assert.Equal(t, "2", cmds[2].(*redis.StringCmd).Val())
		assert.Equal(t, []string{"a"}, cmds[3].(*redis.StringSliceCmd).Val())
		assert.Equal(t, int64(3), cmds[4].(*redis.IntCmd).Val())

		// A command error inside EXEC does not undo the others.
		cmds, err = rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, "s", "x", 0)
			p.Incr(ctx, "s")
			p.Set(ctx, "t", "y", 0)
			return nil
		})
		require.Error(t, err)
		assert.EqualError(t, cmds[1].Err(), "ERR value is not an integer or out of range")
		assert.Equal(t, "y", rdb.Get(ctx, "t").Val())

		// WATCH: an untouched key lets EXEC run, a modified one aborts it.
		err = rdb.Watch(ctx, func(tx *redis.Tx) error {
			_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, "w", "mine", 0)
				return nil
			})
			return err
		}, "w")
		require.NoError(t, err)
		other := newGoRedis(t, rdb.Options().Addr, rdb.Options().Protocol)
		err = rdb.Watch(ctx, func(tx *redis.Tx) error {
			require.NoError(t, other.Set(ctx, "w", "theirs", 0).Err())
			_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, "w", "mine again", 0)
				return nil
			})
			return err
		}, "w")
		assert.ErrorIs(t, err, redis.TxFailedErr)
		assert.Equal(t, "theirs", rdb.Get(ctx, "w").Val())
	})
}

func TestTransactionsRaw(t *testing.T) {
	_, _, addr := startServer(t, Options{})
	c := dialRaw(t, addr)
	assert.Equal(t, "-ERR EXEC without MULTI\r\n", c.do("EXEC"))
	assert.Equal(t, "-ERR DISCARD without MULTI\r\n", c.do("DISCARD"))
	assert.Equal(t, "+OK\r\n", c.do("MULTI"))
	assert.Equal(t, "-ERR MULTI calls can not be nested\r\n", c.do("MULTI"))
	assert.Equal(t, "+QUEUED\r\n", c.do("SET", "a", "1"))
	assert.Equal(t, "-ERR WATCH inside MULTI is not allowed\r\n", c.do("WATCH", "a"))
	assert.Equal(t, "*1\r\n+OK\r\n", c.do("EXEC"))

	// Errors detected while queueing abort the whole transaction.
	assert.Equal(t, "+OK\r\n", c.do("MULTI"))
	assert.Equal(t, "+QUEUED\r\n", c.do("SET", "a", "2"))
	assert.Equal(t, "-ERR unknown command 'NOSUCH', with args beginning with: \r\n", c.do("NOSUCH"))
	assert.Equal(t, "-ERR wrong number of arguments for 'get' command\r\n", c.do("GET"))
	assert.Equal(t, "-EXECABORT Transaction discarded because of previous errors.\r\n", c.do("EXEC"))
	assert.Equal(t, "$1\r\n1\r\n", c.do("GET", "a"))

	assert.Equal(t, "+OK\r\n", c.do("MULTI"))
	assert.Equal(t, "+QUEUED\r\n", c.do("SET", "a", "3"))
	assert.Equal(t, "+OK\r\n", c.do("DISCARD"))
	assert.Equal(t, "$1\r\n1\r\n", c.do("GET", "a"))

	// WATCH sees expiry, deletion and TTL changes; UNWATCH forgets.
	other := dialRaw(t, addr)
	for _, change := range [][]string{{"DEL", "a"}, {"EXPIRE", "a", "100"}, {"SET", "a", "1"}, {"APPEND", "a", "x"}} {
		assert.Equal(t, "+OK\r\n", c.do("SET", "a", "1"))
		assert.Equal(t, "+OK\r\n", c.do("WATCH", "a"))
		other.do(change...)
		assert.Equal(t, "+OK\r\n", c.do("MULTI"))
		assert.Equal(t, "+QUEUED\r\n", c.do("PING"))
		assert.Equal(t, "*-1\r\n", c.do("EXEC"), "after %v", change)
	}
	assert.Equal(t, "+OK\r\n", c.do("WATCH", "a"))
	other.do("SET", "a", "changed")
	assert.Equal(t, "+OK\r\n", c.do("UNWATCH"))
	assert.Equal(t, "+OK\r\n", c.do("MULTI"))
	assert.Equal(t, "*0\r\n", c.do("EXEC"))

	// A watched key in another database is checked too.
	assert.Equal(t, "+OK\r\n", c.do("WATCH", "a"))
	assert.Equal(t, "+OK\r\n", c.do("SELECT", "2"))
	other.do("SET", "a", "again")
	assert.Equal(t, "+OK\r\n", c.do("MULTI"))
	assert.Equal(t, "+QUEUED\r\n", c.do("SET", "b", "1"))
	assert.Equal(t, "*-1\r\n", c.do("EXEC"))
	assert.Equal(t, "$-1\r\n", c.do("GET", "b"))

	// SELECT inside MULTI switches the database for what follows.
	assert.Equal(t, "+OK\r\n", c.do("MULTI"))
	assert.Equal(t, "+QUEUED\r\n", c.do("SET", "x", "2"))
	assert.Equal(t, "+QUEUED\r\n", c.do("SELECT", "3"))
	assert.Equal(t, "+QUEUED\r\n", c.do("SET", "x", "3"))
	assert.Equal(t, "*3\r\n+OK\r\n+OK\r\n+OK\r\n", c.do("EXEC"))
	assert.Equal(t, "$1\r\n3\r\n", c.do("GET", "x"))
	assert.Equal(t, "+OK\r\n", c.do("SELECT", "2"))
	assert.Equal(t, "$1\r\n2\r\n", c.do("GET", "x"))
}
