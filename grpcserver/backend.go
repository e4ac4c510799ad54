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
	SetBackend
	ZSetBackend
	LockBackend
	PubSubBackend
	BatchBackend
	SessionBackend
	InfoBackend
}

// TenantChecker is an optional interface of a Backend whose storage cannot
// hold every id (the Redis backend's legacy key layout): CheckTenant
// answers the error for a tenant it refuses. Every Backend method refuses
// such a tenant by itself; the server asks CheckTenant where it answers
// without calling the Backend (Unsubscribe), so every RPC refuses alike.
type TenantChecker interface {
	CheckTenant(t Tenant) error
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

// SetBackend holds the set commands. Member lists are sorted (the spec
// leaves the order open and prefers a deterministic one).
type SetBackend interface {
	// SAdd is SADD; it answers the number of new members.
	SAdd(ctx context.Context, t Tenant, key string, members []string) (int64, error)
	// SRem is SREM; it answers the number of members removed.
	SRem(ctx context.Context, t Tenant, key string, members []string) (int64, error)
	// SMembers is SMEMBERS.
	SMembers(ctx context.Context, t Tenant, key string) ([]string, error)
	// SIsMember is SISMEMBER.
	SIsMember(ctx context.Context, t Tenant, key, member string) (bool, error)
	// SCard is SCARD.
	SCard(ctx context.Context, t Tenant, key string) (int64, error)
	// SUnion, SInter and SDiff are SUNION, SINTER and SDIFF (missing keys
	// are empty sets).
	SUnion(ctx context.Context, t Tenant, keys []string) ([]string, error)
	SInter(ctx context.Context, t Tenant, keys []string) ([]string, error)
	SDiff(ctx context.Context, t Tenant, keys []string) ([]string, error)
}

// ZMember is a sorted-set member and its score.
type ZMember struct {
	Member string
	Score  float64
}

// ZSetBackend holds the sorted-set commands. Ranges answer members in
// ascending order with their scores.
type ZSetBackend interface {
	// ZAdd is ZADD; it answers the number of new members (existing ones
	// get their score updated).
	ZAdd(ctx context.Context, t Tenant, key string, members []ZMember) (int64, error)
	// ZRem is ZREM; it answers the number of members removed.
	ZRem(ctx context.Context, t Tenant, key string, members []string) (int64, error)
	// ZRange is ZRANGE by rank (negative positions count from the end).
	ZRange(ctx context.Context, t Tenant, key string, start, stop int64) ([]ZMember, error)
	// ZRangeByScore is ZRANGEBYSCORE with inclusive bounds and LIMIT
	// offset count; count <= 0 means no limit.
	ZRangeByScore(ctx context.Context, t Tenant, key string, min, max float64, offset, count int64) ([]ZMember, error)
	// ZRank is ZRANK (ascending, 0-based).
	ZRank(ctx context.Context, t Tenant, key, member string) (rank int64, found bool, err error)
	// ZScore is ZSCORE.
	ZScore(ctx context.Context, t Tenant, key, member string) (score float64, found bool, err error)
	// ZCard is ZCARD.
	ZCard(ctx context.Context, t Tenant, key string) (int64, error)
	// ZIncrBy is ZINCRBY; it answers the new score.
	ZIncrBy(ctx context.Context, t Tenant, key, member string, delta float64) (float64, error)
}

// Lock is a held lock.
type Lock struct {
	// ID is the owner's token (at least 128 random bits): only it releases
	// or renews the lock.
	ID string
	// ExpiresAt is when the lock frees itself unless renewed.
	ExpiresAt time.Time
}

// LockBackend holds the distributed locks. Locks live apart from keys: a
// lock named "x" has nothing to do with the key "x".
type LockBackend interface {
	// AcquireLock takes the lock name for ttl (0: the backend's default,
	// never forever). If it is held and wait > 0, it waits up to wait for a
	// release or expiry (woken by it, not polling); ok is false when the
	// lock could not be had.
	AcquireLock(ctx context.Context, t Tenant, name string, ttl, wait time.Duration) (l Lock, ok bool, err error)
	// ReleaseLock frees the lock if id owns it and reports whether it did.
	ReleaseLock(ctx context.Context, t Tenant, name, id string) (bool, error)
	// RenewLock resets a live lock owned by id to ttl (0: the default).
	RenewLock(ctx context.Context, t Tenant, name, id string, ttl time.Duration) (l Lock, ok bool, err error)
}

// PubSubBackend holds publish/subscribe. Channels live apart from keys and
// are per tenant.
type PubSubBackend interface {
	// Publish is PUBLISH: it answers the number of subscribers reached.
	Publish(ctx context.Context, t Tenant, channel, message string) (int64, error)
	// Subscribe subscribes to channels; messages published after it
	// returns are delivered. The caller closes the subscription.
	Subscribe(ctx context.Context, t Tenant, channels []string) (Subscription, error)
}

// BatchOp is one command of an atomic batch.
type BatchOp struct {
	// Op is the operation, case-insensitive: at least SET (with TTL), GET,
	// DEL/DELETE, INCR, DECR, EXPIRE (TTL <= 0 deletes), APPEND.
	Op, Key, Value string
	TTL            time.Duration
}

// BatchBackend runs atomic batches.
type BatchBackend interface {
	// ExecuteBatch runs ops in order, atomically (no other caller sees a
	// partial batch), as MULTI/EXEC: a failing op does not stop the
	// others. It answers one error per op (nil: it succeeded; an unknown
	// operation is engine.ErrUnknownCommand); err is for the batch as a
	// whole.
	ExecuteBatch(ctx context.Context, t Tenant, ops []BatchOp) (opErrs []error, err error)
}

// Session is a snapshot of a session.
type Session struct {
	ID, User string
	// Data includes the server-set "created_at" entry (RFC 3339).
	Data                               map[string]string
	CreatedAt, ExpiresAt, LastAccessed time.Time
}

// SessionBackend holds the sessions. A session belongs to the tenant that
// created it, and is found by its id together with its user alone (the
// get/update/delete requests carry no organization).
type SessionBackend interface {
	// CreateSession starts a session for ttl (0: the backend's default).
	CreateSession(ctx context.Context, t Tenant, data map[string]string, ttl time.Duration) (Session, error)
	// GetSession returns user's session id and marks it accessed.
	GetSession(ctx context.Context, user, id string) (s Session, found bool, err error)
	// UpdateSession merges data and, with extendTTL, restarts the
	// session's own TTL; it reports whether the session existed.
	UpdateSession(ctx context.Context, user, id string, data map[string]string, extendTTL bool) (bool, error)
	// DeleteSession ends the session; it reports whether it existed.
	DeleteSession(ctx context.Context, user, id string) (bool, error)
	// ListSessions returns the tenant's live sessions.
	ListSessions(ctx context.Context, t Tenant) ([]Session, error)
}

// Stats are a tenant's statistics.
type Stats struct {
	Keys, MemoryBytes, Commands int64
	// HitRate is hits / (hits + misses) of key lookups.
	HitRate float64
	// KeysByType counts keys by Redis type name: "string", "hash", "list",
	// "set", "zset" (all present).
	KeysByType map[string]int64
}

// KeyInfo describes a key.
type KeyInfo struct {
	// Type is Redis's TYPE name: "string", "hash", "list", "set", "zset".
	Type string
	// TTLSeconds is as TTL: -1 without expiry.
	TTLSeconds int64
	// Size estimates the bytes of the key and its value.
	Size                    int64
	CreatedAt, LastAccessed time.Time
}

// InfoBackend reports on data and health.
type InfoBackend interface {
	// Statistics are the tenant's, cheap to compute (no keyspace scan).
	Statistics(ctx context.Context, t Tenant) (Stats, error)
	// KeyInfo describes key without counting as an access.
	KeyInfo(ctx context.Context, t Tenant, key string) (info KeyInfo, found bool, err error)
	// Health answers the bytes of data held, and an error when the backend
	// cannot serve; deep adds a write/read/delete round trip that no
	// tenant observes.
	Health(ctx context.Context, deep bool) (usedMemory int64, err error)
}
