package grpcserver

import (
	"context"
	"strconv"
	"time"

	"github.com/isa-cloud/isa-memstore/engine"
)

// EngineBackend serves the Backend contract from an embedded engine. Each
// tenant is a namespace of its own (see namespace), so isolation does not
// depend on key prefixes or on what the ids contain.
type EngineBackend struct {
	e *engine.Engine
}

// NewEngineBackend serves e. The caller keeps ownership of e and closes it
// after the server has stopped.
func NewEngineBackend(e *engine.Engine) *EngineBackend { return &EngineBackend{e: e} }

var _ Backend = (*EngineBackend)(nil)

// namespace is the engine namespace of t: the organization id prefixed by
// its length, then the user id. The length prefix makes the encoding
// injective: ("a:", "x") and ("a", ":x") give "2:a:x" and "1:a:x", so no
// choice of ids makes two tenants share a namespace. (The engine's deep
// health check uses a private namespace outside this naming altogether.)
func namespace(t Tenant) string {
	return strconv.Itoa(len(t.Org)) + ":" + t.Org + t.User
}

// DB is the engine namespace holding tenant t's data, for tools and tests
// that seed or inspect data without the network (they should not repeat
// the encoding).
func (b *EngineBackend) DB(t Tenant) *engine.DB { return b.e.DB(namespace(t)) }

// Get implements StringBackend.
func (b *EngineBackend) Get(_ context.Context, t Tenant, key string) (string, bool, error) {
	return b.DB(t).Get(key)
}

// GetMultiple implements StringBackend.
func (b *EngineBackend) GetMultiple(_ context.Context, t Tenant, keys []string) ([]KeyValue, error) {
	vals, err := b.DB(t).MGet(keys...)
	if err != nil {
		return nil, err
	}
	out := make([]KeyValue, 0, len(vals))
	for i, v := range vals {
		if v.Found {
			out = append(out, KeyValue{Key: keys[i], Value: v.Value})
		}
	}
	return out, nil
}

// Set implements StringBackend.
func (b *EngineBackend) Set(_ context.Context, t Tenant, key, value string, ttl time.Duration) error {
	_, err := b.DB(t).Set(key, value, engine.SetOptions{TTL: ttl})
	return err
}

// IncrBy implements StringBackend.
func (b *EngineBackend) IncrBy(_ context.Context, t Tenant, key string, delta int64) (int64, error) {
	return b.DB(t).IncrBy(key, delta)
}

// DecrBy implements StringBackend.
func (b *EngineBackend) DecrBy(_ context.Context, t Tenant, key string, delta int64) (int64, error) {
	return b.DB(t).DecrBy(key, delta)
}

// Append implements StringBackend.
func (b *EngineBackend) Append(_ context.Context, t Tenant, key, value string) (int64, error) {
	return b.DB(t).Append(key, value)
}

// Delete implements KeyBackend.
func (b *EngineBackend) Delete(_ context.Context, t Tenant, keys []string) (int64, error) {
	return b.DB(t).Del(keys...)
}

// Exists implements KeyBackend.
func (b *EngineBackend) Exists(_ context.Context, t Tenant, key string) (bool, error) {
	n, err := b.DB(t).Exists(key)
	return n > 0, err
}

// Expire implements KeyBackend.
func (b *EngineBackend) Expire(_ context.Context, t Tenant, key string, ttl time.Duration) (bool, error) {
	return b.DB(t).Expire(key, ttl, 0)
}

// TTL implements KeyBackend.
func (b *EngineBackend) TTL(_ context.Context, t Tenant, key string) (int64, error) {
	return b.DB(t).TTL(key)
}

// Rename implements KeyBackend.
func (b *EngineBackend) Rename(_ context.Context, t Tenant, src, dst string) error {
	return b.DB(t).Rename(src, dst)
}

// ListKeys implements KeyBackend.
func (b *EngineBackend) ListKeys(_ context.Context, t Tenant, pattern string, limit int) ([]string, int, error) {
	return b.DB(t).Keys(pattern, limit)
}

