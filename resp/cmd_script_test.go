package resp

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/engine"
)

// go-redis's Script.Run tries EVALSHA and falls back to EVAL on NOSCRIPT,
// which loads the script: the next EVALSHA finds it.
func TestScriptRunFallsBackToEval(t *testing.T) {
	_, _, addr := startServer(t, Options{})
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			ctx := testCtx(t)
			rdb := newGoRedis(t, addr, proto)
			require.NoError(t, rdb.ScriptFlush(ctx).Err())
			s := redis.NewScript(`return redis.call('incrby', KEYS[1], ARGV[1])`)
			require.Equal(t, sha1hex(`return redis.call('incrby', KEYS[1], ARGV[1])`), s.Hash())

			_, err := s.EvalSha(ctx, rdb, []string{"ctr"}, 2).Result()
			require.EqualError(t, err, "NOSCRIPT No matching script. Please use EVAL.")

			n, err := s.Run(ctx, rdb, []string{"ctr"}, 2).Int64()
			require.NoError(t, err)
			require.Equal(t, int64(2), n)
			exists, err := s.Exists(ctx, rdb).Result()
			require.NoError(t, err)
			require.Equal(t, []bool{true}, exists)

			n, err = s.EvalSha(ctx, rdb, []string{"ctr"}, 3).Int64()
			require.NoError(t, err)
			require.Equal(t, int64(5), n)

			n, err = s.RunRO(ctx, rdb, []string{"ctr"}, 1).Int64()
			require.EqualError(t, err, "ERR Write commands are not allowed from read-only scripts. script: "+s.Hash()+", on @user_script:1.")
			require.NoError(t, rdb.Del(ctx, "ctr").Err())
		})
	}
}

func TestScriptKeysAndArgv(t *testing.T) {
	_, _, addr := startServer(t, Options{})
	ctx := testCtx(t)
	rdb := newGoRedis(t, addr, 2)
	got, err := rdb.Eval(ctx, `return {#KEYS, #ARGV, KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3]}`,
		[]string{"k1", "k2"}, "a", 7, 1.5).Slice()
	require.NoError(t, err)
	require.Equal(t, []any{int64(2), int64(3), "k1", "k2", "a", "7", "1.5"}, got)

	_, err = rdb.Do(ctx, "EVAL", "return 1", "3", "a", "b").Result()
	require.EqualError(t, err, "ERR Number of keys can't be greater than number of args")
	_, err = rdb.Do(ctx, "EVAL", "return 1", "-1").Result()
	require.EqualError(t, err, "ERR Number of keys can't be negative")
	_, err = rdb.Do(ctx, "EVAL", "return 1", "x").Result()
	require.EqualError(t, err, "ERR value is not an integer or out of range")
}

