package resp

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/engine"
)

func TestConnectionCommandsRaw(t *testing.T) {
	_, _, addr := startServer(t, Options{})
	c := dialRaw(t, addr)
	assert.Equal(t, "+PONG\r\n", c.do("PING"))
	assert.Equal(t, "$2\r\nhi\r\n", c.do("PING", "hi"))
	assert.Equal(t, "-ERR wrong number of arguments for 'ping' command\r\n", c.do("PING", "a", "b"))
	assert.Equal(t, "$3\r\na b\r\n", c.do("ECHO", "a b"))
	assert.Equal(t, "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n", c.do("foo", "a", "b"))
	long := strings.Repeat("x", 200)
	assert.Equal(t, "-ERR unknown command '"+long[:128]+"', with args beginning with: '"+long[:128]+"' \r\n", c.do(long, long, long))
	assert.Equal(t, "-ERR unknown command 'a ', with args beginning with: 'b ' \r\n", c.do("a\n", "b\r"))
	assert.Equal(t, "-ERR unknown subcommand 'nope'. Try CONFIG HELP.\r\n", c.do("config", "nope"))
	assert.Equal(t, "-ERR wrong number of arguments for 'config' command\r\n", c.do("config"))
	help := c.do("CONFIG", "HELP")
	assert.True(t, strings.HasPrefix(help, "*"), help)
	assert.Contains(t, help, "+GET\r\n")
	assert.Equal(t, "-ERR wrong number of arguments for 'config|get' command\r\n", c.do("config", "get"))
	assert.Equal(t, "-ERR wrong number of arguments for 'get' command\r\n", c.do("GET"))
	assert.Equal(t, "-ERR value is not an integer or out of range\r\n", c.do("SELECT", "x"))

	// Inline commands, telnet style, share the connection.
	c.write([]byte("SET greeting \"hello world\"\r\nGET greeting\r\n"))
	assert.Equal(t, "+OK\r\n", c.reply())
	assert.Equal(t, "$11\r\nhello world\r\n", c.reply())

	// HELLO negotiates the protocol.
	assert.Equal(t, "-NOPROTO unsupported protocol version\r\n", c.do("HELLO", "4"))
	assert.Equal(t, "-ERR Protocol version is not an integer or out of range\r\n", c.do("HELLO", "x"))
	assert.Equal(t, "-ERR Syntax error in HELLO option 'bogus'\r\n", c.do("HELLO", "3", "bogus"))
	hello := c.do("HELLO", "3", "SETNAME", "me")
	assert.True(t, strings.HasPrefix(hello, "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n"+RedisVersion+"\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:"), hello)
	assert.True(t, strings.HasSuffix(hello, "$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n"), hello)
	assert.Equal(t, "$2\r\nme\r\n", c.do("CLIENT", "GETNAME"))
	assert.Equal(t, "_\r\n", c.do("GET", "nokey"))
	assert.Equal(t, "%2\r\n$7\r\ntimeout\r\n$1\r\n0\r\n$9\r\ndatabases\r\n$2\r\n16\r\n", c.do("CONFIG", "GET", "timeout", "databases"))
	assert.Equal(t, "+RESET\r\n", c.do("RESET"))
	assert.Equal(t, "$-1\r\n", c.do("CLIENT", "GETNAME"))
	assert.Equal(t, "*4\r\n$7\r\ntimeout\r\n$1\r\n0\r\n$9\r\ndatabases\r\n$2\r\n16\r\n", c.do("CONFIG", "GET", "timeout", "databases"))

	time := c.do("TIME")
	assert.True(t, strings.HasPrefix(time, "*2\r\n$10\r\n"), time)
	assert.Equal(t, "+OK\r\n", c.do("QUIT"))
	require.NoError(t, c.nc.SetReadDeadline(timeNow().Add(testTimeout)))
	rest, err := io.ReadAll(c.br)
	require.NoError(t, err)
	assert.Empty(t, rest)
}

var timeNow = time.Now

