package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// This file is the differential test: the same seeded random command
// sequences run on the engine and on a real redis-server, and every reply
// (values, counts, nils and error texts) must be equal. The address comes
// from ISA_MEMSTORE_TEST_REDIS_ADDR; Redis's database 9 is flushed first.
//
// Both sides run on real time. Relative TTLs are >= 100s so nothing expires
// during a run; absolute deadlines (EXAT, EXPIREAT ...) are drawn 50s away
// from any relative one, so that GT/LT comparisons cannot depend on the few
// milliseconds between the two sides. TTL and PTTL replies are compared
// with a tolerance.
//
// To add commands (hashes, lists, sets, sorted sets), add rows to diffCmds:
// an argv generator and the engine call for that argv, replying in the
// shapes go-redis returns (see diffReply).

// diffRedisAddrEnv names the variable holding host:port of a throwaway
// redis-server.
const diffRedisAddrEnv = "ISA_MEMSTORE_TEST_REDIS_ADDR"

// diffRedisDB is the Redis database the test owns (and flushes).
const diffRedisDB = 9

// diffErr is an error reply, compared by its text.
type diffErr string

// diffReply converts an engine result to the shape go-redis gives for the
// same Redis reply: string (bulk or status), int64, nil, []any, or diffErr.
func diffReply(v any, err error) any {
	if err != nil {
		return diffErr(err.Error())
	}
	return v
}

func diffOK(err error) any { return diffReply("OK", err) }

func diffBulk(v string, found bool, err error) any {
	if !found {
		return diffReply(nil, err)
	}
	return diffReply(v, err)
}

func diffBool(b bool, err error) any {
	if b {
		return diffReply(int64(1), err)
	}
	return diffReply(int64(0), err)
}

// fromRedis normalises a go-redis result the same way.
func fromRedis(v any, err error) any {
	switch {
	case errors.Is(err, redis.Nil):
		return nil
	case err != nil:
		var re redis.Error
		if errors.As(err, &re) {
			return diffErr(re.Error())
		}
		return diffErr("transport: " + err.Error())
	}
	return v
}

// diffCmd is one command of the differential test.
type diffCmd struct {
	name string
	// gen returns the full argv sent to Redis, e.g. SET k1 v EX 100 NX.
	gen func(g *diffGen) []string
	// run executes the same argv on the engine and returns its reply in
	// go-redis's shapes.
	run func(db *DB, argv []string) any
	// equal compares the two replies; nil means exactly equal. slack is
	// the longest time one step has taken so far: the two sides set and
	// read deadlines at most that far apart.
	equal func(redisReply, engineReply any, slack time.Duration) bool
}

// diffGen draws arguments from small pools so that commands collide.
type diffGen struct {
	r    *rand.Rand
	base int64 // Unix seconds at the start of the run
}

var (
	diffKeys   = []string{"k0", "k1", "k2", "k3", "k4", "k5"}
	diffValues = []string{"", "v", "hello", "0", "1", "-7", "42", "1.5", "-0.25", "abc", "007", "0x10", "1e3", " 5",
		"9223372036854775806", "-9223372036854775807", "3.0e2"}
	diffIncrs  = []string{"1", "-1", "100", "0", "9223372036854775807", "-9223372036854775808"}
	diffFloats = []string{"0.1", "1.5", "-2", "3.0e2", "10", "-0.25", "0"}
	diffTTLs   = []int64{100, 200, 300, 1000}          // relative, seconds
	diffAts    = []int64{150, 250, 350, 1500, -1, -10} // offsets from base for absolute deadlines, seconds; future ones first
	diffGlobs  = []string{"*", "k1*", "k?", "[k]1", "*[0-3]", "k[^1]", "k\\1", "k3", "nope", "?", "k[2-5]", "*[!1]"}
)

