package engine

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// The differential test drives the engine and a real redis-server with the
// same seeded random command sequences over a small keyspace (sets, sorted
// sets and colliding string keys) and compares every reply exactly,
// including error texts. Replies Redis gives in no order (SMEMBERS,
// SUNION, ...) are compared as sorted lists; SPOP and SRANDMEMBER are
// random on both sides, so their replies are checked for shape and
// membership and the engine is then brought to Redis's state.
//
// The engine side goes through szDo, which parses the arguments the way
// Redis does with the exported helpers (ParseScore, ParseScoreBound,
// ParseLexBound, ZAddOptions.Validate, ZRangeQuery.Validate), so the test
// also checks what a protocol edge would see.

// szErrReply is an error reply, compared by its text.
type szErrReply string

// szDiffDB is the Redis logical database the test owns and flushes.
const szDiffDB = 11

func TestSetZSetDifferential(t *testing.T) {
	addr := os.Getenv("ISA_MEMSTORE_TEST_REDIS_ADDR")
	if addr == "" {
		t.Skip("ISA_MEMSTORE_TEST_REDIS_ADDR is not set (host:port of a redis-server 7.0 to compare with)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	rdb := redis.NewClient(&redis.Options{Addr: addr, DB: szDiffDB, Protocol: 2, DisableIdentity: true})
	t.Cleanup(func() { _ = rdb.Close() })
	require.NoError(t, rdb.Ping(ctx).Err())

	for seed := range uint64(12) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			require.NoError(t, rdb.FlushDB(ctx).Err())
			db, _ := openSZ(t, Options{})
			r := rand.New(rand.NewPCG(seed, 0x5e72))
			d := &szDiff{t: t, ctx: ctx, rdb: rdb, db: db, r: r}
			for i := range 1500 {
				d.step()
				if i%25 == 0 {
					d.compareState()
				}
			}
			d.compareState()
			szVerify(t, db)
		})
	}
}

type szDiff struct {
	t   *testing.T
	ctx context.Context
	rdb *redis.Client
	db  *DB
	r   *rand.Rand
}

// Keys: s* are used as sets, z* as sorted sets, zl only ever holds score 0
// (lexicographic ranges are only defined then), str is a string; every
// command may name any of them, so type collisions are frequent.
var (
	dfKeys = []string{"s0", "s1", "z0", "z1", "str", "none"}
	// Each command names one of its own type's keys most of the time
	// and, one time in six, one of the collision keys.
	dfSetKeys  = []string{"s0", "s1", "s2", "s0", "s1", "s2", "s0", "s1", "s2", "s0", "str", "z0", "none"}
	dfZKeys    = []string{"z0", "z1", "z2", "z0", "z1", "z2", "z0", "z1", "z2", "z0", "str", "s0", "none"}
	dfLexKeys  = []string{"zl", "str", "s0", "none"}
	dfMembers  = []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	dfScores   = []string{"1", "2", "-1.5", "0", "-0", "3.25", "0x10", "1e3", "inf", "-inf", "+inf", "1e-310", "2.5", "7"}
	dfBadScore = []string{"abc", "nan", "", " 1", "1 ", "1e400", "(1", "0x", "1e-400"}
	dfBounds   = []string{"-inf", "+inf", "0", "(0", "1", "(1", "2", "(2.5", "3.25", "-1.5", "(inf", "1e3", "(", "", " 2", "0x2", "1e400", "-inf", "+inf", "(2", "7", "(7"}
	dfBadBound = []string{"abc", "nan", "[1", "2 ", "(nan", "1e"}
	dfLex      = []string{"-", "+", "[a", "(a", "[c", "(c", "[cc", "(h", "[h", "[", "a", "", "-x"}
	dfCounts   = []string{"0", "1", "2", "3", "5", "-1", "-2", "-5", "abc", "1.5"}
	dfIndexes  = []string{"0", "1", "2", "-1", "-2", "-3", "5", "-10", "100", "0", "-1", "1", "x"}
)