// TestScriptConversions checks each Lua -> RESP rule through go-redis, in
// both protocols, and the RESP -> Lua rules by round trips through
// redis.call.
func TestScriptConversions(t *testing.T) {
	_, _, addr := startServer(t, Options{})
	cases := []struct {
		script string
		want   any // go-redis's decoding of the reply; error: the error text
		want3  any // when RESP3 decodes differently
	}{
		{script: `return 42`, want: int64(42)},
		{script: `return 3.99`, want: int64(3)},
		{script: `return -3.99`, want: int64(-3)},
		{script: `return 'str'`, want: "str"},
		{script: `return true`, want: int64(1)},
		{script: `return false`, want: redis.Nil},
		{script: `return nil`, want: redis.Nil},
		{script: `return {1, 'two', {3}, nil, 5}`, want: []any{int64(1), "two", []any{int64(3)}}},
		{script: `return {1, false, 3}`, want: []any{int64(1), nil, int64(3)}},
		{script: `return {ok = 'FINE'}`, want: "FINE"},
		{script: `return {err = 'CODE message'}`, want: fmt.Errorf("CODE message")},
		{script: `return redis.error_reply('oops')`, want: fmt.Errorf("ERR oops")},
		{script: `return redis.status_reply('DONE')`, want: "DONE"},
		{script: `return {double = 2.5}`, want: "2.5", want3: 2.5},
		{script: `redis.setresp(3); return true`, want: int64(1), want3: true},
		{script: `redis.setresp(3); return false`, want: int64(0), want3: false},
		{script: `return {map = {k = 'v'}}`, want: []any{"k", "v"}, want3: map[any]any{"k": "v"}},
		{script: `return {set = {m = true}}`, want: []any{"m"}, want3: []any{"m"}},
		// RESP -> Lua: each reply type, returned back as Lua sees it.
		{script: `redis.call('set', 'x', 'v'); return type(redis.call('get', 'x'))`, want: "string"},
		{script: `return tostring(redis.call('get', 'missing'))`, want: "false"},
		{script: `return type(redis.call('incr', 'n'))`, want: "number"},
		{script: `local r = redis.call('set', 'x', 'v'); return {type(r), r.ok}`, want: []any{"table", "OK"}},
		{script: `redis.call('set', 'x', 'v'); local r = redis.pcall('hget', 'x', 'f'); return {type(r), r.err}`, want: []any{"table", "WRONGTYPE Operation against a key holding the wrong kind of value"}},
		{script: `redis.call('rpush', 'l', 'a', 'b'); local r = redis.call('lrange', 'l', 0, -1); return {#r, r[1], r[2]}`, want: []any{int64(2), "a", "b"}},
		{script: `redis.setresp(3); return tostring(redis.call('get', 'missing'))`, want: "nil"},
		{script: `redis.setresp(3); redis.call('hset', 'h', 'f', 'v'); return redis.call('hgetall', 'h').map.f`, want: "v"},
		{script: `redis.setresp(3); redis.call('sadd', 's', 'm'); return tostring(redis.call('smembers', 's').set.m)`, want: "true"},
		{script: `redis.setresp(3); redis.call('zadd', 'z', 1.5, 'm'); return tostring(redis.call('zscore', 'z', 'm').double)`, want: "1.5"},
		{script: `local t = {}; t[1] = t; return t`, want: []any{fmt.Errorf("ERR reached lua stack limit")}},
	}
	for _, proto := range []int{2, 3} {
		ctx := testCtx(t)
		rdb := newGoRedis(t, addr, proto)
		for _, tc := range cases {
			require.NoError(t, rdb.FlushDB(ctx).Err())
			got, err := rdb.Eval(ctx, tc.script, nil).Result()
			want := tc.want
			if proto == 3 && tc.want3 != nil {
				want = tc.want3
			}
			if strings.Contains(tc.script, "t[1] = t") {
				// The nesting limit answers an error deep inside arrays.
				require.NoError(t, err)
				for depth := 0; depth <= maxReplyDepth; depth++ {
					a, ok := got.([]any)
					require.True(t, ok, "depth %d", depth)
					require.Len(t, a, 1)
					got = a[0]
				}
				require.EqualError(t, got.(error), "ERR reached lua stack limit")
				continue
			}
			switch w := want.(type) {
			case error:
				if w == redis.Nil {
					require.ErrorIs(t, err, redis.Nil, "RESP%d %s", proto, tc.script)
				} else {
					require.EqualError(t, err, w.Error(), "RESP%d %s", proto, tc.script)
				}
			default:
				require.NoError(t, err, "RESP%d %s", proto, tc.script)
				require.Equal(t, want, got, "RESP%d %s", proto, tc.script)
			}
		}
	}
}

