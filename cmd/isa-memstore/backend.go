package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/isa-cloud/isa-memstore/engine"
	"github.com/isa-cloud/isa-memstore/grpcserver"
	"github.com/isa-cloud/isa-memstore/grpcserver/redisbackend"
)

// Backends --backend selects.
const (
	backendEngine = "engine"
	backendRedis  = "redis"
)

// Values of --redis-ids.
const (
	idsReject = "reject"
	idsEscape = "escape"
)

// redisConfig is the Redis backend's part of the configuration.
type redisConfig struct {
	addrs        string
	masterName   string
	username     string
	password     string
	passwordFile string
	db           int
	tls          bool
	tlsCA        string
	tlsInsecure  bool
	ids          string
	rebuild      bool
	poolSize     int
	dialTimeout  time.Duration
}

// backendFlag accepts "engine" or "redis".
type backendFlag struct{ s *string }

func (f backendFlag) String() string {
	if f.s == nil {
		return ""
	}
	return *f.s
}

func (f backendFlag) Set(s string) error {
	if s != backendEngine && s != backendRedis {
		return fmt.Errorf("want %s or %s", backendEngine, backendRedis)
	}
	*f.s = s
	return nil
}

// registerBackend adds --backend and the --redis-* flags.
func (c *config) registerBackend(fs *flag.FlagSet) {
	c.backend = backendEngine
	c.redis.ids = idsReject
	c.redis.dialTimeout = redisbackend.DefaultDialTimeout
	r := &c.redis
	fs.Var(backendFlag{&c.backend}, "backend", "where the data lives: `engine` (embedded, in this process) or redis (a Redis server, Sentinel or Cluster: see --redis-addrs)")
	fs.StringVar(&r.addrs, "redis-addrs", "", "with --backend redis: Redis `host:port[,host:port...]`: one server, the seeds of a cluster (detected), or the sentinels with --redis-master-name")
	fs.StringVar(&r.masterName, "redis-master-name", "", "Sentinel: the `name` of the master the sentinels at --redis-addrs monitor")
	fs.StringVar(&r.username, "redis-username", "", "Redis ACL `user`")
	fs.StringVar(&r.password, "redis-password", "", "Redis `password` (prefer the env or --redis-password-file: flags show in ps)")
	fs.StringVar(&r.passwordFile, "redis-password-file", "", "`file` holding the Redis password")
	fs.IntVar(&r.db, "redis-db", 0, "Redis database `number` (standalone and Sentinel; a cluster has only 0)")
	fs.BoolVar(&r.tls, "redis-tls", false, "connect to Redis with TLS")
	fs.StringVar(&r.tlsCA, "redis-tls-ca", "", "PEM `file` of the CA that signed Redis's certificate (default: the system's roots); implies --redis-tls")
	fs.BoolVar(&r.tlsInsecure, "redis-tls-insecure", false, "do not verify Redis's certificate (testing only)")
	fs.StringVar(&r.ids, "redis-ids", r.ids, "user and organization ids containing any of : { } * ? [ ] \\, which would make the legacy key layout org-{org}:user-{user}:{key} ambiguous: `reject` them with INVALID_ARGUMENT (the spec's rule), or escape them (percent-encoding, also of %; a deviation from the legacy layout: such tenants' keys get names the earlier service did not use)")
	fs.BoolVar(&r.rebuild, "redis-rebuild-registry", false, "do not serve: record every tenant key Redis holds in the key registries GetStatistics counts from (for data other programs wrote, such as the earlier service's), then exit; walks the whole keyspace with SCAN")
	fs.IntVar(&r.poolSize, "redis-pool-size", 0, "connections per Redis node (0: 10 per CPU)")
	fs.DurationVar(&r.dialTimeout, "redis-dial-timeout", r.dialTimeout, "how long connecting to Redis may take, also at start-up")
}

// validateBackend checks the backend flags together.
func (c *config) validateBackend() error {
	r := &c.redis
	if c.backend != backendRedis {
		if r.addrs != "" {
			return errors.New("--redis-addrs needs --backend redis")
		}
		if r.rebuild {
			return errors.New("--redis-rebuild-registry needs --backend redis")
		}
		return nil
	}
	if len(r.addrList()) == 0 {
		return errors.New("--backend redis needs --redis-addrs host:port[,host:port...]")
	}
	if r.password != "" && r.passwordFile != "" {
		return errors.New("give the Redis password by --redis-password (or its env) or by --redis-password-file, not both")
	}
	if r.db < 0 {
		return errors.New("--redis-db must not be negative")
	}
	if r.ids != idsReject && r.ids != idsEscape {
		return errors.New("--redis-ids must be reject or escape")
	}
	if r.poolSize < 0 {
		return errors.New("--redis-pool-size must not be negative")
	}
	if r.dialTimeout <= 0 {
		return errors.New("--redis-dial-timeout must be positive")
	}
	if c.maxMemory != 0 {
		return errors.New("--max-memory applies to the embedded engine; with --backend redis set Redis's maxmemory instead")
	}
	return nil
}