func (d *szDiff) pick(xs []string) string { return xs[d.r.IntN(len(xs))] }

func (d *szDiff) picks(xs []string, lo, hi int) []string {
	out := make([]string, lo+d.r.IntN(hi-lo+1))
	for i := range out {
		out[i] = d.pick(xs)
	}
	return out
}

func (d *szDiff) bound() string {
	if d.r.IntN(15) == 0 {
		return d.pick(dfBadBound)
	}
	return d.pick(dfBounds)
}

// some returns 1..hi picks, and none one time in twelve (an arity error).
func (d *szDiff) some(xs []string, hi int) []string {
	if d.r.IntN(12) == 0 {
		return nil
	}
	return d.picks(xs, 1, hi)
}

func (d *szDiff) score() string {
	if d.r.IntN(12) == 0 {
		return d.pick(dfBadScore)
	}
	return d.pick(dfScores)
}

func cmdArgs(name string, rest ...[]string) []string {
	out := []string{name}
	for _, r := range rest {
		out = append(out, r...)
	}
	return out
}

// next returns a random command.
func (d *szDiff) next() []string {
	one := func(xs []string) []string { return []string{d.pick(xs)} }
	switch d.r.IntN(40) {
	case 0, 1, 2:
		return cmdArgs("SADD", one(dfSetKeys), d.some(dfMembers, 4))
	case 3:
		return cmdArgs("SREM", one(dfSetKeys), d.some(dfMembers, 3))
	case 4:
		return cmdArgs("SMEMBERS", one(dfSetKeys))
	case 5:
		return cmdArgs("SISMEMBER", one(dfSetKeys), one(dfMembers))
	case 6:
		return cmdArgs("SMISMEMBER", one(dfSetKeys), d.some(dfMembers, 3))
	case 7:
		return cmdArgs("SCARD", one(dfSetKeys))
	case 8, 9:
		return cmdArgs(d.pick([]string{"SUNION", "SINTER", "SDIFF"}), d.some(dfSetKeys, 3))
	case 10, 11:
		return cmdArgs(d.pick([]string{"SUNIONSTORE", "SINTERSTORE", "SDIFFSTORE"}), one(dfSetKeys), d.some(dfSetKeys, 3))
	case 12:
		if d.r.IntN(3) == 0 {
			return cmdArgs("SPOP", one(dfSetKeys))
		}
		return cmdArgs("SPOP", one(dfSetKeys), one(dfCounts))
	case 13:
		if d.r.IntN(3) == 0 {
			return cmdArgs("SRANDMEMBER", one(dfSetKeys))
		}
		return cmdArgs("SRANDMEMBER", one(dfSetKeys), one(dfCounts))
	case 14:
		return cmdArgs("SMOVE", one(dfSetKeys), one(dfSetKeys), one(dfMembers))
	case 15, 16, 17, 18:
		var opts []string
		for range d.r.IntN(3) {
			opts = append(opts, d.pick([]string{"NX", "XX", "GT", "LT", "CH", "INCR", "ch", "xx"}))
		}
		var pairs []string
		n := 1 + d.r.IntN(3)
		if d.r.IntN(12) == 0 {
			n = 0 // too few arguments, or a syntax error after options
		}
		for range n {
			pairs = append(pairs, d.score(), d.pick(dfMembers))
		}
		if d.r.IntN(15) == 0 && len(pairs) > 0 {
			pairs = pairs[:len(pairs)-1] // odd: a syntax error
		}
		return cmdArgs("ZADD", one(dfZKeys), opts, pairs)
	case 19:
		return cmdArgs("ZINCRBY", one(dfZKeys), []string{d.score()}, one(dfMembers))
	case 20:
		if d.r.IntN(2) == 0 {
			return cmdArgs("ZADD", one(dfZKeys), []string{d.score(), d.pick(dfMembers)})
		}
		return cmdArgs("ZREM", one(dfZKeys), d.some(dfMembers, 3))
	case 21:
		return cmdArgs("ZSCORE", one(dfZKeys), one(dfMembers))
	case 22:
		return cmdArgs("ZMSCORE", one(dfZKeys), d.some(dfMembers, 3))
	case 23:
		return cmdArgs("ZCARD", one(dfZKeys))
	case 24:
		return cmdArgs("ZCOUNT", one(dfZKeys), []string{d.bound(), d.bound()})
	case 25:
		return cmdArgs(d.pick([]string{"ZRANK", "ZREVRANK"}), one(dfZKeys), one(dfMembers))
	case 26, 27, 28:
		return d.zrange()
	case 29:
		return cmdArgs("ZRANGEBYSCORE", one(dfZKeys), []string{d.bound(), d.bound()}, d.rangeOpts(false))
	case 30:
		return cmdArgs("ZREVRANGE", one(dfZKeys), one(dfIndexes), one(dfIndexes), d.rangeOpts(false))
	case 31:
		return cmdArgs("ZREMRANGEBYRANK", one(dfZKeys), one(dfIndexes), one(dfIndexes))
	case 32:
		return cmdArgs("ZREMRANGEBYSCORE", one(dfZKeys), []string{d.bound(), d.bound()})
	case 33:
		cmd := d.pick([]string{"ZPOPMIN", "ZPOPMAX"})
		if d.r.IntN(3) == 0 {
			return cmdArgs(cmd, one(dfZKeys))
		}
		return cmdArgs(cmd, one(dfZKeys), one(dfCounts))
	case 34:
		// The lexicographic key: members only ever get score 0.
		return cmdArgs("ZADD", []string{"zl"}, []string{"0", d.pick(dfMembers), "0", d.pick(dfMembers)})
	case 35:
		key := d.pick(dfLexKeys)
		if key != "zl" && d.redisDo([]string{"TYPE", key}) == "zset" {
			key = "zl" // a sorted set with mixed scores has no defined lex order
		}
		cmd := cmdArgs("ZRANGE", []string{key}, one(dfLex), one(dfLex), []string{"BYLEX"})
		if d.r.IntN(2) == 0 {
			cmd = append(cmd, "REV")
		}
		return append(cmd, d.rangeOpts(true)...)
	case 36:
		return cmdArgs("SET", one(dfKeys), []string{"v"})
	case 37:
		return cmdArgs("EXPIRE", one(dfKeys), []string{"1000"})
	case 38:
		return cmdArgs("DEL", one(dfKeys))
	default:
		return cmdArgs("ZREM", []string{"zl"}, d.picks(dfMembers, 1, 2))
	}
}

