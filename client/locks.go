package client

import (
	"context"
	"errors"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// Lock errors.
var (
	// ErrLockNotAcquired is AcquireLock or WithLock giving up: the lock was
	// held by someone else for the whole wait.
	ErrLockNotAcquired = errors.New("memstore: lock not acquired")
	// ErrLockNotHeld is Renew or Release of a lock the caller no longer
	// holds: it expired (and may have been taken by another) or the id is
	// wrong.
	ErrLockNotHeld = errors.New("memstore: lock not held")
	// ErrLockLost is the cause of the cancellation of WithLock's function
	// context, and part of WithLock's error, when the lock could not be
	// kept for the whole run of the function.
	ErrLockLost = errors.New("memstore: lock lost")
)

// Lock is a held distributed lock: its name, the unguessable token that
// proves ownership, and when it expires unless renewed (server time).
// Locks live in their own namespace: a lock "x" and a key "x" are unrelated.
type Lock struct {
	Name      string
	ID        string
	ExpiresAt time.Time
	c         *Client
}

// AcquireLock takes the lock name for ttl (0: the server's default, 30 s;
// a lock never lives forever). If it is held, it waits up to wait for its
// release or expiry (the server wakes the waiter, no polling) and fails
// with ErrLockNotAcquired after that. ctx must leave time for the wait:
// when ctx has no deadline, one of wait plus a margin is set.
func (c *Client) AcquireLock(ctx context.Context, name string, ttl, wait time.Duration) (*Lock, error) {
	if _, ok := ctx.Deadline(); !ok && wait > 0 {
		// Keep a default per-call timeout shorter than the wait from
		// cutting it off.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, wait+lockCallMargin)
		defer cancel()
	}
	req := &pb.AcquireLockRequest{UserId: c.user, OrganizationId: c.org, LockKey: name}
	if ttl > 0 {
		req.Ttl = durationpb.New(ttl)
	}
	if wait > 0 {
		req.WaitTimeout = durationpb.New(wait)
	}
	r, err := c.rpc.AcquireLock(ctx, req)
	if err != nil {
		return nil, err
	}
	if !r.GetAcquired() {
		return nil, ErrLockNotAcquired
	}
	return &Lock{Name: name, ID: r.GetLockId(), ExpiresAt: asTime(r.GetExpiresAt()), c: c}, nil
}

// RenewLock sets the TTL of the lock name held with id to ttl (0: the
// server's default) and returns the new expiry, or ErrLockNotHeld if that
// lock is not held with that id any more.
func (c *Client) RenewLock(ctx context.Context, name, id string, ttl time.Duration) (time.Time, error) {
	req := &pb.RenewLockRequest{UserId: c.user, OrganizationId: c.org, LockKey: name, LockId: id}
	if ttl > 0 {
		req.Ttl = durationpb.New(ttl)
	}
	r, err := c.rpc.RenewLock(ctx, req)
	if err != nil {
		return time.Time{}, err
	}
	if !r.GetRenewed() {
		return time.Time{}, ErrLockNotHeld
	}
	return asTime(r.GetExpiresAt()), nil
}

// ReleaseLock releases the lock name held with id, or fails with
// ErrLockNotHeld if it is not held with that id.
func (c *Client) ReleaseLock(ctx context.Context, name, id string) error {
	r, err := c.rpc.ReleaseLock(ctx, &pb.ReleaseLockRequest{UserId: c.user, OrganizationId: c.org, LockKey: name, LockId: id})
	if err != nil {
		return err
	}
	if !r.GetReleased() {
		return ErrLockNotHeld
	}
	return nil
}

// Renew extends the lock to ttl from now (0: the server's default) and
// updates ExpiresAt. Not safe for concurrent use with Release on the same
// Lock value.
func (l *Lock) Renew(ctx context.Context, ttl time.Duration) error {
	exp, err := l.c.RenewLock(ctx, l.Name, l.ID, ttl)
	if err == nil {
		l.ExpiresAt = exp
	}
	return err
}

// Release releases the lock.
func (l *Lock) Release(ctx context.Context) error {
	return l.c.ReleaseLock(ctx, l.Name, l.ID)
}

const (
	// lockCallMargin is time left to the server to answer after a lock
	// wait ends, so the call returns "not acquired" rather than the
	// context's deadline.
	lockCallMargin = 2 * time.Second
	// maxLockWait bounds one AcquireLock wait inside WithLock when ctx has
	// no deadline: WithLock asks again after it, so the wait is unbounded
	// in total but no single call is.
	maxLockWait = 30 * time.Second
	// releaseTimeout bounds the release at the end of WithLock, which runs
	// even when the caller's context is done.
	releaseTimeout = 5 * time.Second
)

// WithLock runs fn while holding the lock name:
//
//   - it acquires the lock with the given ttl, waiting for it as long as
//     ctx allows (until ctx's deadline, or indefinitely without one), and
//     returns ErrLockNotAcquired or ctx's error if that is not enough;
//   - while fn runs it renews the lock every ttl/3, so fn may run for any
//     time while the lock stays safe against a crash of this process;
//   - if the lock is lost (a renewal is refused, or renewals keep failing
//     until the lock must have expired), fn's context is cancelled with
//     cause ErrLockLost (see context.Cause) and WithLock's error includes
//     ErrLockLost: fn should stop touching what the lock protects as soon as
//     its context is done;
//   - when fn returns it releases the lock and returns fn's error.
//
// ttl must be positive: it is how long others wait if this process dies.
func (c *Client) WithLock(ctx context.Context, name string, ttl time.Duration, fn func(ctx context.Context) error) error {
	if ttl <= 0 {
		return errors.New("memstore: WithLock needs a positive ttl")
	}
	lock, err := c.acquireWaiting(ctx, name, ttl)
	if err != nil {
		return err
	}

	fnCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := make(chan struct{})
	renewDone := make(chan struct{})
	go func() {
		defer close(renewDone)
		lock.keepAlive(fnCtx, ttl, stop, cancel)
	}()

	fnErr := fn(fnCtx)
	close(stop)
	<-renewDone

	lost := errors.Is(context.Cause(fnCtx), ErrLockLost)
	var relErr error
	if !lost {
		rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
		relErr = lock.Release(rctx)
		rcancel()
		if errors.Is(relErr, ErrLockNotHeld) {
			// Released by expiry between the last renewal and now: fn ran
			// without the lock for that moment.
			lost, relErr = true, nil
		}
	}
	if lost {
		return errors.Join(ErrLockLost, fnErr)
	}
	return errors.Join(fnErr, relErr)
}

// acquireWaiting acquires the lock, waiting as long as ctx allows.
func (c *Client) acquireWaiting(ctx context.Context, name string, ttl time.Duration) (*Lock, error) {
	for {
		wait := maxLockWait
		if dl, ok := ctx.Deadline(); ok {
			// Ask the server to give up a little before ctx does, so that
			// the answer is "not acquired" rather than a deadline error.
			left := time.Until(dl)
			wait = min(left-min(left/10, lockCallMargin), maxLockWait)
		}
		lock, err := c.AcquireLock(ctx, name, ttl, max(wait, 0))
		if !errors.Is(err, ErrLockNotAcquired) {
			return lock, err
		}
		if ctx.Err() != nil {
			return nil, ErrLockNotAcquired
		}
		if _, ok := ctx.Deadline(); ok && wait < maxLockWait {
			return nil, ErrLockNotAcquired
		}
	}
}

// keepAlive renews l every ttl/3 until stop is closed. A refused renewal
// means the lock is gone: lose is called at once. A failed one (network,
// server restart) is retried more often until the lock's expiry as last
// renewed has passed locally, then the lock counts as lost too: another
// process may hold it by then.
func (l *Lock) keepAlive(ctx context.Context, ttl time.Duration, stop <-chan struct{}, lose context.CancelCauseFunc) {
	interval := ttl / 3
	deadline := time.Now().Add(ttl) // local estimate of the expiry
	t := time.NewTimer(interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		// The renewal must not outlive the lock itself.
		rctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
		sent := time.Now()
		err := l.Renew(rctx, ttl)
		cancel()
		switch {
		case err == nil:
			deadline = sent.Add(ttl)
			t.Reset(interval)
		case errors.Is(err, ErrLockNotHeld) || !time.Now().Before(deadline):
			lose(ErrLockLost)
			return
		default:
			t.Reset(min(interval, max(time.Until(deadline)/3, time.Millisecond)))
		}
	}
}