func (r *redisConfig) addrList() []string {
	var out []string
	for _, a := range strings.Split(r.addrs, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// options builds the backend's options (reading the password and CA files).
func (r *redisConfig) options(log *slog.Logger) (redisbackend.Options, error) {
	o := redisbackend.Options{
		Addrs:       r.addrList(),
		MasterName:  r.masterName,
		Username:    r.username,
		Password:    r.password,
		DB:          r.db,
		PoolSize:    r.poolSize,
		DialTimeout: r.dialTimeout,
		Logger:      log,
	}
	if r.ids == idsEscape {
		o.IDs = redisbackend.IDsEscape
	}
	if r.passwordFile != "" {
		b, err := os.ReadFile(r.passwordFile)
		if err != nil {
			return o, fmt.Errorf("reading --redis-password-file: %w", err)
		}
		o.Password = strings.TrimSpace(string(b))
	}
	if r.tls || r.tlsCA != "" || r.tlsInsecure {
		o.TLS = &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: r.tlsInsecure} //nolint:gosec // opt-in, documented as testing only
		if r.tlsCA != "" {
			pem, err := os.ReadFile(r.tlsCA)
			if err != nil {
				return o, fmt.Errorf("reading --redis-tls-ca: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return o, fmt.Errorf("--redis-tls-ca %s holds no PEM certificate", r.tlsCA)
			}
			o.TLS.RootCAs = pool
		}
	}
	return o, nil
}

// rebuildRegistry is --redis-rebuild-registry: it records the keys Redis
// holds in the Redis backend's key registries and reports how many.
func rebuildRegistry(ctx context.Context, cfg *config, log *slog.Logger, stdout io.Writer) error {
	opts, err := cfg.redis.options(log)
	if err != nil {
		return err
	}
	redis.SetLogger(redisLog{log})
	b, err := redisbackend.New(ctx, opts)
	if err != nil {
		return err
	}
	defer b.Close()
	start := time.Now()
	n, err := b.RebuildRegistries(ctx)
	if err != nil {
		return fmt.Errorf("rebuilding the key registries: %w", err)
	}
	fmt.Fprintf(stdout, "isa-memstore: recorded %d keys in the key registries in %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}

// redisLog adapts slog to go-redis's logger.
type redisLog struct{ log *slog.Logger }

func (r redisLog) Printf(ctx context.Context, format string, v ...any) {
	r.log.DebugContext(ctx, "redis client: "+fmt.Sprintf(format, v...))
}

// openedBackend is the backend the server runs over.
type openedBackend struct {
	grpcserver.Backend
	// attach tells the backend which server to report its health to.
	attach func(*grpcserver.Server)
	close  func() error
	// attrs describe it in the start-up log line (never a secret).
	attrs []any
	// engine is the embedded engine, nil with the Redis backend; the RESP
	// listener serves it.
	engine *engine.Engine
}

// CheckTenant forwards to the backend's grpcserver.TenantChecker, which
// the embedding would hide from the server; backends without one accept
// every tenant.
func (o *openedBackend) CheckTenant(t grpcserver.Tenant) error {
	if c, ok := o.Backend.(grpcserver.TenantChecker); ok {
		return c.CheckTenant(t)
	}
	return nil
}

// openBackend opens the configured backend. With Redis it fails, within
// --redis-dial-timeout, when Redis does not answer, and reports later
// outages through the server's health service.
func openBackend(ctx context.Context, cfg *config, log *slog.Logger) (*openedBackend, error) {
	if cfg.backend != backendRedis {
		eng, err := engine.Open(engine.Options{MaxMemory: cfg.maxMemory})
		if err != nil {
			return nil, err
		}
		return &openedBackend{
			Backend: grpcserver.NewEngineBackend(eng),
			attach:  func(*grpcserver.Server) {},
			close:   eng.Close,
			attrs:   []any{slog.String("backend", backendEngine), slog.Int64("max_memory", cfg.maxMemory)},
			engine:  eng,
		}, nil
	}
	opts, err := cfg.redis.options(log)
	if err != nil {
		return nil, err
	}
	// go-redis prints its own messages (a dial failure per attempt during
	// an outage) to stderr; the backend already logs the transitions, so
	// keep them at debug level in the structured log.
	redis.SetLogger(redisLog{log})
	var srv atomic.Pointer[grpcserver.Server]
	opts.OnHealthChange = func(ok bool) {
		if s := srv.Load(); s != nil {
			s.SetServing(ok)
		}
	}
	b, err := redisbackend.New(ctx, opts)
	if err != nil {
		return nil, err
	}
	mode := "standalone"
	switch {
	case b.Cluster():
		mode = "cluster"
	case opts.MasterName != "":
		mode = "sentinel"
	}
	return &openedBackend{
		Backend: b,
		attach:  srv.Store,
		close:   b.Close,
		attrs: []any{
			slog.String("backend", backendRedis),
			slog.String("redis_addrs", strings.Join(opts.Addrs, ",")),
			slog.String("redis_mode", mode),
			slog.Int("redis_db", opts.DB),
			slog.Bool("redis_tls", opts.TLS != nil),
			slog.Bool("redis_auth", opts.Password != ""),
			slog.String("redis_ids", cfg.redis.ids),
		},
	}, nil
}
