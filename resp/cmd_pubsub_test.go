package resp

import (
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/engine"
)

func TestPubSubGoRedis(t *testing.T) {
	forBothProtocols(t, func(t *testing.T, rdb *redis.Client) {
		ctx := testCtx(t)
		ps := rdb.Subscribe(ctx, "news")
		t.Cleanup(func() { _ = ps.Close() })
		_, err := ps.Receive(ctx) // the subscribe confirmation
		require.NoError(t, err)
		require.NoError(t, ps.PSubscribe(ctx, "n*"))
		_, err = ps.Receive(ctx)
		require.NoError(t, err)

		assert.Equal(t, int64(2), rdb.Publish(ctx, "news", "hello").Val())
		assert.Equal(t, int64(1), rdb.Publish(ctx, "nope", "x").Val())
		assert.Equal(t, int64(0), rdb.Publish(ctx, "other", "x").Val())

		got := map[string]bool{}
		for i := 0; i < 3; i++ {
			m, err := ps.ReceiveMessage(ctx)
			require.NoError(t, err)
			got[m.Pattern+"|"+m.Channel+"|"+m.Payload] = true
		}
		assert.Equal(t, map[string]bool{"|news|hello": true, "n*|news|hello": true, "n*|nope|x": true}, got)

		assert.Equal(t, []string{"news"}, rdb.PubSubChannels(ctx, "*").Val())
		assert.Equal(t, map[string]int64{"news": 1, "none": 0}, rdb.PubSubNumSub(ctx, "news", "none").Val())
		assert.Equal(t, int64(1), rdb.PubSubNumPat(ctx).Val())

		require.NoError(t, ps.Unsubscribe(ctx, "news"))
		require.NoError(t, ps.PUnsubscribe(ctx, "n*"))
		require.Eventually(t, func() bool { return rdb.PubSubNumPat(ctx).Val() == 0 }, testTimeout, time.Millisecond)
	})
}

func TestPubSubRawRESP2(t *testing.T) {
	_, _, addr := startServer(t, Options{})
	c := dialRaw(t, addr)
	pub := dialRaw(t, addr)
	assert.Equal(t, "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n", c.do("UNSUBSCRIBE"))
	c.write(encode("SUBSCRIBE", "a", "b"))
	assert.Equal(t, "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n", c.reply())
	assert.Equal(t, "*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n", c.reply())
	assert.Equal(t, "*2\r\n$4\r\npong\r\n$0\r\n\r\n", c.do("PING"))
	assert.Equal(t, "*2\r\n$4\r\npong\r\n$1\r\nx\r\n", c.do("PING", "x"))
	assert.Equal(t, "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n", c.do("GET", "a"))
	assert.Equal(t, "*3\r\n$10\r\npsubscribe\r\n$2\r\nb*\r\n:3\r\n", c.do("PSUBSCRIBE", "b*"))

	assert.Equal(t, ":2\r\n", pub.do("PUBLISH", "b", "hi"))
	assert.Equal(t, "*3\r\n$7\r\nmessage\r\n$1\r\nb\r\n$2\r\nhi\r\n", c.reply())
	assert.Equal(t, "*4\r\n$8\r\npmessage\r\n$2\r\nb*\r\n$1\r\nb\r\n$2\r\nhi\r\n", c.reply())

	c.write(encode("UNSUBSCRIBE"))
	assert.Equal(t, "*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:2\r\n", c.reply())
	assert.Equal(t, "*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:1\r\n", c.reply())
	assert.Equal(t, "*3\r\n$12\r\npunsubscribe\r\n$2\r\nb*\r\n:0\r\n", c.do("PUNSUBSCRIBE", "b*"))
	assert.Equal(t, "+PONG\r\n", c.do("PING"))
	assert.Equal(t, "$-1\r\n", c.do("GET", "a"))
}

func TestPubSubRawRESP3(t *testing.T) {
	_, eng, addr := startServer(t, Options{})
	c := dialRaw(t, addr)
	pub := dialRaw(t, addr)
	require.True(t, strings.HasPrefix(c.do("HELLO", "3"), "%7\r\n"))
	assert.Equal(t, ">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n", c.do("UNSUBSCRIBE"))
	assert.Equal(t, ">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n", c.do("SUBSCRIBE", "a"))
	// RESP3 has no subscriber mode: other commands keep working.
	assert.Equal(t, "+PONG\r\n", c.do("PING"))
	assert.Equal(t, "_\r\n", c.do("GET", "a"))
	assert.Equal(t, ":1\r\n", pub.do("PUBLISH", "a", "x"))
	assert.Equal(t, ">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nx\r\n", c.reply())
	// Channels are the engine's: an embedder publishing in database 0's
	// namespace reaches RESP subscribers.
	assert.Equal(t, 1, eng.DB(DefaultNamespace+"0").Publish("a", "from the engine"))
	assert.Equal(t, ">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$15\r\nfrom the engine\r\n", c.reply())
}

// A subscriber that stops reading is disconnected instead of making the
// server buffer without bound, and publishers never block on it.
func TestPubSubSlowSubscriberDisconnected(t *testing.T) {
	srv, _, addr := startServer(t, Options{PubSubWriteTimeout: 200 * time.Millisecond}, engine.Options{PubSubBuffer: 8})
	slow := dialRaw(t, addr)
	assert.Equal(t, "*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n", slow.do("SUBSCRIBE", "c"))
	pub := newGoRedis(t, addr, 2)
	ctx := testCtx(t)
	payload := strings.Repeat("x", 64*1024)
	// Publish until the subscriber has been dropped: PUBLISH then counts
	// no receiver.
	deadline := time.Now().Add(testTimeout)
	for {
		n, err := pub.Publish(ctx, "c", payload).Result()
		require.NoError(t, err)
		if n == 0 {
			break
		}
		require.True(t, time.Now().Before(deadline), "slow subscriber never dropped")
	}
	require.Eventually(t, func() bool {
		return strings.Contains(srv.info([]string{"clients"}), "pubsub_clients:0")
	}, testTimeout, time.Millisecond)
}