// rangeOpts returns random trailing ZRANGE options (LIMIT, WITHSCORES),
// occasionally malformed.
func (d *szDiff) rangeOpts(lex bool) []string {
	var out []string
	for range d.r.IntN(3) {
		switch d.r.IntN(6) {
		case 0, 1:
			out = append(out, "LIMIT", d.pick(dfCounts), d.pick(dfCounts))
		case 2:
			if !lex || d.r.IntN(4) == 0 {
				out = append(out, "WITHSCORES")
			}
		case 3:
			out = append(out, "limit", d.pick([]string{"0", "1"}), "-1")
		case 4:
			if d.r.IntN(4) == 0 {
				out = append(out, d.pick([]string{"LIMIT", "BYSCORE", "REV", "BOGUS"}))
			}
		}
	}
	return out
}

func (d *szDiff) zrange() []string {
	key := d.pick(dfZKeys)
	var cmd []string
	switch d.r.IntN(3) {
	case 0:
		cmd = []string{"ZRANGE", key, d.pick(dfIndexes), d.pick(dfIndexes)}
	default:
		cmd = []string{"ZRANGE", key, d.bound(), d.bound(), d.pick([]string{"BYSCORE", "byscore"})}
	}
	if d.r.IntN(2) == 0 {
		cmd = append(cmd, "REV")
	}
	return append(cmd, d.rangeOpts(false)...)
}

