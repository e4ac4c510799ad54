// Package redisbackend is a grpcserver.Backend that keeps everything in a
// real Redis: standalone, Sentinel or Cluster, through go-redis's
// UniversalClient. It is the scale-out path: the same gRPC API, the same
// observable behaviour as the embedded engine (the conformance suite and a
// differential test hold it to that), with the data in a distributed store.
//
// Semantics come from Redis itself wherever a command exists; what Redis
// lacks is built from scripts that run atomically on the server: owner-
// checked locks with a fencing counter, sessions findable by user and id,
// atomic batches with per-operation errors. See layout.go for the key
// layout, errors.go for how Redis replies become the engine's errors.
//
// Availability: New fails when Redis does not answer. Afterwards a monitor
// goroutine PINGs Redis; while it does not answer every call fails fast
// with UNAVAILABLE and OnHealthChange reports false, and service resumes by
// itself when Redis answers again.
package redisbackend

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/isa-cloud/isa-memstore/grpcserver"
)

// Defaults of Options.
const (
	DefaultDialTimeout       = 5 * time.Second
	DefaultHealthInterval    = time.Second
	DefaultLockTTL           = 30 * time.Second
	DefaultSessionTTL        = 24 * time.Hour
	DefaultLockRecheck       = 500 * time.Millisecond
	DefaultSubscriptionQueue = 1024
)

// Options configure a Backend.
type Options struct {
	// Addrs are the Redis addresses (host:port): one for a standalone
	// server, the seeds of a cluster, or the sentinels with MasterName. A
	// single address of a cluster node is recognised as a cluster.
	Addrs []string
	// MasterName selects Sentinel: the name of the monitored master.
	MasterName string
	// Username and Password authenticate (ACL user, or Password alone for
	// requirepass). SentinelPassword authenticates to the sentinels.
	Username, Password string
	SentinelPassword   string
	// DB is the database number (standalone and Sentinel only; a cluster
	// has only database 0).
	DB int
	// IDs says what happens to user and organization ids the key layout
	// cannot hold literally (see layout.go): refused with INVALID_ARGUMENT
	// (IDsReject, the default, as the spec says) or escaped (IDsEscape).
	IDs IDPolicy
	// TLS, when set, makes every connection use TLS.
	TLS *tls.Config
	// PoolSize is the number of connections per node; 0 is go-redis's
	// default (10 per CPU).
	PoolSize int
	// DialTimeout bounds connecting, including the first contact in New;
	// 0 means DefaultDialTimeout.
	DialTimeout time.Duration
	// HealthInterval is the period of the monitor's PING; 0 means
	// DefaultHealthInterval. While Redis is down it pings 4 times as often,
	// so service resumes quickly.
	HealthInterval time.Duration
	// DefaultLockTTL and DefaultSessionTTL replace a zero TTL in
	// AcquireLock/RenewLock and CreateSession.
	DefaultLockTTL, DefaultSessionTTL time.Duration
	// LockRecheck bounds how long a waiting AcquireLock relies on the
	// release notification alone before it looks again (a notification can
	// be lost across a reconnection); 0 means DefaultLockRecheck.
	LockRecheck time.Duration
	// SubscriptionQueue is how many messages a Subscribe stream may fall
	// behind before it is dropped as too slow; 0 means
	// DefaultSubscriptionQueue.
	SubscriptionQueue int
	// OnHealthChange, when set, is called (from the monitor goroutine, one
	// call at a time) each time Redis becomes unreachable (false) or
	// reachable again (true).
	OnHealthChange func(serving bool)
	// Logger receives health transitions; nil means slog.Default().
	Logger *slog.Logger
}

// Backend serves grpcserver's Backend contract from Redis. Create it with
// New and Close it after the server has stopped.
type Backend struct {
	c       redis.UniversalClient
	cluster bool
	lay     layout
	opts    Options
	log     *slog.Logger

	healthy atomic.Bool
	kick    chan struct{} // wakes the monitor to check now
	quit    chan struct{}
	// base is cancelled by Close: background work derives from it.
	base     context.Context
	stopBase context.CancelFunc
	wg       sync.WaitGroup // the monitor and the lock notifier
	closeMu  sync.Mutex
	closed   bool

	counters counterTable
	locks    *lockNotifier
	subs     subscriptionSet
}

