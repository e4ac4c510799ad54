package redisbackend

import (
	"context"
	"sort"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/isa-cloud/isa-memstore/grpcserver"
)

// scanCount is SCAN's COUNT hint: enough keys per round trip to make a
// large keyspace cheap to walk, few enough that each step stays short for
// Redis, which serves other clients between steps.
const scanCount = 1000

// Delete implements grpcserver.KeyBackend.
func (b *Backend) Delete(ctx context.Context, t grpcserver.Tenant, keys []string) (int64, error) {
	n, err := b.begin(t)
	if err != nil {
		return 0, err
	}
	if len(keys) == 0 {
		return 0, nil // DEL needs a key; nothing to delete
	}
	ks := n.keys(keys)
	return b.writeInt(ctx, n, ks, append([]any{"del"}, anys(ks)...)...)
}

// Exists implements grpcserver.KeyBackend.
func (b *Backend) Exists(ctx context.Context, t grpcserver.Tenant, key string) (bool, error) {
	n, err := b.begin(t)
	if err != nil {
		return false, err
	}
	v, err := b.c.Exists(ctx, n.key(key)).Result()
	return v > 0, b.translate(ctx, err)
}

// Expire implements grpcserver.KeyBackend: PEXPIRE, which deletes the key
// when ttl <= 0.
func (b *Backend) Expire(ctx context.Context, t grpcserver.Tenant, key string, ttl time.Duration) (bool, error) {
	n, err := b.begin(t)
	if err != nil {
		return false, err
	}
	k := n.key(key)
	v, err := b.writeInt(ctx, n, []string{k}, "pexpire", k, ttlMillis(ttl))
	return v == 1, err
}

// TTL implements grpcserver.KeyBackend.
func (b *Backend) TTL(ctx context.Context, t grpcserver.Tenant, key string) (int64, error) {
	n, err := b.begin(t)
	if err != nil {
		return 0, err
	}
	// Do, not c.TTL: go-redis turns TTL's reply into a Duration and its
	// -1/-2 into other values.
	v, err := b.c.Do(ctx, "ttl", n.key(key)).Int64()
	return v, b.translate(ctx, err)
}

// Rename implements grpcserver.KeyBackend.
func (b *Backend) Rename(ctx context.Context, t grpcserver.Tenant, src, dst string) error {
	n, err := b.begin(t)
	if err != nil {
		return err
	}
	s, d := n.key(src), n.key(dst)
	return b.translate(ctx, b.write(ctx, n, []string{s, d}, "rename", s, d).Err())
}

// ListKeys implements grpcserver.KeyBackend: SCAN MATCH over the tenant's
// prefix followed by the caller's glob, in steps of scanCount keys, so Redis
// is never blocked by the walk (KEYS would block it). The prefix is literal
// (tenant ids contain no glob metacharacters), so the pattern cannot reach
// outside the tenant.
func (b *Backend) ListKeys(ctx context.Context, t grpcserver.Tenant, pattern string, limit int) ([]string, int, error) {
	n, err := b.begin(t)
	if err != nil {
		return nil, 0, err
	}
	if pattern == "" {
		pattern = "*"
	}
	seen := make(map[string]struct{})
	err = b.scan(ctx, n, escapeGlob(n.prefix)+pattern, "", func(phys string) {
		if k, ok := n.strip(phys); ok {
			seen[k] = struct{}{}
		}
	})
	if err != nil {
		return nil, 0, b.translate(ctx, err)
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	total := len(keys)
	if limit > 0 && len(keys) > limit {
		keys = keys[:limit:limit]
	}
	return keys, total, nil
}

// scan walks the keys matching match (of type typ when not empty) on the
// node that holds tenant n, calling fn for each (possibly more than once:
// SCAN may repeat a key).
func (b *Backend) scan(ctx context.Context, n names, match, typ string, fn func(string)) error {
	node, err := b.nodeOf(ctx, n)
	if err != nil {
		return err
	}
	var cursor uint64
	for {
		var keys []string
		var err error
		if typ != "" {
			keys, cursor, err = node.ScanType(ctx, cursor, match, scanCount, typ).Result()
		} else {
			keys, cursor, err = node.Scan(ctx, cursor, match, scanCount).Result()
		}
		if err != nil {
			return err
		}
		for _, k := range keys {
			fn(k)
		}
		if cursor == 0 {
			return nil
		}
	}
}

// scanner is what SCAN needs of a client.
type scanner interface {
	Scan(ctx context.Context, cursor uint64, match string, count int64) *redis.ScanCmd
	ScanType(ctx context.Context, cursor uint64, match string, count int64, keyType string) *redis.ScanCmd
}

// nodeOf is the client of the node that holds tenant n's keys: in a
// cluster the master of the tenant's hash slot, otherwise the one client.
func (b *Backend) nodeOf(ctx context.Context, n names) (scanner, error) {
	if cc, ok := b.c.(*redis.ClusterClient); ok {
		return cc.MasterForKey(ctx, n.tag)
	}
	return b.c, nil
}
