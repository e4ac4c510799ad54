package engine

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// The blocking scenarios against a real redis-server: clients block one
// after the other (each on its own connection, queued only once Redis
// lists it as blocked, so the queue order is known), then writes run, and
// the blocked clients' replies, the writes' replies and the final state of
// the keys must be the engine's. Clients still blocked at the end are
// released with CLIENT UNBLOCK (a null reply, as a timeout gives) and
// compared with engine waiters that are still queued.

// blockDiffDB is the Redis database this test owns and flushes.
const blockDiffDB = 13

type blockScenario struct {
	name    string
	setup   [][]string
	blocked [][]string
	// writes are commands; one starting with MULTI runs the rest of its
	// words, split at ";", as one transaction.
	writes [][]string
	keys   []string // compared at the end
}

var blockScenarios = []blockScenario{
	{name: "fifo", blocked: [][]string{{"BLPOP", "k", "0"}, {"BRPOP", "k", "0"}, {"BLMPOP", "0", "1", "k", "LEFT", "COUNT", "2"}, {"BLPOP", "k", "0"}},
		writes: [][]string{{"RPUSH", "k", "a", "b", "c", "d", "e"}}, keys: []string{"k"}},
	{name: "fewer elements than waiters", blocked: [][]string{{"BLPOP", "k", "o", "0"}, {"BRPOP", "o", "k", "0"}, {"BLPOP", "k", "0"}},
		writes: [][]string{{"LPUSH", "k", "x", "y"}, {"RPUSH", "o", "z"}}, keys: []string{"k", "o"}},
	{name: "set then del then push", blocked: [][]string{{"BLPOP", "k", "0"}},
		writes: [][]string{{"SET", "k", "x"}, {"DEL", "k"}, {"LPUSH", "k", "a"}}, keys: []string{"k"}},
	{name: "zadd on a list waiter", blocked: [][]string{{"BLPOP", "k", "0"}, {"BZPOPMIN", "k", "0"}},
		writes: [][]string{{"ZADD", "k", "1", "m", "2", "n"}, {"DEL", "k"}, {"RPUSH", "k", "z"}}, keys: []string{"k"}},
	{name: "blmove onto another type", blocked: [][]string{{"BLMOVE", "src", "d", "LEFT", "RIGHT", "0"}, {"BLPOP", "src", "0"}},
		writes: [][]string{{"SET", "d", "str"}, {"RPUSH", "src", "q", "r"}}, keys: []string{"src", "d"}},
	{name: "multi pushes and pops", blocked: [][]string{{"BLPOP", "k", "0"}},
		writes: [][]string{{"MULTI", "RPUSH k a b;LPOP k"}}, keys: []string{"k"}},
	{name: "multi pushes then sets", blocked: [][]string{{"BLPOP", "k", "0"}},
		writes: [][]string{{"MULTI", "RPUSH k a;SET k str"}}, keys: []string{"k"}},
	{name: "multi pushes then deletes", blocked: [][]string{{"BLPOP", "k", "0"}},
		writes: [][]string{{"MULTI", "RPUSH k a;DEL k"}, {"RPUSH", "k", "b"}}, keys: []string{"k"}},
	{name: "blmove chain", blocked: [][]string{{"BLMOVE", "a", "b", "RIGHT", "LEFT", "0"}, {"BLPOP", "b", "0"}},
		writes: [][]string{{"RPUSH", "a", "x", "y"}}, keys: []string{"a", "b"}},
	{name: "blmove onto itself", blocked: [][]string{{"BLMOVE", "k", "k", "RIGHT", "LEFT", "0"}, {"BLPOP", "k", "0"}},
		writes: [][]string{{"RPUSH", "k", "x"}}, keys: []string{"k"}},
	{name: "blmove round trip", blocked: [][]string{{"BLMOVE", "a", "b", "LEFT", "RIGHT", "0"}, {"BRPOPLPUSH", "b", "a", "0"}, {"BLPOP", "a", "0"}},
		writes: [][]string{{"RPUSH", "a", "x"}}, keys: []string{"a", "b"}},
	{name: "zsets", blocked: [][]string{{"BZPOPMAX", "z", "0"}, {"BZMPOP", "0", "1", "z", "MIN", "COUNT", "5"}, {"BZPOPMIN", "z", "0"}, {"BLPOP", "z", "0"}},
		writes: [][]string{{"ZADD", "z", "1", "a", "2.5", "b", "3", "c", "4", "d"}}, keys: []string{"z"}},
	{name: "rename", setup: [][]string{{"RPUSH", "src", "a", "b"}}, blocked: [][]string{{"BLPOP", "dst", "0"}},
		writes: [][]string{{"RENAME", "src", "dst"}}, keys: []string{"src", "dst"}},
	{name: "lmove", setup: [][]string{{"RPUSH", "s", "1", "2"}}, blocked: [][]string{{"BLPOP", "d", "0"}},
		writes: [][]string{{"LMOVE", "s", "d", "LEFT", "LEFT"}}, keys: []string{"s", "d"}},
	{name: "other key of another type", blocked: [][]string{{"BLPOP", "a", "b", "0"}},
		writes: [][]string{{"SET", "b", "str"}, {"RPUSH", "a", "x"}}, keys: []string{"a", "b"}},
	{name: "blmpop right", blocked: [][]string{{"BLMPOP", "0", "2", "x", "y", "RIGHT", "COUNT", "3"}},
		writes: [][]string{{"RPUSH", "y", "1", "2"}}, keys: []string{"x", "y"}},
}

