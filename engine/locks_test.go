package engine

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/isa-cloud/isa-memstore/ttl"
)

// coordEngine opens an engine for the coordination tests; clock nil means
// the system clock. The background worker is driven by a channel nobody
// sends on, so only the test decides when reclamation runs.
func coordEngine(t testing.TB, clock ttl.Clock, opts Options) *Engine {
	t.Helper()
	opts.Clock = clock
	if opts.expiryTick == nil {
		opts.expiryTick = make(chan time.Time)
	}
	e, err := Open(opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Close() })
	return e
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// queuedHook makes AcquireLock report on the returned channel each time a
// caller starts waiting, so tests can order waiters without sleeping.
func queuedHook(db *DB) <-chan string {
	ch := make(chan string, 1024)
	db.lockTable().onQueue = func(name string) { ch <- name }
	return ch
}

func waitQueued(t *testing.T, ch <-chan string, name string) {
	t.Helper()
	select {
	case got := <-ch:
		require.Equal(t, name, got)
	case <-time.After(10 * time.Second):
		t.Fatalf("nobody started waiting for %q", name)
	}
}

type acquireResult struct {
	lock Lock
	ok   bool
	err  error
}

// acquireAsync runs AcquireLock in a goroutine and delivers its result.
func acquireAsync(ctx context.Context, db *DB, name string, ttl, wait time.Duration) <-chan acquireResult {
	ch := make(chan acquireResult, 1)
	go func() {
		l, ok, err := db.AcquireLock(ctx, name, ttl, wait)
		ch <- acquireResult{l, ok, err}
	}()
	return ch
}

func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("timed out waiting for a result")
	}
	panic("unreachable")
}

func TestLockMutualExclusion(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := coordEngine(t, nil, Options{})
	db := e.DB("ns")
	ctx := testCtx(t)
	const goroutines, rounds = 32, 40
	counter := 0 // deliberately not atomic: only the lock protects it
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				l, ok, err := db.AcquireLock(ctx, "counter", 10*time.Second, 20*time.Second)
				if err != nil || !ok {
					errs <- err
					return
				}
				counter++
				if ok, err := db.ReleaseLock("counter", l.Token); err != nil || !ok {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("acquire/release failed: %v", err)
	}
	require.Equal(t, goroutines*rounds, counter)
	require.Zero(t, db.lockCount(), "released locks leave no state behind")
	require.NoError(t, e.Close())
}

func TestLockTokenRequired(t *testing.T) {
	clock := ttl.NewManual(time.Time{})
	e := coordEngine(t, clock, Options{})
	db := e.DB("ns")
	ctx := testCtx(t)

	l, ok, err := db.AcquireLock(ctx, "job", time.Minute, 0)
	require.NoError(t, err)
	require.True(t, ok)
	require.Len(t, l.Token, 32, "128 bits, hex")
	require.Equal(t, "job", l.Name)
	require.Equal(t, clock.Now().Add(time.Minute), l.ExpiresAt)

	_, ok, err = db.AcquireLock(ctx, "job", time.Minute, 0)
	require.NoError(t, err)
	require.False(t, ok, "a held lock cannot be taken")

	for _, bad := range []string{"", "x", l.Token[:31], l.Token + "0", newToken()} {
		ok, err := db.ReleaseLock("job", bad)
		require.NoError(t, err)
		require.False(t, ok, "release with token %q", bad)
		_, ok, err = db.RenewLock("job", bad, time.Hour)
		require.NoError(t, err)
		require.False(t, ok, "renew with token %q", bad)
	}
	ok, err = db.ReleaseLock("other", l.Token)
	require.NoError(t, err)
	require.False(t, ok, "a token only opens its own lock")

	renewed, ok, err := db.RenewLock("job", l.Token, 2*time.Minute)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, l.Token, renewed.Token)
	require.Equal(t, l.Fence, renewed.Fence, "renewal is not a new acquisition")
	require.Equal(t, clock.Now().Add(2*time.Minute), renewed.ExpiresAt)

	ok, err = db.ReleaseLock("job", l.Token)
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = db.ReleaseLock("job", l.Token)
	require.NoError(t, err)
	require.False(t, ok, "released twice")
	_, ok, err = db.RenewLock("job", l.Token, time.Minute)
	require.NoError(t, err)
	require.False(t, ok, "renewing a released lock")

	_, ok, err = db.AcquireLock(ctx, "job", time.Minute, 0)
	require.NoError(t, err)
	require.True(t, ok, "free again after release")
}