func (g *diffGen) key() string       { return diffKeys[g.r.IntN(len(diffKeys))] }
func (g *diffGen) value() string     { return diffValues[g.r.IntN(len(diffValues))] }
func (g *diffGen) chance(n int) bool { return g.r.IntN(n) == 0 }
func (g *diffGen) pick(s []string) string {
	return s[g.r.IntN(len(s))]
}

func (g *diffGen) keys(max int) []string {
	out := make([]string, 1+g.r.IntN(max))
	for i := range out {
		out[i] = g.key()
	}
	return out
}

// ttl is a relative TTL in the unit's scale (1 for seconds, 1000 for ms):
// long, or zero/negative (which deletes, or is refused by SET).
func (g *diffGen) ttl(scale int64) string {
	if g.chance(8) {
		return strconv.FormatInt(-g.r.Int64N(3)*scale, 10)
	}
	return strconv.FormatInt(diffTTLs[g.r.IntN(len(diffTTLs))]*scale, 10)
}

// at is an absolute deadline in the unit's scale, sometimes in the past.
func (g *diffGen) at(scale int64) string {
	return strconv.FormatInt((g.base+diffAts[g.r.IntN(len(diffAts))])*scale, 10)
}

// futureAt is an absolute deadline in the future. SET EXAT with a past
// time leaves an expired key in Redis that DBSIZE counts until Redis's
// active expiry removes it, a timing-dependent difference the engine does
// not have (its counts never include expired keys); the table tests cover
// that case instead.
func (g *diffGen) futureAt(scale int64) string {
	return strconv.FormatInt((g.base+diffAts[g.r.IntN(4)])*scale, 10)
}

// flags returns EXPIRE options. Relative forms only get the ones whose
// outcome cannot depend on timing (no GT/LT unless the combination is an
// error anyway).
func (g *diffGen) flags(absolute bool) []string {
	switch g.r.IntN(8) {
	case 0:
		return []string{"NX"}
	case 1:
		return []string{"XX"}
	case 2:
		return []string{"NX", "GT"} // error
	case 3:
		return []string{"GT", "LT"} // error
	case 4, 5:
		if absolute {
			return strings.Fields(g.pick([]string{"GT", "LT", "XX GT", "LT XX"}))
		}
	}
	return nil
}

func parseDiffInt(t string) int64 {
	n, ok := ParseInt(t)
	if !ok {
		panic("diff test: bad integer argument " + t)
	}
	return n
}

// expireFlagsOf parses EXPIRE options.
func expireFlagsOf(opts []string) ExpireFlags {
	var f ExpireFlags
	for _, o := range opts {
		switch o {
		case "NX":
			f |= ExpireNX
		case "XX":
			f |= ExpireXX
		case "GT":
			f |= ExpireGT
		case "LT":
			f |= ExpireLT
		}
	}
	return f
}

// setArgv draws SET's options.
func (g *diffGen) setArgv() []string {
	argv := []string{"SET", g.key(), g.value()}
	switch g.r.IntN(7) {
	case 0:
		argv = append(argv, "EX", g.ttl(1))
	case 1:
		argv = append(argv, "PX", g.ttl(1000))
	case 2:
		argv = append(argv, "EXAT", g.futureAt(1))
	case 3:
		argv = append(argv, "PXAT", g.futureAt(1000))
	case 4:
		argv = append(argv, "KEEPTTL")
	}
	if g.chance(25) {
		argv = append(argv, "KEEPTTL", "EX", "100") // two expiry options
	}
	if g.chance(4) {
		argv = append(argv, "NX")
	}
	if g.chance(4) {
		argv = append(argv, "XX")
	}
	if g.chance(3) {
		argv = append(argv, "GET")
	}
	return argv
}