func TestAuth(t *testing.T) {
	_, _, addr := startServer(t, Options{Password: "s3cret"})
	c := dialRaw(t, addr)
	assert.Equal(t, "-NOAUTH Authentication required.\r\n", c.do("GET", "k"))
	assert.Equal(t, "-ERR unknown command 'nosuch', with args beginning with: \r\n", c.do("nosuch"))
	assert.Equal(t, "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n", c.do("HELLO", "3"))
	assert.Equal(t, "-WRONGPASS invalid username-password pair or user is disabled.\r\n", c.do("AUTH", "wrong"))
	assert.Equal(t, "-WRONGPASS invalid username-password pair or user is disabled.\r\n", c.do("AUTH", "bob", "s3cret"))
	assert.Equal(t, "+OK\r\n", c.do("AUTH", "s3cret"))
	assert.Equal(t, "$-1\r\n", c.do("GET", "k"))
	// Before AUTH, large requests are refused outright.
	u := dialRaw(t, addr)
	assert.Equal(t, "-ERR Protocol error: unauthenticated multibulk length\r\n", u.do("DEL", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"))

	ctx := testCtx(t)
	for _, proto := range []int{2, 3} {
		ok := newGoRedis(t, addr, proto, func(o *redis.Options) { o.Password = "s3cret" })
		require.NoError(t, ok.Set(ctx, "k", "v", 0).Err())
		bad := newGoRedis(t, addr, proto, func(o *redis.Options) { o.Password = "nope" })
		assert.ErrorContains(t, bad.Ping(ctx).Err(), "WRONGPASS")
	}
	open := dialRaw(t, func() string { _, _, a := startServer(t, Options{}); return a }())
	assert.Equal(t, "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n", open.do("AUTH", "x"))
	assert.Equal(t, "+OK\r\n", open.do("AUTH", "default", "anything"))
}

func TestServerCommandsGoRedis(t *testing.T) {
	forBothProtocols(t, func(t *testing.T, rdb *redis.Client) {
		ctx := testCtx(t)
		require.NoError(t, rdb.Set(ctx, "k", "v", time.Hour).Err())
		info, err := rdb.Info(ctx).Result()
		require.NoError(t, err)
		for _, want := range []string{"# Server\r\n", "redis_version:" + RedisVersion, "# Clients\r\n", "connected_clients:", "# Memory\r\n", "used_memory:", "# Stats\r\n", "total_commands_processed:", "# Keyspace\r\ndb0:keys=1,"} {
			assert.Contains(t, info, want)
		}
		ks, err := rdb.Info(ctx, "keyspace").Result()
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(ks, "# Keyspace\r\ndb0:keys=1,"), ks)
		assert.NotContains(t, ks, "# Server")

		id, err := rdb.ClientID(ctx).Result()
		require.NoError(t, err)
		assert.Positive(t, id)
		list, err := rdb.ClientList(ctx).Result()
		require.NoError(t, err)
		assert.Contains(t, list, "cmd=client|list")
		assert.Contains(t, list, "resp="+map[int]string{2: "2", 3: "3"}[rdb.Options().Protocol])

		cfg, err := rdb.ConfigGet(ctx, "max*").Result()
		require.NoError(t, err)
		assert.Equal(t, "0", cfg["maxmemory"])
		assert.Equal(t, "10000", cfg["maxclients"])
		require.NoError(t, rdb.ConfigSet(ctx, "timeout", "300").Err())
		assert.Equal(t, map[string]string{"timeout": "300"}, rdb.ConfigGet(ctx, "timeout").Val())
		require.NoError(t, rdb.ConfigSet(ctx, "timeout", "0").Err())
		assert.EqualError(t, rdb.ConfigSet(ctx, "nosuch", "1").Err(), "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'")
		assert.EqualError(t, rdb.ConfigSet(ctx, "maxclients", "x").Err(), "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer")
		assert.EqualError(t, rdb.ConfigSet(ctx, "databases", "4").Err(), "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config")

		n, err := rdb.Do(ctx, "command", "count").Int()
		require.NoError(t, err)
		assert.Equal(t, len(commands), n)
		infos, err := rdb.Command(ctx).Result()
		require.NoError(t, err)
		assert.EqualValues(t, -3, infos["set"].Arity)
		assert.EqualValues(t, 1, infos["mset"].FirstKeyPos)
		assert.EqualValues(t, 2, infos["mset"].StepCount)
		assert.Contains(t, infos["get"].Flags, "readonly")
		docs, err := rdb.Do(ctx, "command", "docs", "get").Result()
		require.NoError(t, err)
		assert.NotEmpty(t, docs)
		lastSave, err := rdb.LastSave(ctx).Result()
		require.NoError(t, err)
		assert.InDelta(t, time.Now().Unix(), lastSave, 60)
		tm, err := rdb.Time(ctx).Result()
		require.NoError(t, err)
		assert.WithinDuration(t, time.Now(), tm, time.Minute)
	})
}

func TestIntrospectionRaw(t *testing.T) {
	srv, _, addr := startServer(t, Options{})
	c := dialRaw(t, addr)
	assert.Equal(t, "*2\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n*0\r\n*0\r\n$-1\r\n", c.do("COMMAND", "INFO", "get", "nosuch"))
	list := c.do("COMMAND", "LIST")
	assert.Contains(t, list, "$4\r\nzadd\r\n")
	assert.Equal(t, "-ERR syntax error\r\n", c.do("COMMAND", "LIST", "FILTERBY", "x"))
	assert.Equal(t, "+OK\r\n", c.do("CLIENT", "NO-EVICT", "on"))
	assert.Equal(t, "-ERR syntax error\r\n", c.do("CLIENT", "NO-EVICT", "maybe"))
	assert.Equal(t, "+OK\r\n", c.do("CLIENT", "SETINFO", "LIB-NAME", "x"))
	assert.Equal(t, "-ERR Unrecognized option 'FOO'\r\n", c.do("CLIENT", "SETINFO", "FOO", "x"))
	info := c.do("CLIENT", "INFO")
	assert.Contains(t, info, "cmd=client|info")

	sub := dialRaw(t, addr)
	assert.Equal(t, "*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n", sub.do("SUBSCRIBE", "c"))
	assert.Contains(t, c.do("CLIENT", "LIST", "TYPE", "pubsub"), "sub=1")
	assert.NotContains(t, c.do("CLIENT", "LIST", "TYPE", "normal"), "sub=1")
	assert.Equal(t, "-ERR Unknown client type 'x'\r\n", c.do("CLIENT", "LIST", "TYPE", "x"))
	assert.Equal(t, "-ERR Invalid client ID\r\n", c.do("CLIENT", "LIST", "ID", "x"))
	assert.Equal(t, "$0\r\n\r\n", c.do("CLIENT", "LIST", "ID", "999999"))
	// RESET leaves subscriber mode.
	assert.Equal(t, "+RESET\r\n", sub.do("RESET"))
	assert.Equal(t, "$-1\r\n", sub.do("GET", "c"))
	assert.Equal(t, ":0\r\n", c.do("PUBLISH", "c", "m"))

	assert.Equal(t, "+OK\r\n", c.do("CONFIG", "RESETSTAT"))
	assert.Equal(t, "-ERR The server is running without a config file\r\n", c.do("CONFIG", "REWRITE"))
	assert.Contains(t, srv.info([]string{"everything"}), "# CPU\r\n")
	assert.Equal(t, "", srv.info([]string{"nosuchsection"}))
}

func TestListenAndServe(t *testing.T) {
	eng, err := engine.Open(engine.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = eng.Close() })
	srv := NewServer(eng, Options{})
	assert.Error(t, srv.ListenAndServe("256.0.0.1:0"))
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe("127.0.0.1:0") }()
	require.Eventually(t, func() bool { return srv.Addr() != nil }, testTimeout, time.Millisecond)
	assert.Equal(t, "+PONG\r\n", dialRaw(t, srv.Addr().String()).do("PING"))
	require.NoError(t, srv.Close())
	assert.ErrorIs(t, <-done, ErrServerClosed)
}