// HSet implements HashBackend.
func (b *EngineBackend) HSet(_ context.Context, t Tenant, key string, fields []HashField) (int64, error) {
	pairs := make([]engine.FieldValue, len(fields))
	for i, f := range fields {
		pairs[i] = engine.FieldValue{Field: f.Field, Value: f.Value}
	}
	return b.DB(t).HSet(key, pairs...)
}

// HGet implements HashBackend.
func (b *EngineBackend) HGet(_ context.Context, t Tenant, key, field string) (string, bool, error) {
	return b.DB(t).HGet(key, field)
}

// HGetAll implements HashBackend.
func (b *EngineBackend) HGetAll(_ context.Context, t Tenant, key string) ([]HashField, error) {
	pairs, err := b.DB(t).HGetAll(key)
	if err != nil {
		return nil, err
	}
	out := make([]HashField, len(pairs))
	for i, p := range pairs {
		out[i] = HashField{Field: p.Field, Value: p.Value}
	}
	return out, nil
}

// HDel implements HashBackend.
func (b *EngineBackend) HDel(_ context.Context, t Tenant, key string, fields []string) (int64, error) {
	return b.DB(t).HDel(key, fields...)
}

// HExists implements HashBackend.
func (b *EngineBackend) HExists(_ context.Context, t Tenant, key, field string) (bool, error) {
	return b.DB(t).HExists(key, field)
}

// HKeys implements HashBackend.
func (b *EngineBackend) HKeys(_ context.Context, t Tenant, key string) ([]string, error) {
	return b.DB(t).HKeys(key)
}

// HVals implements HashBackend.
func (b *EngineBackend) HVals(_ context.Context, t Tenant, key string) ([]string, error) {
	return b.DB(t).HVals(key)
}

// HIncrBy implements HashBackend.
func (b *EngineBackend) HIncrBy(_ context.Context, t Tenant, key, field string, delta int64) (int64, error) {
	return b.DB(t).HIncrBy(key, field, delta)
}

// LPush implements ListBackend.
func (b *EngineBackend) LPush(_ context.Context, t Tenant, key string, values []string) (int64, error) {
	return b.DB(t).LPush(key, values...)
}

// RPush implements ListBackend.
func (b *EngineBackend) RPush(_ context.Context, t Tenant, key string, values []string) (int64, error) {
	return b.DB(t).RPush(key, values...)
}

// LPop implements ListBackend.
func (b *EngineBackend) LPop(_ context.Context, t Tenant, key string) (string, bool, error) {
	return b.DB(t).LPop(key)
}

// RPop implements ListBackend.
func (b *EngineBackend) RPop(_ context.Context, t Tenant, key string) (string, bool, error) {
	return b.DB(t).RPop(key)
}

// LRange implements ListBackend.
func (b *EngineBackend) LRange(_ context.Context, t Tenant, key string, start, stop int64) ([]string, error) {
	return b.DB(t).LRange(key, start, stop)
}

// LLen implements ListBackend.
func (b *EngineBackend) LLen(_ context.Context, t Tenant, key string) (int64, error) {
	return b.DB(t).LLen(key)
}

// LIndex implements ListBackend.
func (b *EngineBackend) LIndex(_ context.Context, t Tenant, key string, index int64) (string, bool, error) {
	return b.DB(t).LIndex(key, index)
}

// LTrim implements ListBackend.
func (b *EngineBackend) LTrim(_ context.Context, t Tenant, key string, start, stop int64) error {
	return b.DB(t).LTrim(key, start, stop)
}

// AcquireLock implements LockBackend.
func (b *EngineBackend) AcquireLock(ctx context.Context, t Tenant, name string, ttl, wait time.Duration) (Lock, bool, error) {
	l, ok, err := b.DB(t).AcquireLock(ctx, name, ttl, wait)
	return Lock{ID: l.Token, ExpiresAt: l.ExpiresAt}, ok, err
}

// ReleaseLock implements LockBackend.
func (b *EngineBackend) ReleaseLock(_ context.Context, t Tenant, name, id string) (bool, error) {
	return b.DB(t).ReleaseLock(name, id)
}