// runSet parses the argv setArgv produces and runs SET on the engine, as a
// protocol edge would.
func runSet(db *DB, argv []string) any {
	var o SetOptions
	expiries, zeroTTL := 0, false
	for i := 3; i < len(argv); i++ {
		switch opt := argv[i]; opt {
		case "NX":
			o.NX = true
		case "XX":
			o.XX = true
		case "GET":
			o.Get = true
		case "KEEPTTL":
			o.KeepTTL = true
			expiries++
		case "EX", "PX", "EXAT", "PXAT":
			expiries++
			i++
			ms := parseDiffInt(argv[i])
			if opt == "EX" || opt == "EXAT" {
				ms *= 1000
			}
			if opt == "EX" || opt == "PX" {
				zeroTTL = ms == 0
				o.TTL = time.Duration(ms) * time.Millisecond
			} else {
				o.ExpireAt = time.UnixMilli(ms)
			}
		}
	}
	if zeroTTL && expiries == 1 && !(o.NX && o.XX) {
		// EX 0 is refused after the syntax checks; the Go API, where a
		// zero TTL means none, cannot say it.
		return diffReply(nil, InvalidExpire("set"))
	}
	res, err := db.Set(argv[1], argv[2], o)
	if err != nil {
		return diffReply(nil, err)
	}
	if o.Get {
		return diffBulk(res.Old, res.HadOld, nil)
	}
	if !res.Written {
		return nil
	}
	return "OK"
}

func kvPairs(argv []string) []KV {
	var kv []KV
	for i := 0; i+1 < len(argv); i += 2 {
		kv = append(kv, KV{argv[i], argv[i+1]})
	}
	return kv
}

// ttlClose compares TTL or PTTL replies in unit (time.Second or
// time.Millisecond): the two sides computed their deadlines, and read
// them, a few milliseconds apart, or longer on a loaded machine, so the
// tolerance is 1s (TTL) or 1500ms (PTTL) plus the slowest step's time.
func ttlClose(unit time.Duration) func(a, b any, slack time.Duration) bool {
	return func(a, b any, slack time.Duration) bool {
		x, okx := a.(int64)
		y, oky := b.(int64)
		if !okx || !oky || x < 0 || y < 0 {
			return reflect.DeepEqual(a, b)
		}
		tol := 1500 * time.Millisecond
		if unit == time.Second {
			tol = time.Second
		}
		tol = (tol + 2*slack + unit - 1) / unit // rounded up, in unit
		return x-y <= int64(tol) && y-x <= int64(tol)
	}
}