// Commands answered at once: data present, wrong types, argument errors.
var blockImmediate = [][]string{
	{"RPUSH", "l", "a", "b", "c", "d"},
	{"ZADD", "z", "1", "x", "2", "y", "3", "w"},
	{"SET", "s", "str"},
	{"BLPOP", "none", "l", "s", "0"},
	{"BRPOP", "l", "1"},
	{"BLPOP", "none", "s", "l", "0"},
	{"BLMPOP", "0", "2", "none", "l", "RIGHT", "COUNT", "5"},
	{"BZPOPMAX", "z", "0"},
	{"BZMPOP", "0", "1", "z", "MIN", "COUNT", "1"},
	{"BZPOPMIN", "none", "s", "0"},
	{"BLPOP", "k", "-1"},
	{"BLMPOP", "-1", "1", "k", "LEFT", "COUNT", "0"},
	{"BLMPOP", "-1", "0", "k", "LEFT"},
	{"BLMPOP", "-1", "1", "k", "LEFT"},
	{"BZMPOP", "-1", "1", "k", "MIN", "COUNT", "0"},
	{"BLMOVE", "a", "b", "LEFT", "LEFT", "-1"},
	{"BLMPOP", "0", "0", "k", "LEFT"},
	{"BLMPOP", "0", "1", "k", "LEFT", "COUNT", "0"},
	{"BZMPOP", "0", "1", "k", "MAX", "COUNT", "-1"},
	{"RPUSH", "src", "q"},
	{"BLMOVE", "src", "s", "LEFT", "RIGHT", "0"},
	{"BRPOPLPUSH", "src", "dst", "0"},
	{"LMPOP", "2", "none", "dst", "LEFT", "COUNT", "3"},
	{"LMPOP", "1", "none", "LEFT"},
	{"ZMPOP", "1", "z", "MAX", "COUNT", "0"},
	{"ZMPOP", "2", "none", "z", "MAX"},
}

