package redisbackend

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/isa-cloud/isa-memstore/grpcserver"
)

// ttlMillis converts a TTL to whole milliseconds the way the engine does: a
// positive TTL below one millisecond is one millisecond, never "no TTL".
func ttlMillis(d time.Duration) int64 {
	ms := d.Milliseconds()
	if ms == 0 && d > 0 {
		ms = 1
	}
	return ms
}

// Get implements grpcserver.StringBackend.
func (b *Backend) Get(ctx context.Context, t grpcserver.Tenant, key string) (string, bool, error) {
	n, err := b.begin(t)
	if err != nil {
		return "", false, err
	}
	v, err := b.c.Get(ctx, n.key(key)).Result()
	if errors.Is(err, redis.Nil) {
		b.counters.lookup(t, false)
		return "", false, nil
	}
	if err != nil {
		return "", false, b.translate(ctx, err)
	}
	b.counters.lookup(t, true)
	return v, true, nil
}

// GetMultiple implements grpcserver.StringBackend: MGET, keeping the found
// keys in request order. Redis answers nil for a key of another type, as
// the engine reports it not found.
func (b *Backend) GetMultiple(ctx context.Context, t grpcserver.Tenant, keys []string) ([]grpcserver.KeyValue, error) {
	n, err := b.begin(t)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return []grpcserver.KeyValue{}, nil // MGET needs a key; nothing to find
	}
	vals, err := b.c.MGet(ctx, n.keys(keys)...).Result()
	if err != nil {
		return nil, b.translate(ctx, err)
	}
	out := make([]grpcserver.KeyValue, 0, len(vals))
	var hits int64
	for i, v := range vals {
		if s, ok := v.(string); ok {
			out = append(out, grpcserver.KeyValue{Key: keys[i], Value: s})
			hits++
		}
	}
	b.counters.lookups(t, hits, int64(len(keys))-hits)
	return out, nil
}

// Set implements grpcserver.StringBackend: SET, with PX when ttl > 0.
func (b *Backend) Set(ctx context.Context, t grpcserver.Tenant, key, value string, ttl time.Duration) error {
	n, err := b.begin(t)
	if err != nil {
		return err
	}
	k := n.key(key)
	args := []any{"set", k, value}
	if ttl > 0 {
		args = append(args, "px", ttlMillis(ttl))
	}
	return b.translate(ctx, b.write(ctx, n, []string{k}, args...).Err())
}

// IncrBy implements grpcserver.StringBackend.
func (b *Backend) IncrBy(ctx context.Context, t grpcserver.Tenant, key string, delta int64) (int64, error) {
	n, err := b.begin(t)
	if err != nil {
		return 0, err
	}
	k := n.key(key)
	return b.writeIntTx(ctx, n, []string{k}, "incrby", k, delta)
}

// DecrBy implements grpcserver.StringBackend.
func (b *Backend) DecrBy(ctx context.Context, t grpcserver.Tenant, key string, delta int64) (int64, error) {
	n, err := b.begin(t)
	if err != nil {
		return 0, err
	}
	k := n.key(key)
	return b.writeIntTx(ctx, n, []string{k}, "decrby", k, delta)
}

// Append implements grpcserver.StringBackend.
func (b *Backend) Append(ctx context.Context, t grpcserver.Tenant, key, value string) (int64, error) {
	n, err := b.begin(t)
	if err != nil {
		return 0, err
	}
	k := n.key(key)
	return b.writeInt(ctx, n, []string{k}, "append", k, value)
}