// sortedStrings compares two arrays of strings in any order (KEYS).
func sortedStrings(a, b any, _ time.Duration) bool {
	norm := func(v any) []string {
		var out []string
		switch v := v.(type) {
		case []any:
			for _, e := range v {
				out = append(out, fmt.Sprint(e))
			}
		case []string:
			out = append(out, v...)
		default:
			return []string{fmt.Sprintf("not an array: %#v", v)}
		}
		sort.Strings(out)
		return out
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

func bulkArray(ms []Maybe, err error) any {
	if err != nil {
		return diffReply(nil, err)
	}
	out := make([]any, len(ms))
	for i, m := range ms {
		if m.Found {
			out[i] = m.Value
		}
	}
	return out
}

func expireRun(cmd string, unit int64, absolute bool) func(db *DB, argv []string) any {
	return func(db *DB, argv []string) any {
		n := parseDiffInt(argv[2])
		if n > math.MaxInt64/unit || n < math.MinInt64/unit {
			return diffReply(nil, InvalidExpire(cmd))
		}
		return diffBool(db.ExpireMillis(cmd, argv[1], n*unit, absolute, expireFlagsOf(argv[3:])))
	}
}

var diffCmds = []diffCmd{
	{name: "GET", gen: func(g *diffGen) []string { return []string{"GET", g.key()} },
		run: func(db *DB, a []string) any { return diffBulk(db.Get(a[1])) }},
	{name: "SET", gen: func(g *diffGen) []string { return g.setArgv() }, run: runSet},
	{name: "SETNX", gen: func(g *diffGen) []string { return []string{"SETNX", g.key(), g.value()} },
		run: func(db *DB, a []string) any { return diffBool(db.SetNX(a[1], a[2])) }},
	{name: "GETSET", gen: func(g *diffGen) []string { return []string{"GETSET", g.key(), g.value()} },
		run: func(db *DB, a []string) any { return diffBulk(db.GetSet(a[1], a[2])) }},
	{name: "GETDEL", gen: func(g *diffGen) []string { return []string{"GETDEL", g.key()} },
		run: func(db *DB, a []string) any { return diffBulk(db.GetDel(a[1])) }},
	{name: "MGET", gen: func(g *diffGen) []string { return append([]string{"MGET"}, g.keys(4)...) },
		run: func(db *DB, a []string) any { return bulkArray(db.MGet(a[1:]...)) }},
	{name: "MSET", gen: func(g *diffGen) []string {
		argv := []string{"MSET"}
		for _, k := range g.keys(3) {
			argv = append(argv, k, g.value())
		}
		return argv
	}, run: func(db *DB, a []string) any { return diffOK(db.MSet(kvPairs(a[1:])...)) }},
	{name: "MSETNX", gen: func(g *diffGen) []string {
		argv := []string{"MSETNX"}
		for _, k := range g.keys(3) {
			argv = append(argv, k, g.value())
		}
		return argv
	}, run: func(db *DB, a []string) any { return diffBool(db.MSetNX(kvPairs(a[1:])...)) }},
	{name: "APPEND", gen: func(g *diffGen) []string { return []string{"APPEND", g.key(), g.value()} },
		run: func(db *DB, a []string) any { return diffReply(db.Append(a[1], a[2])) }},
	{name: "STRLEN", gen: func(g *diffGen) []string { return []string{"STRLEN", g.key()} },
		run: func(db *DB, a []string) any { return diffReply(db.StrLen(a[1])) }},
	{name: "INCR", gen: func(g *diffGen) []string { return []string{"INCR", g.key()} },
		run: func(db *DB, a []string) any { return diffReply(db.Incr(a[1])) }},
	{name: "DECR", gen: func(g *diffGen) []string { return []string{"DECR", g.key()} },
		run: func(db *DB, a []string) any { return diffReply(db.Decr(a[1])) }},
	{name: "INCRBY", gen: func(g *diffGen) []string { return []string{"INCRBY", g.key(), g.pick(diffIncrs)} },
		run: func(db *DB, a []string) any { return diffReply(db.IncrBy(a[1], parseDiffInt(a[2]))) }},
	{name: "DECRBY", gen: func(g *diffGen) []string { return []string{"DECRBY", g.key(), g.pick(diffIncrs)} },
		run: func(db *DB, a []string) any { return diffReply(db.DecrBy(a[1], parseDiffInt(a[2]))) }},
	{name: "INCRBYFLOAT", gen: func(g *diffGen) []string { return []string{"INCRBYFLOAT", g.key(), g.pick(diffFloats)} },
		run: func(db *DB, a []string) any {
			f, ok := ParseFloat(a[2])
			if !ok {
				panic("diff test: bad float argument " + a[2])
			}
			return diffReply(db.IncrByFloat(a[1], f))
		}},
	{name: "DEL", gen: func(g *diffGen) []string { return append([]string{"DEL"}, g.keys(3)...) },
		run: func(db *DB, a []string) any { return diffReply(db.Del(a[1:]...)) }},
	{name: "EXISTS", gen: func(g *diffGen) []string { return append([]string{"EXISTS"}, g.keys(4)...) },
		run: func(db *DB, a []string) any { return diffReply(db.Exists(a[1:]...)) }},
	{name: "EXPIRE", gen: func(g *diffGen) []string {
		return append([]string{"EXPIRE", g.key(), g.ttl(1)}, g.flags(false)...)
	}, run: expireRun("expire", 1000, false)},
	{name: "PEXPIRE", gen: func(g *diffGen) []string {
		return append([]string{"PEXPIRE", g.key(), g.ttl(1000)}, g.flags(false)...)
	}, run: expireRun("pexpire", 1, false)},
	{name: "EXPIREAT", gen: func(g *diffGen) []string {
		return append([]string{"EXPIREAT", g.key(), g.at(1)}, g.flags(true)...)
	}, run: expireRun("expireat", 1000, true)},
	{name: "PEXPIREAT", gen: func(g *diffGen) []string {
		return append([]string{"PEXPIREAT", g.key(), g.at(1000)}, g.flags(true)...)
	}, run: expireRun("pexpireat", 1, true)},
	{name: "PERSIST", gen: func(g *diffGen) []string { return []string{"PERSIST", g.key()} },
		run: func(db *DB, a []string) any { return diffBool(db.Persist(a[1])) }},
	{name: "TTL", gen: func(g *diffGen) []string { return []string{"TTL", g.key()} },
		run:   func(db *DB, a []string) any { return diffReply(db.TTL(a[1])) },
		equal: ttlClose(time.Second)},
	{name: "PTTL", gen: func(g *diffGen) []string { return []string{"PTTL", g.key()} },
		run:   func(db *DB, a []string) any { return diffReply(db.PTTL(a[1])) },
		equal: ttlClose(time.Millisecond)},
	{name: "RENAME", gen: func(g *diffGen) []string { return []string{"RENAME", g.key(), g.key()} },
		run: func(db *DB, a []string) any { return diffOK(db.Rename(a[1], a[2])) }},
	{name: "RENAMENX", gen: func(g *diffGen) []string { return []string{"RENAMENX", g.key(), g.key()} },
		run: func(db *DB, a []string) any { return diffBool(db.RenameNX(a[1], a[2])) }},
	{name: "TYPE", gen: func(g *diffGen) []string { return []string{"TYPE", g.key()} },
		run: func(db *DB, a []string) any {
			typ, err := db.Type(a[1])
			return diffReply(typ.String(), err)
		}},
	{name: "KEYS", gen: func(g *diffGen) []string { return []string{"KEYS", g.pick(diffGlobs)} },
		run: func(db *DB, a []string) any {
			keys, _, err := db.Keys(a[1], 0)
			if err != nil {
				return diffReply(nil, err)
			}
			return keys
		},
		equal: sortedStrings},
	{name: "DBSIZE", gen: func(g *diffGen) []string { return []string{"DBSIZE"} },
		run: func(db *DB, a []string) any { return diffReply(db.DBSize()) }},
}

// diffClient connects to the Redis named by diffRedisAddrEnv, or skips.
func diffClient(t *testing.T) *redis.Client {
	t.Helper()
	addr := strings.TrimSpace(os.Getenv(diffRedisAddrEnv))
	if addr == "" {
		t.Skip("differential test skipped: set " + diffRedisAddrEnv + "=host:port of a throwaway redis-server (its database 9 is flushed)")
	}
	c := redis.NewClient(&redis.Options{
		Addr: addr, DB: diffRedisDB, Protocol: 2, DisableIdentity: true,
		DialTimeout: 5 * time.Second, ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second,
	})
	t.Cleanup(func() { _ = c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, c.Ping(ctx).Err(), "%s=%s is set but the server does not answer", diffRedisAddrEnv, addr)
	return c
}

func TestDifferentialAgainstRedis(t *testing.T) {
	c := diffClient(t)
	steps := 3000
	if testing.Short() {
		steps = 500
	}
	seeds := []uint64{1, 2, 3}
	// ISA_MEMSTORE_DIFF_SEEDS=n runs seeds 1..n instead, for a longer hunt.
	if n, err := strconv.Atoi(os.Getenv("ISA_MEMSTORE_DIFF_SEEDS")); err == nil {
		seeds = nil
		for i := 1; i <= n; i++ {
			seeds = append(seeds, uint64(i))
		}
	}
	for _, seed := range seeds {
		t.Run("seed="+strconv.FormatUint(seed, 10), func(t *testing.T) {
			runDiff(t, c, seed, steps, diffCmds)
		})
	}
}

// runDiff runs steps random commands on a fresh engine and on a flushed
// Redis database, comparing every reply and, at the end, the whole
// keyspace.
func runDiff(t *testing.T, c *redis.Client, seed uint64, steps int, cmds []diffCmd) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	require.NoError(t, c.FlushDB(ctx).Err())
	e, err := Open(Options{}) // the system clock, as Redis
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, e.Close()) })
	db := e.DB("diff")

	g := &diffGen{r: rand.New(rand.NewPCG(seed, 0xd1ff)), base: time.Now().Unix()}
	var history []string
	var slack time.Duration // the slowest step so far
	for step := 0; step < steps; step++ {
		began := time.Now()
		cmd := cmds[g.r.IntN(len(cmds))]
		argv := cmd.gen(g)
		redisArgs := make([]any, len(argv))
		for i, a := range argv {
			redisArgs[i] = a
		}
		want := fromRedis(c.Do(ctx, redisArgs...).Result())
		got := cmd.run(db, argv)
		history = append(history, fmt.Sprintf("%q -> redis %#v", argv, want))
		if len(history) > 15 {
			history = history[1:]
		}
		slack = max(slack, time.Since(began))
		equal := reflect.DeepEqual(want, got)
		if cmd.equal != nil {
			equal = cmd.equal(want, got, slack)
		}
		if !equal {
			t.Fatalf("seed %d step %d: %q\nredis:  %#v\nengine: %#v\nrecent commands:\n%s\nkeys now:\n%s",
				seed, step, argv, want, got, strings.Join(history, "\n"), dumpRedis(ctx, c))
		}
		if step%100 == 0 {
			require.NoError(t, db.ks.Verify())
		}
	}
	compareKeyspaces(t, ctx, c, db, slack)
}

