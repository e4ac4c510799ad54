package resp

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPipelinesGoRedis(t *testing.T) {
	forBothProtocols(t, func(t *testing.T, rdb *redis.Client) {
		ctx := testCtx(t)
		cmds, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i := 0; i < 1000; i++ {
				p.Set(ctx, fmt.Sprint("k", i), i, 0)
				p.Incr(ctx, fmt.Sprint("k", i))
			}
			p.Get(ctx, "k999")
			p.Do(ctx, "nosuch")
			p.LPush(ctx, "k1", "x") // WRONGTYPE, the pipeline goes on
			p.DBSize(ctx)
			return nil
		})
		require.Error(t, err) // the first failed command's error
		require.Len(t, cmds, 2004)
		assert.Equal(t, int64(1000), cmds[1999].(*redis.IntCmd).Val())
		assert.Equal(t, "1000", cmds[2000].(*redis.StringCmd).Val())
		assert.EqualError(t, cmds[2001].Err(), "ERR unknown command 'nosuch', with args beginning with: ")
		assert.EqualError(t, cmds[2002].Err(), "WRONGTYPE Operation against a key holding the wrong kind of value")
		assert.Equal(t, int64(1000), cmds[2003].(*redis.IntCmd).Val())

		// Values far larger than the read and write buffers.
		big := strings.Repeat("0123456789", 300_000)
		require.NoError(t, rdb.Set(ctx, "big", big, 0).Err())
		assert.Equal(t, big, rdb.Get(ctx, "big").Val())
		assert.Equal(t, int64(len(big)+1), rdb.Append(ctx, "big", "!").Val())
	})
}

// Many clients at once: every reply reaches the client that asked, in
// order, and the engine's counters add up.
func TestConcurrentClients(t *testing.T) {
	_, _, addr := startServer(t, Options{})
	ctx := testCtx(t)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rdb := newGoRedis(t, addr, 2+w%2)
			for i := 0; i < 200; i++ {
				key := fmt.Sprintf("w%d:%d", w, i)
				if err := rdb.Set(ctx, key, key, 0).Err(); err != nil {
					t.Error(err)
					return
				}
				if v := rdb.Get(ctx, key).Val(); v != key {
					t.Errorf("GET %s = %q", key, v)
					return
				}
				if err := rdb.Incr(ctx, "shared").Err(); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	rdb := newGoRedis(t, addr, 2)
	assert.Equal(t, "1600", rdb.Get(ctx, "shared").Val())
	assert.Equal(t, int64(1601), rdb.DBSize(ctx).Val())
}
