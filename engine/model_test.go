package engine

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"path"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/store"
)

// This file is a seeded random-operation test: the same operations run on
// the engine and on a deliberately trivial model (a map plus deadlines),
// on a manual clock that jumps forward at random, and after every step the
// replies must be equal, the keyspace must pass Verify (keys, expiry index
// and counters agree) and DBSIZE must equal the model's live count.
//
// To add a type's commands, add rows to modelOps (or append to it from an
// init function in that type's test file) and, if the type needs it, a
// field to mval. Each row is one command: how to draw its arguments, how to
// run it on the engine, and what the model answers.

// mval is the model's value of one key.
type mval struct {
	typ      Type
	str      string // TypeString
	deadline int64  // Unix ms; 0: no TTL
	// Collections: add fields here (a map for hashes, a slice for lists...).
}

// model is one namespace: every key with its deadline, nothing else.
type model struct {
	now  int64 // Unix ms, kept equal to the engine's clock
	keys map[string]*mval
}

func newModel(now int64) *model { return &model{now: now, keys: map[string]*mval{}} }

// get returns key's live value, forgetting it if its deadline has passed.
func (m *model) get(key string) *mval {
	v := m.keys[key]
	if v != nil && v.deadline != 0 && v.deadline <= m.now {
		delete(m.keys, key)
		return nil
	}
	return v
}

// str returns key's string value, or errWrongType for another type.
func (m *model) str(key string) (*mval, error) {
	v := m.get(key)
	if v != nil && v.typ != TypeString {
		return nil, errWrongType
	}
	return v, nil
}