// RenewLock implements LockBackend.
func (b *EngineBackend) RenewLock(_ context.Context, t Tenant, name, id string, ttl time.Duration) (Lock, bool, error) {
	l, ok, err := b.DB(t).RenewLock(name, id, ttl)
	return Lock{ID: l.Token, ExpiresAt: l.ExpiresAt}, ok, err
}

// Publish implements PubSubBackend.
func (b *EngineBackend) Publish(_ context.Context, t Tenant, channel, message string) (int64, error) {
	return int64(b.DB(t).Publish(channel, message)), nil
}

// Subscribe implements PubSubBackend.
func (b *EngineBackend) Subscribe(_ context.Context, t Tenant, channels []string) (Subscription, error) {
	return b.DB(t).Subscribe(channels...), nil
}

// ExecuteBatch implements BatchBackend.
func (b *EngineBackend) ExecuteBatch(_ context.Context, t Tenant, ops []BatchOp) ([]error, error) {
	eops := make([]engine.BatchOp, len(ops))
	for i, op := range ops {
		eops[i] = engine.BatchOp{Op: op.Op, Key: op.Key, Value: op.Value, TTL: op.TTL}
	}
	res, err := b.DB(t).Batch(eops)
	if err != nil {
		return nil, err
	}
	errs := make([]error, len(res))
	for i, r := range res {
		errs[i] = r.Err
	}
	return errs, nil
}

func session(s engine.Session) Session {
	return Session{ID: s.ID, User: s.User, Data: s.Data, CreatedAt: s.CreatedAt, ExpiresAt: s.ExpiresAt, LastAccessed: s.LastAccessed}
}

// CreateSession implements SessionBackend.
func (b *EngineBackend) CreateSession(_ context.Context, t Tenant, data map[string]string, ttl time.Duration) (Session, error) {
	s, err := b.DB(t).CreateSession(t.User, data, ttl)
	return session(s), err
}

// GetSession implements SessionBackend.
func (b *EngineBackend) GetSession(_ context.Context, user, id string) (Session, bool, error) {
	s, found, err := b.e.GetSession(user, id)
	return session(s), found, err
}

// UpdateSession implements SessionBackend.
func (b *EngineBackend) UpdateSession(_ context.Context, user, id string, data map[string]string, extendTTL bool) (bool, error) {
	return b.e.UpdateSession(user, id, data, extendTTL)
}

// DeleteSession implements SessionBackend.
func (b *EngineBackend) DeleteSession(_ context.Context, user, id string) (bool, error) {
	return b.e.DeleteSession(user, id)
}

// ListSessions implements SessionBackend.
func (b *EngineBackend) ListSessions(_ context.Context, t Tenant) ([]Session, error) {
	all, err := b.DB(t).ListSessions()
	if err != nil {
		return nil, err
	}
	out := make([]Session, len(all))
	for i, s := range all {
		out[i] = session(s)
	}
	return out, nil
}

// Statistics implements InfoBackend.
func (b *EngineBackend) Statistics(_ context.Context, t Tenant) (Stats, error) {
	s, err := b.DB(t).Stats()
	if err != nil {
		return Stats{}, err
	}
	return Stats{Keys: s.Keys, MemoryBytes: s.MemoryBytes, Commands: s.Commands, HitRate: s.HitRate, KeysByType: s.TypeDistribution()}, nil
}

// KeyInfo implements InfoBackend.
func (b *EngineBackend) KeyInfo(_ context.Context, t Tenant, key string) (KeyInfo, bool, error) {
	k, found, err := b.DB(t).KeyInfo(key)
	if err != nil || !found {
		return KeyInfo{}, false, err
	}
	return KeyInfo{Type: k.Type.String(), TTLSeconds: k.TTLSeconds(), Size: k.Size, CreatedAt: k.CreatedAt, LastAccessed: k.LastAccessed}, true, nil
}

// Health implements InfoBackend.
func (b *EngineBackend) Health(_ context.Context, deep bool) (int64, error) {
	return b.e.UsedMemory(), b.e.HealthCheck(deep)
}

// SAdd implements SetBackend.
func (b *EngineBackend) SAdd(_ context.Context, t Tenant, key string, members []string) (int64, error) {
	return b.DB(t).SAdd(key, members...)
}

