package engine

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// The differential test: the same seeded random hash, list and string
// commands go to a real redis-server and to the engine, and every reply,
// error texts included, must be identical. Keys are shared between the
// types so that WRONGTYPE collisions are frequent. HGETALL, HKEYS and HVALS
// are compared in order: the hashes stay small (a few short fields), so
// Redis keeps them as listpacks, which iterate in insertion order like the
// engine.

// hlDiffDB is the Redis database the test takes over (and flushes).
const hlDiffDB = 10

func TestHashListDiffAgainstRedis(t *testing.T) {
	addr := os.Getenv("ISA_MEMSTORE_TEST_REDIS_ADDR")
	if addr == "" {
		t.Skip("ISA_MEMSTORE_TEST_REDIS_ADDR is not set: no redis-server to compare with")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	rdb := redis.NewClient(&redis.Options{Addr: addr, DB: hlDiffDB, Protocol: 2})
	t.Cleanup(func() { _ = rdb.Close() })
	require.NoError(t, rdb.Ping(ctx).Err(), "redis at %s", addr)

	for seed := range uint64(40) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			require.NoError(t, rdb.FlushDB(ctx).Err())
			db, _ := openHL(t, Options{})
			r := rand.New(rand.NewPCG(seed, 10))
			var history []string
			for range 500 {
				args := hlDiffCommand(r)
				history = append(history, strings.Join(args, " "))
				hlDiffCompare(ctx, t, rdb, db, args, history)
			}
			// The final state of every key, whatever its type.
			for _, k := range hlDiffKeys {
				for _, args := range [][]string{{"TYPE", k}, {"HGETALL", k}, {"LRANGE", k, "0", "-1"}, {"GET", k}, {"TTL", k}} {
					hlDiffCompare(ctx, t, rdb, db, args, history)
				}
			}
			verifyHL(t, db)
		})
	}
}

func hlDiffCompare(ctx context.Context, t *testing.T, rdb *redis.Client, db *DB, args []string, history []string) {
	t.Helper()
	rargs := make([]any, len(args))
	for i, a := range args {
		rargs[i] = a
	}
	want := hlNormalize(rdb.Do(ctx, rargs...).Result())
	got := hlNormalize(hlExec(db, args))
	if args[0] == "TTL" {
		// The two sides' clocks run apart: compare TTLs by sign only.
		want, got = hlTTLSign(want), hlTTLSign(got)
	}
	if want != got {
		if len(history) > 30 {
			history = history[len(history)-30:]
		}
		t.Fatalf("%s\n redis:  %s\n engine: %s\nlast commands:\n  %s",
			strings.Join(args, " "), want, got, strings.Join(history, "\n  "))
	}
}

// hlNormalize renders a reply, as go-redis returns it or as hlExec builds
// it, as text.
func hlNormalize(v any, err error) string {
	switch {
	case errors.Is(err, redis.Nil):
		return "(nil)"
	case err != nil:
		return "(error) " + err.Error()
	}
	return hlRender(v)
}

func hlTTLSign(reply string) string {
	var n int64
	if _, err := fmt.Sscanf(reply, "(integer) %d", &n); err == nil && n > 0 {
		return "(integer) >0"
	}
	return reply
}