// redis.call raises the command's error, with the script position;
// redis.pcall returns it as an error table; pcall(redis.call, ...) gives
// the message string (Redis 7.0's pcall).
func TestScriptCallAndPcallErrors(t *testing.T) {
	_, _, addr := startServer(t, Options{})
	ctx := testCtx(t)
	rdb := newGoRedis(t, addr, 2)
	require.NoError(t, rdb.Set(ctx, "s", "abc", 0).Err())
	src := "local x = 1\nreturn redis.call('incr', 's')"
	_, err := rdb.Eval(ctx, src, nil).Result()
	require.EqualError(t, err, "ERR value is not an integer or out of range script: "+sha1hex(src)+", on @user_script:2.")

	_, err = rdb.Eval(ctx, `return redis.pcall('incr', 's')`, nil).Result()
	require.EqualError(t, err, "ERR value is not an integer or out of range")

	help, err := rdb.Eval(ctx, `return redis.call('config', 'help')[1]`, nil).Text()
	require.NoError(t, err)
	require.Equal(t, "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", help)

	got, err := rdb.Eval(ctx, `local ok, e = pcall(redis.call, 'incr', 's'); return {tostring(ok), e}`, nil).StringSlice()
	require.NoError(t, err)
	require.Equal(t, []string{"false", "ERR value is not an integer or out of range"}, got)

	// The script goes on after a pcall error; writes before a raised
	// error stay (no rollback, as in Redis).
	src = "redis.call('set', 'before', '1')\nredis.call('incr', 's')\nredis.call('set', 'after', '1')"
	_, err = rdb.Eval(ctx, src, nil).Result()
	require.EqualError(t, err, "ERR value is not an integer or out of range script: "+sha1hex(src)+", on @user_script:2.")
	require.Equal(t, int64(1), rdb.Exists(ctx, "before").Val())
	require.Equal(t, int64(0), rdb.Exists(ctx, "after").Val())

	for _, tc := range []struct{ script, msg string }{
		{`return redis.call('nosuch')`, "ERR Unknown Redis command called from script"},
		{`return redis.call('get')`, "ERR Wrong number of args calling Redis command from script"},
		{`return redis.call('subscribe', 'ch')`, "ERR This Redis command is not allowed from script"},
		{`return redis.call('eval', 'return 1', 0)`, "ERR This Redis command is not allowed from script"},
		{`return redis.call('get', {})`, "ERR Lua redis lib command arguments must be strings or integers"},
		{`return redis.call()`, "ERR Please specify at least one argument for this redis lib call"},
		{`return redis.call('keys', '*')`, "ERR 'keys' is not available inside scripts in isa-memstore (it cannot run inside the script's transaction)"},
		{`return redis.call('info')`, "ERR 'info' is not available inside scripts in isa-memstore (it cannot run inside the script's transaction)"},
		{`return redis.call('dbsize')`, "ERR 'dbsize' is not available inside scripts in isa-memstore (it cannot run inside the script's transaction)"},
		{`error('boom')`, "ERR user_script:1: boom"},
		{`error({err = 'MY code'})`, "MY code"},
	} {
		_, err := rdb.Eval(ctx, tc.script, nil).Result()
		require.EqualError(t, err, tc.msg+" script: "+sha1hex(tc.script)+", on @user_script:1.", tc.script)
	}
}

