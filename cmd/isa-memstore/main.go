// Command isa-memstore serves the embedded isa-memstore engine through the
// isa.redis.RedisService gRPC API on :50055, a drop-in replacement for the
// earlier Redis-proxying service. Run it with --help for the flags.
//
// At start-up it prints "isa-memstore <version> listening on <addr>" on
// stdout (the actual address, so that --addr 127.0.0.1:0 is usable by
// scripts and tests) and logs its settings, never secrets, on stderr. On
// SIGINT or SIGTERM it stops gracefully and exits 0.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/isa-cloud/isa-memstore/grpcserver"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise it comes from the module's build information.
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // could not start or serve
	exitUsage = 2 // bad flags or environment
)

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// run is the whole program; it returns the exit code. It serves until ctx
// is done (a signal), then shuts down gracefully.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := parseConfig(args, getenv, stdout)
	switch {
	case errors.Is(err, errHelp):
		return exitOK
	case err != nil:
		fmt.Fprintf(stderr, "isa-memstore: %v\nRun 'isa-memstore --help' for usage.\n", err)
		return exitUsage
	case cfg.showVersion:
		fmt.Fprintf(stdout, "isa-memstore %s\n", versionString())
		return exitOK
	}
	log := newLogger(cfg, stderr)
	if cfg.redis.rebuild {
		if err := rebuildRegistry(ctx, cfg, log, stdout); err != nil {
			log.Error("isa-memstore failed", slog.String("error", err.Error()))
			return exitError
		}
		return exitOK
	}
	if err := serve(ctx, cfg, log, stdout); err != nil {
		log.Error("isa-memstore failed", slog.String("error", err.Error()))
		return exitError
	}
	return exitOK
}

func newLogger(cfg *config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.logLevel}
	if cfg.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// serve runs the server until ctx is done, then stops it in order: Consul
// deregistration (no new traffic is routed here), health NOT_SERVING and
// the end of subscriptions, in-flight calls (bounded), the engine.
func serve(ctx context.Context, cfg *config, log *slog.Logger, stdout io.Writer) error {
	opts := grpcserver.Options{
		MaxMessageBytes: cfg.maxMessageBytes,
		Limits:          cfg.limits,
		Logger:          log,
	}
	var err error
	if opts.Token, err = cfg.loadToken(); err != nil {
		return err
	}
	if cfg.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.tlsCert, cfg.tlsKey)
		if err != nil {
			return fmt.Errorf("loading TLS certificate: %w", err)
		}
		opts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	backend, err := openBackend(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer backend.close()
	srv, err := grpcserver.New(backend, opts)
	if err != nil {
		return err
	}
	backend.attach(srv)
	lis, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	rs, err := startRESP(cfg, backend.engine, opts.Token, log)
	if err != nil {
		stopServer(srv, cfg)
		<-served
		return err
	}
	defer rs.stop(cfg)

	fmt.Fprintf(stdout, "isa-memstore %s listening on %s\n", versionString(), lis.Addr())
	lim := srv.Limits() // with the defaults filled in
	log.Info("isa-memstore started",
		slog.String("version", versionString()),
		slog.String("addr", lis.Addr().String()),
		slog.Bool("tls", opts.TLS != nil),
		slog.Bool("auth", opts.Token != ""),
		slog.Int("max_message_bytes", cfg.maxMessageBytes),
		slog.Int("max_key_bytes", lim.MaxKeyBytes),
		slog.Int("max_value_bytes", lim.MaxValueBytes),
		slog.Int("max_id_bytes", lim.MaxIDBytes),
		slog.Int("max_elements", lim.MaxElements),
		slog.Int("list_keys_default", lim.ListKeysDefault),
		slog.Int("list_keys_max", lim.ListKeysMax),
		slog.Group("store", backend.attrs...),
		slog.Duration("shutdown_timeout", cfg.shutdownTimeout),
		slog.String("consul", cfg.consulAddr),
	)

	var reg *consulRegistration
	if cfg.consulAddr != "" {
		reg, err = registerConsul(cfg, lis.Addr(), opts.TLS != nil)
		if err != nil {
			stopServer(srv, cfg)
			<-served
			return err
		}
		log.Info("registered in consul", slog.String("service", cfg.consulService), slog.String("id", reg.id))
	}

	select {
	case <-ctx.Done():
		log.Info("shutting down", slog.Duration("timeout", cfg.shutdownTimeout))
	case err := <-served:
		return fmt.Errorf("serving: %w", err)
	case err := <-rs.served:
		stopServer(srv, cfg)
		<-served
		return fmt.Errorf("serving RESP: %w", err)
	}
	if reg != nil {
		if err := reg.deregister(); err != nil {
			log.Warn("consul deregistration failed", slog.String("error", err.Error()))
		}
	}
	stopServer(srv, cfg)
	if err := <-served; err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

// stopServer shuts srv down, giving in-flight calls cfg.shutdownTimeout.
func stopServer(srv *grpcserver.Server, cfg *config) {
	ctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	srv.Shutdown(ctx)
}