var (
	_ grpcserver.Backend       = (*Backend)(nil)
	_ grpcserver.TenantChecker = (*Backend)(nil)
)

// New connects to Redis and returns a Backend once Redis has answered a
// PING; it fails (within DialTimeout, or earlier when ctx ends) if Redis
// cannot be reached, so a misconfigured deployment stops at start-up.
func New(ctx context.Context, opts Options) (*Backend, error) {
	if len(opts.Addrs) == 0 {
		return nil, errors.New("redisbackend: no Redis address given")
	}
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = DefaultDialTimeout
	}
	if opts.HealthInterval <= 0 {
		opts.HealthInterval = DefaultHealthInterval
	}
	if opts.DefaultLockTTL <= 0 {
		opts.DefaultLockTTL = DefaultLockTTL
	}
	if opts.DefaultSessionTTL <= 0 {
		opts.DefaultSessionTTL = DefaultSessionTTL
	}
	if opts.LockRecheck <= 0 {
		opts.LockRecheck = DefaultLockRecheck
	}
	if opts.SubscriptionQueue <= 0 {
		opts.SubscriptionQueue = DefaultSubscriptionQueue
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	uo := &redis.UniversalOptions{
		Addrs:            opts.Addrs,
		MasterName:       opts.MasterName,
		Username:         opts.Username,
		Password:         opts.Password,
		SentinelPassword: opts.SentinelPassword,
		DB:               opts.DB,
		TLSConfig:        opts.TLS,
		PoolSize:         opts.PoolSize,
		DialTimeout:      opts.DialTimeout,
		// RESP2: every reply shape the backend parses is the classic one,
		// whatever the server version.
		Protocol: 2,
		// Deadlines and cancellation of the gRPC call reach the socket.
		ContextTimeoutEnabled: true,
		// No CLIENT SETINFO: Redis 7.0 does not know it.
		DisableIdentity: true,
	}
	c := redis.NewUniversalClient(uo)
	cluster := false
	if _, ok := c.(*redis.ClusterClient); ok {
		cluster = true
	}
	pctx, cancel := context.WithTimeout(ctx, opts.DialTimeout)
	defer cancel()
	if err := c.Ping(pctx).Err(); err != nil {
		_ = c.Close()
		if strings.Contains(err.Error(), "SELECT is not allowed in cluster mode") {
			return nil, fmt.Errorf("redisbackend: Redis at %s is a cluster, which has only database 0 (got DB %d)", strings.Join(opts.Addrs, ","), opts.DB)
		}
		return nil, fmt.Errorf("redisbackend: Redis at %s does not answer: %w", strings.Join(opts.Addrs, ","), err)
	}
	if !cluster && opts.MasterName == "" {
		// One address given: it may still be a cluster node, which a plain
		// client would only see as MOVED replies.
		info, err := c.Info(pctx, "cluster").Result()
		if err == nil && strings.Contains(info, "cluster_enabled:1") {
			_ = c.Close()
			if opts.DB != 0 {
				return nil, errors.New("redisbackend: Redis Cluster has only database 0")
			}
			uo.IsClusterMode = true
			c = redis.NewUniversalClient(uo)
			cluster = true
			if err := c.Ping(pctx).Err(); err != nil {
				_ = c.Close()
				return nil, fmt.Errorf("redisbackend: Redis Cluster at %s does not answer: %w", strings.Join(opts.Addrs, ","), err)
			}
		}
	}
	b := &Backend{
		c:       c,
		cluster: cluster,
		lay:     layout{cluster: cluster, ids: opts.IDs},
		opts:    opts,
		log:     opts.Logger,
		kick:    make(chan struct{}, 1),
		quit:    make(chan struct{}),
	}
	b.base, b.stopBase = context.WithCancel(context.Background())
	b.loadScripts(pctx)
	b.healthy.Store(true)
	b.locks = newLockNotifier(b)
	b.wg.Add(1)
	go b.monitor()
	return b, nil
}

