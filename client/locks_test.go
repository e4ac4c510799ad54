package client

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

func TestLockOps(t *testing.T) {
	const u, o = "u1", "o1"
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	runOps(t, []opCase{
		{
			name: "AcquireLock", method: "AcquireLock",
			resp: &pb.AcquireLockResponse{Acquired: true, LockId: "id1", ExpiresAt: timestamppb.New(t0)},
			call: func(ctx context.Context, c *Client) (any, error) {
				l, err := c.AcquireLock(ctx, "L", 10*time.Second, 0)
				return []any{l.Name, l.ID, l.ExpiresAt}, err
			},
			req:  &pb.AcquireLockRequest{UserId: u, OrganizationId: o, LockKey: "L", Ttl: durationpb.New(10 * time.Second)},
			want: []any{"L", "id1", t0},
		},
		{
			name: "AcquireLock with wait", method: "AcquireLock",
			resp: &pb.AcquireLockResponse{Acquired: true, LockId: "id1"},
			call: func(ctx context.Context, c *Client) (any, error) {
				_, err := c.AcquireLock(ctx, "L", 0, 2*time.Second)
				return nil, err
			},
			req: &pb.AcquireLockRequest{UserId: u, OrganizationId: o, LockKey: "L", WaitTimeout: durationpb.New(2 * time.Second)},
		},
		{
			name: "AcquireLock not acquired", method: "AcquireLock", resp: &pb.AcquireLockResponse{},
			call: func(ctx context.Context, c *Client) (any, error) {
				l, err := c.AcquireLock(ctx, "L", time.Second, 0)
				return l, err
			},
			req:  &pb.AcquireLockRequest{UserId: u, OrganizationId: o, LockKey: "L", Ttl: durationpb.New(time.Second)},
			want: (*Lock)(nil), wantErr: ErrLockNotAcquired,
		},
		{
			name: "RenewLock", method: "RenewLock", resp: &pb.RenewLockResponse{Renewed: true, ExpiresAt: timestamppb.New(t0)},
			call: func(ctx context.Context, c *Client) (any, error) { return c.RenewLock(ctx, "L", "id1", 5*time.Second) },
			req:  &pb.RenewLockRequest{UserId: u, OrganizationId: o, LockKey: "L", LockId: "id1", Ttl: durationpb.New(5 * time.Second)},
			want: t0,
		},
		{
			name: "RenewLock not held", method: "RenewLock", resp: &pb.RenewLockResponse{},
			call: func(ctx context.Context, c *Client) (any, error) { return c.RenewLock(ctx, "L", "id1", 0) },
			req:  &pb.RenewLockRequest{UserId: u, OrganizationId: o, LockKey: "L", LockId: "id1"},
			want: time.Time{}, wantErr: ErrLockNotHeld,
		},
		{
			name: "ReleaseLock", method: "ReleaseLock", resp: &pb.ReleaseLockResponse{Released: true},
			call: func(ctx context.Context, c *Client) (any, error) { return nil, c.ReleaseLock(ctx, "L", "id1") },
			req:  &pb.ReleaseLockRequest{UserId: u, OrganizationId: o, LockKey: "L", LockId: "id1"},
		},
		{
			name: "ReleaseLock not held", method: "ReleaseLock", resp: &pb.ReleaseLockResponse{},
			call: func(ctx context.Context, c *Client) (any, error) { return nil, c.ReleaseLock(ctx, "L", "id1") },
			req:  &pb.ReleaseLockRequest{UserId: u, OrganizationId: o, LockKey: "L", LockId: "id1"}, wantErr: ErrLockNotHeld,
		},
	})
}

func TestLockMethods(t *testing.T) {
	f, c := startFake(t)
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f.on("AcquireLock", reply(&pb.AcquireLockResponse{Acquired: true, LockId: "id1", ExpiresAt: timestamppb.New(t0)}))
	f.on("RenewLock", reply(&pb.RenewLockResponse{Renewed: true, ExpiresAt: timestamppb.New(t0.Add(time.Minute))}))
	f.on("ReleaseLock", reply(&pb.ReleaseLockResponse{Released: true}))
	l, err := c.AcquireLock(testCtx(t), "L", time.Minute, 0)
	require.NoError(t, err)
	require.NoError(t, l.Renew(testCtx(t), time.Minute))
	require.Equal(t, t0.Add(time.Minute), l.ExpiresAt)
	require.NoError(t, l.Release(testCtx(t)))
	require.True(t, proto.Equal(&pb.ReleaseLockRequest{UserId: "u1", OrganizationId: "o1", LockKey: "L", LockId: "id1"}, f.lastRequest()))
}