func TestBlockDiffAgainstRedis(t *testing.T) {
	addr := strings.TrimSpace(os.Getenv(diffRedisAddrEnv))
	if addr == "" {
		t.Skip("ISA_MEMSTORE_TEST_REDIS_ADDR is not set: no redis-server to compare the blocking commands with")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	newClient := func() *redis.Client {
		c := redis.NewClient(&redis.Options{Addr: addr, DB: blockDiffDB, Protocol: 2, DisableIdentity: true, PoolSize: 1,
			ReadTimeout: 10 * time.Second})
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	main := newClient()
	require.NoError(t, main.Ping(ctx).Err(), "redis at %s", addr)

	t.Run("immediate", func(t *testing.T) {
		require.NoError(t, main.FlushDB(ctx).Err())
		db, _ := openTestDB(t)
		for _, argv := range blockImmediate {
			want := fromRedis(main.Do(ctx, strArgs(argv)...).Result())
			require.Equal(t, want, blockDiffRun(t, db, argv), "%v", argv)
		}
		require.NoError(t, db.ks.Verify())
	})

	for _, sc := range blockScenarios {
		t.Run(sc.name, func(t *testing.T) {
			require.NoError(t, main.FlushDB(ctx).Err())
			db, _ := openTestDB(t)
			for _, argv := range sc.setup {
				require.Equal(t, fromRedis(main.Do(ctx, strArgs(argv)...).Result()), blockDiffRun(t, db, argv), "%v", argv)
			}
			// Queue the blocked clients in order on both sides.
			type redisWaiter struct {
				id    int64
				reply chan any
			}
			var rws []redisWaiter
			var hs []*blockHandle
			for _, argv := range sc.blocked {
				c := newClient()
				id, err := c.ClientID(ctx).Result()
				require.NoError(t, err)
				rw := redisWaiter{id: id, reply: make(chan any, 1)}
				go func() { rw.reply <- fromRedis(c.Do(ctx, strArgs(argv)...).Result()) }()
				require.Eventually(t, func() bool {
					info, err := main.Do(ctx, "CLIENT", "LIST", "ID", strconv.FormatInt(id, 10)).Text()
					return err == nil && strings.Contains(info, " flags=b ")
				}, 10*time.Second, time.Millisecond, "%v never blocked", argv)
				rws = append(rws, rw)
				hs = append(hs, blockOn(t, db, blockDiffRequest(t, argv)))
			}
			for _, argv := range sc.writes {
				require.Equal(t, blockDiffRedisWrite(ctx, t, main, argv), blockDiffRun(t, db, argv), "%v", argv)
			}
			for i, argv := range sc.blocked {
				_ = main.Do(ctx, "CLIENT", "UNBLOCK", strconv.FormatInt(rws[i].id, 10)) // a null reply for those still blocked
				var want any
				select {
				case want = <-rws[i].reply:
				case <-time.After(10 * time.Second):
					t.Fatalf("%v: no reply from redis", argv)
				}
				var got any
				select {
				case a := <-hs[i].ch:
					got = blockDiffReply(argv, a.res, a.err)
				default:
					require.True(t, hs[i].cancel(), "%v: not answered, so cancel must succeed", argv)
				}
				require.Equal(t, want, got, "blocked %v", argv)
			}
			for _, k := range sc.keys {
				for _, argv := range blockDiffState(ctx, main, k) {
					require.Equal(t, fromRedis(main.Do(ctx, strArgs(argv)...).Result()), blockDiffRun(t, db, argv), "%v", argv)
				}
			}
			require.Zero(t, db.Blocked())
			require.NoError(t, db.ks.Verify())
		})
	}
}

func strArgs(argv []string) []any {
	out := make([]any, len(argv))
	for i, a := range argv {
		out[i] = a
	}
	return out
}

// blockDiffState is the commands that show key's final content.
func blockDiffState(ctx context.Context, c *redis.Client, key string) [][]string {
	out := [][]string{{"TYPE", key}}
	switch typ, _ := c.Type(ctx, key).Result(); typ {
	case "list":
		out = append(out, []string{"LRANGE", key, "0", "-1"})
	case "zset":
		out = append(out, []string{"ZRANGE", key, "0", "-1", "WITHSCORES"})
	case "string":
		out = append(out, []string{"GET", key})
	}
	return out
}

func blockDiffRedisWrite(ctx context.Context, t *testing.T, c *redis.Client, argv []string) any {
	if argv[0] != "MULTI" {
		return fromRedis(c.Do(ctx, strArgs(argv)...).Result())
	}
	cmds, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, line := range strings.Split(argv[1], ";") {
			p.Do(ctx, strArgs(strings.Fields(line))...)
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		t.Fatalf("%v: %v", argv, err)
	}
	var out []any
	for _, cmd := range cmds {
		out = append(out, fromRedis(cmd.(*redis.Cmd).Result()))
	}
	return out
}

// blockDiffRequest parses a blocking command (test-only; the protocol
// edge has its own parser).
func blockDiffRequest(t *testing.T, argv []string) BlockRequest {
	t.Helper()
	side := func(s string) ListSide {
		if strings.EqualFold(s, "RIGHT") {
			return ListRight
		}
		return ListLeft
	}
	timeout := func(s string) time.Duration {
		f, err := strconv.ParseFloat(s, 64)
		require.NoError(t, err)
		return time.Duration(f * float64(time.Second))
	}
	// mpop parses "timeout? numkeys keys... WHERE [COUNT n]" from argv[i:].
	mpop := func(i int) (keys []string, where string, count int64) {
		n, err := strconv.Atoi(argv[i])
		require.NoError(t, err)
		keys = argv[i+1 : i+1+n]
		where = argv[i+1+n]
		count = 1
		if rest := argv[i+2+n:]; len(rest) == 2 {
			count, err = strconv.ParseInt(rest[1], 10, 64)
			require.NoError(t, err)
		}
		return keys, where, count
	}
	last := argv[len(argv)-1]
	switch cmd := strings.ToUpper(argv[0]); cmd {
	case "BLPOP", "BRPOP", "BZPOPMIN", "BZPOPMAX":
		op := map[string]BlockOp{"BLPOP": BlockLPop, "BRPOP": BlockRPop, "BZPOPMIN": BlockZPopMin, "BZPOPMAX": BlockZPopMax}[cmd]
		return BlockRequest{Op: op, Keys: argv[1 : len(argv)-1], Timeout: timeout(last)}
	case "BLMOVE":
		return BlockRequest{Op: BlockLMove, Keys: argv[1:2], Dest: argv[2], Side: side(argv[3]), DestSide: side(argv[4]), Timeout: timeout(last)}
	case "BRPOPLPUSH":
		return BlockRequest{Op: BlockLMove, Keys: argv[1:2], Dest: argv[2], Side: ListRight, DestSide: ListLeft, Timeout: timeout(last)}
	case "BLMPOP":
		keys, where, count := mpop(2)
		return BlockRequest{Op: BlockLMPop, Keys: keys, Side: side(where), Count: count, Timeout: timeout(argv[1])}
	case "BZMPOP":
		keys, where, count := mpop(2)
		zs := ZMin
		if strings.EqualFold(where, "MAX") {
			zs = ZMax
		}
		return BlockRequest{Op: BlockZMPop, Keys: keys, ZSide: zs, Count: count, Timeout: timeout(argv[1])}
	}
	t.Fatalf("not a blocking command: %v", argv)
	return BlockRequest{}
}

// blockDiffReply shapes a blocking command's answer as go-redis gives
// Redis's RESP2 reply.
func blockDiffReply(argv []string, res BlockResult, err error) any {
	if err != nil {
		return diffErr(err.Error())
	}
	if !res.OK {
		return nil
	}
	members := func() []any {
		var out []any
		for _, m := range res.Members {
			out = append(out, []any{m.Member, FormatFloat(m.Score)})
		}
		return out
	}
	switch strings.ToUpper(argv[0]) {
	case "BLPOP", "BRPOP":
		return []any{res.Key, res.Values[0]}
	case "BLMOVE", "BRPOPLPUSH":
		return res.Values[0]
	case "BLMPOP", "LMPOP":
		vs := make([]any, len(res.Values))
		for i, v := range res.Values {
			vs[i] = v
		}
		return []any{res.Key, vs}
	case "BZPOPMIN", "BZPOPMAX":
		return []any{res.Key, res.Members[0].Member, FormatFloat(res.Members[0].Score)}
	default: // BZMPOP, ZMPOP
		return []any{res.Key, members()}
	}
}

// blockDiffRun runs argv on the engine and shapes the reply as go-redis
// does. Blocking commands must be answered at once here.
func blockDiffRun(t *testing.T, db *DB, argv []string) any {
	t.Helper()
	cmd := strings.ToUpper(argv[0])
	switch cmd {
	case "MULTI":
		var out []any
		lines := strings.Split(argv[1], ";")
		var keys []string
		for _, l := range lines {
			keys = append(keys, strings.Fields(l)[1])
		}
		require.NoError(t, db.Atomic(keys, func(tx Txn) error {
			for _, l := range lines {
				out = append(out, blockDiffTxn(t, tx, strings.Fields(l)))
			}
			return nil
		}))
		return out
	case "LMPOP", "ZMPOP":
		req := blockDiffRequest(t, append([]string{"B" + cmd, "0"}, argv[1:]...))
		var out any
		require.NoError(t, db.Atomic(req.Keys, func(tx Txn) error {
			res, err := tx.BlockPop(req)
			out = blockDiffReply(argv, res, err)
			return nil
		}))
		return out
	}
	if strings.HasPrefix(cmd, "B") {
		req := blockDiffRequest(t, argv)
		res, cancel, err := db.BlockPop(req, func(BlockResult, error) { t.Errorf("%v: deliver called", argv) })
		require.Nil(t, cancel, "%v blocked", argv)
		return blockDiffReply(argv, res, err)
	}
	switch cmd {
	case "RENAME":
		return diffOK(db.Rename(argv[1], argv[2]))
	case "LMOVE":
		v, found, err := db.LMove(argv[1], argv[2], blockDiffSide(argv[3]), blockDiffSide(argv[4]))
		return diffBulk(v, found, err)
	}
	var out any
	require.NoError(t, db.Atomic(argv[1:2], func(tx Txn) error {
		out = blockDiffTxn(t, tx, argv)
		return nil
	}))
	return out
}

func blockDiffSide(s string) ListSide {
	if strings.EqualFold(s, "RIGHT") {
		return ListRight
	}
	return ListLeft
}

// blockDiffTxn runs the single-key write and read commands the scenarios
// use.
func blockDiffTxn(t *testing.T, tx Txn, argv []string) any {
	t.Helper()
	key := argv[1]
	switch strings.ToUpper(argv[0]) {
	case "RPUSH":
		return diffReply(tx.RPush(key, argv[2:]...))
	case "LPUSH":
		return diffReply(tx.LPush(key, argv[2:]...))
	case "LPOP":
		return diffBulk(tx.LPop(key))
	case "SET":
		_, err := tx.Set(key, argv[2], SetOptions{})
		return diffOK(err)
	case "GET":
		return diffBulk(tx.Get(key))
	case "DEL":
		return int64(tx.Del(key))
	case "TYPE":
		return tx.Type(key).String()
	case "LRANGE":
		vs, err := tx.LRange(key, 0, -1)
		out := []any{}
		for _, v := range vs {
			out = append(out, v)
		}
		return diffReply(out, err)
	case "ZADD":
		var ms []ZMember
		for i := 2; i+1 < len(argv); i += 2 {
			f, err := ParseScore(argv[i])
			require.NoError(t, err)
			ms = append(ms, ZMember{Member: argv[i+1], Score: f})
		}
		res, err := tx.ZAdd(key, ZAddOptions{}, ms...)
		return diffReply(res.Count, err)
	case "ZRANGE":
		ms, err := tx.ZRange(key, ZRangeQuery{By: ZByRank, Start: 0, Stop: -1})
		out := []any{}
		for _, m := range ms {
			out = append(out, m.Member, FormatFloat(m.Score))
		}
		return diffReply(out, err)
	}
	t.Fatalf("blockDiffTxn: %v", argv)
	return nil
}
