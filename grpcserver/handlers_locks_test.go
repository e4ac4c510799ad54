package grpcserver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

func TestLocks(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	c := h.client
	acquire := func(ttl time.Duration) *pb.AcquireLockResponse {
		r, err := c.AcquireLock(ctx, &pb.AcquireLockRequest{UserId: user, LockKey: "job", Ttl: durationpb.New(ttl)})
		require.NoError(t, err)
		return r
	}
	a := acquire(10 * time.Second)
	require.True(t, a.Acquired)
	assert.Len(t, a.LockId, 32, "128 random bits, hex")
	assert.Equal(t, h.clock.Now().Add(10*time.Second), a.ExpiresAt.AsTime())

	held := acquire(10 * time.Second)
	assert.Equal(t, &pb.AcquireLockResponse{}, &pb.AcquireLockResponse{Acquired: held.Acquired, LockId: held.LockId, ExpiresAt: held.ExpiresAt}, "nothing but acquired=false")

	rn, err := c.RenewLock(ctx, &pb.RenewLockRequest{UserId: user, LockKey: "job", LockId: "wrong", Ttl: durationpb.New(time.Minute)})
	require.NoError(t, err)
	assert.False(t, rn.Renewed)
	assert.Nil(t, rn.ExpiresAt)
	h.clock.Advance(5 * time.Second)
	rn, err = c.RenewLock(ctx, &pb.RenewLockRequest{UserId: user, LockKey: "job", LockId: a.LockId, Ttl: durationpb.New(time.Minute)})
	require.NoError(t, err)
	assert.True(t, rn.Renewed)
	assert.Equal(t, h.clock.Now().Add(time.Minute), rn.ExpiresAt.AsTime())

	rl, err := c.ReleaseLock(ctx, &pb.ReleaseLockRequest{UserId: user, LockKey: "job", LockId: "wrong"})
	require.NoError(t, err)
	assert.False(t, rl.Released)
	rl, err = c.ReleaseLock(ctx, &pb.ReleaseLockRequest{UserId: user, LockKey: "job", LockId: a.LockId})
	require.NoError(t, err)
	assert.True(t, rl.Released)
	rl, err = c.ReleaseLock(ctx, &pb.ReleaseLockRequest{UserId: user, LockKey: "job", LockId: a.LockId})
	require.NoError(t, err)
	assert.False(t, rl.Released, "absent lock")

	// Expiry frees it; the default TTL is finite (30 s).
	d, err := c.AcquireLock(ctx, &pb.AcquireLockRequest{UserId: user, LockKey: "job"})
	require.NoError(t, err)
	require.True(t, d.Acquired)
	assert.Equal(t, h.clock.Now().Add(30*time.Second), d.ExpiresAt.AsTime())
	h.clock.Advance(30 * time.Second)
	assert.True(t, acquire(time.Second).Acquired, "expired locks are free")
	rn, err = c.RenewLock(ctx, &pb.RenewLockRequest{UserId: user, LockKey: "job", LockId: d.LockId})
	require.NoError(t, err)
	assert.False(t, rn.Renewed, "an expired owner cannot renew")

	_, err = c.AcquireLock(ctx, &pb.AcquireLockRequest{UserId: user, LockKey: "x", Ttl: durationpb.New(-time.Second)})
	requireCode(t, err, codes.InvalidArgument, "ttl must not be negative")
	_, err = c.AcquireLock(ctx, &pb.AcquireLockRequest{UserId: user, LockKey: "x", WaitTimeout: durationpb.New(-time.Second)})
	requireCode(t, err, codes.InvalidArgument, "wait_timeout must not be negative")
}

func TestLockWaiters(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	c := h.client
	a, err := c.AcquireLock(ctx, &pb.AcquireLockRequest{UserId: user, LockKey: "w", Ttl: durationpb.New(time.Minute)})
	require.NoError(t, err)
	require.True(t, a.Acquired)
	require.Zero(t, h.clock.Pending())

	wait := func(d time.Duration) <-chan *pb.AcquireLockResponse {
		out := make(chan *pb.AcquireLockResponse, 1)
		go func() {
			r, err := c.AcquireLock(ctx, &pb.AcquireLockRequest{UserId: user, LockKey: "w", Ttl: durationpb.New(time.Minute), WaitTimeout: durationpb.New(d)})
			assert.NoError(t, err)
			out <- r
		}()
		// The waiter is queued once its timeout timer is on the clock.
		require.Eventually(t, func() bool { return h.clock.Pending() > 0 }, 5*time.Second, time.Millisecond)
		return out
	}

	// Woken by the release, long before its timeout or the lease's end.
	got := wait(30 * time.Second)
	rl, err := c.ReleaseLock(ctx, &pb.ReleaseLockRequest{UserId: user, LockKey: "w", LockId: a.LockId})
	require.NoError(t, err)
	require.True(t, rl.Released)
	b := <-got
	require.True(t, b.Acquired)
	assert.NotEqual(t, a.LockId, b.LockId)

	// Gives up when its timeout passes on the clock.
	got = wait(5 * time.Second)
	h.clock.Advance(5 * time.Second)
	assert.False(t, (<-got).Acquired)
}

func TestLocksApartFromKeys(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	_, err := h.client.Set(ctx, &pb.SetRequest{UserId: user, Key: "x", Value: "v"})
	require.NoError(t, err)
	a, err := h.client.AcquireLock(ctx, &pb.AcquireLockRequest{UserId: user, LockKey: "x"})
	require.NoError(t, err)
	assert.True(t, a.Acquired)
	got, err := h.client.Get(ctx, &pb.GetRequest{UserId: user, Key: "x"})
	require.NoError(t, err)
	assert.Equal(t, "v", got.Value)
}

func TestLockWaitEndsAtShutdown(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	c := h.client
	a, err := c.AcquireLock(ctx, &pb.AcquireLockRequest{UserId: user, LockKey: "w", Ttl: durationpb.New(time.Hour)})
	require.NoError(t, err)
	require.True(t, a.Acquired)
	got := make(chan error, 1)
	go func() {
		_, err := c.AcquireLock(ctx, &pb.AcquireLockRequest{UserId: user, LockKey: "w", WaitTimeout: durationpb.New(time.Hour)})
		got <- err
	}()
	require.Eventually(t, func() bool { return h.clock.Pending() > 0 }, 5*time.Second, time.Millisecond)
	h.srv.Shutdown(ctx)
	requireCode(t, <-got, codes.Unavailable, "server is shutting down")
	assert.NotContains(t, h.logs.String(), "graceful stop timed out", "the waiter did not hold up the stop")
}