func TestLockExpiryFreesLock(t *testing.T) {
	clock := ttl.NewManual(time.Time{})
	e := coordEngine(t, clock, Options{})
	db := e.DB("ns")
	ctx := testCtx(t)

	old, ok, err := db.AcquireLock(ctx, "job", time.Second, 0)
	require.NoError(t, err)
	require.True(t, ok)
	clock.Advance(999 * time.Millisecond)
	_, ok, err = db.AcquireLock(ctx, "job", time.Second, 0)
	require.NoError(t, err)
	require.False(t, ok, "still held 1ms before expiry")
	_, ok, err = db.RenewLock("job", old.Token, time.Second)
	require.NoError(t, err)
	require.True(t, ok, "renewable while live")

	clock.Advance(time.Second)
	_, ok, err = db.RenewLock("job", old.Token, time.Second)
	require.NoError(t, err)
	require.False(t, ok, "an expired lock cannot be renewed")
	l, ok, err := db.AcquireLock(ctx, "job", time.Second, 0)
	require.NoError(t, err)
	require.True(t, ok, "an expired lock is free though never released")
	require.Greater(t, l.Fence, old.Fence)
	ok, err = db.ReleaseLock("job", old.Token)
	require.NoError(t, err)
	require.False(t, ok, "the expired holder cannot release the new holder's lock")
}

func TestLockWaitersWokenByReleaseInFIFOOrder(t *testing.T) {
	// The manual clock never moves: waiters can only be woken by releases.
	clock := ttl.NewManual(time.Time{})
	e := coordEngine(t, clock, Options{})
	db := e.DB("ns")
	ctx := testCtx(t)
	queued := queuedHook(db)

	holder, ok, err := db.AcquireLock(ctx, "q", time.Hour, 0)
	require.NoError(t, err)
	require.True(t, ok)

	const waiters = 6
	order := make(chan int, waiters)
	done := make(chan error, waiters)
	for i := 0; i < waiters; i++ {
		go func() {
			l, ok, err := db.AcquireLock(ctx, "q", time.Hour, time.Hour)
			if err == nil && ok {
				order <- i // while holding the lock
				_, err = db.ReleaseLock("q", l.Token)
			}
			done <- err
		}()
		waitQueued(t, queued, "q") // waiter i is in the queue before i+1 starts
	}
	// A newcomer without wait cannot jump the queue.
	_, ok, err = db.AcquireLock(ctx, "q", time.Hour, 0)
	require.NoError(t, err)
	require.False(t, ok)

	ok, err = db.ReleaseLock("q", holder.Token)
	require.NoError(t, err)
	require.True(t, ok)
	for i := 0; i < waiters; i++ {
		require.NoError(t, recv(t, done))
	}
	close(order)
	var got []int
	for i := range order {
		got = append(got, i)
	}
	require.Equal(t, []int{0, 1, 2, 3, 4, 5}, got)
	require.Zero(t, db.lockCount())
	require.Zero(t, clock.Pending(), "no timer left armed")
}

func TestLockWaiterWokenByExpiry(t *testing.T) {
	clock := ttl.NewManual(time.Time{})
	e := coordEngine(t, clock, Options{})
	db := e.DB("ns")
	ctx := testCtx(t)
	queued := queuedHook(db)

	holder, ok, err := db.AcquireLock(ctx, "q", 5*time.Second, 0)
	require.NoError(t, err)
	require.True(t, ok)
	res := acquireAsync(ctx, db, "q", time.Second, time.Minute)
	waitQueued(t, queued, "q")

	clock.Advance(4999 * time.Millisecond)
	select {
	case r := <-res:
		t.Fatalf("waiter got %+v before the lock expired", r)
	default:
	}
	clock.Advance(time.Millisecond) // the holder's lease ends: the timer hands over
	r := recv(t, res)
	require.NoError(t, r.err)
	require.True(t, r.ok)
	require.Greater(t, r.lock.Fence, holder.Fence)
	require.Equal(t, clock.Now().Add(time.Second), r.lock.ExpiresAt, "the lease starts at the handover")

	ok, err = db.ReleaseLock("q", holder.Token)
	require.NoError(t, err)
	require.False(t, ok)
	ok, err = db.ReleaseLock("q", r.lock.Token)
	require.NoError(t, err)
	require.True(t, ok)
	require.Zero(t, clock.Pending())
}