// Cluster reports whether the backend talks to a Redis Cluster (and so
// uses the hash-tagged key layout).
func (b *Backend) Cluster() bool { return b.cluster }

// Healthy reports whether Redis answered the monitor's last PING (or any
// call since). The server can poll it for its health service; the
// OnHealthChange option pushes the same information.
func (b *Backend) Healthy() bool { return b.healthy.Load() }

// Client is the underlying go-redis client, for tests and tools that need
// to look at the data directly.
func (b *Backend) Client() redis.UniversalClient { return b.c }

// Close ends open subscriptions, stops the monitor, flushes the command
// counters and closes the connections. Safe to call more than once.
func (b *Backend) Close() error {
	b.closeMu.Lock()
	if b.closed {
		b.closeMu.Unlock()
		return nil
	}
	b.closed = true
	close(b.quit)
	b.stopBase()
	b.closeMu.Unlock()

	b.subs.closeAll()
	b.locks.close()
	b.wg.Wait()
	if b.healthy.Load() {
		ctx, cancel := context.WithTimeout(context.Background(), b.opts.DialTimeout)
		b.flushCounters(ctx)
		cancel()
	}
	return b.c.Close()
}

// suspect asks the monitor to check Redis now, after a call failed in a
// way that suggests it is gone.
func (b *Backend) suspect() {
	select {
	case b.kick <- struct{}{}:
	default:
	}
}

// ready fails fast while Redis is known to be down.
func (b *Backend) ready() error {
	if !b.healthy.Load() {
		return errUnavailable
	}
	return nil
}

// monitor PINGs Redis every HealthInterval (4 times as often while it is
// down), reports transitions and flushes the command counters.
func (b *Backend) monitor() {
	defer b.wg.Done()
	interval := b.opts.HealthInterval
	t := time.NewTimer(interval)
	defer t.Stop()
	for {
		select {
		case <-b.quit:
			return
		case <-t.C:
		case <-b.kick:
		}
		ok := b.ping()
		if ok != b.healthy.Load() {
			b.healthy.Store(ok)
			if ok {
				b.log.Info("redis is reachable again")
			} else {
				b.log.Warn("redis is unreachable: answering UNAVAILABLE until it returns")
				b.subs.failAll(unavailable(errors.New("connection to Redis lost")))
				b.locks.reset()
			}
			if b.opts.OnHealthChange != nil {
				b.opts.OnHealthChange(ok)
			}
		}
		if ok {
			ctx, cancel := context.WithTimeout(b.base, b.opts.DialTimeout)
			b.flushCounters(ctx)
			cancel()
		}
		next := interval
		if !ok {
			next = interval / 4
		}
		if !t.Stop() {
			select {
			case <-t.C:
			default:
			}
		}
		t.Reset(next)
	}
}

// ping checks Redis once, bounded by the dial timeout and by Close.
func (b *Backend) ping() bool {
	ctx, cancel := context.WithTimeout(b.base, b.opts.DialTimeout)
	defer cancel()
	if cc, ok := b.c.(*redis.ClusterClient); ok {
		// Every master must answer: a tenant whose shard is down is down.
		return cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
			return c.Ping(ctx).Err()
		}) == nil
	}
	return b.c.Ping(ctx).Err() == nil
}

// CheckTenant implements grpcserver.TenantChecker: it refuses, with
// INVALID_ARGUMENT, the ids the key layout cannot hold (IDsReject), so the
// RPCs the server answers without the backend (Unsubscribe) refuse them as
// every other RPC does.
func (b *Backend) CheckTenant(t grpcserver.Tenant) error { return b.lay.check(t) }

// begin starts a call in tenant t: it checks the ids, fails fast while
// Redis is down and counts the command.
func (b *Backend) begin(t grpcserver.Tenant) (names, error) {
	n, err := b.lay.tenant(t)
	if err != nil {
		return names{}, err
	}
	if err := b.ready(); err != nil {
		return names{}, err
	}
	b.counters.command(t, 1)
	return n, nil
}
