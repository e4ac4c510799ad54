package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
	"github.com/isa-cloud/isa-memstore/bench/internal/harness"
	"github.com/isa-cloud/isa-memstore/engine"
	"github.com/isa-cloud/isa-memstore/grpcserver"
	"github.com/isa-cloud/isa-memstore/grpcserver/redisbackend"
)

// The grpc comparison: unary Get/Set QPS with 64 callers through our gRPC
// server (in this process, 127.0.0.1) with the embedded engine backend,
// against the same server with a backend that answers without doing
// anything (the transport's ceiling: gRPC, interceptors, validation,
// protobuf), and against the Redis backend (the earlier service's
// architecture, a redis-server started on 127.0.0.1). The callers use the generated client directly over 4
// connections, each alternating Set and Get over 10k keys.
const (
	grpcCallers       = 64
	grpcConns         = 4
	grpcCeilingTarget = 0.85
	grpcRedisTarget   = 1.5
)

func init() {
	register(comparison{
		name: "grpc", order: 5,
		about: "unary Get/Set QPS, 64 callers: embedded backend vs empty-handler ceiling (>= 0.85) and vs Redis backend (>= 1.5)",
		run:   runGRPC,
	})
}

// emptyBackend answers Get and Set without doing anything; no other
// method is called.
type emptyBackend struct {
	grpcserver.Backend
	value string
}

func (e emptyBackend) Get(context.Context, grpcserver.Tenant, string) (string, bool, error) {
	return e.value, true, nil
}

func (emptyBackend) Set(context.Context, grpcserver.Tenant, string, string, time.Duration) error {
	return nil
}

func runGRPC(cfg config) ([]harness.Result, []string, error) {
	keys := make([]string, netKeys)
	for i := range keys {
		keys[i] = memKey(i)
	}
	value := memValue(0)
	eng, err := engine.Open(engine.Options{})
	if err != nil {
		return nil, nil, err
	}
	defer eng.Close()
	engAddr, stopEng, err := startGRPC(grpcserver.NewEngineBackend(eng))
	if err != nil {
		return nil, nil, err
	}
	defer stopEng()
	emptyAddr, stopEmpty, err := startGRPC(emptyBackend{value: value})
	if err != nil {
		return nil, nil, err
	}
	defer stopEmpty()

	dial := func(addr string) ([]pb.RedisServiceClient, func(), error) {
		var conns []*grpc.ClientConn
		var clients []pb.RedisServiceClient
		for range grpcConns {
			c, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
			if err != nil {
				return nil, nil, err
			}
			conns = append(conns, c)
			clients = append(clients, pb.NewRedisServiceClient(c))
		}
		return clients, func() {
			for _, c := range conns {
				_ = c.Close()
			}
		}, nil
	}
	engClients, closeEng, err := dial(engAddr)
	if err != nil {
		return nil, nil, err
	}
	defer closeEng()
	emptyClients, closeEmpty, err := dial(emptyAddr)
	if err != nil {
		return nil, nil, err
	}
	defer closeEmpty()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	type contender struct {
		name    string
		clients []pb.RedisServiceClient
	}
	contenders := []contender{{"engine (embedded)", engClients}, {"empty (transport ceiling)", emptyClients}}
	var skips []string
	// The Redis backend: the same server in front of a redis-server on
	// 127.0.0.1, as the earlier service was built.
	srv, err := harness.StartRedis()
	switch {
	case errors.Is(err, harness.ErrNoRedis):
		skips = append(skips, harness.Skip("grpc-vs-redis", err.Error()))
	case err != nil:
		return nil, nil, err
	default:
		defer srv.Stop()
		rb, err := redisbackend.New(ctx, redisbackend.Options{
			Addrs: []string{srv.Addr}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		})
		if err != nil {
			return nil, nil, err
		}
		defer rb.Close()
		redisAddr, stopRedis, err := startGRPC(rb)
		if err != nil {
			return nil, nil, err
		}
		defer stopRedis()
		redisClients, closeRedis, err := dial(redisAddr)
		if err != nil {
			return nil, nil, err
		}
		defer closeRedis()
		contenders = append(contenders, contender{"Redis backend (redis-server)", redisClients})
	}

	for i, c := range contenders {
		if i == 1 {
			continue // the empty backend stores nothing
		}
		for _, k := range keys {
			if _, err := c.clients[0].Set(ctx, &pb.SetRequest{UserId: benchUser, Key: k, Value: value}); err != nil {
				return nil, nil, fmt.Errorf("%s: preload: %w", c.name, err)
			}
		}
	}
	errs := make([]harness.FirstError, len(contenders))
	measure := func(clients []pb.RedisServiceClient, fe *harness.FirstError) func() float64 {
		return func() float64 {
			return harness.MeasureChunked(grpcCallers, cfg.round, 1, func(w int) func(int) {
				c := clients[w%len(clients)]
				get := &pb.GetRequest{UserId: benchUser}
				set := &pb.SetRequest{UserId: benchUser, Value: value}
				return func(i int) {
					k := keys[walk(w, i/2, netKeys)]
					var err error
					if i%2 == 0 {
						set.Key = k
						_, err = c.Set(ctx, set)
					} else {
						get.Key = k
						_, err = c.Get(ctx, get)
					}
					fe.Note(err)
				}
			}).PerSec
		}
	}
	fns := make([]func() float64, len(contenders))
	for i, c := range contenders {
		fns[i] = measure(c.clients, &errs[i])
	}
	samples := harness.Alternate(cfg.rounds, fns...)
	for i, c := range contenders {
		if err := errs[i].Err(); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", c.name, err)
		}
	}
	eq := harness.Median(samples[0])
	t := harness.NewTable("backend", "calls/s", "engine is", "range")
	for i, c := range contenders {
		m := harness.Median(samples[i])
		t.Row(c.name, harness.Ops(m), harness.Ratio(eq/m), spread(samples[i]))
	}
	t.Print(os.Stdout)
	fmt.Printf("%d callers over %d connections per server, each alternating Set and Get\n", grpcCallers, grpcConns)
	results := []harness.Result{harness.AtLeast("grpc-ceiling", eq/harness.Median(samples[1]), grpcCeilingTarget)}
	if len(contenders) > 2 {
		results = append(results, harness.AtLeast("grpc-vs-redis", eq/harness.Median(samples[2]), grpcRedisTarget))
	}
	return results, skips, nil
}