func TestLockRenewPostponesHandover(t *testing.T) {
	clock := ttl.NewManual(time.Time{})
	e := coordEngine(t, clock, Options{})
	db := e.DB("ns")
	ctx := testCtx(t)
	queued := queuedHook(db)

	holder, _, err := db.AcquireLock(ctx, "q", time.Second, 0)
	require.NoError(t, err)
	res := acquireAsync(ctx, db, "q", time.Second, time.Hour)
	waitQueued(t, queued, "q")
	_, ok, err := db.RenewLock("q", holder.Token, 10*time.Second)
	require.NoError(t, err)
	require.True(t, ok)
	clock.Advance(time.Second) // the original lease would end here
	select {
	case r := <-res:
		t.Fatalf("waiter got %+v although the lease was renewed", r)
	default:
	}
	clock.Advance(9 * time.Second)
	r := recv(t, res)
	require.NoError(t, r.err)
	require.True(t, r.ok)
}

func TestLockWaitTimeout(t *testing.T) {
	clock := ttl.NewManual(time.Time{})
	e := coordEngine(t, clock, Options{})
	db := e.DB("ns")
	ctx := testCtx(t)
	queued := queuedHook(db)

	holder, _, err := db.AcquireLock(ctx, "q", time.Hour, 0)
	require.NoError(t, err)
	first := acquireAsync(ctx, db, "q", time.Minute, 2*time.Second)
	waitQueued(t, queued, "q")
	second := acquireAsync(ctx, db, "q", time.Minute, time.Hour)
	waitQueued(t, queued, "q")

	clock.Advance(2 * time.Second)
	r := recv(t, first)
	require.NoError(t, r.err)
	require.False(t, r.ok, "gave up at its deadline")
	require.Empty(t, r.lock.Token)

	_, err = db.ReleaseLock("q", holder.Token)
	require.NoError(t, err)
	r = recv(t, second)
	require.NoError(t, r.err)
	require.True(t, r.ok, "the waiter behind the one that gave up gets the lock")
	_, err = db.ReleaseLock("q", r.lock.Token)
	require.NoError(t, err)
	require.Zero(t, db.lockCount())
	require.Zero(t, clock.Pending())
}

func TestLockContextCancellationWhileWaiting(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	clock := ttl.NewManual(time.Time{})
	e := coordEngine(t, clock, Options{})
	db := e.DB("ns")
	queued := queuedHook(db)

	holder, _, err := db.AcquireLock(testCtx(t), "q", time.Hour, 0)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(testCtx(t))
	res := acquireAsync(ctx, db, "q", time.Minute, time.Hour)
	waitQueued(t, queued, "q")
	cancel()
	r := recv(t, res)
	require.ErrorIs(t, r.err, context.Canceled)
	require.False(t, r.ok)

	// The cancelled waiter left the queue: on release nobody is handed
	// the lock, so a newcomer takes it at once.
	ok, err := db.ReleaseLock("q", holder.Token)
	require.NoError(t, err)
	require.True(t, ok)
	require.Zero(t, db.lockCount())
	require.Zero(t, clock.Pending(), "the wait timer was stopped")

	// A context deadline also ends the wait, with its own error.
	_, _, err = db.AcquireLock(testCtx(t), "q", time.Hour, 0)
	require.NoError(t, err)
	short, cancelShort := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancelShort()
	_, ok, err = db.AcquireLock(short, "q", time.Minute, time.Hour)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.False(t, ok)

	// An already cancelled context does not even try.
	_, ok, err = db.AcquireLock(ctx, "free", time.Minute, 0)
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, ok)
	require.NoError(t, e.Close())
}

func TestLockFencesStrictlyIncrease(t *testing.T) {
	clock := ttl.NewManual(time.Time{})
	e := coordEngine(t, clock, Options{})
	db := e.DB("ns")
	ctx := testCtx(t)
	queued := queuedHook(db)

	var last uint64
	next := func(l Lock) {
		t.Helper()
		require.Greater(t, l.Fence, last)
		last = l.Fence
	}
	for i := 0; i < 50; i++ {
		// Interleave other names on the same table: fences of "f" must
		// still only grow.
		other, ok, err := db.AcquireLock(ctx, "other", time.Second, 0)
		require.NoError(t, err)
		require.True(t, ok)
		l, ok, err := db.AcquireLock(ctx, "f", time.Second, 0)
		require.NoError(t, err)
		require.True(t, ok)
		next(l)
		switch i % 4 {
		case 0: // released
			_, err = db.ReleaseLock("f", l.Token)
		case 1: // expired and reclaimed: the name's state is gone
			clock.Advance(time.Second)
			e.ReclaimExpired()
			require.Zero(t, db.lockCount())
		case 2: // expired, seen lazily by the next acquire
			clock.Advance(2 * time.Second)
		case 3: // handed to a waiter
			res := acquireAsync(ctx, db, "f", time.Second, time.Hour)
			waitQueued(t, queued, "f")
			_, err = db.ReleaseLock("f", l.Token)
			r := recv(t, res)
			require.True(t, r.ok)
			next(r.lock)
			_, err = db.ReleaseLock("f", r.lock.Token)
		}
		require.NoError(t, err)
		_, _ = db.ReleaseLock("other", other.Token)
	}
}

