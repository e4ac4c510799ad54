package grpcserver

import (
	"context"
	"time"
)

// Backend is what the handlers call: one method per operation, in a
// tenant's scope, with Go types and no protobuf. The embedded engine
// (EngineBackend) is one implementation; a Redis-backed one can be plugged
// in later without touching a handler.
//
// Contract for implementations:
//   - semantics are Redis's, refined by spec/redis-service.md section 5.3;
//     the handlers only validate requests and build responses;
//   - tenants never see each other's keys, channels, locks or sessions;
//   - errors are engine's sentinels (engine.ErrWrongType, ...; wrapping is
//     fine), so that the one error table in errors.go maps them; a Redis
//     backend translates Redis's error replies into those sentinels;
//   - a missing key, field or member is not an error;
//   - methods are safe for concurrent use and honour ctx where they may
//     wait.
type Backend interface {
	StringBackend
	KeyBackend
	HashBackend
	ListBackend
}

// KeyValue is one found key and its value.
type KeyValue struct {
	Key, Value string
}

// StringBackend holds the string commands.
type StringBackend interface {
	// Get is GET.
	Get(ctx context.Context, t Tenant, key string) (value string, found bool, err error)
	// GetMultiple is MGET, answering one KeyValue per found key, in
	// request order.
	GetMultiple(ctx context.Context, t Tenant, keys []string) ([]KeyValue, error)
	// Set is SET, with a relative expiry when ttl > 0.
	Set(ctx context.Context, t Tenant, key, value string, ttl time.Duration) error
	// IncrBy is INCRBY.
	IncrBy(ctx context.Context, t Tenant, key string, delta int64) (int64, error)
	// DecrBy is DECRBY.
	DecrBy(ctx context.Context, t Tenant, key string, delta int64) (int64, error)
	// Append is APPEND; it answers the new length.
	Append(ctx context.Context, t Tenant, key, value string) (int64, error)
}

// KeyBackend holds the commands on keys of any type.
type KeyBackend interface {
	// Delete is DEL; it answers how many keys existed.
	Delete(ctx context.Context, t Tenant, keys []string) (int64, error)
	// Exists reports whether key exists.
	Exists(ctx context.Context, t Tenant, key string) (bool, error)
	// Expire is PEXPIRE: ttl <= 0 deletes the key; it reports whether the
	// key existed.
	Expire(ctx context.Context, t Tenant, key string, ttl time.Duration) (bool, error)
	// TTL is TTL: seconds remaining, -1 without expiry, -2 for no key.
	TTL(ctx context.Context, t Tenant, key string) (int64, error)
	// Rename is RENAME; a missing source is engine.ErrNoSuchKey.
	Rename(ctx context.Context, t Tenant, src, dst string) error
	// ListKeys answers the tenant's keys matching a Redis glob pattern
	// (empty = "*"), sorted, at most limit of them (limit > 0), and the
	// number of matches before truncation. It must not block other callers
	// for the whole scan.
	ListKeys(ctx context.Context, t Tenant, pattern string, limit int) (keys []string, total int, err error)
}

// HashField is one field of a hash and its value.
type HashField struct {
	Field, Value string
}

// HashBackend holds the hash commands.
type HashBackend interface {
	// HSet is HSET; it answers the number of new fields.
	HSet(ctx context.Context, t Tenant, key string, fields []HashField) (int64, error)
	// HGet is HGET.
	HGet(ctx context.Context, t Tenant, key, field string) (value string, found bool, err error)
	// HGetAll is HGETALL.
	HGetAll(ctx context.Context, t Tenant, key string) ([]HashField, error)
	// HDel is HDEL; it answers how many fields existed.
	HDel(ctx context.Context, t Tenant, key string, fields []string) (int64, error)
	// HExists is HEXISTS.
	HExists(ctx context.Context, t Tenant, key, field string) (bool, error)
	// HKeys is HKEYS.
	HKeys(ctx context.Context, t Tenant, key string) ([]string, error)
	// HVals is HVALS.
	HVals(ctx context.Context, t Tenant, key string) ([]string, error)
	// HIncrBy is HINCRBY.
	HIncrBy(ctx context.Context, t Tenant, key, field string, delta int64) (int64, error)
}

// ListBackend holds the list commands. Indices are Redis's: negative ones
// count from the end.
type ListBackend interface {
	// LPush is LPUSH; it answers the length after the push.
	LPush(ctx context.Context, t Tenant, key string, values []string) (int64, error)
	// RPush is RPUSH; it answers the length after the push.
	RPush(ctx context.Context, t Tenant, key string, values []string) (int64, error)
	// LPop is LPOP of one element.
	LPop(ctx context.Context, t Tenant, key string) (value string, found bool, err error)
	// RPop is RPOP of one element.
	RPop(ctx context.Context, t Tenant, key string) (value string, found bool, err error)
	// LRange is LRANGE.
	LRange(ctx context.Context, t Tenant, key string, start, stop int64) ([]string, error)
	// LLen is LLEN.
	LLen(ctx context.Context, t Tenant, key string) (int64, error)
	// LIndex is LINDEX.
	LIndex(ctx context.Context, t Tenant, key string, index int64) (value string, found bool, err error)
	// LTrim is LTRIM.
	LTrim(ctx context.Context, t Tenant, key string, start, stop int64) error
}
