package redisbackend

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/engine"
	"github.com/isa-cloud/isa-memstore/grpcserver"
	"github.com/isa-cloud/isa-memstore/internal/testredis"
)

// slowRecheck makes the fallback look so rare that a waiter that gets the
// lock within the test's bounds was woken by the release notification or
// by the lease it saw running out, not by the fallback.
const slowRecheck = time.Hour

func lockBackend(t *testing.T) *Backend {
	return newBackend(t, Options{Addrs: []string{testredis.Addr(t)}, DB: testDB, LockRecheck: slowRecheck})
}

type acquired struct {
	l   grpcserver.Lock
	ok  bool
	err error
	at  time.Time
}

func acquireAsync(ctx context.Context, b *Backend, tn grpcserver.Tenant, name string, ttl, wait time.Duration) <-chan acquired {
	out := make(chan acquired, 1)
	go func() {
		l, ok, err := b.AcquireLock(ctx, tn, name, ttl, wait)
		out <- acquired{l, ok, err, time.Now()}
	}()
	return out
}

// awaitWaiter returns once somebody waits for lock name of n.
func awaitWaiter(t *testing.T, b *Backend, n names, name string) {
	require.Eventually(t, func() bool {
		b.locks.mu.Lock()
		defer b.locks.mu.Unlock()
		return len(b.locks.waiters[n.lockChannel(name)]) > 0
	}, 10*time.Second, time.Millisecond)
}

func TestLockWaiterWokenByRelease(t *testing.T) {
	b := lockBackend(t)
	ctx := testCtx(t)
	tn := freshTenant()
	n, _ := b.lay.tenant(tn)
	held, ok, err := b.AcquireLock(ctx, tn, "job", time.Hour, 0)
	require.NoError(t, err)
	require.True(t, ok)

	got := acquireAsync(ctx, b, tn, "job", time.Minute, time.Hour)
	awaitWaiter(t, b, n, "job")
	released := time.Now()
	ok, err = b.ReleaseLock(ctx, tn, "job", held.ID)
	require.NoError(t, err)
	require.True(t, ok)
	r := <-got
	require.NoError(t, r.err)
	require.True(t, r.ok)
	assert.Less(t, r.at.Sub(released), 5*time.Second, "woken by the release, not by the hourly fallback")
	assert.NotEqual(t, held.ID, r.l.ID)
	assert.WithinDuration(t, time.Now().Add(time.Minute), r.l.ExpiresAt, 10*time.Second)

	b.locks.mu.Lock()
	assert.Empty(t, b.locks.waiters, "the waiter unsubscribed")
	b.locks.mu.Unlock()
}

func TestLockWaiterTakesExpiredLease(t *testing.T) {
	b := lockBackend(t)
	ctx := testCtx(t)
	tn := freshTenant()
	_, ok, err := b.AcquireLock(ctx, tn, "job", 300*time.Millisecond, 0)
	require.NoError(t, err)
	require.True(t, ok)
	start := time.Now()
	r := <-acquireAsync(ctx, b, tn, "job", time.Minute, time.Hour)
	require.NoError(t, r.err)
	assert.True(t, r.ok, "the holder never released; its lease ran out")
	assert.Less(t, r.at.Sub(start), 10*time.Second, "looked again when the lease it saw ended")
}

func TestLockWaitEnds(t *testing.T) {
	b := lockBackend(t)
	ctx := testCtx(t)
	tn := freshTenant()
	n, _ := b.lay.tenant(tn)
	_, ok, err := b.AcquireLock(ctx, tn, "busy", time.Hour, 0)
	require.NoError(t, err)
	require.True(t, ok)

	start := time.Now()
	// The bounded fallback look keeps a wait shorter than LockRecheck
	// exact: it ends at its own deadline.
	_, ok, err = b.AcquireLock(ctx, tn, "busy", time.Minute, 200*time.Millisecond)
	require.NoError(t, err)
	assert.False(t, ok)
	assert.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond)

	cctx, cancel := context.WithCancel(ctx)
	got := acquireAsync(cctx, b, tn, "busy", time.Minute, time.Hour)
	awaitWaiter(t, b, n, "busy")
	cancel()
	r := <-got
	assert.ErrorIs(t, r.err, context.Canceled)
	assert.False(t, r.ok)

	_, _, err = b.AcquireLock(ctx, tn, "x", -time.Second, 0)
	assert.ErrorIs(t, err, engine.ErrInvalidArgument)
	assert.EqualError(t, err, "ERR invalid lock ttl: must not be negative", "the engine's text")
	_, _, err = b.AcquireLock(ctx, tn, "x", 0, -time.Second)
	assert.EqualError(t, err, "ERR invalid lock wait timeout: must not be negative")
}

