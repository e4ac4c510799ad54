package redisbackend

import (
	"context"
	"sort"

	"github.com/isa-cloud/isa-memstore/grpcserver"
)

// Set replies are sorted, as the engine's are: Redis answers in hash
// order, which differs between runs and between Redis and the engine.

// SAdd implements grpcserver.SetBackend. Without members Redis answers the
// same "wrong number of arguments" error the engine does.
func (b *Backend) SAdd(ctx context.Context, t grpcserver.Tenant, key string, members []string) (int64, error) {
	n, err := b.begin(t)
	if err != nil {
		return 0, err
	}
	k := n.key(key)
	return b.writeInt(ctx, n, []string{k}, append([]any{"sadd", k}, anys(members)...)...)
}

// SRem implements grpcserver.SetBackend.
func (b *Backend) SRem(ctx context.Context, t grpcserver.Tenant, key string, members []string) (int64, error) {
	n, err := b.begin(t)
	if err != nil {
		return 0, err
	}
	k := n.key(key)
	return b.writeInt(ctx, n, []string{k}, append([]any{"srem", k}, anys(members)...)...)
}

// sorted sorts a set reply and counts its lookup.
func (b *Backend) sorted(ctx context.Context, t grpcserver.Tenant, v []string, err error) ([]string, error) {
	if err != nil {
		return nil, b.translate(ctx, err)
	}
	b.counters.lookup(t, len(v) > 0)
	sort.Strings(v)
	return v, nil
}

// SMembers implements grpcserver.SetBackend.
func (b *Backend) SMembers(ctx context.Context, t grpcserver.Tenant, key string) ([]string, error) {
	n, err := b.begin(t)
	if err != nil {
		return nil, err
	}
	v, err := b.c.SMembers(ctx, n.key(key)).Result()
	return b.sorted(ctx, t, v, err)
}

// SIsMember implements grpcserver.SetBackend.
func (b *Backend) SIsMember(ctx context.Context, t grpcserver.Tenant, key, member string) (bool, error) {
	n, err := b.begin(t)
	if err != nil {
		return false, err
	}
	v, err := b.c.SIsMember(ctx, n.key(key), member).Result()
	return v, b.translate(ctx, err)
}

// SCard implements grpcserver.SetBackend.
func (b *Backend) SCard(ctx context.Context, t grpcserver.Tenant, key string) (int64, error) {
	n, err := b.begin(t)
	if err != nil {
		return 0, err
	}
	v, err := b.c.SCard(ctx, n.key(key)).Result()
	return v, b.translate(ctx, err)
}

// SUnion implements grpcserver.SetBackend. The keys share the tenant's
// hash slot, so this is one command on one node in a cluster too.
func (b *Backend) SUnion(ctx context.Context, t grpcserver.Tenant, keys []string) ([]string, error) {
	n, err := b.begin(t)
	if err != nil {
		return nil, err
	}
	v, err := b.c.Do(ctx, append([]any{"sunion"}, anys(n.keys(keys))...)...).StringSlice()
	return b.sorted(ctx, t, v, err)
}

// SInter implements grpcserver.SetBackend.
func (b *Backend) SInter(ctx context.Context, t grpcserver.Tenant, keys []string) ([]string, error) {
	n, err := b.begin(t)
	if err != nil {
		return nil, err
	}
	v, err := b.c.Do(ctx, append([]any{"sinter"}, anys(n.keys(keys))...)...).StringSlice()
	return b.sorted(ctx, t, v, err)
}

// SDiff implements grpcserver.SetBackend.
func (b *Backend) SDiff(ctx context.Context, t grpcserver.Tenant, keys []string) ([]string, error) {
	n, err := b.begin(t)
	if err != nil {
		return nil, err
	}
	v, err := b.c.Do(ctx, append([]any{"sdiff"}, anys(n.keys(keys))...)...).StringSlice()
	return b.sorted(ctx, t, v, err)
}