func TestLockNamespaces(t *testing.T) {
	e := coordEngine(t, ttl.NewManual(time.Time{}), Options{})
	a, b := e.DB("a"), e.DB("b")
	ctx := testCtx(t)

	_, err := a.Set("x", "value", SetOptions{})
	require.NoError(t, err)
	la, ok, err := a.AcquireLock(ctx, "x", time.Minute, 0)
	require.NoError(t, err)
	require.True(t, ok, "a lock does not collide with a key of the same name")
	v, found, err := a.Get("x")
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, "value", v, "and leaves the key alone")
	n, err := a.DBSize()
	require.NoError(t, err)
	require.EqualValues(t, 1, n, "locks are not keys")

	lb, ok, err := b.AcquireLock(ctx, "x", time.Minute, 0)
	require.NoError(t, err)
	require.True(t, ok, "namespaces have separate locks")
	ok, err = b.ReleaseLock("x", la.Token)
	require.NoError(t, err)
	require.False(t, ok, "a token of another namespace opens nothing")
	ok, err = b.ReleaseLock("x", lb.Token)
	require.NoError(t, err)
	require.True(t, ok)
}

func TestLockArguments(t *testing.T) {
	clock := ttl.NewManual(time.Time{})
	e := coordEngine(t, clock, Options{DefaultLockTTL: 7 * time.Second})
	db := e.DB("ns")
	ctx := testCtx(t)

	_, _, err := db.AcquireLock(ctx, "x", -time.Second, 0)
	require.ErrorIs(t, err, ErrInvalidArgument)
	_, _, err = db.AcquireLock(ctx, "x", time.Second, -time.Second)
	require.ErrorIs(t, err, ErrInvalidArgument)
	require.Zero(t, db.lockCount(), "a refused call changes nothing")

	l, ok, err := db.AcquireLock(ctx, "x", 0, 0)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, clock.Now().Add(7*time.Second), l.ExpiresAt, "zero ttl means the configured default")
	_, _, err = db.RenewLock("x", l.Token, -time.Second)
	require.ErrorIs(t, err, ErrInvalidArgument)
	r, ok, err := db.RenewLock("x", l.Token, 0)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, clock.Now().Add(7*time.Second), r.ExpiresAt)

	l2, _, err := db.AcquireLock(ctx, "sub-ms", time.Microsecond, 0)
	require.NoError(t, err)
	require.Equal(t, clock.Now().Add(time.Millisecond), l2.ExpiresAt, "a positive ttl never rounds to zero")

	e2 := coordEngine(t, clock, Options{})
	l3, _, err := e2.DB("ns").AcquireLock(ctx, "x", 0, 0)
	require.NoError(t, err)
	require.Equal(t, clock.Now().Add(30*time.Second), l3.ExpiresAt, "default default is 30s")
}

func TestLockStateIsReclaimed(t *testing.T) {
	clock := ttl.NewManual(time.Time{})
	e := coordEngine(t, clock, Options{})
	db := e.DB("ns")
	ctx := testCtx(t)
	for i := 0; i < 1000; i++ {
		_, ok, err := db.AcquireLock(ctx, "lock-"+string(rune('a'+i%26))+string(rune(i)), time.Second, 0)
		require.NoError(t, err)
		require.True(t, ok)
	}
	require.Equal(t, 1000, db.lockCount())
	clock.Advance(time.Second)
	require.Equal(t, 1000, e.ReclaimExpired())
	require.Zero(t, db.lockCount(), "expired, never released locks are forgotten")
	require.Zero(t, db.lockTable().leases.Load())
}

