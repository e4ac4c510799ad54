package redisbackend

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/isa-cloud/isa-memstore/engine"
)

// Errors.
//
// grpcserver has one error table, keyed by engine error kind, and the
// message of a status is the engine error's text. To answer exactly what
// the embedded engine answers, a Redis error reply is turned into the
// engine error with the same text: the engine mimics Redis 7, so for every
// error an RPC can provoke the texts agree. engine exports its sentinels
// but not a way to give one another text, so the few variants (for example
// "ERR hash value is not an integer", kind notint) are collected once from
// a private in-memory engine by provoking them (see catalogue).
//
// Everything that is not an error reply (refused or broken connections,
// timeouts, a closed client) and the replies that mean "not now" (LOADING,
// MASTERDOWN, CLUSTERDOWN, TRYAGAIN, READONLY, BUSY) become UNAVAILABLE:
// Redis is not serving, the request may be retried.

// catalogue maps a Redis error text to the engine error with that text.
var catalogue = sync.OnceValue(func() map[string]*engine.Error {
	m := make(map[string]*engine.Error)
	add := func(err error) {
		var e *engine.Error
		if errors.As(err, &e) {
			m[e.Error()] = e
		}
	}
	for _, e := range engine.Errors() {
		add(e)
	}
	for _, cmd := range []string{"set", "pexpire", "expire"} {
		add(engine.InvalidExpire(cmd))
	}
	eng, err := engine.Open(engine.Options{})
	if err != nil {
		return m
	}
	defer eng.Close()
	db := eng.DB("errors")
	_, _ = db.HSet("h", engine.FieldValue{Field: "f", Value: "x"})
	_, err = db.HIncrBy("h", "f", 1)
	add(err) // ERR hash value is not an integer
	_, err = db.HSet("h")
	add(err) // ERR wrong number of arguments for 'hset' command
	_, err = db.HDel("h")
	add(err)
	_, err = db.LPush("l")
	add(err)
	_, err = db.RPush("l")
	add(err)
	for _, f := range []func() error{
		func() error { _, err := db.SAdd("s"); return err },
		func() error { _, err := db.SRem("s"); return err },
		func() error { _, err := db.SUnion(); return err },
		func() error { _, err := db.SInter(); return err },
		func() error { _, err := db.SDiff(); return err },
		func() error { _, err := db.ZAdd("z", engine.ZAddOptions{}); return err },
		func() error { _, err := db.ZRem("z"); return err },
	} {
		add(f()) // ERR wrong number of arguments for '...' command
	}
	_, _ = db.ZAdd("z", engine.ZAddOptions{}, engine.ZMember{Member: "m", Score: math.Inf(1)})
	_, err = db.ZIncrBy("z", math.Inf(-1), "m")
	add(err) // ERR resulting score is not a number (NaN)
	_, err = engine.ParseScoreBound("nan")
	add(err) // ERR min or max is not a float
	_, _, err = db.AcquireLock(context.Background(), "l", -1, 0)
	add(err) // ERR invalid lock ttl: must not be negative
	_, _, err = db.AcquireLock(context.Background(), "l", 0, -1)
	add(err)
	_, err = db.CreateSession("u", nil, -1)
	add(err)
	_, _ = db.Set("n", "0", engine.SetOptions{})
	_, err = db.DecrBy("n", math.MinInt64)
	add(err) // ERR decrement would overflow
	return m
})

// engineText is the engine's error with exactly text, or fallback (same
// kind, the sentinel's text) should the engine ever word it differently.
func engineText(text string, fallback *engine.Error) error {
	if e, ok := catalogue()[text]; ok {
		return e
	}
	return fallback
}

// kindPrefixes classify error replies the catalogue lacks by their start,
// so they still get the right code (with Redis's text in the log only).
var kindPrefixes = []struct {
	prefix string
	err    *engine.Error
}{
	{"WRONGTYPE", engine.ErrWrongType},
	{"OOM", engine.ErrOOM},
	{"ERR value is not an integer", engine.ErrNotInteger},
	{"ERR hash value is not an integer", engine.ErrNotInteger},
	{"ERR value is not a valid float", engine.ErrNotFloat},
	{"ERR hash value is not a float", engine.ErrNotFloat},
	{"ERR min or max is not a float", engine.ErrNotFloat},
	{"ERR increment or decrement would overflow", engine.ErrOverflow},
	{"ERR decrement would overflow", engine.ErrOverflow},
	{"ERR increment would produce NaN or Infinity", engine.ErrNaNOrInf},
	{"ERR no such key", engine.ErrNoSuchKey},
	{"ERR syntax error", engine.ErrSyntax},
	{"ERR invalid expire time", engine.ErrInvalidExpire},
	{"ERR string exceeds maximum allowed size", engine.ErrTooLarge},
	{"ERR unknown command", engine.ErrUnknownCommand},
	{"ERR wrong number of arguments", engine.ErrInvalidArgument},
}

// unavailablePrefixes are error replies of a Redis that cannot serve right
// now (loading, failing over, a cluster with uncovered slots, ...).
var unavailablePrefixes = []string{
	"LOADING", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "READONLY", "BUSY", "NOREPLICAS",
}

// replyError returns the engine error for a Redis error reply text, or nil
// when the text means Redis is unavailable, or a plain error (INTERNAL at
// the edge) for a reply nothing here expects.
func replyError(text string) (error, bool) {
	if e, ok := catalogue()[text]; ok {
		return e, true
	}
	for _, p := range unavailablePrefixes {
		if strings.HasPrefix(text, p) {
			return nil, false
		}
	}
	for _, k := range kindPrefixes {
		if strings.HasPrefix(text, k.prefix) {
			return k.err, true
		}
	}
	return errors.New("redis: " + text), true
}

// errUnavailable is the answer while Redis is known to be down, before any
// call is attempted: failing fast keeps callers from piling up behind
// connection timeouts.
var errUnavailable = status.Error(codes.Unavailable, "redis is unavailable")

// unavailable wraps a transport error into an UNAVAILABLE status.
func unavailable(err error) error {
	return status.Error(codes.Unavailable, "redis is unavailable: "+err.Error())
}

// translate turns an error of a go-redis call into what a Backend returns:
// an engine error for an error reply, the context's error when ctx ended,
// UNAVAILABLE otherwise (and the health monitor is told to look). redis.Nil
// must have been handled by the caller.
func (b *Backend) translate(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	var re redis.Error
	if errors.As(err, &re) && !errors.Is(err, redis.Nil) {
		if e, ok := replyError(re.Error()); ok {
			return e
		}
		b.suspect()
		return unavailable(err)
	}
	b.suspect()
	return unavailable(err)
}

// replyText is the error text of one element of a script's reply that is
// an error (Lua's redis.pcall result), or "".
func replyText(v any) string {
	if e, ok := v.(error); ok {
		return e.Error()
	}
	return ""
}
