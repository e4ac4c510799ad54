package memstoretest

// End-to-end tests of the client's helpers against the real server:
// retries, WithLock, the Batcher.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/isa-cloud/isa-memstore/client"
	"github.com/isa-cloud/isa-memstore/engine"
	"github.com/isa-cloud/isa-memstore/grpcserver"
)

// attempts counts, on the client side, the calls of each method sent and
// those that failed UNAVAILABLE, and signals each such failure.
type attempts struct {
	mu          sync.Mutex
	sent        map[string]int
	unavailable chan string
}

func newAttempts() *attempts {
	return &attempts{sent: map[string]int{}, unavailable: make(chan string, 1000)}
}

func (a *attempts) option() client.Option {
	return client.WithDialOptions(grpc.WithChainUnaryInterceptor(
		func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoke grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			a.mu.Lock()
			a.sent[method]++
			a.mu.Unlock()
			err := invoke(ctx, method, req, reply, cc, opts...)
			if status.Code(err) == codes.Unavailable {
				a.unavailable <- method
			}
			return err
		}))
}

func (a *attempts) count(method string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.sent["/isa.redis.RedisService/"+method]
}

// flakyBackend answers UNAVAILABLE (engine.ErrClosed, as a shutting-down
// server does) to the first failures[method] calls of Get and Set, and
// counts every call that reaches it: a server-side count of attempts.
type flakyBackend struct {
	grpcserver.Backend
	mu       sync.Mutex
	failures map[string]int
	calls    map[string]int
}

func (b *flakyBackend) hit(method string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls[method]++
	if b.failures[method] > 0 {
		b.failures[method]--
		return engine.ErrClosed
	}
	return nil
}

func (b *flakyBackend) Get(ctx context.Context, t grpcserver.Tenant, key string) (string, bool, error) {
	if err := b.hit("Get"); err != nil {
		return "", false, err
	}
	return b.Backend.Get(ctx, t, key)
}

func (b *flakyBackend) GetMultiple(ctx context.Context, t grpcserver.Tenant, keys []string) ([]grpcserver.KeyValue, error) {
	if err := b.hit("GetMultiple"); err != nil {
		return nil, err
	}
	return b.Backend.GetMultiple(ctx, t, keys)
}

func (b *flakyBackend) Set(ctx context.Context, t grpcserver.Tenant, key, value string, ttl time.Duration) error {
	if err := b.hit("Set"); err != nil {
		return err
	}
	return b.Backend.Set(ctx, t, key, value, ttl)
}

func (b *flakyBackend) count(method string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls[method]
}

func startFlaky(t *testing.T, failures map[string]int, opts ...Option) (*Server, *flakyBackend) {
	fb := &flakyBackend{failures: failures, calls: map[string]int{}}
	s := Start(t, append(opts, WithBackend(func(b grpcserver.Backend) grpcserver.Backend {
		fb.Backend = b
		return fb
	}))...)
	return s, fb
}

func TestRetryOnServerUnavailable(t *testing.T) {
	s, fb := startFlaky(t, map[string]int{"Get": 2, "Set": 1})
	ctx := testCtx(t)
	// The write fails once and is not repeated: the server saw it once.
	err := s.Client.Set(ctx, "k", "v")
	require.ErrorIs(t, err, client.ErrUnavailable)
	assert.Equal(t, 1, fb.count("Set"))
	s.CheckExists(t, "k", false)

	require.NoError(t, s.Client.Set(ctx, "k", "v"))
	// The read fails twice and succeeds on its third attempt.
	v, err := s.Client.Get(ctx, "k")
	require.NoError(t, err)
	assert.Equal(t, "v", v)
	assert.Equal(t, 3, fb.count("Get"))
}

