// Package memstoretest runs a real isa-memstore server inside a Go test:
// the embedded engine on a manual clock, the gRPC RedisService server on a
// free 127.0.0.1 port (or an in-memory bufconn), and a connected client.
//
//	func TestCache(t *testing.T) {
//		s := memstoretest.Start(t)
//		require.NoError(t, s.Client.SetTTL(ctx, "k", "v", time.Minute))
//		s.CheckGet(t, "k", "v")
//		s.Advance(time.Minute) // no sleeping: the key is gone at once
//		s.CheckExists(t, "k", false)
//	}
//
// Everything Start creates is stopped by t.Cleanup (New and Close do the
// same without a testing.TB, for examples and benchmarks). The Check helpers, in
// the spirit of miniredis, read through the client in its tenant and
// report mismatches with t.Errorf.
package memstoretest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/test/bufconn"

	"github.com/isa-cloud/isa-memstore/client"
	"github.com/isa-cloud/isa-memstore/engine"
	"github.com/isa-cloud/isa-memstore/grpcserver"
	"github.com/isa-cloud/isa-memstore/resp"
	"github.com/isa-cloud/isa-memstore/ttl"
)

// Defaults of the server Start runs.
const (
	// User and Organization are the tenant of Server.Client.
	User         = "memstoretest"
	Organization = ""
	// shutdownTimeout bounds the graceful stop in Stop and the cleanup.
	shutdownTimeout = 5 * time.Second
)

// Server is a running in-process server and a client connected to it.
type Server struct {
	// Client is connected as tenant (User, Organization).
	Client *client.Client
	// Engine is the embedded database behind the server; DB reaches the
	// client's tenant in it.
	Engine *engine.Engine
	// Clock is the engine's clock: Advance it to make keys, locks and
	// sessions expire without sleeping. It is nil with WithSystemClock.
	Clock *ttl.Manual
	// Addr is the server's "127.0.0.1:port", or "bufconn" with WithBufconn.
	Addr string
	// RESPAddr is the "127.0.0.1:port" of the Redis protocol listener over
	// the same engine, for go-redis, redis-cli and other Redis clients; empty
	// unless WithRESP was given.
	RESPAddr string

	resp    *resp.Server
	cfg     config
	backend grpcserver.Backend
	bufconn *bufconn.Listener

	mu     sync.Mutex
	srv    *grpcserver.Server
	served chan error
}

type config struct {
	bufconn    bool
	sysClock   bool
	clientOpts []client.Option
	serverOpts grpcserver.Options
	engineOpts engine.Options
	wrap       func(grpcserver.Backend) grpcserver.Backend
	resp       bool
}

// Option configures Start.
type Option func(*config)

// WithBufconn serves over an in-memory connection instead of TCP: no port,
// no network, only this process's clients (made by NewClient) reach it.
func WithBufconn() Option { return func(c *config) { c.bufconn = true } }

// WithSystemClock runs the engine on the real clock instead of a manual
// one, for tests that must see time pass on its own (Server.Clock is nil
// and Advance panics).
func WithSystemClock() Option { return func(c *config) { c.sysClock = true } }

// WithClientOptions adds options to Server.Client and to NewClient's
// clients (after the defaults: WithUser(User), fast retries).
func WithClientOptions(opts ...client.Option) Option {
	return func(c *config) { c.clientOpts = append(c.clientOpts, opts...) }
}

// WithRESP also serves the engine over the Redis protocol on a free
// 127.0.0.1 port (Server.RESPAddr), so code written against go-redis or any
// Redis client can be tested on the same engine and manual clock: keys
// expire when the clock is advanced. The listener's databases 0-15 are
// namespaces of their own, apart from the gRPC tenants.
func WithRESP() Option { return func(c *config) { c.resp = true } }

// WithServerOptions sets the gRPC server's options (TLS, token, limits,
// logger, ...). Without a Logger the server logs nothing.
func WithServerOptions(o grpcserver.Options) Option {
	return func(c *config) { c.serverOpts = o }
}

// WithEngineOptions sets the engine's options. The clock is always
// Server.Clock (or the system clock with WithSystemClock): o.Clock is
// ignored.
func WithEngineOptions(o engine.Options) Option {
	return func(c *config) { c.engineOpts = o }
}

// WithBackend wraps the engine's Backend before the server uses it, for
// tests that count calls reaching the server or inject failures.
func WithBackend(wrap func(grpcserver.Backend) grpcserver.Backend) Option {
	return func(c *config) { c.wrap = wrap }
}

// Start is New for a test: it fails the test if the server cannot start
// and closes everything with t.Cleanup.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := New(opts...)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("%v", err)
		}
	})
	return s
}

