package redisbackend

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/isa-cloud/isa-memstore/engine"
	"github.com/isa-cloud/isa-memstore/grpcserver"
)

// Locks.
//
// A lock is one string key (lockKey) holding its owner's token, with the
// lease as the key's TTL, so Redis frees an expired lock by itself. Every
// check of the owner runs in a script, so nobody can release or renew a
// lock between the check and the change (the compare-and-delete and
// compare-and-expire that SET NX alone cannot give). Each grant increments
// the tenant's fencing counter in the same script.
//
// A waiting AcquireLock subscribes to the lock's release channel (on one
// shared pub/sub connection, lockNotifier) before it looks at the lock
// again, so a release between its look and its wait is not missed; the
// release script publishes there. A lock that expires instead of being
// released publishes nothing, so a waiter also looks again when the lease
// it saw runs out, and at the latest every LockRecheck (a notification can
// be lost while the pub/sub connection reconnects).

// acquireScript: KEYS[1] lock, KEYS[2] fence counter; ARGV[1] token,
// ARGV[2] lease ms. Answers {1, fence, now ms} when granted, or
// {0, remaining lease ms, now ms}.
var acquireScript = redis.NewScript(`
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {1, redis.call('INCR', KEYS[2]), now}
end
return {0, redis.call('PTTL', KEYS[1]), now}
`)

// releaseScript: KEYS[1] lock; ARGV[1] token, ARGV[2] release channel.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], '')
  return 1
end
return 0
`)

// renewScript: KEYS[1] lock; ARGV[1] token, ARGV[2] lease ms. Answers the
// new expiry in Unix ms, or 0 when the token does not hold the lock.
var renewScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  local t = redis.call('TIME')
  return t[1] * 1000 + math.floor(t[2] / 1000) + ARGV[2]
end
return 0
`)

// newToken returns 128 random bits, hex-encoded (lock ids, session ids).
func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (it aborts instead)
	return hex.EncodeToString(b[:])
}

// lockTTL is the lease of a request: 0 is the default, negative an error
// with the engine's text.
func (b *Backend) lockTTL(ttl time.Duration) (int64, error) {
	switch {
	case ttl < 0:
		return 0, engineText("ERR invalid lock ttl: must not be negative", engine.ErrInvalidArgument)
	case ttl == 0:
		ttl = b.opts.DefaultLockTTL
	}
	return ttlMillis(ttl), nil
}

// AcquireLock implements grpcserver.LockBackend.
func (b *Backend) AcquireLock(ctx context.Context, t grpcserver.Tenant, name string, ttl, wait time.Duration) (grpcserver.Lock, bool, error) {
	if wait < 0 {
		return grpcserver.Lock{}, false, engineText("ERR invalid lock wait timeout: must not be negative", engine.ErrInvalidArgument)
	}
	ms, err := b.lockTTL(ttl)
	if err != nil {
		return grpcserver.Lock{}, false, err
	}
	n, err := b.begin(t)
	if err != nil {
		return grpcserver.Lock{}, false, err
	}
	token := newToken()
	keys := []string{n.lockKey(name), n.fenceKey()}
	try := func() (grpcserver.Lock, bool, time.Duration, error) {
		if err := b.ready(); err != nil {
			return grpcserver.Lock{}, false, 0, err
		}
		r, err := acquireScript.Run(ctx, b.c, keys, token, ms).Int64Slice()
		if err != nil {
			return grpcserver.Lock{}, false, 0, b.translate(ctx, err)
		}
		if r[0] == 1 {
			return grpcserver.Lock{ID: token, ExpiresAt: time.UnixMilli(r[2] + ms).UTC()}, true, 0, nil
		}
		return grpcserver.Lock{}, false, time.Duration(r[1]) * time.Millisecond, nil
	}
	l, ok, _, err := try()
	if ok || err != nil || wait == 0 {
		return l, ok, err
	}

	deadline := time.Now().Add(wait)
	w := b.locks.watch(ctx, n.lockChannel(name))
	defer b.locks.unwatch(w)
	for {
		// Subscribed now: a release from here on wakes w.
		l, ok, lease, err := try()
		if ok || err != nil {
			return l, ok, err
		}
		left := time.Until(deadline)
		if left <= 0 {
			return grpcserver.Lock{}, false, nil
		}
		next := min(left, b.opts.LockRecheck)
		if lease >= 0 {
			// PTTL answers 0 in the lease's last millisecond: look
			// again right after it, not only at the next recheck.
			next = min(next, max(lease, time.Millisecond))
		}
		timer := time.NewTimer(next)
		select {
		case <-w.c:
		case <-timer.C:
		case <-ctx.Done():
		}
		timer.Stop()
		if err := ctx.Err(); err != nil {
			return grpcserver.Lock{}, false, err
		}
	}
}

// ReleaseLock implements grpcserver.LockBackend.
func (b *Backend) ReleaseLock(ctx context.Context, t grpcserver.Tenant, name, id string) (bool, error) {
	n, err := b.begin(t)
	if err != nil {
		return false, err
	}
	v, err := releaseScript.Run(ctx, b.c, []string{n.lockKey(name)}, id, n.lockChannel(name)).Int64()
	return v == 1, b.translate(ctx, err)
}

// RenewLock implements grpcserver.LockBackend.
func (b *Backend) RenewLock(ctx context.Context, t grpcserver.Tenant, name, id string, ttl time.Duration) (grpcserver.Lock, bool, error) {
	ms, err := b.lockTTL(ttl)
	if err != nil {
		return grpcserver.Lock{}, false, err
	}
	n, err := b.begin(t)
	if err != nil {
		return grpcserver.Lock{}, false, err
	}
	at, err := renewScript.Run(ctx, b.c, []string{n.lockKey(name)}, id, ms).Int64()
	if err != nil || at == 0 {
		return grpcserver.Lock{}, false, b.translate(ctx, err)
	}
	return grpcserver.Lock{ID: id, ExpiresAt: time.UnixMilli(at).UTC()}, true, nil
}