func TestRetryAcrossServerRestart(t *testing.T) {
	for name, opts := range map[string][]Option{"tcp": nil, "bufconn": {WithBufconn()}} {
		t.Run(name, func(t *testing.T) {
			at := newAttempts()
			s, fb := startFlaky(t, nil, append(opts, WithClientOptions(at.option()))...)
			ctx := testCtx(t)
			require.NoError(t, s.Client.Set(ctx, "k", "v"))
			require.NoError(t, s.Stop())

			// A write while the server is down fails at once, once.
			sets := fb.count("Set")
			require.ErrorIs(t, s.Client.Set(ctx, "k", "lost"), client.ErrUnavailable)
			assert.Equal(t, 1, at.count("Set")-1, "the write was tried exactly once")
			drain(at.unavailable)

			// A read while it is down keeps trying; once one attempt has
			// failed the server comes back and the read succeeds.
			got := make(chan error, 1)
			go func() {
				v, err := s.Client.Get(ctx, "k")
				if err == nil && v != "v" {
					err = fmt.Errorf("got %q", v)
				}
				got <- err
			}()
			<-at.unavailable
			require.NoError(t, s.Restart())
			require.NoError(t, <-got)
			assert.GreaterOrEqual(t, at.count("Get"), 2, "the read was retried")
			assert.Equal(t, 1, fb.count("Get"), "and reached the server once, after the restart")
			assert.Equal(t, sets, fb.count("Set"), "the failed write never reached the server")
			s.CheckGet(t, "k", "v")
		})
	}
}

func drain(c chan string) {
	for {
		select {
		case <-c:
		default:
			return
		}
	}
}

func TestBatcherEndToEnd(t *testing.T) {
	for name, opts := range map[string][]Option{"tcp": nil, "bufconn": {WithBufconn()}} {
		t.Run(name, func(t *testing.T) {
			s, fb := startFlaky(t, nil, opts...)
			db := s.ClientDB()
			const n = 1000
			for i := range n {
				if i%10 != 0 { // every tenth key is missing
					_, err := db.Set(fmt.Sprint("k", i), fmt.Sprint("v", i), engine.SetOptions{})
					require.NoError(t, err)
				}
			}
			_, err := db.Del("k5")
			require.NoError(t, err)
			_, err = db.HSet("k5", engine.FieldValue{Field: "f", Value: "v"}) // a hash: GET would be WRONGTYPE
			require.NoError(t, err)

			b := client.NewBatcher(s.Client, client.BatcherOptions{MaxSize: 256, MaxWait: 2 * time.Millisecond})
			t.Cleanup(func() { _ = b.Close() })
			vals := make([]string, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Go(func() {
					<-start
					vals[i], errs[i] = b.Get(testCtx(t), fmt.Sprint("k", i))
				})
			}
			close(start)
			wg.Wait()
			for i := range n {
				switch {
				case i%10 == 0 || i == 5:
					assert.ErrorIs(t, errs[i], client.Nil, "caller %d", i)
				default:
					assert.NoError(t, errs[i], "caller %d", i)
					assert.Equal(t, fmt.Sprint("v", i), vals[i], "caller %d gets its own value", i)
				}
			}
			calls := fb.count("GetMultiple")
			t.Logf("%d concurrent Gets -> %d GetMultiple calls", n, calls)
			assert.LessOrEqual(t, calls, 40, "few requests")
			assert.GreaterOrEqual(t, calls, n/256)
			assert.Zero(t, fb.count("Get"))
		})
	}
}

func TestBatcherSetsEndToEnd(t *testing.T) {
	s := Start(t)
	b := client.NewBatcher(s.Client, client.BatcherOptions{MaxSize: 64, MaxWait: 2 * time.Millisecond})
	t.Cleanup(func() { _ = b.Close() })
	const n = 200
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = b.Set(testCtx(t), fmt.Sprint("s", i), strconv.Itoa(i)) })
	}
	wg.Wait()
	if errors.Is(errs[0], client.ErrUnimplemented) {
		t.Skip("SKIPPED: the server does not implement ExecuteBatch yet")
	}
	for i := range n {
		require.NoError(t, errs[i])
		s.CheckGet(t, fmt.Sprint("s", i), strconv.Itoa(i))
	}
}