func hlRender(v any) string {
	switch v := v.(type) {
	case nil:
		return "(nil)"
	case string:
		return fmt.Sprintf("%q", v)
	case int64:
		return fmt.Sprintf("(integer) %d", v)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = hlRender(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprintf("(unexpected %T %v)", v, v)
}

// The key space: h* are mostly used as hashes, l* as lists and s as a
// string, but every command sometimes lands on a key of another type.
var hlDiffKeys = []string{"h0", "h1", "l0", "l1", "s"}

// hlDiffCommand draws one well-formed command. Arguments that Redis
// rejects by value (RANK 0, negative counts, non-numbers for
// HINCRBYFLOAT, infinities) are drawn too, at most one per command, so
// the error Redis reports is never a matter of which it checks first.
func hlDiffCommand(r *rand.Rand) []string {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	hkey := func() string { return pick("h0", "h0", "h0", "h0", "h1", "h1", "h1", "h1", "s", "l0") }
	lkey := func() string { return pick("l0", "l0", "l0", "l0", "l1", "l1", "l1", "l1", "s", "h0") }
	skey := func() string { return pick("s", "s", "s", "s", "s", "s", "h1", "l1") }
	key := func() string { return hlDiffKeys[r.IntN(len(hlDiffKeys))] }
	field := func() string { return pick("a", "b", "c") }
	value := func() string {
		return pick("1", "-2", "x", "", "2.5", "1e3", "9223372036854775806", "-9223372036854775807", "0.1")
	}
	elem := func() string { return pick("a", "b", "c", "") }
	idx := func() string { return fmt.Sprint(r.IntN(11) - 5) }
	side := func() string { return pick("LEFT", "RIGHT") }
	k := hkey()
	n := r.IntN(37)
	switch {
	case n >= 13 && n <= 28:
		k = lkey()
	case n == 29:
		k = skey()
	case n > 29:
		k = key()
	}
	switch n {
	case 0, 1:
		args := []string{"HSET", k}
		for range 1 + r.IntN(2) {
			args = append(args, field(), value())
		}
		return args
	case 2:
		return []string{"HSETNX", k, field(), value()}
	case 3:
		return []string{"HGET", k, field()}
	case 4:
		return []string{"HMGET", k, field(), field()}
	case 5:
		return []string{"HGETALL", k}
	case 6:
		return []string{"HDEL", k, field(), field()}
	case 7:
		return []string{"HEXISTS", k, field()}
	case 8:
		return []string{"HLEN", k}
	case 9:
		return []string{pick("HKEYS", "HVALS"), k}
	case 10:
		return []string{"HINCRBY", k, field(), pick("1", "-3", "100", "9223372036854775807", "-9223372036854775808")}
	case 11:
		return []string{"HINCRBYFLOAT", k, field(), pick("0.1", "-1.5", "3", "1e2", "-0.25", "inf", "nan", "abc")}
	case 12:
		return []string{"HSTRLEN", k, field()}
	case 13, 14, 15:
		args := []string{pick("LPUSH", "RPUSH", "LPUSHX", "RPUSHX"), k}
		for range 1 + r.IntN(3) {
			args = append(args, elem())
		}
		return args
	case 16, 17:
		args := []string{pick("LPOP", "RPOP"), k}
		if r.IntN(2) == 0 {
			args = append(args, fmt.Sprint(r.IntN(5)-1))
		}
		return args
	case 18:
		return []string{"LLEN", k}
	case 19:
		return []string{"LINDEX", k, idx()}
	case 20:
		return []string{"LRANGE", k, idx(), idx()}
	case 21:
		return []string{"LTRIM", k, idx(), idx()}
	case 22:
		return []string{"LSET", k, idx(), elem()}
	case 23:
		return []string{"LREM", k, fmt.Sprint(r.IntN(5) - 2), elem()}
	case 24:
		return []string{"LINSERT", k, pick("BEFORE", "AFTER"), elem(), elem()}
	case 25, 26:
		args := []string{"LPOS", k, elem()}
		bad := false // at most one invalid option
		opt := func(name string, lo, hi int, invalid func(int) bool) {
			if r.IntN(2) == 0 {
				return
			}
			v := lo + r.IntN(hi-lo+1)
			if invalid(v) {
				if bad {
					return
				}
				bad = true
			}
			args = append(args, name, fmt.Sprint(v))
		}
		opts := []func(){
			func() { opt("RANK", -3, 3, func(v int) bool { return v == 0 }) },
			func() { opt("COUNT", -1, 3, func(v int) bool { return v < 0 }) },
			func() { opt("MAXLEN", -1, 4, func(v int) bool { return v < 0 }) },
		}
		r.Shuffle(len(opts), func(i, j int) { opts[i], opts[j] = opts[j], opts[i] })
		for _, o := range opts {
			o()
		}
		return args
	case 27, 28:
		return []string{"LMOVE", k, lkey(), side(), side()}
	case 29:
		return []string{"SET", k, value()}
	case 30:
		return []string{"GET", k}
	case 31, 36:
		return []string{"DEL", k}
	case 32:
		return []string{"TYPE", k}
	case 33:
		return []string{"EXPIRE", k, "1000"}
	case 34:
		return []string{"TTL", k}
	case 35:
		return []string{"EXISTS", k}
	}
	panic("unreachable")
}

// hlExec runs one command on the engine the way a protocol edge would:
// parse the arguments with Redis's rules, call the engine, shape the
// reply as go-redis returns it (nil for a null reply).
func hlExec(db *DB, args []string) (any, error) {
	a := args[1:]
	integer := func(s string) (int64, error) {
		n, ok := ParseInt(s)
		if !ok {
			return 0, ErrNotInteger
		}
		return n, nil
	}
	bulk := func(v string, found bool, err error) (any, error) {
		if err != nil || !found {
			return nil, err
		}
		return v, nil
	}
	num := func(n int64, err error) (any, error) {
		if err != nil {
			return nil, err
		}
		return n, nil
	}
	boolean := func(ok bool, err error) (any, error) {
		if ok {
			return num(1, err)
		}
		return num(0, err)
	}
	strs := func(xs []string, err error) (any, error) {
		if err != nil {
			return nil, err
		}
		out := make([]any, len(xs))
		for i, x := range xs {
			out[i] = x
		}
		return out, nil
	}
	ok := func(err error) (any, error) {
		if err != nil {
			return nil, err
		}
		return "OK", nil
	}
	side := func(s string) ListSide {
		if s == "LEFT" {
			return ListLeft
		}
		return ListRight
	}
	switch args[0] {
	case "HSET":
		var pairs []FieldValue
		for i := 1; i+1 < len(a); i += 2 {
			pairs = append(pairs, FieldValue{a[i], a[i+1]})
		}
		return num(db.HSet(a[0], pairs...))
	case "HSETNX":
		return boolean(db.HSetNX(a[0], a[1], a[2]))
	case "HGET":
		return bulk(db.HGet(a[0], a[1]))
	case "HMGET":
		ms, err := db.HMGet(a[0], a[1:]...)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(ms))
		for i, m := range ms {
			if m.Found {
				out[i] = m.Value
			}
		}
		return out, nil
	case "HGETALL":
		all, err := db.HGetAll(a[0])
		if err != nil {
			return nil, err
		}
		out := []any{}
		for _, p := range all {
			out = append(out, p.Field, p.Value)
		}
		return out, nil
	case "HDEL":
		return num(db.HDel(a[0], a[1:]...))
	case "HEXISTS":
		return boolean(db.HExists(a[0], a[1]))
	case "HLEN":
		return num(db.HLen(a[0]))
	case "HKEYS":
		return strs(db.HKeys(a[0]))
	case "HVALS":
		return strs(db.HVals(a[0]))
	case "HSTRLEN":
		return num(db.HStrLen(a[0], a[1]))
	case "HINCRBY":
		d, err := integer(a[2])
		if err != nil {
			return nil, err
		}
		return num(db.HIncrBy(a[0], a[1], d))
	case "HINCRBYFLOAT":
		d, ok := ParseFloat(a[2])
		if !ok {
			return nil, ErrNotFloat
		}
		v, err := db.HIncrByFloat(a[0], a[1], d)
		return bulk(v, true, err)
	case "LPUSH":
		return num(db.LPush(a[0], a[1:]...))
	case "RPUSH":
		return num(db.RPush(a[0], a[1:]...))
	case "LPUSHX":
		return num(db.LPushX(a[0], a[1:]...))
	case "RPUSHX":
		return num(db.RPushX(a[0], a[1:]...))
	case "LPOP", "RPOP":
		if len(a) == 1 {
			if args[0] == "LPOP" {
				return bulk(db.LPop(a[0]))
			}
			return bulk(db.RPop(a[0]))
		}
		n, err := integer(a[1])
		if err != nil {
			return nil, errNotPositive
		}
		pop := db.LPopCount
		if args[0] == "RPOP" {
			pop = db.RPopCount
		}
		vs, found, err := pop(a[0], n)
		if err != nil || !found {
			return nil, err
		}
		return strs(vs, nil)
	case "LLEN":
		return num(db.LLen(a[0]))
	case "LINDEX":
		i, err := integer(a[1])
		if err != nil {
			return nil, err
		}
		return bulk(db.LIndex(a[0], i))
	case "LRANGE", "LTRIM":
		start, err := integer(a[1])
		if err != nil {
			return nil, err
		}
		stop, err := integer(a[2])
		if err != nil {
			return nil, err
		}
		if args[0] == "LTRIM" {
			return ok(db.LTrim(a[0], start, stop))
		}
		return strs(db.LRange(a[0], start, stop))
	case "LSET":
		i, err := integer(a[1])
		if err != nil {
			return nil, err
		}
		return ok(db.LSet(a[0], i, a[2]))
	case "LREM":
		c, err := integer(a[1])
		if err != nil {
			return nil, err
		}
		return num(db.LRem(a[0], c, a[2]))
	case "LINSERT":
		where := InsertBefore
		if a[1] == "AFTER" {
			where = InsertAfter
		}
		return num(db.LInsert(a[0], where, a[2], a[3]))
	case "LPOS":
		var opts LPosOptions
		count, withCount := int64(0), false
		for i := 2; i+1 < len(a); i += 2 {
			v, err := integer(a[i+1])
			if err != nil {
				return nil, err
			}
			switch a[i] {
			case "RANK":
				if v == 0 {
					return nil, LPosRankZero()
				}
				opts.Rank = v
			case "COUNT":
				count, withCount = v, true
			case "MAXLEN":
				opts.MaxLen = v
			}
		}
		if withCount {
			ps, err := db.LPosCount(a[0], a[1], count, opts)
			if err != nil {
				return nil, err
			}
			out := make([]any, len(ps))
			for i, p := range ps {
				out[i] = p
			}
			return out, nil
		}
		p, found, err := db.LPos(a[0], a[1], opts)
		if err != nil || !found {
			return nil, err
		}
		return p, nil
	case "LMOVE":
		return bulk(db.LMove(a[0], a[1], side(a[2]), side(a[3])))
	case "SET":
		_, err := db.Set(a[0], a[1], SetOptions{})
		return ok(err)
	case "GET":
		return bulk(db.Get(a[0]))
	case "DEL":
		return num(db.Del(a[0]))
	case "EXISTS":
		return num(db.Exists(a[0]))
	case "TYPE":
		typ, err := db.Type(a[0])
		return typ.String(), err
	case "EXPIRE":
		s, err := integer(a[1])
		if err != nil {
			return nil, err
		}
		return boolean(db.Expire(a[0], time.Duration(s)*time.Second, 0))
	case "TTL":
		return num(db.TTL(a[0]))
	}
	return nil, fmt.Errorf("hlExec: unknown command %q", args[0])
}
