// Package grpcserver serves the isa.redis.RedisService gRPC API over a
// Backend (the embedded engine, later possibly a real Redis), together with
// the standard health service, server reflection, gzip, keepalive
// enforcement, request limits, panic recovery, structured logs and optional
// TLS and bearer-token authentication.
//
// Every handler takes the same four steps: validate the request (tenant ids,
// sizes, durations), call one Backend method in the caller's tenant, map
// the error through the one table in errors.go, build the response. No
// Redis semantics live here.
package grpcserver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	_ "google.golang.org/grpc/encoding/gzip" // existing clients gzip every request
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/reflection"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// HealthService is the service name deployments' health checks ask the
// standard grpc.health.v1.Health service about.
const HealthService = "redis-service"

// DefaultKeepaliveMinTime is the shortest interval between client pings the
// server tolerates. The existing clients ping every 60 s, also without an
// active stream; anything at or below that keeps them connected.
const DefaultKeepaliveMinTime = 10 * time.Second

// Options configure a Server. The zero value serves plaintext without
// authentication with the default limits, logging to slog.Default().
type Options struct {
	// MaxMessageBytes bounds every request and response message; 0 means
	// DefaultMaxMessageBytes (10 MiB, as the earlier server).
	MaxMessageBytes int
	// Limits bound what one request may carry.
	Limits Limits
	// TLS, when set, makes the server speak TLS only.
	TLS *tls.Config
	// Token, when set, is the bearer token every RedisService call must
	// carry as "authorization: Bearer <token>" metadata. The health and
	// reflection services stay open.
	Token string
	// KeepaliveMinTime is the shortest client ping interval tolerated; 0
	// means DefaultKeepaliveMinTime.
	KeepaliveMinTime time.Duration
	// Logger receives one line per failed RPC and one per recovered panic;
	// nil means slog.Default().
	Logger *slog.Logger
}

// Server is a gRPC server exposing RedisService over a Backend. Create it
// with New, run it with Serve, stop it with Shutdown.
type Server struct {
	grpc   *grpc.Server
	health *health.Server
	svc    *service
	log    *slog.Logger
	conns  connCounter

	quit     chan struct{} // closed by Shutdown: ends Subscribe streams
	quitOnce sync.Once
}

// New builds a Server over b. It does not listen yet.
func New(b Backend, opts Options) (*Server, error) {
	if b == nil {
		return nil, errors.New("grpcserver: nil Backend")
	}
	if opts.MaxMessageBytes == 0 {
		opts.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if opts.MaxMessageBytes < 0 {
		return nil, fmt.Errorf("grpcserver: MaxMessageBytes must not be negative (got %d)", opts.MaxMessageBytes)
	}
	if opts.KeepaliveMinTime <= 0 {
		opts.KeepaliveMinTime = DefaultKeepaliveMinTime
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	lim, err := opts.Limits.withDefaults(opts.MaxMessageBytes)
	if err != nil {
		return nil, err
	}
	s := &Server{
		health: health.NewServer(),
		log:    opts.Logger,
		quit:   make(chan struct{}),
	}
	s.svc = &service{b: b, lim: lim, quit: s.quit, conns: &s.conns}

	unary := []grpc.UnaryServerInterceptor{s.logUnary}
	stream := []grpc.StreamServerInterceptor{s.logStream}
	if opts.Token != "" {
		a := newAuth(opts.Token)
		unary = append(unary, a.unary)
		stream = append(stream, a.stream)
	}
	unary = append(unary, s.recoverUnary)
	stream = append(stream, s.recoverStream)

	gopts := []grpc.ServerOption{
		grpc.MaxRecvMsgSize(opts.MaxMessageBytes),
		grpc.MaxSendMsgSize(opts.MaxMessageBytes),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{
			MinTime:             opts.KeepaliveMinTime,
			PermitWithoutStream: true,
		}),
		grpc.ChainUnaryInterceptor(unary...),
		grpc.ChainStreamInterceptor(stream...),
	}
	if opts.TLS != nil {
		gopts = append(gopts, grpc.Creds(credentials.NewTLS(opts.TLS)))
	}
	s.grpc = grpc.NewServer(gopts...)
	pb.RegisterRedisServiceServer(s.grpc, s.svc)
	healthpb.RegisterHealthServer(s.grpc, healthService{Server: s.health, quit: s.quit})
	reflection.Register(s.grpc)
	s.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	s.health.SetServingStatus(HealthService, healthpb.HealthCheckResponse_SERVING)
	return s, nil
}

// Serve accepts connections on lis until Shutdown; it returns nil after a
// Shutdown and the listener's error otherwise.
func (s *Server) Serve(lis net.Listener) error {
	err := s.grpc.Serve(s.conns.listener(lis))
	if errors.Is(err, grpc.ErrServerStopped) {
		return nil
	}
	return err
}

// Shutdown stops the server: health turns NOT_SERVING, open Subscribe
// streams end cleanly (status OK), in-flight calls may finish until ctx is
// done, then remaining connections are closed. Safe to call more than once.
func (s *Server) Shutdown(ctx context.Context) {
	s.health.Shutdown()
	s.quitOnce.Do(func() { close(s.quit) })
	done := make(chan struct{})
	go func() {
		s.grpc.GracefulStop()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		s.log.Warn("graceful stop timed out; closing remaining connections")
		s.grpc.Stop()
		<-done
	}
}

// Limits are the limits in force, defaults filled in.
func (s *Server) Limits() Limits { return s.svc.lim }

// ConnectionsReceived is the number of connections accepted since start.
func (s *Server) ConnectionsReceived() int64 { return s.conns.total.Load() }

// ConnectedClients is the number of connections open now.
func (s *Server) ConnectedClients() int64 { return s.conns.open.Load() }