// TestScriptAtomic runs scripts that INCR a key twice while other clients
// INCR it: no other INCR may land between a script's two.
func TestScriptAtomic(t *testing.T) {
	_, _, addr := startServer(t, Options{})
	ctx := testCtx(t)
	rdb := newGoRedis(t, addr, 2, func(o *redis.Options) { o.PoolSize = 8 })
	s := redis.NewScript(`local a = redis.call('incr', KEYS[1]); local b = redis.call('incr', KEYS[1]); return {a, b}`)
	const workers, rounds = 4, 200
	var wg sync.WaitGroup
	errs := make(chan error, 2*workers)
	for w := 0; w < workers; w++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				got, err := s.Run(ctx, rdb, []string{"ctr"}).Int64Slice()
				if err != nil {
					errs <- err
					return
				}
				if got[1] != got[0]+1 {
					errs <- fmt.Errorf("script's increments interleaved: %v", got)
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				if err := rdb.Incr(ctx, "ctr").Err(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, strconv.Itoa(3*workers*rounds), rdb.Get(ctx, "ctr").Val())
}

func TestScriptSandbox(t *testing.T) {
	_, _, addr := startServer(t, Options{})
	ctx := testCtx(t)
	rdb := newGoRedis(t, addr, 2)
	for _, tc := range []struct{ script, msg string }{
		{`x = 1`, "ERR user_script:1: Attempt to modify a readonly table"},
		{`return undefined_name`, "ERR user_script:1: Script attempted to access nonexistent global variable 'undefined_name'"},
		{`return os.time()`, "ERR user_script:1: Script attempted to access nonexistent global variable 'os'"},
		{`return io.open('/etc/passwd')`, "ERR user_script:1: Script attempted to access nonexistent global variable 'io'"},
		{`return loadfile('/etc/passwd')`, "ERR user_script:1: Script attempted to access nonexistent global variable 'loadfile'"},
		{`return dofile('/etc/passwd')`, "ERR user_script:1: Script attempted to access nonexistent global variable 'dofile'"},
		{`return require('os')`, "ERR user_script:1: Script attempted to access nonexistent global variable 'require'"},
		{`string.rep = nil`, "ERR user_script:1: Attempt to modify a readonly table"},
		{`redis.call = function() end`, "ERR user_script:1: Attempt to modify a readonly table"},
		{`rawset(_G, 'x', 1)`, "ERR Attempt to modify a readonly table"},
		{`rawset(string, 'x', 1)`, "ERR Attempt to modify a readonly table"},
		{`setmetatable(_G, nil)`, "ERR Attempt to modify a readonly table"},
		{`return string.rep('x', 2^40)`, "ERR user_script:1: resulting string too large"},
	} {
		_, err := rdb.Eval(ctx, tc.script, nil).Result()
		require.EqualError(t, err, tc.msg+" script: "+sha1hex(tc.script)+", on @user_script:1.", tc.script)
	}
	// Nothing a script tried leaked into the (pooled) interpreters.
	for i := 0; i < 3; i++ {
		got, err := rdb.Eval(ctx, `return {type(rawget(_G, 'x')), type(string.x), type(string.rep)}`, nil).StringSlice()
		require.NoError(t, err)
		require.Equal(t, []string{"nil", "nil", "function"}, got)
	}
	// The string methods still work through the protected library.
	v, err := rdb.Eval(ctx, `return ('abc'):upper() .. string.format('%03d', 7)`, nil).Text()
	require.NoError(t, err)
	require.Equal(t, "ABC007", v)
}

// A runaway script is stopped by the time limit with an error, and the
// server serves others afterwards.
func TestScriptTimeLimit(t *testing.T) {
	old := scriptTimeLimit.Swap(int64(300 * time.Millisecond))
	t.Cleanup(func() { scriptTimeLimit.Store(old) })
	_, _, addr := startServer(t, Options{})
	ctx := testCtx(t)
	rdb := newGoRedis(t, addr, 2)
	src := `redis.call('set', 'k', 'v'); while true do end`
	_, err := rdb.Eval(ctx, src, nil).Result()
	require.EqualError(t, err, "ERR Script ran longer than the time limit of 300ms and was stopped (writes it made are kept) script: "+sha1hex(src))
	require.Equal(t, "v", rdb.Get(ctx, "k").Val())
	require.Equal(t, "PONG", rdb.Ping(ctx).Val())
	// pcall cannot swallow the stop.
	src = `while true do pcall(function() while true do end end) end`
	_, err = rdb.Eval(ctx, src, nil).Result()
	require.ErrorContains(t, err, "ERR Script ran longer than the time limit")
	require.EqualError(t, rdb.ScriptKill(ctx).Err(), "NOTBUSY No scripts in execution right now.")
}

// SELECT inside a script changes the script's database only; databases
// are taken in ascending order.
func TestScriptSelect(t *testing.T) {
	_, _, addr := startServer(t, Options{})
	ctx := testCtx(t)
	rdb := newGoRedis(t, addr, 2, func(o *redis.Options) { o.DB = 1 })
	got, err := rdb.Eval(ctx, `
		redis.call('set', 'k', 'db1')
		redis.call('select', 3)
		redis.call('set', 'k', 'db3')
		redis.call('select', 1)
		return redis.call('get', 'k')`, nil).Text()
	require.NoError(t, err)
	require.Equal(t, "db1", got)
	require.Equal(t, "db1", rdb.Get(ctx, "k").Val())
	db3 := newGoRedis(t, addr, 2, func(o *redis.Options) { o.DB = 3 })
	require.Equal(t, "db3", db3.Get(ctx, "k").Val())

	_, err = rdb.Eval(ctx, `return redis.call('select', 0)`, nil).Result()
	require.ErrorContains(t, err, "ERR SELECT inside a script cannot move to database 0, lower than database 1")

	// Scripts crossing databases concurrently, in both directions of
	// their callers' databases, finish (no lock-order deadlock).
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(db int) {
			defer wg.Done()
			c := newGoRedis(t, addr, 2, func(o *redis.Options) { o.DB = db })
			for j := 0; j < 50; j++ {
				err := c.Eval(ctx, `redis.call('incr', 'x'); redis.call('select', 5); return redis.call('incr', 'x')`, nil).Err()
				assert.NoError(t, err)
			}
		}(i % 2)
	}
	wg.Wait()
	db5 := newGoRedis(t, addr, 2, func(o *redis.Options) { o.DB = 5 })
	require.Equal(t, "200", db5.Get(ctx, "x").Val())
}