// lockFake scripts a lock server: acquire answers acquired (with the wait
// the client asked for recorded), renewals answer renew(n) for the n-th
// renewal, release answers released.
func lockFake(t *testing.T, renew func(n int32) (bool, error)) (*fake, *Client, chan time.Duration) {
	f, c := startFake(t)
	waits := make(chan time.Duration, 10)
	f.on("AcquireLock", func(_ context.Context, req proto.Message) (proto.Message, error) {
		waits <- req.(*pb.AcquireLockRequest).GetWaitTimeout().AsDuration()
		return &pb.AcquireLockResponse{Acquired: true, LockId: "id1"}, nil
	})
	var renewals atomic.Int32
	f.on("RenewLock", func(context.Context, proto.Message) (proto.Message, error) {
		ok, err := renew(renewals.Add(1))
		if err != nil {
			return nil, err
		}
		return &pb.RenewLockResponse{Renewed: ok}, nil
	})
	f.on("ReleaseLock", reply(&pb.ReleaseLockResponse{Released: true}))
	return f, c, waits
}

func TestWithLockRenewsAndReleases(t *testing.T) {
	renewed := make(chan int32, 100)
	f, c, waits := lockFake(t, func(n int32) (bool, error) { renewed <- n; return true, nil })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := c.WithLock(ctx, "L", 300*time.Millisecond, func(ctx context.Context) error {
		// Outlive several TTLs: only renewals keep the lock.
		for range 5 {
			select {
			case <-renewed:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return ctx.Err()
	})
	require.NoError(t, err)
	w := <-waits
	require.Greater(t, w, 3*time.Second, "the wait uses most of ctx's time")
	require.Less(t, w, 5*time.Second, "and leaves the server time to answer")
	require.GreaterOrEqual(t, f.count("RenewLock"), 5)
	require.Equal(t, 1, f.count("ReleaseLock"))
	require.True(t, proto.Equal(&pb.ReleaseLockRequest{UserId: "u1", OrganizationId: "o1", LockKey: "L", LockId: "id1"}, f.lastRequest()))
}

func TestWithLockReturnsFnError(t *testing.T) {
	f, c, _ := lockFake(t, func(int32) (bool, error) { return true, nil })
	boom := errors.New("boom")
	err := c.WithLock(testCtx(t), "L", time.Minute, func(context.Context) error { return boom })
	require.ErrorIs(t, err, boom)
	require.NotErrorIs(t, err, ErrLockLost)
	require.Equal(t, 1, f.count("ReleaseLock"), "released after a failing fn too")
}

func TestWithLockLost(t *testing.T) {
	for _, tc := range []struct {
		name  string
		renew func(n int32) (bool, error)
	}{
		{"renewal refused", func(n int32) (bool, error) { return n < 3, nil }},
		{"renewals failing past the expiry", func(n int32) (bool, error) {
			if n < 2 {
				return true, nil
			}
			return false, status.Error(codes.Unavailable, "down")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, c, _ := lockFake(t, tc.renew)
			var cause error
			err := c.WithLock(testCtx(t), "L", 30*time.Millisecond, func(ctx context.Context) error {
				<-ctx.Done() // would run forever without the loss
				cause = context.Cause(ctx)
				return ctx.Err()
			})
			require.ErrorIs(t, err, ErrLockLost)
			require.ErrorIs(t, cause, ErrLockLost)
			require.Zero(t, f.count("ReleaseLock"), "a lost lock is not released: it may be someone else's now")
		})
	}
}

func TestWithLockNotAcquired(t *testing.T) {
	f, c := startFake(t)
	f.on("AcquireLock", reply(&pb.AcquireLockResponse{}))
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	ran := false
	err := c.WithLock(ctx, "L", time.Second, func(context.Context) error { ran = true; return nil })
	require.ErrorIs(t, err, ErrLockNotAcquired)
	require.False(t, ran)
	require.Equal(t, 1, f.count("AcquireLock"), "with a deadline, one wait uses it all")

	require.Error(t, c.WithLock(testCtx(t), "L", 0, func(context.Context) error { return nil }), "ttl must be positive")
}