func TestLockOwnershipAndFence(t *testing.T) {
	b := lockBackend(t)
	ctx := testCtx(t)
	tn := freshTenant()
	n, _ := b.lay.tenant(tn)
	a, ok, err := b.AcquireLock(ctx, tn, "l", 0, 0)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Len(t, a.ID, 32, "128 random bits, hex")
	assert.WithinDuration(t, time.Now().Add(DefaultLockTTL), a.ExpiresAt, 10*time.Second, "a zero TTL is the default")

	ok, err = b.ReleaseLock(ctx, tn, "l", "forged")
	require.NoError(t, err)
	assert.False(t, ok)
	_, ok, err = b.RenewLock(ctx, tn, "l", "forged", time.Hour)
	require.NoError(t, err)
	assert.False(t, ok)
	r, ok, err := b.RenewLock(ctx, tn, "l", a.ID, time.Hour)
	require.NoError(t, err)
	require.True(t, ok)
	assert.WithinDuration(t, time.Now().Add(time.Hour), r.ExpiresAt, 10*time.Second)
	ttl, err := b.Client().PTTL(ctx, n.lockKey("l")).Result()
	require.NoError(t, err)
	assert.Greater(t, ttl, 59*time.Minute, "the renewal reached Redis")

	ok, err = b.ReleaseLock(ctx, tn, "l", a.ID)
	require.NoError(t, err)
	require.True(t, ok)
	_, ok, err = b.AcquireLock(ctx, tn, "l", time.Minute, 0)
	require.NoError(t, err)
	require.True(t, ok)
	fence, err := b.Client().Get(ctx, n.fenceKey()).Int64()
	require.NoError(t, err)
	assert.Equal(t, int64(2), fence, "every grant increments the tenant's fencing counter")
}

// TestLockNotifierReset: after the notification connection is replaced
// (as after an outage), a waiter is still woken by the release: the new
// connection subscribed again to what is waited for.
func TestLockNotifierReset(t *testing.T) {
	b := lockBackend(t)
	ctx := testCtx(t)
	tn := freshTenant()
	n, _ := b.lay.tenant(tn)
	held, ok, err := b.AcquireLock(ctx, tn, "job", time.Hour, 0)
	require.NoError(t, err)
	require.True(t, ok)
	got := acquireAsync(ctx, b, tn, "job", time.Minute, time.Hour)
	awaitWaiter(t, b, n, "job")
	b.locks.mu.Lock()
	old := b.locks.ps
	b.locks.mu.Unlock()
	b.locks.reset()
	b.locks.mu.Lock()
	assert.NotSame(t, old, b.locks.ps, "a new connection")
	b.locks.mu.Unlock()

	// The new connection subscribes in its reader; wait until Redis counts
	// a subscriber on the release channel before releasing.
	require.Eventually(t, func() bool {
		m, err := b.Client().PubSubNumSub(ctx, n.lockChannel("job")).Result()
		return err == nil && m[n.lockChannel("job")] == 1
	}, 10*time.Second, 5*time.Millisecond)
	released := time.Now()
	ok, err = b.ReleaseLock(ctx, tn, "job", held.ID)
	require.NoError(t, err)
	require.True(t, ok)
	r := <-got
	require.NoError(t, r.err)
	require.True(t, r.ok)
	assert.Less(t, r.at.Sub(released), 5*time.Second)
}