func TestLockBackgroundWorkerReclaims(t *testing.T) {
	clock := ttl.NewManual(time.Time{})
	tick := make(chan time.Time)
	e := coordEngine(t, clock, Options{expiryTick: tick})
	db := e.DB("ns")
	_, _, err := db.AcquireLock(testCtx(t), "x", time.Second, 0)
	require.NoError(t, err)
	clock.Advance(time.Second)
	tick <- time.Time{} // one pass ...
	tick <- time.Time{} // ... certainly finished once the next one started
	require.Zero(t, db.lockCount())
}

func TestLockCloseWakesWaiters(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	clock := ttl.NewManual(time.Time{})
	e := coordEngine(t, clock, Options{})
	db := e.DB("ns")
	ctx := testCtx(t)
	queued := queuedHook(db)
	_, _, err := db.AcquireLock(ctx, "q", time.Hour, 0)
	require.NoError(t, err)
	res := acquireAsync(ctx, db, "q", time.Minute, time.Hour)
	waitQueued(t, queued, "q")
	require.NoError(t, e.Close())
	r := recv(t, res)
	require.ErrorIs(t, r.err, ErrClosed)
	require.Zero(t, clock.Pending())

	_, _, err = db.AcquireLock(ctx, "q", time.Hour, 0)
	require.ErrorIs(t, err, ErrClosed)
	_, err = db.ReleaseLock("q", "t")
	require.ErrorIs(t, err, ErrClosed)
	_, _, err = db.RenewLock("q", "t", 0)
	require.ErrorIs(t, err, ErrClosed)
}

func TestLockSystemClockExpiryWakesWaiter(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := coordEngine(t, nil, Options{})
	db := e.DB("ns")
	ctx := testCtx(t)
	_, _, err := db.AcquireLock(ctx, "q", 30*time.Millisecond, 0)
	require.NoError(t, err)
	// No release: only the real timer on the lease can wake this waiter.
	l, ok, err := db.AcquireLock(ctx, "q", time.Second, 10*time.Second)
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = db.ReleaseLock("q", l.Token)
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, e.Close())
}

// TestLockChaos mixes every way a lock changes hands (release, expiry,
// wait timeout, cancellation, handoff) across goroutines while another
// goroutine moves the manual clock, then checks that every acquisition of a
// name got a distinct fence, that a release succeeds exactly while the
// lease is live, and that all state and timers are gone at the end.
func TestLockChaos(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	clock := ttl.NewManual(time.Time{})
	e := coordEngine(t, clock, Options{})
	db := e.DB("ns")
	names := []string{"a", "b", "c"}

	var mu sync.Mutex
	type fenceOf struct {
		name  string
		fence uint64
	}
	fences := map[fenceOf]bool{}
	stop := make(chan struct{})
	var ticker sync.WaitGroup
	ticker.Add(1)
	go func() { // the passage of time
		defer ticker.Done()
		for {
			select {
			case <-stop:
				return
			default:
				clock.Advance(time.Millisecond)
			}
		}
	}()

	var wg sync.WaitGroup
	for g := 0; g < 12; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 300; i++ {
				name := names[(g+i)%len(names)]
				ctx, cancel := context.WithCancel(context.Background())
				if i%7 == 0 {
					cancel() // sometimes already cancelled, sometimes mid-wait below
				}
				if i%5 == 0 {
					go cancel()
				}
				l, ok, err := db.AcquireLock(ctx, name, time.Duration(1+i%20)*time.Millisecond, time.Duration(i%4)*5*time.Millisecond)
				cancel()
				if err != nil || !ok {
					continue
				}
				mu.Lock()
				if fences[fenceOf{name, l.Fence}] {
					t.Errorf("fence %d of %s issued twice", l.Fence, name)
				}
				fences[fenceOf{name, l.Fence}] = true
				mu.Unlock()
				if i%3 != 0 { // else: let it expire
					before := clock.Now()
					ok, _ := db.ReleaseLock(name, l.Token)
					after := clock.Now()
					// A release succeeds only while the lease is live.
					if ok && !l.ExpiresAt.After(before) {
						t.Errorf("%s released at %v although its lease ended at %v", name, before, l.ExpiresAt)
					}
					if !ok && l.ExpiresAt.After(after) {
						t.Errorf("%s: release failed at %v although the lease lasts until %v", name, after, l.ExpiresAt)
					}
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	ticker.Wait()
	clock.Advance(time.Hour)
	e.ReclaimExpired()
	require.Zero(t, db.lockCount())
	require.Zero(t, db.lockTable().leases.Load())
	require.Zero(t, clock.Pending())
	require.NotEmpty(t, fences)
	require.NoError(t, e.Close())
}