// New opens an engine on a manual clock (starting at the current time),
// serves it and connects Server.Client. Close stops it all. Tests use
// Start; New is for examples, benchmarks and programs without a testing.TB.
func New(opts ...Option) (_ *Server, err error) {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.serverOpts.Logger == nil {
		cfg.serverOpts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg}
	eo := cfg.engineOpts
	eo.Clock = nil // the system clock
	if !cfg.sysClock {
		s.Clock = ttl.NewManual(time.Now())
		eo.Clock = s.Clock
	}
	if s.Engine, err = engine.Open(eo); err != nil {
		return nil, fmt.Errorf("memstoretest: open engine: %w", err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, s.Close())
		}
	}()
	s.backend = grpcserver.NewEngineBackend(s.Engine)
	if cfg.wrap != nil {
		s.backend = cfg.wrap(s.backend)
	}

	var lis net.Listener
	if cfg.bufconn {
		s.bufconn = bufconn.Listen(1 << 20)
		s.Addr = "bufconn"
		lis = s.bufconn
	} else {
		if lis, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("memstoretest: listen: %w", err)
		}
		s.Addr = lis.Addr().String()
	}
	if err = s.serve(lis); err != nil {
		_ = lis.Close()
		return nil, fmt.Errorf("memstoretest: %w", err)
	}
	if s.Client, err = s.Dial(); err != nil {
		return nil, err
	}
	if cfg.resp {
		if err = s.serveRESP(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// serveRESP starts the Redis protocol listener; Close stops it.
func (s *Server) serveRESP() error {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("memstoretest: listen for RESP: %w", err)
	}
	s.resp = resp.NewServer(s.Engine, resp.Options{})
	s.RESPAddr = lis.Addr().String()
	go func() { _ = s.resp.Serve(lis) }()
	return nil
}

// Close closes Server.Client, stops the server and closes the engine.
// Clients made by Dial are the caller's to close.
func (s *Server) Close() error {
	var errs []error
	if s.Client != nil {
		errs = append(errs, s.Client.Close())
	}
	errs = append(errs, s.Stop())
	if s.resp != nil {
		if err := s.resp.Close(); err != nil {
			errs = append(errs, fmt.Errorf("memstoretest: close RESP listener: %w", err))
		}
	}
	if s.Engine != nil {
		if err := s.Engine.Close(); err != nil {
			errs = append(errs, fmt.Errorf("memstoretest: close engine: %w", err))
		}
	}
	return errors.Join(errs...)
}

func (s *Server) serve(lis net.Listener) error {
	srv, err := grpcserver.New(s.backend, s.cfg.serverOpts)
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	s.mu.Lock()
	s.srv, s.served = srv, served
	s.mu.Unlock()
	return nil
}

// NewClient is Dial for a test: the client is closed by t.Cleanup.
func (s *Server) NewClient(t testing.TB, opts ...client.Option) *client.Client {
	t.Helper()
	c, err := s.Dial(opts...)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// Dial connects another client to the server; the caller closes it. The
// defaults are tenant (User, Organization), and reconnection and read
// retries quick enough for a Stop and Restart; opts come after the
// WithClientOptions given to New, so they win.
func (s *Server) Dial(opts ...client.Option) (*client.Client, error) {
	all := []client.Option{
		client.WithUser(User), client.WithOrganization(Organization),
		client.WithRetries(20, 5*time.Millisecond, 100*time.Millisecond),
		client.WithDialOptions(grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           backoff.Config{BaseDelay: 5 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 100 * time.Millisecond},
			MinConnectTimeout: time.Second,
		})),
	}
	target := s.Addr
	if s.cfg.bufconn {
		target = "passthrough:///bufconn"
		all = append(all, client.WithDialOptions(grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
			// Read at each dial: Restart replaces the listener.
			s.mu.Lock()
			lis := s.bufconn
			s.mu.Unlock()
			return lis.DialContext(ctx)
		})))
	}
	all = append(append(all, s.cfg.clientOpts...), opts...)
	c, err := client.New(target, all...)
	if err != nil {
		return nil, fmt.Errorf("memstoretest: client: %w", err)
	}
	return c, nil
}

// Stop shuts the gRPC server down gracefully (open Subscribe streams end,
// clients see UNAVAILABLE), keeping the engine and its data. Restart
// serves again. Stopping a stopped server does nothing.
func (s *Server) Stop() error {
	s.mu.Lock()
	srv, served := s.srv, s.served
	s.srv, s.served = nil, nil
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	srv.Shutdown(ctx)
	if err := <-served; err != nil {
		return fmt.Errorf("memstoretest: serve: %w", err)
	}
	return nil
}

// Restart serves the same engine again on the same address after Stop,
// as a restarted process would: clients reconnect on their own.
func (s *Server) Restart() error {
	s.mu.Lock()
	running := s.srv != nil
	s.mu.Unlock()
	if running {
		return errors.New("memstoretest: Restart of a running server")
	}
	var lis net.Listener
	if s.cfg.bufconn {
		// A bufconn listener closed by Shutdown stays closed: start a
		// fresh one, which the clients' dialer picks up.
		s.mu.Lock()
		s.bufconn = bufconn.Listen(1 << 20)
		lis = s.bufconn
		s.mu.Unlock()
	} else {
		var err error
		if lis, err = net.Listen("tcp", s.Addr); err != nil {
			return err
		}
	}
	return s.serve(lis)
}

// Advance moves the server's clock forward by d: keys, locks and sessions
// whose time is up are gone for every following call.
func (s *Server) Advance(d time.Duration) {
	if s.Clock == nil {
		panic("memstoretest: Advance needs the manual clock; the server runs WithSystemClock")
	}
	s.Clock.Advance(d)
}

// DB is the engine namespace holding the data of tenant (org, user) as
// the server maps it, for seeding or inspecting data without the network.
func (s *Server) DB(org, user string) *engine.DB {
	// The encoding of grpcserver.EngineBackend: the organization prefixed
	// by its length, then the user (TestStart checks that they agree).
	return s.Engine.DB(strconv.Itoa(len(org)) + ":" + org + user)
}

// ClientDB is DB for Server.Client's tenant.
func (s *Server) ClientDB() *engine.DB { return s.DB(Organization, User) }