// renewals counts RenewLock calls sent by a client and signals each.
func renewals() (client.Option, chan struct{}) {
	ch := make(chan struct{}, 1000)
	return client.WithDialOptions(grpc.WithChainUnaryInterceptor(
		func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoke grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			err := invoke(ctx, method, req, reply, cc, opts...)
			if method == "/isa.redis.RedisService/RenewLock" && err == nil {
				ch <- struct{}{}
			}
			return err
		})), ch
}

func TestWithLockContention(t *testing.T) {
	s := Start(t)
	ctx := testCtx(t)
	if _, err := s.Client.AcquireLock(ctx, "probe", time.Second, 0); errors.Is(err, client.ErrUnimplemented) {
		t.Skip("SKIPPED: the server does not implement locks yet")
	}
	// Two "processes": separate connections, same tenant.
	procs := []*client.Client{s.NewClient(t), s.NewClient(t)}
	const perProc, rounds = 4, 5
	var inside atomic.Int32
	var wg sync.WaitGroup
	for _, c := range procs {
		for range perProc {
			wg.Go(func() {
				for range rounds {
					err := c.WithLock(ctx, "counter-lock", 10*time.Second, func(ctx context.Context) error {
						if inside.Add(1) != 1 {
							return errors.New("two holders at once")
						}
						defer inside.Add(-1)
						// A read-modify-write that loses updates without
						// mutual exclusion.
						v, err := c.Get(ctx, "counter")
						if err != nil && !errors.Is(err, client.Nil) {
							return err
						}
						n, _ := strconv.Atoi(v)
						return c.Set(ctx, "counter", strconv.Itoa(n+1))
					})
					assert.NoError(t, err)
				}
			})
		}
	}
	wg.Wait()
	s.CheckGet(t, "counter", strconv.Itoa(len(procs)*perProc*rounds))
}

func TestWithLockRenewsWhileFnRuns(t *testing.T) {
	renewOpt, renewed := renewals()
	s := Start(t, WithClientOptions(renewOpt))
	ctx := testCtx(t)
	other := s.NewClient(t)
	const ttl = 300 * time.Millisecond // renewals every 100 ms of real time
	err := s.Client.WithLock(ctx, "L", ttl, func(ctx context.Context) error {
		// The server's clock moves 2 TTLs while fn runs, in steps of half
		// a TTL, each after a renewal: only the renewals keep the lock.
		for range 4 {
			select {
			case <-renewed:
			case <-ctx.Done():
				return context.Cause(ctx)
			}
			s.Advance(ttl / 2)
		}
		_, err := other.AcquireLock(ctx, "L", ttl, 0)
		if !errors.Is(err, client.ErrLockNotAcquired) {
			return fmt.Errorf("the lock should still be held: %v", err)
		}
		return nil
	})
	if errors.Is(err, client.ErrUnimplemented) {
		t.Skip("SKIPPED: the server does not implement locks yet")
	}
	require.NoError(t, err)
	l, err := other.AcquireLock(ctx, "L", ttl, 0)
	require.NoError(t, err, "released at the end")
	require.NoError(t, l.Release(ctx))
}

func TestWithLockLostCancelsFn(t *testing.T) {
	s := Start(t)
	ctx := testCtx(t)
	other := s.NewClient(t)
	const ttl = 300 * time.Millisecond
	var cause error
	err := s.Client.WithLock(ctx, "L", ttl, func(fnCtx context.Context) error {
		// The lock expires on the server and someone else takes it.
		s.Advance(ttl + time.Millisecond)
		if _, err := other.AcquireLock(ctx, "L", time.Minute, 0); err != nil {
			return err
		}
		<-fnCtx.Done() // the next renewal is refused
		cause = context.Cause(fnCtx)
		return fnCtx.Err()
	})
	if errors.Is(err, client.ErrUnimplemented) {
		t.Skip("SKIPPED: the server does not implement locks yet")
	}
	require.ErrorIs(t, err, client.ErrLockLost)
	require.ErrorIs(t, cause, client.ErrLockLost)
	_, err = s.Client.AcquireLock(ctx, "L", ttl, 0)
	require.ErrorIs(t, err, client.ErrLockNotAcquired, "the new holder's lock was not released by the loser")
}
