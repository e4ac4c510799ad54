package redisbackend

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"

	"github.com/isa-cloud/isa-memstore/grpcserver"
)

// HSet implements grpcserver.HashBackend. Without fields Redis answers the
// same "wrong number of arguments" error the engine does.
func (b *Backend) HSet(ctx context.Context, t grpcserver.Tenant, key string, fields []grpcserver.HashField) (int64, error) {
	n, err := b.begin(t)
	if err != nil {
		return 0, err
	}
	args := make([]any, 0, 2*len(fields))
	for _, f := range fields {
		args = append(args, f.Field, f.Value)
	}
	k := n.key(key)
	return b.writeInt(ctx, n, []string{k}, append([]any{"hset", k}, args...)...)
}

// HGet implements grpcserver.HashBackend.
func (b *Backend) HGet(ctx context.Context, t grpcserver.Tenant, key, field string) (string, bool, error) {
	n, err := b.begin(t)
	if err != nil {
		return "", false, err
	}
	v, err := b.c.HGet(ctx, n.key(key), field).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	if err != nil {
		return "", false, b.translate(ctx, err)
	}
	b.counters.lookup(t, true)
	return v, true, nil
}

// HGetAll implements grpcserver.HashBackend, in Redis's reply order (the
// insertion order for small hashes, as the engine's).
func (b *Backend) HGetAll(ctx context.Context, t grpcserver.Tenant, key string) ([]grpcserver.HashField, error) {
	n, err := b.begin(t)
	if err != nil {
		return nil, err
	}
	// Do, not c.HGetAll: go-redis answers a map, which loses the order.
	flat, err := b.c.Do(ctx, "hgetall", n.key(key)).StringSlice()
	if err != nil {
		return nil, b.translate(ctx, err)
	}
	b.counters.lookup(t, len(flat) > 0)
	out := make([]grpcserver.HashField, len(flat)/2)
	for i := range out {
		out[i] = grpcserver.HashField{Field: flat[2*i], Value: flat[2*i+1]}
	}
	return out, nil
}

// HDel implements grpcserver.HashBackend.
func (b *Backend) HDel(ctx context.Context, t grpcserver.Tenant, key string, fields []string) (int64, error) {
	n, err := b.begin(t)
	if err != nil {
		return 0, err
	}
	k := n.key(key)
	return b.writeInt(ctx, n, []string{k}, append([]any{"hdel", k}, anys(fields)...)...)
}

// HExists implements grpcserver.HashBackend.
func (b *Backend) HExists(ctx context.Context, t grpcserver.Tenant, key, field string) (bool, error) {
	n, err := b.begin(t)
	if err != nil {
		return false, err
	}
	v, err := b.c.HExists(ctx, n.key(key), field).Result()
	return v, b.translate(ctx, err)
}

// HKeys implements grpcserver.HashBackend.
func (b *Backend) HKeys(ctx context.Context, t grpcserver.Tenant, key string) ([]string, error) {
	n, err := b.begin(t)
	if err != nil {
		return nil, err
	}
	v, err := b.c.HKeys(ctx, n.key(key)).Result()
	if err != nil {
		return nil, b.translate(ctx, err)
	}
	b.counters.lookup(t, len(v) > 0)
	return v, nil
}

// HVals implements grpcserver.HashBackend.
func (b *Backend) HVals(ctx context.Context, t grpcserver.Tenant, key string) ([]string, error) {
	n, err := b.begin(t)
	if err != nil {
		return nil, err
	}
	v, err := b.c.HVals(ctx, n.key(key)).Result()
	if err != nil {
		return nil, b.translate(ctx, err)
	}
	b.counters.lookup(t, len(v) > 0)
	return v, nil
}

// HIncrBy implements grpcserver.HashBackend.
func (b *Backend) HIncrBy(ctx context.Context, t grpcserver.Tenant, key, field string, delta int64) (int64, error) {
	n, err := b.begin(t)
	if err != nil {
		return 0, err
	}
	k := n.key(key)
	return b.writeIntTx(ctx, n, []string{k}, "hincrby", k, field, delta)
}
