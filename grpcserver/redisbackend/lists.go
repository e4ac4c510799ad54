package redisbackend

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"

	"github.com/isa-cloud/isa-memstore/grpcserver"
)

// anys converts values to go-redis's variadic argument type.
func anys(values []string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}

// LPush implements grpcserver.ListBackend. Without values Redis answers the
// same "wrong number of arguments" error the engine does.
func (b *Backend) LPush(ctx context.Context, t grpcserver.Tenant, key string, values []string) (int64, error) {
	n, err := b.begin(t)
	if err != nil {
		return 0, err
	}
	k := n.key(key)
	return b.writeInt(ctx, n, []string{k}, append([]any{"lpush", k}, anys(values)...)...)
}

// RPush implements grpcserver.ListBackend.
func (b *Backend) RPush(ctx context.Context, t grpcserver.Tenant, key string, values []string) (int64, error) {
	n, err := b.begin(t)
	if err != nil {
		return 0, err
	}
	k := n.key(key)
	return b.writeInt(ctx, n, []string{k}, append([]any{"rpush", k}, anys(values)...)...)
}

// optional turns a reply that may be nil into (value, found, error).
func (b *Backend) optional(ctx context.Context, t grpcserver.Tenant, v string, err error) (string, bool, error) {
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

// pop runs LPOP or RPOP, which delete the list they empty.
func (b *Backend) pop(ctx context.Context, t grpcserver.Tenant, n names, key, op string) (string, bool, error) {
	k := n.key(key)
	v, err := b.write(ctx, n, []string{k}, op, k).Text()
	return b.optional(ctx, t, v, err)
}

// LPop implements grpcserver.ListBackend.
func (b *Backend) LPop(ctx context.Context, t grpcserver.Tenant, key string) (string, bool, error) {
	n, err := b.begin(t)
	if err != nil {
		return "", false, err
	}
	return b.pop(ctx, t, n, key, "lpop")
}

// RPop implements grpcserver.ListBackend.
func (b *Backend) RPop(ctx context.Context, t grpcserver.Tenant, key string) (string, bool, error) {
	n, err := b.begin(t)
	if err != nil {
		return "", false, err
	}
	return b.pop(ctx, t, n, key, "rpop")
}

// LRange implements grpcserver.ListBackend.
func (b *Backend) LRange(ctx context.Context, t grpcserver.Tenant, key string, start, stop int64) ([]string, error) {
	n, err := b.begin(t)
	if err != nil {
		return nil, err
	}
	v, err := b.c.LRange(ctx, n.key(key), start, stop).Result()
	if err != nil {
		return nil, b.translate(ctx, err)
	}
	return v, nil
}

// LLen implements grpcserver.ListBackend.
func (b *Backend) LLen(ctx context.Context, t grpcserver.Tenant, key string) (int64, error) {
	n, err := b.begin(t)
	if err != nil {
		return 0, err
	}
	v, err := b.c.LLen(ctx, n.key(key)).Result()
	return v, b.translate(ctx, err)
}

// LIndex implements grpcserver.ListBackend.
func (b *Backend) LIndex(ctx context.Context, t grpcserver.Tenant, key string, index int64) (string, bool, error) {
	n, err := b.begin(t)
	if err != nil {
		return "", false, err
	}
	v, err := b.c.LIndex(ctx, n.key(key), index).Result()
	return b.optional(ctx, t, v, err)
}

// LTrim implements grpcserver.ListBackend.
func (b *Backend) LTrim(ctx context.Context, t grpcserver.Tenant, key string, start, stop int64) error {
	n, err := b.begin(t)
	if err != nil {
		return err
	}
	k := n.key(key)
	return b.translate(ctx, b.write(ctx, n, []string{k}, "ltrim", k, start, stop).Err())
}
