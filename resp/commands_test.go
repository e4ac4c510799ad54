package resp

import (
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/engine"
)

// Every command of the table, with random arguments from a small alphabet
// (keys that collide, numbers, options), alone and inside MULTI, in both
// protocols: no command may panic (which would mean a wrong key
// specification or an engine bug), and the connection stays usable.
func TestAllCommandsWithRandomArguments(t *testing.T) {
	srv, _, addr := startServer(t, Options{})
	alphabet := []string{"k", "k2", "0", "1", "-1", "2", "x", "", "3.5", "inf", "-inf", "(1", "[a", "-", "+",
		"NX", "XX", "GT", "LT", "CH", "INCR", "EX", "PX", "KEEPTTL", "GET", "WITHSCORES", "LIMIT", "REV",
		"BYSCORE", "BYLEX", "COUNT", "MATCH", "TYPE", "RANK", "MAXLEN", "LEFT", "RIGHT", "BEFORE", "AFTER", "*"}
	skip := map[string]bool{"quit": true, "reset": true, "subscribe": true, "psubscribe": true, "auth": true, "hello": true, "select": true, "flushall": true, "config": true,
		"multi": true, "exec": true, "discard": true, "unsubscribe": true, "punsubscribe": true}
	r := rand.New(rand.NewPCG(1, 2))
	for _, proto := range []string{"2", "3"} {
		c := dialRaw(t, addr)
		require.True(t, strings.HasPrefix(c.do("HELLO", proto), map[string]string{"2": "*14", "3": "%7"}[proto]))
		seed := [][]string{{"SET", "k", "1"}, {"RPUSH", "l", "a", "b"}, {"HSET", "h", "a", "1"}, {"SADD", "s", "a"}, {"ZADD", "z", "1", "a"}}
		for _, cmd := range sortedCommands() {
			if skip[cmd.name] {
				continue
			}
			for i := 0; i < 25; i++ {
				for _, s := range seed {
					c.do(s...)
				}
				args := []string{cmd.name}
				if cmd.subs != nil {
					subs := sortedSubs(cmd)
					args = append(args, subs[r.IntN(len(subs))].name)
				}
				for n := r.IntN(6); n > 0; n-- {
					pool := append(alphabet, "l", "h", "s", "z")
					args = append(args, pool[r.IntN(len(pool))])
				}
				// A blocking command runs inside MULTI, where it never
				// waits: random arguments can name an empty list and a
				// timeout of 0.
				inMulti := r.IntN(4) == 0 || cmd.flags&flagBlocking != 0
				if inMulti {
					require.Equal(t, "+OK\r\n", c.do("MULTI"))
				}
				reply := c.do(args...)
				if inMulti {
					reply += c.do("EXEC")
				}
				require.NotContains(t, reply, "internal error", "%q", args)
			}
		}
		assert.Equal(t, "+PONG\r\n", c.do("PING"), "proto %s", proto)
	}
	assert.Contains(t, srv.info([]string{"stats"}), "internal_errors:0\r\n")
}

// A command that panics (an engine bug) costs its connection, not the
// process, and leaves the engine usable.
func TestPanickingCommandClosesOnlyItsConnection(t *testing.T) {
	commands["boom"] = &command{name: "boom", arity: 2, first: 1, last: 1, step: 1, txn: func(c *client, tx engine.Txn, a []string) error {
		tx.Set(a[0], "half done", engine.SetOptions{})
		panic("simulated engine bug")
	}}
	t.Cleanup(func() { delete(commands, "boom") })
	srv, _, addr := startServer(t, Options{})
	c := dialRaw(t, addr)
	assert.Equal(t, "-ERR internal error in 'boom' command: simulated engine bug\r\n", c.do("BOOM", "k"))
	require.NoError(t, c.nc.SetReadDeadline(time.Now().Add(testTimeout)))
	_, err := c.br.ReadByte()
	assert.ErrorIs(t, err, io.EOF)
	other := dialRaw(t, addr)
	assert.Equal(t, "$9\r\nhalf done\r\n", other.do("GET", "k"), "the shard lock was released")
	assert.Contains(t, srv.info([]string{"stats"}), "internal_errors:1\r\n")
}