func (m *model) live() []string {
	var out []string
	for k := range m.keys {
		if m.get(k) != nil {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// The model's errors are plain texts, written out independently of the
// engine's error table.
var (
	errWrongType = errors.New("WRONGTYPE Operation against a key holding the wrong kind of value")
	errNotInt    = errors.New("ERR value is not an integer or out of range")
	errNotFloat  = errors.New("ERR value is not a valid float")
	errOverflow  = errors.New("ERR increment or decrement would overflow")
	errNaNInf    = errors.New("ERR increment would produce NaN or Infinity")
	errNoKey     = errors.New("ERR no such key")
	errSyntax    = errors.New("ERR syntax error")
)

// reply is a command's observable result, rendered as text so that engine
// and model replies compare with == and print readably.
type reply string

// out renders a result and its error; an error replaces the result.
func out(v any, err error) reply {
	if err != nil {
		return reply("error: " + err.Error())
	}
	return reply(fmt.Sprintf("%#v", v))
}

// args holds a command's arguments; each op uses the fields it needs.
type args struct {
	keys    []string
	vals    []string
	n       int64
	f       float64
	ms      int64 // a TTL or an absolute time, in ms
	set     SetOptions
	flags   ExpireFlags
	pattern string
	limit   int
}

func (a args) String() string {
	return fmt.Sprintf("keys=%q vals=%q n=%d f=%v ms=%d set=%+v flags=%b pattern=%q limit=%d",
		a.keys, a.vals, a.n, a.f, a.ms, a.set, a.flags, a.pattern, a.limit)
}

// gen draws arguments from small pools, so that commands collide on keys
// and values hit the interesting cases (integers at the int64 limits,
// floats, non-numbers, empty strings).
type gen struct {
	r   *rand.Rand
	now int64
}

var (
	modelKeys   = []string{"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"}
	modelValues = []string{"", "v", "hello", "0", "1", "-7", "42", "1.5", "-0.25", "10.5", "abc",
		"9223372036854775806", "-9223372036854775807", "9223372036854775807", "01", "1e3", "inf"}
	modelDeltas = []int64{0, 1, -1, 5, -100, math.MaxInt64, math.MinInt64, math.MaxInt64 - 1}
	modelFloats = []float64{0, 0.5, -1.25, 2, 0.1, -3.75, 1e3}
	modelGlobs  = []string{"*", "k1*", "k?", "[k]1", "*[0-3]", "k[^1]", "k3", "nope", "?", "k[2-5]"}
)

func (g *gen) key() string       { return modelKeys[g.r.IntN(len(modelKeys))] }
func (g *gen) value() string     { return modelValues[g.r.IntN(len(modelValues))] }
func (g *gen) chance(n int) bool { return g.r.IntN(n) == 0 }

func (g *gen) keys(max int) []string {
	out := make([]string, 1+g.r.IntN(max))
	for i := range out {
		out[i] = g.key()
	}
	return out
}

// ttlMS is a relative TTL in ms: mostly short positive ones that the
// random clock jumps overtake, sometimes zero or negative.
func (g *gen) ttlMS() int64 {
	if g.chance(8) {
		return -g.r.Int64N(50)
	}
	return 1 + g.r.Int64N(200)
}

func (g *gen) expireFlags() ExpireFlags {
	if g.chance(2) {
		return 0
	}
	return ExpireFlags(g.r.IntN(16)) // includes the incompatible combinations
}

func (g *gen) setOptions() SetOptions {
	var o SetOptions
	switch g.r.IntN(6) {
	case 0:
		o.TTL = time.Duration(g.ttlMS()) * time.Millisecond // negative: invalid expire
	case 1:
		o.ExpireAt = time.UnixMilli(g.now + g.ttlMS()) // may be in the past
	case 2:
		o.KeepTTL = true
	}
	if g.chance(30) { // two expiry options: a syntax error
		o.KeepTTL = true
		o.TTL = time.Second
	}
	o.NX = g.chance(4)
	o.XX = g.chance(4)
	o.Get = g.chance(3)
	return o
}

// op is one command in the random test.
type op struct {
	name  string
	gen   func(g *gen) args
	run   func(db *DB, a args) reply
	model func(m *model, a args) reply
}

// modelSet is SET on the model.
func modelSet(m *model, key, value string, o SetOptions) (SetResult, error) {
	var res SetResult
	n := 0
	for _, b := range []bool{o.TTL != 0, !o.ExpireAt.IsZero(), o.KeepTTL} {
		if b {
			n++
		}
	}
	if n > 1 || (o.NX && o.XX) {
		return res, errSyntax
	}
	var deadline int64
	switch {
	case o.TTL < 0, !o.ExpireAt.IsZero() && o.ExpireAt.UnixMilli() <= 0:
		return res, errors.New("ERR invalid expire time in 'set' command")
	case o.TTL > 0:
		deadline = m.now + o.TTL.Milliseconds()
	case !o.ExpireAt.IsZero():
		deadline = o.ExpireAt.UnixMilli()
	}
	old := m.get(key)
	if o.Get && old != nil {
		if old.typ != TypeString {
			return res, errWrongType
		}
		res.Old, res.HadOld = old.str, true
	}
	if (o.NX && old != nil) || (o.XX && old == nil) {
		return res, nil
	}
	res.Written = true
	if o.KeepTTL && old != nil {
		deadline = old.deadline
	}
	if deadline != 0 && deadline <= m.now {
		delete(m.keys, key)
		return res, nil
	}
	m.keys[key] = &mval{typ: TypeString, str: value, deadline: deadline}
	return res, nil
}

// modelIncr is INCRBY on the model.
func modelIncr(m *model, key string, delta int64) (int64, error) {
	v, err := m.str(key)
	if err != nil {
		return 0, err
	}
	var cur int64
	if v != nil {
		c, perr := strconv.ParseInt(v.str, 10, 64)
		if perr != nil || strconv.FormatInt(c, 10) != v.str {
			return 0, errNotInt
		}
		cur = c
	}
	sum := new(big.Int).Add(big.NewInt(cur), big.NewInt(delta))
	if !sum.IsInt64() {
		return 0, errOverflow
	}
	if v == nil {
		v = &mval{typ: TypeString}
		m.keys[key] = v
	}
	v.str = sum.String()
	return sum.Int64(), nil
}

// modelIncrFloat is INCRBYFLOAT on the model, in long double precision
// (64-bit mantissa) like Redis.
func modelIncrFloat(m *model, key string, delta float64) (string, error) {
	v, err := m.str(key)
	if err != nil {
		return "", err
	}
	cur := "0"
	if v != nil {
		cur = v.str
	}
	c, perr := strconv.ParseFloat(cur, 64) // the value pool stays in float64 range
	if perr != nil || math.IsNaN(c) {
		return "", errNotFloat
	}
	if math.IsInf(c, 0) {
		return "", errNaNInf
	}
	a, _ := new(big.Float).SetPrec(64).SetString(cur)
	b, _ := new(big.Float).SetPrec(64).SetString(strconv.FormatFloat(delta, 'g', -1, 64))
	s := new(big.Float).SetPrec(64).Add(a, b).Text('f', 17)
	s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		s = "0"
	}
	if v == nil {
		v = &mval{typ: TypeString}
		m.keys[key] = v
	}
	v.str = s
	return s, nil
}

// modelExpire is the EXPIRE family on the model; at is absolute (ms).
func modelExpire(m *model, key string, at int64, flags ExpireFlags) (bool, error) {
	if flags&ExpireNX != 0 && flags&(ExpireXX|ExpireGT|ExpireLT) != 0 {
		return false, errors.New("ERR NX and XX, GT or LT options at the same time are not compatible")
	}
	if flags&ExpireGT != 0 && flags&ExpireLT != 0 {
		return false, errors.New("ERR GT and LT options at the same time are not compatible")
	}
	v := m.get(key)
	if v == nil {
		return false, nil
	}
	cur := v.deadline
	if (flags&ExpireNX != 0 && cur != 0) || (flags&ExpireXX != 0 && cur == 0) ||
		(flags&ExpireGT != 0 && (cur == 0 || at <= cur)) || (flags&ExpireLT != 0 && cur != 0 && at >= cur) {
		return false, nil
	}
	if at <= m.now {
		delete(m.keys, key)
	} else {
		v.deadline = at
	}
	return true, nil
}

func modelRename(m *model, src, dst string, nx bool) (bool, error) {
	v := m.get(src)
	if v == nil {
		return false, errNoKey
	}
	if src == dst {
		return !nx, nil
	}
	if nx && m.get(dst) != nil {
		return false, nil
	}
	delete(m.keys, src)
	m.keys[dst] = v
	return true, nil
}

func keysReply(keys []string, total int) reply {
	if len(keys) == 0 {
		keys = nil
	}
	return out(fmt.Sprint(keys, total), nil)
}

// modelOps are the commands of the random test.
var modelOps = []op{
	{
		name: "GET",
		gen:  func(g *gen) args { return args{keys: []string{g.key()}} },
		run: func(db *DB, a args) reply {
			v, ok, err := db.Get(a.keys[0])
			return out(Maybe{v, ok}, err)
		},
		model: func(m *model, a args) reply {
			v, err := m.str(a.keys[0])
			if v == nil {
				return out(Maybe{}, err)
			}
			return out(Maybe{v.str, true}, nil)
		},
	},
	{
		name: "SET",
		gen: func(g *gen) args {
			return args{keys: []string{g.key()}, vals: []string{g.value()}, set: g.setOptions()}
		},
		run: func(db *DB, a args) reply {
			return out(db.Set(a.keys[0], a.vals[0], a.set))
		},
		model: func(m *model, a args) reply {
			return out(modelSet(m, a.keys[0], a.vals[0], a.set))
		},
	},
	{
		name: "SETNX",
		gen:  func(g *gen) args { return args{keys: []string{g.key()}, vals: []string{g.value()}} },
		run:  func(db *DB, a args) reply { return out(db.SetNX(a.keys[0], a.vals[0])) },
		model: func(m *model, a args) reply {
			res, err := modelSet(m, a.keys[0], a.vals[0], SetOptions{NX: true})
			return out(res.Written, err)
		},
	},
	{
		name: "GETSET",
		gen:  func(g *gen) args { return args{keys: []string{g.key()}, vals: []string{g.value()}} },
		run: func(db *DB, a args) reply {
			v, ok, err := db.GetSet(a.keys[0], a.vals[0])
			return out(Maybe{v, ok}, err)
		},
		model: func(m *model, a args) reply {
			res, err := modelSet(m, a.keys[0], a.vals[0], SetOptions{Get: true})
			return out(Maybe{res.Old, res.HadOld}, err)
		},
	},
	{
		name: "GETDEL",
		gen:  func(g *gen) args { return args{keys: []string{g.key()}} },
		run: func(db *DB, a args) reply {
			v, ok, err := db.GetDel(a.keys[0])
			return out(Maybe{v, ok}, err)
		},
		model: func(m *model, a args) reply {
			v, err := m.str(a.keys[0])
			if v == nil {
				return out(Maybe{}, err)
			}
			delete(m.keys, a.keys[0])
			return out(Maybe{v.str, true}, nil)
		},
	},
	{
		name: "MGET",
		gen:  func(g *gen) args { return args{keys: g.keys(4)} },
		run:  func(db *DB, a args) reply { return out(db.MGet(a.keys...)) },
		model: func(m *model, a args) reply {
			res := make([]Maybe, len(a.keys))
			for i, k := range a.keys {
				if v := m.get(k); v != nil && v.typ == TypeString {
					res[i] = Maybe{v.str, true}
				}
			}
			return out(res, nil)
		},
	},
	{
		name: "MSET",
		gen: func(g *gen) args {
			a := args{keys: g.keys(3)}
			for range a.keys {
				a.vals = append(a.vals, g.value())
			}
			return a
		},
		run: func(db *DB, a args) reply { return out(nil, db.MSet(pairs(a)...)) },
		model: func(m *model, a args) reply {
			for i, k := range a.keys {
				m.keys[k] = &mval{typ: TypeString, str: a.vals[i]}
			}
			return out(nil, nil)
		},
	},
	{
		name: "MSETNX",
		gen: func(g *gen) args {
			a := args{keys: g.keys(3)}
			for range a.keys {
				a.vals = append(a.vals, g.value())
			}
			return a
		},
		run: func(db *DB, a args) reply { return out(db.MSetNX(pairs(a)...)) },
		model: func(m *model, a args) reply {
			for _, k := range a.keys {
				if m.get(k) != nil {
					return out(false, nil)
				}
			}
			for i, k := range a.keys {
				m.keys[k] = &mval{typ: TypeString, str: a.vals[i]}
			}
			return out(true, nil)
		},
	},
	{
		name: "APPEND",
		gen:  func(g *gen) args { return args{keys: []string{g.key()}, vals: []string{g.value()}} },
		run:  func(db *DB, a args) reply { return out(db.Append(a.keys[0], a.vals[0])) },
		model: func(m *model, a args) reply {
			v, err := m.str(a.keys[0])
			if err != nil {
				return out(0, err)
			}
			if v == nil {
				v = &mval{typ: TypeString}
				m.keys[a.keys[0]] = v
			}
			v.str += a.vals[0]
			return out(int64(len(v.str)), nil)
		},
	},
	{
		name: "STRLEN",
		gen:  func(g *gen) args { return args{keys: []string{g.key()}} },
		run:  func(db *DB, a args) reply { return out(db.StrLen(a.keys[0])) },
		model: func(m *model, a args) reply {
			v, err := m.str(a.keys[0])
			if v == nil {
				return out(int64(0), err)
			}
			return out(int64(len(v.str)), nil)
		},
	},
	{
		name:  "INCR",
		gen:   func(g *gen) args { return args{keys: []string{g.key()}} },
		run:   func(db *DB, a args) reply { return out(db.Incr(a.keys[0])) },
		model: func(m *model, a args) reply { return out(modelIncr(m, a.keys[0], 1)) },
	},
	{
		name:  "DECR",
		gen:   func(g *gen) args { return args{keys: []string{g.key()}} },
		run:   func(db *DB, a args) reply { return out(db.Decr(a.keys[0])) },
		model: func(m *model, a args) reply { return out(modelIncr(m, a.keys[0], -1)) },
	},
	{
		name: "INCRBY",
		gen: func(g *gen) args {
			return args{keys: []string{g.key()}, n: modelDeltas[g.r.IntN(len(modelDeltas))]}
		},
		run:   func(db *DB, a args) reply { return out(db.IncrBy(a.keys[0], a.n)) },
		model: func(m *model, a args) reply { return out(modelIncr(m, a.keys[0], a.n)) },
	},
	{
		name: "DECRBY",
		gen: func(g *gen) args {
			return args{keys: []string{g.key()}, n: modelDeltas[g.r.IntN(len(modelDeltas))]}
		},
		run: func(db *DB, a args) reply { return out(db.DecrBy(a.keys[0], a.n)) },
		model: func(m *model, a args) reply {
			if a.n == math.MinInt64 {
				return out(0, errors.New("ERR decrement would overflow"))
			}
			return out(modelIncr(m, a.keys[0], -a.n))
		},
	},
	{
		name: "INCRBYFLOAT",
		gen: func(g *gen) args {
			return args{keys: []string{g.key()}, f: modelFloats[g.r.IntN(len(modelFloats))]}
		},
		run:   func(db *DB, a args) reply { return out(db.IncrByFloat(a.keys[0], a.f)) },
		model: func(m *model, a args) reply { return out(modelIncrFloat(m, a.keys[0], a.f)) },
	},
	{
		name: "DEL",
		gen:  func(g *gen) args { return args{keys: g.keys(3)} },
		run:  func(db *DB, a args) reply { return out(db.Del(a.keys...)) },
		model: func(m *model, a args) reply {
			var n int64
			for _, k := range a.keys {
				if m.get(k) != nil {
					delete(m.keys, k)
					n++
				}
			}
			return out(n, nil)
		},
	},
	{
		name: "EXISTS",
		gen:  func(g *gen) args { return args{keys: g.keys(4)} },
		run:  func(db *DB, a args) reply { return out(db.Exists(a.keys...)) },
		model: func(m *model, a args) reply {
			var n int64
			for _, k := range a.keys {
				if m.get(k) != nil {
					n++
				}
			}
			return out(n, nil)
		},
	},
	{
		name: "EXPIRE",
		gen: func(g *gen) args {
			return args{keys: []string{g.key()}, ms: g.ttlMS(), flags: g.expireFlags()}
		},
		run: func(db *DB, a args) reply {
			return out(db.Expire(a.keys[0], time.Duration(a.ms)*time.Millisecond, a.flags))
		},
		model: func(m *model, a args) reply { return out(modelExpire(m, a.keys[0], m.now+a.ms, a.flags)) },
	},
	{
		name: "EXPIREAT",
		gen: func(g *gen) args {
			return args{keys: []string{g.key()}, ms: g.now + g.ttlMS(), flags: g.expireFlags()}
		},
		run: func(db *DB, a args) reply {
			return out(db.ExpireAt(a.keys[0], time.UnixMilli(a.ms), a.flags))
		},
		model: func(m *model, a args) reply { return out(modelExpire(m, a.keys[0], a.ms, a.flags)) },
	},
	{
		name: "PERSIST",
		gen:  func(g *gen) args { return args{keys: []string{g.key()}} },
		run:  func(db *DB, a args) reply { return out(db.Persist(a.keys[0])) },
		model: func(m *model, a args) reply {
			v := m.get(a.keys[0])
			if v == nil || v.deadline == 0 {
				return out(false, nil)
			}
			v.deadline = 0
			return out(true, nil)
		},
	},
	{
		name: "TTL",
		gen:  func(g *gen) args { return args{keys: []string{g.key()}} },
		run:  func(db *DB, a args) reply { return out(db.TTL(a.keys[0])) },
		model: func(m *model, a args) reply {
			v := m.get(a.keys[0])
			switch {
			case v == nil:
				return out(int64(-2), nil)
			case v.deadline == 0:
				return out(int64(-1), nil)
			}
			return out((v.deadline-m.now+500)/1000, nil)
		},
	},
	{
		name: "PTTL",
		gen:  func(g *gen) args { return args{keys: []string{g.key()}} },
		run:  func(db *DB, a args) reply { return out(db.PTTL(a.keys[0])) },
		model: func(m *model, a args) reply {
			v := m.get(a.keys[0])
			switch {
			case v == nil:
				return out(int64(-2), nil)
			case v.deadline == 0:
				return out(int64(-1), nil)
			}
			return out(v.deadline-m.now, nil)
		},
	},
	{
		name: "RENAME",
		gen:  func(g *gen) args { return args{keys: []string{g.key(), g.key()}} },
		run:  func(db *DB, a args) reply { return out(nil, db.Rename(a.keys[0], a.keys[1])) },
		model: func(m *model, a args) reply {
			_, err := modelRename(m, a.keys[0], a.keys[1], false)
			return out(nil, err)
		},
	},
	{
		name:  "RENAMENX",
		gen:   func(g *gen) args { return args{keys: []string{g.key(), g.key()}} },
		run:   func(db *DB, a args) reply { return out(db.RenameNX(a.keys[0], a.keys[1])) },
		model: func(m *model, a args) reply { return out(modelRename(m, a.keys[0], a.keys[1], true)) },
	},
	{
		name: "TYPE",
		gen:  func(g *gen) args { return args{keys: []string{g.key()}} },
		run: func(db *DB, a args) reply {
			typ, err := db.Type(a.keys[0])
			return out(typ.String(), err)
		},
		model: func(m *model, a args) reply {
			if v := m.get(a.keys[0]); v != nil {
				return out(v.typ.String(), nil)
			}
			return out("none", nil)
		},
	},
	{
		name: "KEYS",
		gen: func(g *gen) args {
			return args{pattern: modelGlobs[g.r.IntN(len(modelGlobs))], limit: g.r.IntN(4)}
		},
		run: func(db *DB, a args) reply {
			keys, total, err := db.Keys(a.pattern, a.limit)
			if err != nil {
				return out(nil, err)
			}
			return keysReply(keys, total)
		},
		model: func(m *model, a args) reply {
			var keys []string
			for _, k := range m.live() {
				if ok, _ := path.Match(a.pattern, k); ok {
					keys = append(keys, k)
				}
			}
			total := len(keys)
			if a.limit > 0 && len(keys) > a.limit {
				keys = keys[:a.limit]
			}
			return keysReply(keys, total)
		},
	},
	{
		name:  "DBSIZE",
		gen:   func(g *gen) args { return args{} },
		run:   func(db *DB, a args) reply { return out(db.DBSize()) },
		model: func(m *model, a args) reply { return out(int64(len(m.live())), nil) },
	},
	{
		name: "FLUSHDB",
		gen:  func(g *gen) args { return args{n: int64(g.r.IntN(20))} },
		run: func(db *DB, a args) reply {
			if a.n != 0 { // rare: most draws are a no-op on both sides
				return out(nil, nil)
			}
			return out(db.FlushDB())
		},
		model: func(m *model, a args) reply {
			if a.n != 0 {
				return out(nil, nil)
			}
			n := int64(len(m.live()))
			m.keys = map[string]*mval{}
			return out(n, nil)
		},
	},
	{
		// A stand-in collection, so that WRONGTYPE paths are exercised
		// before the engine has hash commands.
		name: "PUTHASH",
		gen:  func(g *gen) args { return args{keys: []string{g.key()}} },
		run: func(db *DB, a args) reply {
			now, err := db.begin()
			if err != nil {
				return out(nil, err)
			}
			return out(nil, db.ks.Update(now, a.keys[0], func(tx *store.Tx) error {
				tx.Put(a.keys[0], store.NewCollection(oneElement(store.TypeHash)))
				return nil
			}))
		},
		model: func(m *model, a args) reply {
			m.keys[a.keys[0]] = &mval{typ: TypeHash}
			return out(nil, nil)
		},
	},
}

func pairs(a args) []KV {
	kv := make([]KV, len(a.keys))
	for i := range a.keys {
		kv[i] = KV{a.keys[i], a.vals[i]}
	}
	return kv
}

func TestRandomOperationsAgainstModel(t *testing.T) {
	steps := 8000
	if testing.Short() {
		steps = 3000
	}
	for _, seed := range []uint64{1, 2, 3} {
		t.Run("seed="+strconv.FormatUint(seed, 10), func(t *testing.T) {
			runModel(t, seed, steps, modelOps)
		})
	}
}

// runModel runs steps random operations from ops over two namespaces.
func runModel(t *testing.T, seed uint64, steps int, ops []op) {
	te := openTestEngine(t, Options{})
	r := rand.New(rand.NewPCG(seed, 0x15a))
	dbs := []*DB{te.DB("ns0"), te.DB("ns1")}
	models := []*model{newModel(te.clock.Now().UnixMilli()), newModel(te.clock.Now().UnixMilli())}
	var history []string // the last steps, for the failure message
	for step := 0; step < steps; step++ {
		now := te.clock.Now().UnixMilli()
		i := r.IntN(len(dbs))
		o := ops[r.IntN(len(ops))]
		a := o.gen(&gen{r: r, now: now})
		for _, m := range models {
			m.now = now
		}
		got := o.run(dbs[i], a)
		want := o.model(models[i], a)
		history = append(history, fmt.Sprintf("step %d t=%d ns%d %s %v -> %s", step, now, i, o.name, a, got))
		if len(history) > 20 {
			history = history[1:]
		}
		if got != want {
			t.Fatalf("seed %d step %d: %s %v\nengine: %s\nmodel:  %s\nrecent steps:\n%s",
				seed, step, o.name, a, got, want, strings.Join(history, "\n"))
		}
		for j, db := range dbs {
			if err := db.ks.Verify(); err != nil {
				t.Fatalf("seed %d step %d (%s on ns%d): ns%d: %v\n%s", seed, step, o.name, i, j, err, strings.Join(history, "\n"))
			}
			size, err := db.DBSize()
			require.NoError(t, err)
			require.Equal(t, int64(len(models[j].live())), size, "seed %d step %d: DBSIZE of ns%d", seed, step, j)
		}
		// Time moves in random jumps, so TTLs run out between commands.
		if r.IntN(3) == 0 {
			te.clock.Advance(time.Duration(r.IntN(80)) * time.Millisecond)
		}
		// Now and then the background worker runs too.
		if r.IntN(50) == 0 {
			te.driveExpiry(t, 1)
		}
	}
}