// SRem implements SetBackend.
func (b *EngineBackend) SRem(_ context.Context, t Tenant, key string, members []string) (int64, error) {
	return b.DB(t).SRem(key, members...)
}

// SMembers implements SetBackend.
func (b *EngineBackend) SMembers(_ context.Context, t Tenant, key string) ([]string, error) {
	return b.DB(t).SMembers(key)
}

// SIsMember implements SetBackend.
func (b *EngineBackend) SIsMember(_ context.Context, t Tenant, key, member string) (bool, error) {
	return b.DB(t).SIsMember(key, member)
}

// SCard implements SetBackend.
func (b *EngineBackend) SCard(_ context.Context, t Tenant, key string) (int64, error) {
	return b.DB(t).SCard(key)
}

// SUnion implements SetBackend.
func (b *EngineBackend) SUnion(_ context.Context, t Tenant, keys []string) ([]string, error) {
	return b.DB(t).SUnion(keys...)
}

// SInter implements SetBackend.
func (b *EngineBackend) SInter(_ context.Context, t Tenant, keys []string) ([]string, error) {
	return b.DB(t).SInter(keys...)
}

// SDiff implements SetBackend.
func (b *EngineBackend) SDiff(_ context.Context, t Tenant, keys []string) ([]string, error) {
	return b.DB(t).SDiff(keys...)
}

// zMembers converts the engine's members (the same shape, another package).
func zMembers(ms []engine.ZMember) []ZMember {
	out := make([]ZMember, len(ms))
	for i, m := range ms {
		out[i] = ZMember{Member: m.Member, Score: m.Score}
	}
	return out
}

// ZAdd implements ZSetBackend.
func (b *EngineBackend) ZAdd(_ context.Context, t Tenant, key string, members []ZMember) (int64, error) {
	ms := make([]engine.ZMember, len(members))
	for i, m := range members {
		ms[i] = engine.ZMember{Member: m.Member, Score: m.Score}
	}
	res, err := b.DB(t).ZAdd(key, engine.ZAddOptions{}, ms...)
	return res.Count, err
}

// ZRem implements ZSetBackend.
func (b *EngineBackend) ZRem(_ context.Context, t Tenant, key string, members []string) (int64, error) {
	return b.DB(t).ZRem(key, members...)
}

// ZRange implements ZSetBackend.
func (b *EngineBackend) ZRange(_ context.Context, t Tenant, key string, start, stop int64) ([]ZMember, error) {
	ms, err := b.DB(t).ZRange(key, engine.ZRangeQuery{By: engine.ZByRank, Start: start, Stop: stop})
	return zMembers(ms), err
}

// ZRangeByScore implements ZSetBackend.
func (b *EngineBackend) ZRangeByScore(_ context.Context, t Tenant, key string, min, max float64, offset, count int64) ([]ZMember, error) {
	var limit *engine.ZLimit
	if offset != 0 || count > 0 {
		if count <= 0 {
			count = -1 // LIMIT's "all the rest"
		}
		limit = &engine.ZLimit{Offset: offset, Count: count}
	}
	ms, err := b.DB(t).ZRangeByScore(key, engine.ScoreBound{Value: min}, engine.ScoreBound{Value: max}, limit)
	return zMembers(ms), err
}

// ZRank implements ZSetBackend.
func (b *EngineBackend) ZRank(_ context.Context, t Tenant, key, member string) (int64, bool, error) {
	return b.DB(t).ZRank(key, member)
}

// ZScore implements ZSetBackend.
func (b *EngineBackend) ZScore(_ context.Context, t Tenant, key, member string) (float64, bool, error) {
	return b.DB(t).ZScore(key, member)
}

// ZCard implements ZSetBackend.
func (b *EngineBackend) ZCard(_ context.Context, t Tenant, key string) (int64, error) {
	return b.DB(t).ZCard(key)
}

// ZIncrBy implements ZSetBackend.
func (b *EngineBackend) ZIncrBy(_ context.Context, t Tenant, key, member string, delta float64) (float64, error) {
	return b.DB(t).ZIncrBy(key, delta, member)
}