// EVAL queued in MULTI runs inside EXEC's transaction.
func TestScriptInMulti(t *testing.T) {
	_, _, addr := startServer(t, Options{})
	ctx := testCtx(t)
	rdb := newGoRedis(t, addr, 2)
	var eval *redis.Cmd
	_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, "m", 10, 0)
		eval = p.Eval(ctx, `return redis.call('incrby', KEYS[1], ARGV[1])`, []string{"m"}, 5)
		p.Incr(ctx, "m")
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, int64(15), eval.Val())
	require.Equal(t, "16", rdb.Get(ctx, "m").Val())

	// A script in EXEC may SELECT another database too.
	_, err = rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		eval = p.Eval(ctx, `redis.call('select', 2); return redis.call('incr', 'm')`, nil)
		p.Incr(ctx, "m")
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, int64(1), eval.Val())
	require.Equal(t, "17", rdb.Get(ctx, "m").Val())
	db2 := newGoRedis(t, addr, 2, func(o *redis.Options) { o.DB = 2 })
	require.Equal(t, "1", db2.Get(ctx, "m").Val())
}

// Each server has its own script cache.
func TestScriptCachePerServer(t *testing.T) {
	_, _, addrA := startServer(t, Options{})
	_, _, addrB := startServer(t, Options{})
	ctx := testCtx(t)
	a, b := newGoRedis(t, addrA, 2), newGoRedis(t, addrB, 2)
	sha, err := a.ScriptLoad(ctx, "return 'a'").Result()
	require.NoError(t, err)
	require.Equal(t, sha1hex("return 'a'"), sha)
	require.Equal(t, []bool{true}, a.ScriptExists(ctx, sha).Val())
	require.Equal(t, []bool{false}, b.ScriptExists(ctx, sha).Val())
	require.NoError(t, a.ScriptFlush(ctx).Err())
	require.Equal(t, []bool{false}, a.ScriptExists(ctx, sha).Val())
}

// PUBLISH from a script reaches subscribers (pub/sub takes no keyspace
// lock, so it runs inside the script's transaction).
func TestScriptPublish(t *testing.T) {
	_, _, addr := startServer(t, Options{})
	ctx := testCtx(t)
	rdb := newGoRedis(t, addr, 2)
	sub := rdb.Subscribe(ctx, "news")
	t.Cleanup(func() { _ = sub.Close() })
	_, err := sub.Receive(ctx) // the subscription's confirmation
	require.NoError(t, err)
	n, err := rdb.Eval(ctx, `redis.call('set', 'k', ARGV[1]); return redis.call('publish', 'news', ARGV[1])`, nil, "hello").Int64()
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
	msg, err := sub.ReceiveMessage(ctx)
	require.NoError(t, err)
	require.Equal(t, "hello", msg.Payload)
}

// Over the memory limit a script's write is refused with Redis's OOM
// error; reads and deletes still work, and a no-writes script still runs.
func TestScriptMemoryLimit(t *testing.T) {
	_, _, addr := startServer(t, Options{}, engine.Options{MaxMemory: 4096})
	ctx := testCtx(t)
	rdb := newGoRedis(t, addr, 2)
	require.NoError(t, rdb.Set(ctx, "big", strings.Repeat("x", 5000), 0).Err())
	const oom = "OOM command not allowed when used memory > 'maxmemory'."
	src := `return redis.call('set', 'k', 'v')`
	_, err := rdb.Eval(ctx, src, nil).Result()
	require.EqualError(t, err, oom+" script: "+sha1hex(src)+", on @user_script:1.")
	// A shebang script that may write is refused before it runs.
	_, err = rdb.Eval(ctx, "#!lua\nreturn 1", nil).Result()
	require.EqualError(t, err, oom)
	n, err := rdb.Eval(ctx, "#!lua flags=no-writes\nreturn redis.call('strlen', 'big')", nil).Int64()
	require.NoError(t, err)
	require.Equal(t, int64(5000), n)
	n, err = rdb.Eval(ctx, `return redis.call('del', 'big')`, nil).Int64()
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
	require.NoError(t, rdb.Eval(ctx, src, nil).Err())
}