// unordered reports whether Redis's reply to cmd has no defined order.
func unordered(cmd string) bool {
	switch cmd {
	case "SMEMBERS", "SUNION", "SINTER", "SDIFF", "SPOP", "SRANDMEMBER":
		return true
	}
	return false
}

func (d *szDiff) redisDo(args []string) any {
	d.t.Helper()
	a := make([]any, len(args))
	for i, s := range args {
		a[i] = s
	}
	v, err := d.rdb.Do(d.ctx, a...).Result()
	return redisReply(d.t, v, err)
}

func redisReply(t testing.TB, v any, err error) any {
	t.Helper()
	if errors.Is(err, redis.Nil) {
		return nil
	}
	if err != nil {
		var rerr redis.Error
		require.True(t, errors.As(err, &rerr), "not a Redis error reply: %v", err)
		return szErrReply(err.Error())
	}
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = redisReply(t, x, nil)
		}
		return out
	case string, int64, nil:
		return v
	}
	t.Fatalf("unexpected reply type %T", v)
	return nil
}

func sortReply(v any) any {
	arr, ok := v.([]any)
	if !ok {
		return v
	}
	out := slices.Clone(arr)
	slices.SortFunc(out, func(a, b any) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	return out
}

func (d *szDiff) step() {
	t := d.t
	args := d.next()
	cmd := args[0]
	switch cmd {
	case "SPOP", "SRANDMEMBER":
		d.random(args)
		return
	}
	want := d.redisDo(args)
	got := szDo(d.db, args...)
	if unordered(cmd) {
		want, got = sortReply(want), sortReply(got)
	}
	require.Equal(t, want, got, "%q", args)
}

// random checks SPOP and SRANDMEMBER, whose members differ by nature:
// errors and reply shapes must match, members must come from the set, and
// after SPOP the engine's set is made equal to Redis's.
func (d *szDiff) random(args []string) {
	t := d.t
	key := args[1]
	before := d.redisDo([]string{"SMEMBERS", key})
	want := d.redisDo(args)
	got := szDo(d.db, args...)
	if _, isErr := want.(szErrReply); isErr || want == nil {
		require.Equal(t, want, got, "%q", args)
		return
	}
	members := map[any]bool{}
	if arr, ok := before.([]any); ok {
		for _, m := range arr {
			members[m] = true
		}
	}
	var wantList, gotList []any
	switch w := want.(type) {
	case string:
		g, ok := got.(string)
		require.True(t, ok, "%q: engine replied %v", args, got)
		require.True(t, members[g], "%q: %q is not a member", args, g)
		wantList, gotList = []any{w}, []any{g}
	case []any:
		g, ok := got.([]any)
		require.True(t, ok, "%q: engine replied %v", args, got)
		require.Len(t, g, len(w), "%q", args)
		for _, m := range g {
			require.True(t, members[m], "%q: %v is not a member", args, m)
		}
		if args[0] == "SPOP" || !strings.HasPrefix(args[2], "-") {
			require.Len(t, slices.Compact(sortReply(g).([]any)), len(g), "%q: distinct members expected", args)
		}
		wantList, gotList = w, g
	default:
		t.Fatalf("%q: unexpected reply %v", args, want)
	}
	if args[0] == "SPOP" && len(wantList) > 0 {
		// Undo the engine's pops and apply Redis's, so the states agree.
		// When a pop emptied the set it did so on both sides.
		if ex, _ := d.db.Exists(key); ex == 1 {
			for _, m := range gotList {
				_, err := d.db.SAdd(key, m.(string))
				require.NoError(t, err)
			}
			for _, m := range wantList {
				_, err := d.db.SRem(key, m.(string))
				require.NoError(t, err)
			}
		}
	}
}

// compareState compares every key's type, value and TTL class.
func (d *szDiff) compareState() {
	t := d.t
	for _, k := range []string{"s0", "s1", "s2", "z0", "z1", "z2", "zl", "str", "none"} {
		typ := d.redisDo([]string{"TYPE", k})
		got, err := d.db.Type(k)
		require.NoError(t, err)
		require.Equal(t, typ, got.String(), "TYPE %s", k)
		switch typ {
		case "set":
			require.Equal(t, sortReply(d.redisDo([]string{"SMEMBERS", k})), sortReply(szDo(d.db, "SMEMBERS", k)), k)
		case "zset":
			q := []string{"ZRANGE", k, "0", "-1", "WITHSCORES"}
			require.Equal(t, d.redisDo(q), szDo(d.db, q...), k)
		}
		rt := d.redisDo([]string{"PTTL", k}).(int64)
		et, err := d.db.PTTL(k)
		require.NoError(t, err)
		require.Equal(t, max(min(rt, 1), -2), max(min(et, 1), -2), "PTTL class of %s: redis %d, engine %d", k, rt, et)
	}
}

// ---- the engine side: arguments parsed as Redis parses them ----

func szReplyOf(v any, err error) any {
	if err != nil {
		return szErrReply(err.Error())
	}
	return v
}

func strsReply(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func membersReply(ms []ZMember, withScores bool) []any {
	out := make([]any, 0, len(ms)*2)
	for _, m := range ms {
		out = append(out, m.Member)
		if withScores {
			out = append(out, FormatFloat(m.Score))
		}
	}
	return out
}

func boolReply(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

var errNotIntegerReply = szErrReply(ErrNotInteger.Error())

// szDo runs one command on the engine and returns its reply in go-redis's
// RESP2 shapes: string, int64, []any, nil, or szErrReply.
func szDo(db *DB, args ...string) any {
	cmd, a := strings.ToUpper(args[0]), args[1:]
	switch cmd {
	case "SET":
		_, err := db.Set(a[0], a[1], SetOptions{})
		return szReplyOf("OK", err)
	case "DEL":
		n, err := db.Del(a...)
		return szReplyOf(n, err)
	case "EXPIRE":
		secs, _ := ParseInt(a[1])
		ok, err := db.Expire(a[0], time.Duration(secs)*time.Second, 0)
		return szReplyOf(boolReply(ok), err)
	case "SADD":
		n, err := db.SAdd(a[0], a[1:]...)
		return szReplyOf(n, err)
	case "SREM":
		n, err := db.SRem(a[0], a[1:]...)
		return szReplyOf(n, err)
	case "SMEMBERS":
		ms, err := db.SMembers(a[0])
		return szReplyOf(strsReply(ms), err)
	case "SISMEMBER":
		ok, err := db.SIsMember(a[0], a[1])
		return szReplyOf(boolReply(ok), err)
	case "SMISMEMBER":
		flags, err := db.SMIsMember(a[0], a[1:]...)
		out := make([]any, len(flags))
		for i, f := range flags {
			out[i] = boolReply(f)
		}
		return szReplyOf(out, err)
	case "SCARD":
		n, err := db.SCard(a[0])
		return szReplyOf(n, err)
	case "SUNION", "SINTER", "SDIFF":
		op := map[string]setOp{"SUNION": opUnion, "SINTER": opInter, "SDIFF": opDiff}[cmd]
		ms, err := db.setAlgebra(op, a)
		return szReplyOf(strsReply(ms), err)
	case "SUNIONSTORE", "SINTERSTORE", "SDIFFSTORE":
		op := map[string]setOp{"SUNIONSTORE": opUnion, "SINTERSTORE": opInter, "SDIFFSTORE": opDiff}[cmd]
		if len(a) == 0 {
			return szErrReply(wrongArgs(strings.ToLower(cmd)).Error())
		}
		n, err := db.setStore(op, a[0], a[1:])
		return szReplyOf(n, err)
	case "SPOP":
		if len(a) == 1 {
			m, found, err := db.SPop(a[0])
			if err != nil || !found {
				return szReplyOf(nil, err)
			}
			return m
		}
		c, ok := ParseInt(a[1])
		if !ok {
			return szErrReply(errNotPositive.Error())
		}
		ms, err := db.SPopCount(a[0], c)
		return szReplyOf(strsReply(ms), err)
	case "SRANDMEMBER":
		if len(a) == 1 {
			m, found, err := db.SRandMember(a[0])
			if err != nil || !found {
				return szReplyOf(nil, err)
			}
			return m
		}
		c, ok := ParseInt(a[1])
		if !ok {
			return errNotIntegerReply
		}
		ms, err := db.SRandMemberCount(a[0], c)
		return szReplyOf(strsReply(ms), err)
	case "SMOVE":
		ok, err := db.SMove(a[0], a[1], a[2])
		return szReplyOf(boolReply(ok), err)
	case "ZADD":
		return szZAdd(db, args)
	case "ZINCRBY":
		incr, err := ParseScore(a[1])
		if err != nil {
			return szErrReply(err.Error())
		}
		s, err := db.ZIncrBy(a[0], incr, a[2])
		return szReplyOf(FormatFloat(s), err)
	case "ZREM":
		n, err := db.ZRem(a[0], a[1:]...)
		return szReplyOf(n, err)
	case "ZSCORE":
		s, found, err := db.ZScore(a[0], a[1])
		if err != nil || !found {
			return szReplyOf(nil, err)
		}
		return FormatFloat(s)
	case "ZMSCORE":
		ss, err := db.ZMScore(a[0], a[1:]...)
		out := make([]any, len(ss))
		for i, s := range ss {
			if s.Found {
				out[i] = FormatFloat(s.Score)
			}
		}
		return szReplyOf(out, err)
	case "ZCARD":
		n, err := db.ZCard(a[0])
		return szReplyOf(n, err)
	case "ZCOUNT", "ZREMRANGEBYSCORE":
		lo, err := ParseScoreBound(a[1])
		if err != nil {
			return szErrReply(err.Error())
		}
		hi, err := ParseScoreBound(a[2])
		if err != nil {
			return szErrReply(err.Error())
		}
		var n int64
		if cmd == "ZCOUNT" {
			n, err = db.ZCount(a[0], lo, hi)
		} else {
			n, err = db.ZRemRangeByScore(a[0], lo, hi)
		}
		return szReplyOf(n, err)
	case "ZRANK", "ZREVRANK":
		var r int64
		var found bool
		var err error
		if cmd == "ZRANK" {
			r, found, err = db.ZRank(a[0], a[1])
		} else {
			r, found, err = db.ZRevRank(a[0], a[1])
		}
		if err != nil || !found {
			return szReplyOf(nil, err)
		}
		return r
	case "ZRANGE":
		return szZRange(db, a, ZByRank, false, false)
	case "ZRANGEBYSCORE":
		return szZRange(db, a, ZByScore, false, true)
	case "ZREVRANGE":
		return szZRange(db, a, ZByRank, true, true)
	case "ZREMRANGEBYRANK":
		start, ok1 := ParseInt(a[1])
		stop, ok2 := ParseInt(a[2])
		if !ok1 || !ok2 {
			return errNotIntegerReply
		}
		n, err := db.ZRemRangeByRank(a[0], start, stop)
		return szReplyOf(n, err)
	case "ZPOPMIN", "ZPOPMAX":
		count := int64(1)
		if len(a) > 1 {
			c, ok := ParseInt(a[1])
			if !ok {
				return szErrReply(errNotPositive.Error())
			}
			count = c
		}
		var ms []ZMember
		var err error
		if cmd == "ZPOPMIN" {
			ms, err = db.ZPopMin(a[0], count)
		} else {
			ms, err = db.ZPopMax(a[0], count)
		}
		return szReplyOf(membersReply(ms, true), err)
	}
	panic("szDo: unknown command " + cmd)
}

// szZAdd parses ZADD as Redis's zaddGenericCommand: flags, pair count,
// option conflicts, every score, then the command itself.
func szZAdd(db *DB, args []string) any {
	if len(args) < 4 {
		_, err := db.ZAdd(args[1], ZAddOptions{})
		return szErrReply(err.Error())
	}
	var o ZAddOptions
	i := 2
flags:
	for ; i < len(args); i++ {
		switch strings.ToUpper(args[i]) {
		case "NX":
			o.NX = true
		case "XX":
			o.XX = true
		case "GT":
			o.GT = true
		case "LT":
			o.LT = true
		case "CH":
			o.CH = true
		case "INCR":
			o.Incr = true
		default:
			break flags
		}
	}
	rest := args[i:]
	if len(rest) == 0 || len(rest)%2 != 0 {
		return szErrReply(ErrSyntax.Error())
	}
	if err := o.Validate(len(rest) / 2); err != nil {
		return szErrReply(err.Error())
	}
	ms := make([]ZMember, 0, len(rest)/2)
	for j := 0; j < len(rest); j += 2 {
		s, err := ParseScore(rest[j])
		if err != nil {
			return szErrReply(err.Error())
		}
		ms = append(ms, ZMember{Member: rest[j+1], Score: s})
	}
	res, err := db.ZAdd(args[1], o, ms...)
	if err != nil {
		return szErrReply(err.Error())
	}
	if o.Incr {
		if !res.Scored {
			return nil
		}
		return FormatFloat(res.Score)
	}
	return res.Count
}

// szZRange parses the ZRANGE family as Redis's zrangeGenericCommand:
// options in one pass (LIMIT's numbers as it meets them), option
// conflicts, the range (max first when reversed by score or lex), then the
// key. fixed marks ZRANGEBYSCORE and ZREVRANGE, whose kind and direction
// cannot be changed by options.
func szZRange(db *DB, a []string, by ZRangeBy, rev, fixed bool) any {
	q := ZRangeQuery{By: by, Rev: rev}
	byAuto, revAuto := !fixed, !fixed
	for j := 3; j < len(a); j++ {
		left := len(a) - j - 1
		switch opt := strings.ToUpper(a[j]); {
		case opt == "WITHSCORES":
			q.WithScores = true
		case opt == "LIMIT" && left >= 2:
			off, ok1 := ParseInt(a[j+1])
			if !ok1 {
				return errNotIntegerReply
			}
			cnt, ok2 := ParseInt(a[j+2])
			if !ok2 {
				return errNotIntegerReply
			}
			q.Limit = &ZLimit{Offset: off, Count: cnt}
			j += 2
		case revAuto && opt == "REV":
			q.Rev, revAuto = true, false
		case byAuto && opt == "BYLEX":
			q.By, byAuto = ZByLex, false
		case byAuto && opt == "BYSCORE":
			q.By, byAuto = ZByScore, false
		default:
			return szErrReply(ErrSyntax.Error())
		}
	}
	if err := q.Validate(); err != nil {
		return szErrReply(err.Error())
	}
	lo, hi := a[1], a[2]
	if q.Rev && q.By != ZByRank {
		lo, hi = hi, lo
	}
	switch q.By {
	case ZByRank:
		start, ok1 := ParseInt(lo)
		stop, ok2 := ParseInt(hi)
		if !ok1 || !ok2 {
			return errNotIntegerReply
		}
		q.Start, q.Stop = start, stop
	case ZByScore:
		var err1, err2 error
		q.Min, err1 = ParseScoreBound(lo)
		q.Max, err2 = ParseScoreBound(hi)
		if err := errors.Join(err1, err2); err != nil {
			return szErrReply(errScoreRange.Error())
		}
	case ZByLex:
		var err1, err2 error
		q.LexMin, err1 = ParseLexBound(lo)
		q.LexMax, err2 = ParseLexBound(hi)
		if err := errors.Join(err1, err2); err != nil {
			return szErrReply(errLexRange.Error())
		}
	}
	ms, err := db.ZRange(a[0], q)
	return szReplyOf(membersReply(ms, q.WithScores), err)
}