// dumpRedis lists Redis's keys with their values, for failure messages.
func dumpRedis(ctx context.Context, c *redis.Client) string {
	keys, err := c.Keys(ctx, "*").Result()
	if err != nil {
		return err.Error()
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		v := fromRedis(c.Do(ctx, "GET", k).Result())
		fmt.Fprintf(&b, "%s = %#v\n", k, v)
	}
	return b.String()
}

// compareKeyspaces checks that both sides hold the same keys with the same
// types, values and (within tolerance) TTLs.
func compareKeyspaces(t *testing.T, ctx context.Context, c *redis.Client, db *DB, slack time.Duration) {
	t.Helper()
	want, err := c.Keys(ctx, "*").Result()
	require.NoError(t, err)
	got, _, err := db.Keys("*", 0)
	require.NoError(t, err)
	sort.Strings(want)
	require.Equal(t, want, append([]string{}, got...), "the key sets differ")
	for _, k := range want {
		typ, err := c.Type(ctx, k).Result()
		require.NoError(t, err)
		gotTyp, err := db.Type(k)
		require.NoError(t, err)
		require.Equal(t, typ, gotTyp.String(), "type of %q", k)
		if typ == "string" {
			v, err := c.Get(ctx, k).Result()
			require.NoError(t, err)
			gotV, _, err := db.Get(k)
			require.NoError(t, err)
			require.Equal(t, v, gotV, "value of %q", k)
		}
		pttl := fromRedis(c.Do(ctx, "PTTL", k).Result())
		gotPTTL, err := db.PTTL(k)
		require.NoError(t, err)
		require.True(t, ttlClose(time.Millisecond)(pttl, gotPTTL, slack), "PTTL of %q: redis %v, engine %v", k, pttl, gotPTTL)
	}
	require.NoError(t, db.ks.Verify())
}
